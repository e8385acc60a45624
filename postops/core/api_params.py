"""OpenAPI descriptions of request parameters shared by the API routers."""

from __future__ import annotations


def idempotency_key_parameter(description: str, *, required: bool, max_length: int = 64) -> dict:
    """The ``Idempotency-Key`` request header as an OpenAPI parameter (for
    ``openapi_extra={"parameters": [...]}``); each endpoint says what a replay answers."""
    return {
        "name": "Idempotency-Key",
        "in": "header",
        "required": required,
        "schema": {"type": "string", "maxLength": max_length},
        "description": description,
    }
