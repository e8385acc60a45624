"""One error shape for the whole API: ``{"code", "message", "details"}``.

``code`` is a stable machine-readable slug, ``message`` a human sentence, ``details`` a list
of ``{"field"/"loc", "message", ...}`` items pointing at what is wrong.

The handlers below cover errors raised inside an API operation; errors Django produces
before the API is reached (unknown path, wrong method, a crash in middleware) are rewritten
into the same shape by :class:`postops.core.api_middleware.ApiResponseMiddleware`.
"""

import logging
import math

from django.http import Http404, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

logger = logging.getLogger("postops.api")

# The code and default message for each HTTP status the API answers with.
ERRORS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "The request is malformed."),
    401: ("unauthorized", "A valid API key or session is required."),
    403: ("forbidden", "You are not allowed to do this."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "This method is not allowed here."),
    409: ("conflict", "The request conflicts with the current state."),
    413: ("payload_too_large", "The request body is too large."),
    415: ("unsupported_media_type", "This content type is not supported."),
    422: ("validation_error", "The request is not valid."),
    429: ("rate_limited", "Too many requests; slow down."),
    500: ("server_error", "An unexpected error occurred."),
    503: ("unavailable", "The service is temporarily unavailable."),
}


class ApiError(Exception):
    """Raise from an endpoint to answer with this code, message and HTTP status."""

    def __init__(self, status: int, code: str, message: str, details: list | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []


def error_body(code: str, message: str, details: list | None = None) -> dict:
    return {"code": code, "message": message, "details": details or []}


def error_for_status(status: int) -> tuple[str, str]:
    """The (code, message) for an HTTP status; unknown ones fall back to their class."""
    if status in ERRORS:
        return ERRORS[status]
    return ("server_error", ERRORS[500][1]) if status >= 500 else ("error", "Request failed.")


def error_json_response(status: int, code: str = "", message: str = "", details=None):
    """A plain Django response in the API error shape (for code outside ninja)."""
    default_code, default_message = error_for_status(status)
    return JsonResponse(
        error_body(code or default_code, message or default_message, details),
        status=status,
        content_type="application/json; charset=utf-8",  # as ninja answers
    )


def rate_limited_response(wait: float | None) -> JsonResponse:
    """429 in the API error shape with how long to wait, when the throttle knows: in
    ``details`` and in ``Retry-After`` (integer seconds, RFC 9110 §10.2.3), as django-ninja
    answers a throttled operation. Also for views served outside django-ninja."""
    details = [{"retry_after_seconds": round(wait)}] if wait is not None else []
    response = error_json_response(429, details=details)
    if wait is not None:
        response["Retry-After"] = str(math.ceil(wait))
    return response


def www_authenticate(request) -> str:
    """The ``WWW-Authenticate`` challenge for a 401 (RFC 6750 §3).

    A request that sent credentials which failed gets ``error="invalid_token"``.
    """
    if "authorization" in request.headers:
        return 'Bearer realm="api", error="invalid_token"'
    return 'Bearer realm="api"'


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ApiError)
    def _api_error(request, exc: ApiError):
        response = api.create_response(
            request, error_body(exc.code, exc.message, exc.details), status=exc.status
        )
        if exc.status == 401:
            response["WWW-Authenticate"] = www_authenticate(request)
        return response

    @api.exception_handler(ValidationError)
    def _validation(request, exc: ValidationError):
        details = [
            {
                "field": ".".join(
                    str(p) for p in err.get("loc", ()) if p not in ("body", "payload")
                ),
                "loc": list(err.get("loc", ())),
                "message": err.get("msg", ""),
                "type": err.get("type", ""),
            }
            for err in exc.errors
        ]
        return api.create_response(
            request, error_body("validation_error", ERRORS[422][1], details), status=422
        )

    @api.exception_handler(AuthenticationError)
    def _auth(request, exc):
        response = api.create_response(
            request, error_body("unauthorized", ERRORS[401][1]), status=401
        )
        response["WWW-Authenticate"] = www_authenticate(request)
        return response

    @api.exception_handler(Http404)
    def _not_found(request, exc):
        return api.create_response(request, error_body("not_found", ERRORS[404][1]), status=404)

    @api.exception_handler(Throttled)
    def _throttled(request, exc: Throttled):
        return rate_limited_response(exc.wait)

    @api.exception_handler(HttpError)
    def _http(request, exc: HttpError):
        code, _ = error_for_status(exc.status_code)
        return api.create_response(request, error_body(code, str(exc)), status=exc.status_code)

    @api.exception_handler(Exception)
    def _unexpected(request, exc):
        # The traceback goes to the log (with the request id), never to the client.
        logger.exception("Unhandled API error")
        return api.create_response(request, error_body("server_error", ERRORS[500][1]), status=500)
