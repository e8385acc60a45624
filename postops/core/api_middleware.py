"""Uniform JSON errors and security headers for everything under ``/api/``.

Errors raised inside an API operation are shaped by ``postops.core.api_errors``. Some never
reach an operation: an unknown path (Django's URL resolver answers 404 in HTML), a method
the path does not offer (ninja answers a plain-text 405), a crash in a middleware (Django's
HTML 500). This middleware rewrites those into ``{"code", "message", "details"}`` and adds
the response headers the OWASP REST Security Cheat Sheet recommends for APIs.
"""

from django.http import HttpRequest, HttpResponseBase

from .api_errors import error_json_response

API_PREFIX = "/api/"

# Headers a rewritten error keeps from the original response (RFC 9110 §10.2, RFC 6750 §3).
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "X-Request-ID")

# JSON is never rendered as a document: forbid every fetch and any framing. The API docs
# page is HTML and keeps the site-wide policy.
API_CSP = "default-src 'none'; frame-ancestors 'none'"


def _is_json(response: HttpResponseBase) -> bool:
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    return content_type == "application/json" or content_type.endswith("+json")


def _is_html(response: HttpResponseBase) -> bool:
    return response.get("Content-Type", "").lower().startswith("text/html")


def _as_json_error(response: HttpResponseBase) -> HttpResponseBase:
    details = []
    if response.status_code == 405 and response.has_header("Allow"):
        allowed = sorted(m.strip() for m in response["Allow"].split(",") if m.strip())
        details = [{"allowed_methods": allowed}]
    rewritten = error_json_response(response.status_code, details=details)
    for header in _KEPT_HEADERS:
        if response.has_header(header):
            rewritten[header] = response[header]
    return rewritten


class ApiResponseMiddleware:
    """Put it right after ``SecurityMiddleware``/``RequestIdMiddleware`` so it sees every
    response, including Django's own 404/500 pages, of a request under ``/api/``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX):
            return response
        if response.status_code >= 400 and not response.streaming and not _is_json(response):
            response = _as_json_error(response)
        # API answers may carry personal data: no shared or browser cache keeps them unless
        # an endpoint chose a cache policy itself.
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
        response.setdefault("X-Content-Type-Options", "nosniff")
        # A rewritten error is a new response, which XFrameOptionsMiddleware never saw.
        response.setdefault("X-Frame-Options", "DENY")
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if not _is_html(response):
            response["Content-Security-Policy"] = API_CSP
        return response
