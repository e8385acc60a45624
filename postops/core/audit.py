"""Audit trail writes.

Call :func:`audit_record` inside the service's transaction, so that the entry and the
change commit or roll back together (Zulip ``RealmAuditLog``; Open Zaak audit trail). Store
ids and changed values only. Reads of personal data are recorded with an action ending in
``.read`` (Law 91/2025/QH15; Decree 356/2025: log who read a citizen's record).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models, transaction

from .middleware import current_request_id
from .models import AuditEntry


def _context_request_id() -> str:
    rid = current_request_id()
    return "" if rid == "-" else rid


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_json_safe(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, models.Model):
        return value.pk
    return str(value)


def changed_fields(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the keys whose values differ, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def client_ip(request) -> str | None:
    """The client address as the first proxy saw it (nginx sets ``X-Real-IP``)."""
    if request is None:
        return None
    return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR") or None


def _entry(
    who: tuple,
    action: str,
    target: models.Model | None = None,
    *,
    before: dict | None = None,
    after: dict | None = None,
    request=None,
    ip_address: str | None = None,
    target_type: str = "",
    target_id: str = "",
) -> AuditEntry:
    """An unsaved entry; ``who`` is :func:`_actor_fields` of the actor (a page auditing 50
    reads works it out once)."""
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
    user, label, role, office_code = who
    return AuditEntry(
        actor=user,
        actor_label=label,
        role=role,
        office_code=office_code,
        action=action,
        target_type=target_type,
        target_id=target_id,
        before=_json_safe(before or {}),
        after=_json_safe(after or {}),
        request_id=getattr(request, "request_id", "") or _context_request_id(),
        ip_address=ip_address or client_ip(request),
    )


def _actor_fields(actor, office=None, actor_label: str = "") -> tuple:
    """(user or ``None``, label, role, office code) of an entry's actor."""
    from postops.accounts.roles import primary_role  # accounts depends on core, not back

    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    if office is None and is_user:
        office = actor.offices.order_by("path").first()
    return (
        actor if is_user else None,
        actor_label or (actor.get_username() if is_user else ""),
        primary_role(actor) if is_user else "",
        getattr(office, "code", "") or "",
    )


def audit_record(
    actor,
    action: str,
    target: models.Model | None = None,
    *,
    before: dict | None = None,
    after: dict | None = None,
    office=None,
    request=None,
    ip_address: str | None = None,
    actor_label: str = "",
    target_type: str = "",
    target_id: str = "",
) -> AuditEntry:
    """Append one audit entry (never updated or deleted afterwards)."""
    entry = _entry(
        _actor_fields(actor, office, actor_label),
        action,
        target,
        before=before,
        after=after,
        request=request,
        ip_address=ip_address,
        target_type=target_type,
        target_id=target_id,
    )
    entry.save(force_insert=True)
    return entry


def audit_read(actor, target: models.Model, fields: Iterable[str], request=None) -> AuditEntry:
    """Record that ``actor`` was shown ``fields`` of ``target`` (personal data).

    Law 91/2025/QH15 and Decree 356/2025/NĐ-CP: ID numbers and addresses are personal data,
    payout amounts and ID card images sensitive; who read them must be known. Call it from
    the view that shows them, once per record shown. The action is
    ``<app>.<model>.read``; ``after`` lists the field names, never their values.
    """
    return audit_record(
        actor,
        f"{target._meta.label_lower}.read",
        target,
        after={"fields": sorted(set(fields))},
        request=request,
    )


def audit_read_many(
    actor, targets: Iterable[models.Model], fields: Iterable[str], request=None
) -> int:
    """:func:`audit_read` for every record of a list page, in one transaction."""
    field_list = sorted(set(fields))
    targets = list(targets)
    if not targets:
        return 0
    # The actor's label, role and office once, and one insert: a list page of 50 records
    # wrote 100 queries when each read was its own entry (the run sheet page, for one).
    who = _actor_fields(actor)
    entries = [
        _entry(
            who,
            f"{target._meta.label_lower}.read",
            target,
            after={"fields": field_list},
            request=request,
        )
        for target in targets
    ]
    with transaction.atomic():
        AuditEntry.objects.bulk_create(entries)
    return len(entries)
