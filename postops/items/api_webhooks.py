"""Partner self-service for status webhooks (issue #3, item 4), under ``/api/v1/``.

A partner key manages its own endpoint; nobody else's:

* ``GET /webhooks`` — the URL and whether it is on (never the secret).
* ``PUT /webhooks`` — set the URL (HTTPS only) and switch it on or off. The first time, the
  answer carries the signing secret: shown once.
* ``POST /webhooks/secret`` — a new signing secret, shown once (``Idempotency-Key``
  required: a retry answers the same secret instead of rotating again).
* ``POST /webhooks/ping`` — a signed test request now; the answer says what the receiver
  replied.
* ``GET /webhooks/deliveries`` — the delivery log: the latest 50 webhooks and their state.

Only API keys with the ``partner`` role: a staff session has no endpoint of its own (staff
manage endpoints in the admin).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from ninja import Field, Router, Schema, Status

from postops.accounts.api_auth import require_roles, staff_auth
from postops.core.api_errors import ApiError

from . import webhooks
from .api_partner import IDEMPOTENCY_PARAMETER, ErrorOut, _run_idempotent
from .models import WebhookEndpoint

router = Router(tags=["webhooks"], auth=staff_auth)


class WebhookIn(Schema):
    url: str = Field(
        max_length=500,
        description="Where PostOps POSTs the status webhooks. HTTPS only.",
        examples=["https://shop.example.vn/postops/webhook"],
    )
    is_active: bool = Field(True, description="False pauses sending (webhooks wait).")


class WebhookOut(Schema):
    url: str
    is_active: bool
    created_at: datetime
    secret: str | None = Field(
        None,
        description="The signing secret (HMAC-SHA256, header `X-PostOps-Signature`): only "
        "in the answer that created it; store it, it is not shown again.",
    )


class SecretOut(Schema):
    secret: str = Field(description="The new signing secret, shown once.")


class PingOut(Schema):
    delivered: bool = Field(description="The receiver answered 2xx.")
    status_code: int | None = Field(description="The receiver's HTTP status, if it answered.")
    error: str = Field(description="Why it failed: `HTTP <status>` or the network error.")


class DeliveryOut(Schema):
    id: str
    event_type: str
    number: str = Field(description="The item's S10 number.")
    state: Literal["pending", "delivered", "failed"]
    attempts: int
    last_status_code: int | None
    last_error: str
    created_at: datetime
    last_attempt_at: datetime | None
    delivered_at: datetime | None
    next_attempt_at: datetime | None


class _NoBody(Schema):
    """Rotation has no body: the idempotency record hashes an empty one."""


def _partner_key(request):
    principal = require_roles(request, "partner")
    if principal.kind != "key":
        raise ApiError(403, "api_key_required", "Only a partner API key manages its own webhook.")
    return principal


def _not_configured() -> ApiError:
    return ApiError(404, "webhook_not_configured", "No webhook URL is set; PUT /webhooks first.")


def _out(endpoint: WebhookEndpoint, secret: str | None = None) -> dict:
    return {
        "url": endpoint.url,
        "is_active": endpoint.is_active,
        "created_at": endpoint.created_at,
        "secret": secret,
    }


@router.get(
    "/webhooks",
    response={200: WebhookOut, 403: ErrorOut, 404: ErrorOut},
    summary="Your webhook endpoint",
    url_name="webhook_get",
)
def webhook_get(request):
    """The URL your status webhooks go to and whether sending is on. The secret is never
    shown here. 404 `webhook_not_configured` when none is set."""
    principal = _partner_key(request)
    endpoint = WebhookEndpoint.objects.filter(api_key=principal.key).first()
    if endpoint is None:
        raise _not_configured()
    return _out(endpoint)


@router.put(
    "/webhooks",
    response={200: WebhookOut, 201: WebhookOut, 403: ErrorOut, 422: ErrorOut},
    summary="Set your webhook endpoint",
    url_name="webhook_put",
)
def webhook_put(request, payload: WebhookIn):
    """Set the URL (HTTPS only) and switch sending on or off. Repeating it changes nothing
    more. The first time (201) the answer carries the signing `secret`: store it, it is
    not shown again (rotate it with `POST /webhooks/secret`). Errors: 422 `invalid_url`,
    `https_required`."""
    principal = _partner_key(request)
    try:
        endpoint, secret = webhooks.webhook_endpoint_configure(
            actor=principal.key,
            api_key=principal.key,
            url=payload.url,
            is_active=payload.is_active,
            request=request,
        )
    except ValidationError as exc:
        code = exc.error_dict["url"][0].code if hasattr(exc, "error_dict") else "invalid_url"
        raise ApiError(
            422,
            code or "invalid_url",
            "The webhook URL is not accepted.",
            [
                {"field": name, "message": message}
                for name, messages in exc.message_dict.items()
                for message in messages
            ],
        ) from None
    return Status(201 if secret else 200, _out(endpoint, secret))


@router.post(
    "/webhooks/secret",
    response={201: SecretOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Rotate your signing secret",
    url_name="webhook_secret_rotate",
    openapi_extra={"parameters": [IDEMPOTENCY_PARAMETER]},
)
def webhook_secret_rotate(request, response: HttpResponse):
    """A new signing secret, shown once; webhooks sent from now on (retries too) are signed
    with it. A retry with the same `Idempotency-Key` answers the same secret."""
    principal = _partner_key(request)
    if not WebhookEndpoint.objects.filter(api_key=principal.key).exists():
        raise _not_configured()

    def run():
        secret = webhooks.webhook_secret_rotate(
            actor=principal.key, api_key=principal.key, request=request
        )
        return 201, {"secret": secret}

    return _run_idempotent(request, response, principal, "POST /webhooks/secret", _NoBody(), run)


@router.post(
    "/webhooks/ping",
    response={200: PingOut, 403: ErrorOut, 404: ErrorOut},
    summary="Send a test webhook",
    url_name="webhook_ping",
)
def webhook_ping(request):
    """POST a signed `ping` (header `X-PostOps-Event: ping`) to your URL now and report
    what it answered. Safe to repeat: it changes nothing."""
    principal = _partner_key(request)
    try:
        return webhooks.webhook_ping(actor=principal.key, api_key=principal.key, request=request)
    except WebhookEndpoint.DoesNotExist:
        raise _not_configured() from None


@router.get(
    "/webhooks/deliveries",
    response={200: list[DeliveryOut], 403: ErrorOut},
    summary="Your webhook delivery log",
    url_name="webhook_deliveries",
)
def webhook_deliveries(request):
    """The latest 50 status webhooks sent (or to be sent) to you, newest first, with their
    state, attempts and the receiver's last answer."""
    principal = _partner_key(request)
    return [
        {
            "id": str(d.pk),
            "event_type": d.event_type,
            "number": d.item.number,
            "state": d.state,
            "attempts": d.attempts,
            "last_status_code": d.last_status_code,
            "last_error": d.last_error,
            "created_at": d.created_at,
            "last_attempt_at": d.last_attempt_at,
            "delivered_at": d.delivered_at,
            "next_attempt_at": d.next_attempt_at,
        }
        for d in webhooks.webhook_deliveries_for_key(principal.key)
    ]
