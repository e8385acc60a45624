"""One error shape for the whole API: ``{"code", "message", "details"}``.

``code`` is a stable machine-readable slug, ``message`` a human sentence, ``details`` a list
of ``{"field"/"loc", "message", ...}`` items pointing at what is wrong.
"""

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError


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


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ApiError)
    def _api_error(request, exc: ApiError):
        return api.create_response(
            request, error_body(exc.code, exc.message, exc.details), status=exc.status
        )

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
            request,
            error_body("validation_error", "The request is not valid.", details),
            status=422,
        )

    @api.exception_handler(AuthenticationError)
    def _auth(request, exc):
        return api.create_response(
            request,
            error_body("unauthorized", "A valid API key or session is required."),
            status=401,
        )

    @api.exception_handler(Http404)
    def _not_found(request, exc):
        return api.create_response(request, error_body("not_found", "Not found."), status=404)

    @api.exception_handler(HttpError)
    def _http(request, exc: HttpError):
        codes = {
            400: "bad_request",
            403: "forbidden",
            404: "not_found",
            405: "method_not_allowed",
            409: "conflict",
            429: "rate_limited",
        }
        return api.create_response(
            request,
            error_body(codes.get(exc.status_code, "error"), str(exc)),
            status=exc.status_code,
        )

    @api.exception_handler(Exception)
    def _unexpected(request, exc):
        import logging

        logging.getLogger("postops.api").exception("Unhandled API error")
        return api.create_response(
            request, error_body("server_error", "An unexpected error occurred."), status=500
        )
