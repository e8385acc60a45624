"""Writes of the notifications outbox: enqueue (inside the business transaction), send,
retry.

Enqueue: :func:`messages_enqueue` inserts the rows with ``ON CONFLICT DO NOTHING`` on the
unique ``dedupe_key``, so a replayed event adds nothing and never breaks the transaction
that calls it. After the commit a ``django.tasks`` task sends each new message at once.

Send: :func:`notifications_send_due` (``manage.py send_notifications``, the systemd timer
and the periodic task) claims a batch of due rows with ``SELECT … FOR UPDATE SKIP LOCKED``
on PostgreSQL (two senders never take the same row; SQLite serialises writers anyway),
moves their ``next_attempt_at`` past the send timeout (the claim), and sends each outside
any transaction. A failure waits ``backoff_seconds(attempt)`` (1 min, 2, 4, … up to 6 h);
after ``POSTOPS_NOTIFY_MAX_ATTEMPTS`` the message is dead until a supervisor retries it.

Logs name the message id and channel only: never a recipient or a message text.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from postops.core.audit import audit_record
from postops.core.backoff import backoff_seconds

from . import rules
from .channels import OutgoingMessage, Result, channel_for, channel_get
from .models import Message, MessageAttempt, MessageStatus

logger = logging.getLogger("postops.notify")

DUE_STATUSES = (MessageStatus.PENDING, MessageStatus.FAILED)


def _max_attempts() -> int:
    return int(getattr(settings, "POSTOPS_NOTIFY_MAX_ATTEMPTS", 8))


def _claim_seconds() -> int:
    # Longer than any channel's timeout: a sender that died mid-send frees its rows by then.
    return int(getattr(settings, "POSTOPS_NOTIFY_TIMEOUT_SECONDS", 10)) + 30


# --- Enqueue ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    """A notice to one address, before the channel is chosen."""

    kind: str  # rules.EMAIL or rules.PHONE
    address: str
    template_key: str
    context: dict
    dedupe_key: str
    source_type: str = ""
    source_id: str = ""
    source_label: str = ""
    office_id: int | None = None


def messages_enqueue(notices: list[Notice]) -> int:
    """Write one outbox row per notice whose address has an enabled channel; returns how
    many notices had one (rows already there for the same key are left as they are).

    Call inside the transaction of the business change."""
    now = timezone.now()
    rows = []
    for notice in notices:
        if not notice.address:
            continue
        channel = channel_for(notice.kind, notice.template_key)
        if channel is None:
            continue  # no channel configured for this kind of address: nothing to send
        rows.append(
            Message(
                channel=channel.name,
                recipient=notice.address,
                template_key=notice.template_key,
                context=notice.context,
                dedupe_key=notice.dedupe_key,
                next_attempt_at=now,
                source_type=notice.source_type,
                source_id=notice.source_id,
                source_label=notice.source_label,
                office_id=notice.office_id,
            )
        )
    if not rows:
        return 0
    # ON CONFLICT DO NOTHING: a replay neither adds a row nor aborts the caller's transaction.
    Message.objects.bulk_create(rows, ignore_conflicts=True)
    keys = [row.dedupe_key for row in rows]
    transaction.on_commit(lambda: _enqueue_send(keys))
    return len(rows)


def _enqueue_send(keys: list[str]) -> None:
    """After the commit: one task per message still waiting for its first attempt. If the
    task queue is unavailable the timer's sweep sends them a minute later."""
    ids = Message.objects.filter(
        dedupe_key__in=keys, status=MessageStatus.PENDING, attempts=0
    ).values_list("pk", flat=True)
    _enqueue_ids(list(ids))


# --- Rendering -------------------------------------------------------------------------------


def _template_context(context: dict) -> dict:
    """Dates are stored as ISO strings (JSON); templates get ``date`` objects back."""
    values = {}
    for key, value in context.items():
        if isinstance(value, str) and (key.endswith("_on") or key.endswith("_date")) and value:
            with contextlib.suppress(ValueError):  # a plain text stays text
                value = date.fromisoformat(value)
        values[key] = value
    return values


def message_render(message: Message) -> OutgoingMessage:
    """The subject and text in Vietnamese (the citizens' and agencies' language), from
    ``templates/notify/<template_key>_subject.txt`` and ``<template_key>.txt``."""
    context = _template_context(message.context)
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"notify/{message.template_key}_subject.txt", context)
        body = render_to_string(f"notify/{message.template_key}.txt", context)
        data = {
            key: value.strftime("%d/%m/%Y") if isinstance(value, date) else value
            for key, value in context.items()
        }
    return OutgoingMessage(
        reference=str(message.pk),
        recipient=message.recipient,
        template_key=message.template_key,
        subject=" ".join(subject.split()),
        body=body.strip() + "\n",
        data=data,
    )


