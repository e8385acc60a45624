"""Status webhooks for business senders (issue #3, item 4): writes and sending.

The outbox pattern: when an item sent through a partner's API key changes status, a
:class:`~postops.items.models.WebhookDelivery` row is written *in the same transaction* as
the tracking event (``status_changes_enqueue``, called by the event services), so a status
change and its notification are stored together or not at all. After the commit a
``django.tasks`` task sends it (``webhook_deliver``); a failure is retried with exponential
backoff (``rules.webhook_backoff_seconds``) until the receiver answers 2xx or
``POSTOPS_WEBHOOK_MAX_ATTEMPTS`` is reached. ``webhooks_send_due`` (``manage.py
send_webhooks``) sends whatever is due, for backends that cannot defer a task and as a
safety net if an enqueue was lost.

Each request: ``POST <url>`` with a JSON body, ``X-PostOps-Event``,
``X-PostOps-Delivery`` (the delivery id: receivers drop repeats by it) and
``X-PostOps-Signature: t=<unix time>,v1=<HMAC-SHA256 hex of "t.body">``
(``rules.webhook_signature``). Redirects are not followed: a 3xx counts as a failure.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from postops.core.audit import audit_record
from postops.core.http import http_post

from . import rules
from .models import Item, ItemStatus, WebhookDelivery, WebhookEndpoint, WebhookState, upu_code

EVENT_STATUS_CHANGED = "item.status_changed"
_ERROR_MAX = 500


def _timeout() -> float:
    return float(getattr(settings, "POSTOPS_WEBHOOK_TIMEOUT_SECONDS", 10))


def _max_attempts() -> int:
    return int(getattr(settings, "POSTOPS_WEBHOOK_MAX_ATTEMPTS", 12))


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


# --- Endpoints -----------------------------------------------------------------------------


def webhook_endpoint_save(
    *, actor, api_key, url: str, secret: str = "", is_active: bool = True, request=None
) -> WebhookEndpoint:
    """Set the URL (and secret) where ``api_key``'s status webhooks go; a secret is made
    when none is given. Audited without the secret."""
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().filter(api_key=api_key).first()
        before = (
            {"url": endpoint.url, "is_active": endpoint.is_active} if endpoint is not None else {}
        )
        if endpoint is None:
            endpoint = WebhookEndpoint(api_key=api_key)
        rotated = bool(secret) and secret != endpoint.secret
        endpoint.url = url
        endpoint.secret = secret or endpoint.secret or new_secret()
        endpoint.is_active = is_active
        endpoint.full_clean()
        endpoint.save()
        audit_record(
            actor,
            "items.webhook_endpoint_save",
            endpoint,
            before=before,
            after={"url": url, "is_active": is_active, "secret_changed": rotated or not before},
            request=request,
        )
    return endpoint


# --- Enqueue (inside the status change's transaction) ----------------------------------------


def status_changes_enqueue(transitions) -> int:
    """Write one delivery per status change of an item sent through a key with an active
    endpoint. ``transitions``: ``(item, event, previous_status, new_status)`` where
    ``event`` has ``code``, ``office`` (with ``code``), ``occurred_at``, ``reason_code``.

    Call inside the transaction that stores the events. No query when none of the items
    came through a partner key (the scanners' bulk path stays as fast as it was).
    """
    keyed = [t for t in transitions if getattr(t[0], "sender_key_id", None)]
    if not keyed:
        return 0
    endpoints = {
        e.api_key_id: e
        for e in WebhookEndpoint.objects.filter(
            api_key_id__in={t[0].sender_key_id for t in keyed}, is_active=True
        )
    }
    if not endpoints:
        return 0
    references = dict(
        Item.objects.filter(pk__in={t[0].pk for t in keyed}).values_list("pk", "sender_reference")
    )
    now = timezone.now()
    rows = []
    for item, event, previous, new in keyed:
        endpoint = endpoints.get(item.sender_key_id)
        if endpoint is None:
            continue
        delivery_id = uuid.uuid4()
        rows.append(
            WebhookDelivery(
                id=delivery_id,
                endpoint=endpoint,
                item_id=item.pk,
                event_type=EVENT_STATUS_CHANGED,
                payload=_status_payload(
                    delivery_id, now, item, references.get(item.pk, ""), event, previous, new
                ),
                next_attempt_at=now,
            )
        )
    if rows:
        WebhookDelivery.objects.bulk_create(rows)
        ids = [str(r.id) for r in rows]
        transaction.on_commit(lambda: _enqueue_now(ids))
    return len(rows)


def _status_payload(delivery_id, now, item, reference, event, previous, new) -> dict:
    code = str(event.code)
    return {
        "id": str(delivery_id),
        "type": EVENT_STATUS_CHANGED,
        "created_at": now.isoformat(),
        "data": {
            "number": item.number,
            "reference": reference,
            "status": str(new),
            "status_text": str(ItemStatus(str(new)).label),
            "previous_status": str(previous) if previous else None,
            "event": {
                "code": code,
                "upu_code": upu_code(code),
                "office_code": event.office.code,
                "occurred_at": timezone.localtime(event.occurred_at).isoformat(),
                "reason_code": getattr(event, "reason_code", "") or "",
            },
        },
    }


def _enqueue_now(ids: list[str]) -> None:
    from .tasks import webhook_deliver_task

    for delivery_id in ids:
        webhook_deliver_task.enqueue(delivery_id)


def _enqueue_later(delivery_id: str, when) -> None:
    """Schedule the next attempt when the task backend can defer; otherwise the sweeper
    (``manage.py send_webhooks``) picks the delivery up when it is due."""
    from .tasks import webhook_deliver_task

    if webhook_deliver_task.get_backend().supports_defer:
        webhook_deliver_task.using(run_after=when).enqueue(delivery_id)


# --- Sending -------------------------------------------------------------------------------


def webhook_deliver(delivery_id, *, force: bool = False) -> WebhookDelivery | None:
    """Send one delivery if it is pending and due (``force``: due or not). Returns it.

    The row is claimed first (``next_attempt_at`` moved past the request's timeout, in a
    short transaction with a row lock), so two workers never send it at the same time;
    the HTTP request runs outside any transaction.
    """
    now = timezone.now()
    timeout = _timeout()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("endpoint")
            .filter(pk=delivery_id, state=WebhookState.PENDING)
            .first()
        )
        if delivery is None:
            return None
        if not force and delivery.next_attempt_at and delivery.next_attempt_at > now:
            return delivery
        if not delivery.endpoint.is_active:
            return delivery  # paused: stays pending until the endpoint is active again
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.next_attempt_at = now + timedelta(seconds=timeout + 30)  # the claim
        delivery.save(update_fields=["attempts", "last_attempt_at", "next_attempt_at"])
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "PostOps-Webhooks/1",
        "X-PostOps-Event": delivery.event_type,
        "X-PostOps-Delivery": str(delivery.pk),
        "X-PostOps-Signature": rules.webhook_signature(
            delivery.endpoint.secret, int(time.time()), body
        ),
    }
    status, error = None, ""
    try:
        status = http_post(delivery.endpoint.url, body, headers, timeout).status
    except (OSError, ValueError) as exc:  # refused, timed out, DNS, bad URL
        error = f"{type(exc).__name__}: {exc}"[:_ERROR_MAX]
    done = timezone.now()
    delivery.last_status_code = status
    delivery.last_error = (
        error if status is None else ("" if 200 <= status < 300 else f"HTTP {status}")
    )
    if status is not None and 200 <= status < 300:
        delivery.state = WebhookState.DELIVERED
        delivery.delivered_at = done
        delivery.next_attempt_at = None
    elif delivery.attempts >= _max_attempts():
        delivery.state = WebhookState.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.next_attempt_at = done + timedelta(
            seconds=rules.webhook_backoff_seconds(delivery.attempts)
        )
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        state=delivery.state,
        last_status_code=delivery.last_status_code,
        last_error=delivery.last_error,
        delivered_at=delivery.delivered_at,
        next_attempt_at=delivery.next_attempt_at,
    )
    if delivery.state == WebhookState.PENDING:
        _enqueue_later(str(delivery.pk), delivery.next_attempt_at)
    return delivery


def webhooks_send_due(limit: int = 200) -> int:
    """Send every pending delivery whose time has come (oldest first); returns how many
    were attempted."""
    now = timezone.now()
    ids = list(
        WebhookDelivery.objects.filter(
            state=WebhookState.PENDING, next_attempt_at__lte=now, endpoint__is_active=True
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for delivery_id in ids:
        webhook_deliver(delivery_id)
    return len(ids)


def webhook_retry(*, actor, delivery: WebhookDelivery, request=None) -> None:
    """Send a failed or pending delivery again from now (an administrator's action), with
    a fresh set of attempts."""
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            state=WebhookState.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        audit_record(
            actor,
            "items.webhook_retry",
            delivery.item,
            after={"delivery": str(delivery.pk), "previous_state": delivery.state},
            request=request,
        )
        transaction.on_commit(lambda: _enqueue_now([str(delivery.pk)]))


# --- Partner self-service ------------------------------------------------------------------

URL_PROBLEM_TEXT = {
    "invalid_url": "Địa chỉ nhận không hợp lệ (cần dạng https://tên-miền/đường-dẫn).",
    "https_required": "Địa chỉ nhận phải dùng HTTPS.",
}


def _loopback_http_allowed() -> bool:
    """Plain HTTP to a loopback host: development only (``POSTOPS_WEBHOOK_ALLOW_LOOPBACK_HTTP``,
    default ``DEBUG``)."""
    return bool(getattr(settings, "POSTOPS_WEBHOOK_ALLOW_LOOPBACK_HTTP", settings.DEBUG))


def webhook_url_check(url: str) -> None:
    """Raise ``ValidationError`` (field ``url``) unless ``url`` may receive webhooks
    (:func:`rules.webhook_url_problem`)."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    problem = rules.webhook_url_problem(url, _loopback_http_allowed())
    if problem:
        raise ValidationError({"url": ValidationError(_(URL_PROBLEM_TEXT[problem]), code=problem)})


def webhook_endpoint_configure(
    *, actor, api_key, url: str, is_active: bool = True, request=None
) -> tuple[WebhookEndpoint, str | None]:
    """A partner sets its own webhook URL (HTTPS only) and switches it on or off.

    Returns ``(endpoint, secret)``: ``secret`` is the signing secret when this call made it
    (the first configuration), else ``None``: the secret is shown once, and changes only by
    :func:`webhook_secret_rotate`. Audited without the secret.
    """
    webhook_url_check(url)
    existed = WebhookEndpoint.objects.filter(api_key=api_key).exists()
    endpoint = webhook_endpoint_save(
        actor=actor, api_key=api_key, url=url.strip(), is_active=is_active, request=request
    )
    return endpoint, (None if existed else endpoint.secret)


def webhook_secret_rotate(*, actor, api_key, request=None) -> str:
    """A new signing secret for ``api_key``'s endpoint, returned once. Webhooks sent from
    now on (retries included) are signed with it. Raises ``WebhookEndpoint.DoesNotExist``
    when no endpoint is configured."""
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(api_key=api_key)
        endpoint.secret = new_secret()
        endpoint.save(update_fields=["secret"])
        audit_record(
            actor,
            "items.webhook_secret_rotate",
            endpoint,
            after={"secret_changed": True},
            request=request,
        )
    return endpoint.secret


EVENT_PING = "ping"


def webhook_ping(*, actor, api_key, request=None) -> dict:
    """Send a signed test request (``X-PostOps-Event: ping``) to ``api_key``'s endpoint now
    and say what the receiver answered: ``{"delivered", "status_code", "error"}``. Not put in
    the delivery log (that lists the items' webhooks); audited. Raises
    ``WebhookEndpoint.DoesNotExist`` when no endpoint is configured."""
    endpoint = WebhookEndpoint.objects.get(api_key=api_key)
    ping_id = str(uuid.uuid4())
    body = json.dumps(
        {"id": ping_id, "type": EVENT_PING, "created_at": timezone.now().isoformat()},
        separators=(",", ":"),
    ).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "PostOps-Webhooks/1",
        "X-PostOps-Event": EVENT_PING,
        "X-PostOps-Delivery": ping_id,
        "X-PostOps-Signature": rules.webhook_signature(endpoint.secret, int(time.time()), body),
    }
    status, error = None, ""
    try:
        status = http_post(endpoint.url, body, headers, _timeout()).status
    except (OSError, ValueError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:_ERROR_MAX]
    delivered = status is not None and 200 <= status < 300
    if status is not None and not delivered:
        error = f"HTTP {status}"
    audit_record(
        actor,
        "items.webhook_ping",
        endpoint,
        after={"status_code": status, "delivered": delivered},
        request=request,
    )
    return {"delivered": delivered, "status_code": status, "error": error}


def webhook_deliveries_for_key(api_key, *, limit: int = 50) -> list[WebhookDelivery]:
    """The latest deliveries of ``api_key``'s endpoint, newest first (its delivery log)."""
    return list(
        WebhookDelivery.objects.filter(endpoint__api_key=api_key)
        .select_related("item")
        .only(
            "id",
            "event_type",
            "state",
            "attempts",
            "last_status_code",
            "last_error",
            "created_at",
            "last_attempt_at",
            "delivered_at",
            "next_attempt_at",
            "item__number",
        )
        .order_by("-created_at")[:limit]
    )
