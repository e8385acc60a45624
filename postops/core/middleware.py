"""Request id: one id per request, carried into logs and audit entries."""

import contextvars
import logging
import re
import uuid

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdMiddleware:
    """Take a sane ``X-Request-ID`` from the proxy or make one; echo it in the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # Django logs 4xx/5xx responses ("django.request") after the middleware chain has
        # returned and the context is reset; such records carry the request itself.
        request = getattr(record, "request", None)
        record.request_id = getattr(request, "request_id", None) or _request_id.get()
        return True


class VietnameseFirstLocaleMiddleware:
    """Vietnamese unless the user chose another language with the switch.

    Django's ``LocaleMiddleware`` follows the browser's ``Accept-Language``; counter PCs and
    cheap phones often run an English browser, yet the UI must open in Vietnamese (issue #2,
    item 8). Only the language cookie set by ``set_language`` changes it.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = frozenset(code for code, _name in settings.LANGUAGES)

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response