# --- Sending ---------------------------------------------------------------------------------


def _due(now):
    return Message.objects.filter(status__in=DUE_STATUSES, next_attempt_at__lte=now)


def _lock(qs):
    if connection.features.has_select_for_update_skip_locked:
        return qs.select_for_update(skip_locked=True)
    return qs.select_for_update()


def _claim(ids: list[int], now) -> None:
    Message.objects.filter(pk__in=ids).update(
        next_attempt_at=now + timedelta(seconds=_claim_seconds())
    )


def notifications_claim_due(limit: int = 100) -> list[int]:
    """Claim up to ``limit`` due messages (oldest due first) for this sender."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            _lock(_due(now).order_by("next_attempt_at", "id")).values_list("pk", flat=True)[:limit]
        )
        if ids:
            _claim(ids, now)
    return ids


def notifications_send_due(limit: int = 100) -> dict[str, int]:
    """Send every due message (up to ``limit``); counts by outcome."""
    counts = {"sent": 0, "failed": 0, "dead": 0}
    for pk in notifications_claim_due(limit):
        message = message_send(pk, claimed=True)
        if message is not None and message.status in counts:
            counts[message.status] += 1
    return counts


def message_send(pk, *, claimed: bool = False) -> Message | None:
    """One attempt at one message if it is due (or already claimed by the caller).

    Returns the message as it stands afterwards, or ``None`` when it is not there or not
    due (another sender has it, it was sent, it is dead)."""
    now = timezone.now()
    if not claimed:
        with transaction.atomic():
            if not _lock(_due(now).filter(pk=pk)).values_list("pk", flat=True).first():
                return None
            _claim([pk], now)
    message = Message.objects.filter(pk=pk, status__in=DUE_STATUSES).first()
    if message is None:
        return None
    result = _attempt(message)
    return _record(message, result)


def _attempt(message: Message) -> Result:
    channel = channel_get(message.channel)
    if channel is None or not channel.enabled:
        return Result(ok=False, error=f"channel {message.channel} is not configured")
    try:
        outgoing = message_render(message)
        return channel.send(outgoing)
    except Exception as exc:  # a broken backend must not stop the batch
        # The exception text may quote the recipient (SMTP refusals do): only its type and a
        # redacted text leave this function.
        return Result(ok=False, error=f"{type(exc).__name__}: {exc}")


def _record(message: Message, result: Result) -> Message:
    done = timezone.now()
    error = "" if result.ok else rules.safe_error(result.error or "failed", message.recipient)
    with transaction.atomic():
        number = MessageAttempt.objects.filter(message=message).count() + 1
        MessageAttempt.objects.create(
            message=message,
            number=number,
            attempted_at=done,
            ok=result.ok,
            error=error,
            provider_id=result.provider_id[:100],
        )
        message.attempts += 1
        message.last_error = error
        if result.ok:
            message.status = MessageStatus.SENT
            message.sent_at = done
            message.provider_id = result.provider_id[:100]
            message.next_attempt_at = None
        elif message.attempts >= _max_attempts():
            message.status = MessageStatus.DEAD
            message.next_attempt_at = None
        else:
            message.status = MessageStatus.FAILED
            message.next_attempt_at = done + timedelta(seconds=backoff_seconds(message.attempts))
        message.save(
            update_fields=[
                "attempts",
                "last_error",
                "status",
                "sent_at",
                "provider_id",
                "next_attempt_at",
            ]
        )
    if result.ok:
        logger.info("notification %s sent via %s", message.pk, message.channel)
    else:
        logger.warning(
            "notification %s via %s failed (attempt %s): %s",
            message.pk,
            message.channel,
            message.attempts,
            message.status,
        )
    return message


def message_retry(*, actor, message: Message, request=None) -> bool:
    """Send a dead message again from now with a fresh set of attempts (a supervisor's
    action); ``False`` when it is not dead (any more)."""
    with transaction.atomic():
        moved = Message.objects.filter(pk=message.pk, status=MessageStatus.DEAD).update(
            status=MessageStatus.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        if not moved:
            return False
        audit_record(
            actor,
            "notify.message_retry",
            message,
            before={"status": message.status, "attempts": message.attempts},
            after={"status": MessageStatus.PENDING, "attempts": 0},
            request=request,
        )
        pk = message.pk
        transaction.on_commit(lambda: _enqueue_ids([pk]))
    return True


def _enqueue_ids(ids: list[int]) -> None:
    from .tasks import notification_send_task

    for pk in ids:
        try:
            notification_send_task.enqueue(pk)
        except Exception:  # the sweep is the safety net; the business change stays committed
            logger.exception("notification %s: could not enqueue the send task", pk)
