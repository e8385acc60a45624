"""Reads of the core app: the audit trail, scoped to the viewer's offices."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from postops.accounts.roles import has_role

from .models import AuditEntry

# Who may read the audit trail (issue #2 item 6): auditors (read-only role), administrators
# and the provincial management. Superusers too.
AUDIT_VIEWER_ROLES = ("auditor", "admin", "manager")
AUDIT_PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilters:
    """Search criteria of the auditor page; empty values do not filter."""

    actor: str = ""  # exact username as recorded (actor_label)
    action: str = ""  # prefix: "dossiers." finds every dossier action
    target_type: str = ""  # "app.model", exact
    target_id: str = ""
    office_code: str = ""
    date_from: date | None = None  # local (Asia/Ho_Chi_Minh) days, both ends included
    date_to: date | None = None

    def as_dict(self) -> dict:
        """The criteria that are set, JSON-ready (for the audit entry of the search)."""
        values = {
            "actor": self.actor,
            "action": self.action,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "office_code": self.office_code,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
        }
        return {k: v for k, v in values.items() if v}


@dataclass
class AuditPage:
    entries: list[AuditEntry] = field(default_factory=list)
    next_cursor: str | None = None


def audit_can_view(user) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser) or has_role(user, *AUDIT_VIEWER_ROLES)


def audit_entries_for_user(user) -> QuerySet[AuditEntry]:
    """Entries ``user`` may see: those written at an office of the user's office subtrees.

    Entries with no office (anonymous or system actions: failed logins, citizens' requests,
    jobs) belong to the province as a whole, so only viewers assigned to a root office (the
    provincial post office) and superusers see them. Nobody else sees anything.
    """
    from postops.network.models import Office
    from postops.network.selectors import office_scope_ids

    if not audit_can_view(user):
        return AuditEntry.objects.none()
    if user.is_superuser:
        return AuditEntry.objects.all()
    codes = Office.objects.filter(id__in=office_scope_ids(user)).values("code")
    condition = Q(office_code__in=codes)
    if user.offices.filter(parent__isnull=True).exists():
        condition |= Q(office_code="")
    return AuditEntry.objects.filter(condition)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def encode_cursor(entry: AuditEntry) -> str:
    raw = f"{entry.occurred_at.isoformat()}|{entry.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    """``(occurred_at, id)`` of the last entry shown, or None for a missing or bad cursor."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, pk = raw.rsplit("|", 1)
        occurred_at = datetime.fromisoformat(stamp)
        if timezone.is_naive(occurred_at):
            return None
        return occurred_at, int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def audit_entry_list_for_user(
    user,
    filters: AuditFilters | None = None,
    *,
    cursor: str = "",
    limit: int = AUDIT_PAGE_SIZE,
) -> AuditPage:
    """One page of entries, newest first, after ``cursor`` (keyset pagination).

    Ordered by ``(occurred_at, id)`` descending; the next page starts strictly after the
    last row shown, so no OFFSET scan and no row shown twice when entries keep arriving.
    """
    f = filters or AuditFilters()
    qs = audit_entries_for_user(user)
    if f.actor:
        qs = qs.filter(actor_label=f.actor)
    if f.action:
        qs = qs.filter(action__startswith=f.action)
    if f.target_type:
        qs = qs.filter(target_type=f.target_type)
    if f.target_id:
        qs = qs.filter(target_id=f.target_id)
    if f.office_code:
        qs = qs.filter(office_code=f.office_code)
    if f.date_from:
        qs = qs.filter(occurred_at__gte=_day_start(f.date_from))
    if f.date_to:
        qs = qs.filter(occurred_at__lt=_day_start(f.date_to + timedelta(days=1)))
    position = decode_cursor(cursor)
    if position is not None:
        occurred_at, pk = position
        qs = qs.filter(Q(occurred_at__lt=occurred_at) | Q(occurred_at=occurred_at, pk__lt=pk))
    rows = list(qs.order_by("-occurred_at", "-pk")[: limit + 1])
    page = AuditPage(entries=rows[:limit])
    if len(rows) > limit:
        page.next_cursor = encode_cursor(rows[limit - 1])
    return page


def audit_entry_diff(entry: AuditEntry) -> list[tuple[str, object, object]]:
    """``(field, before, after)`` rows for display, in a stable order (keys of ``before``
    first, then the new keys of ``after``)."""
    before = entry.before if isinstance(entry.before, dict) else {"": entry.before}
    after = entry.after if isinstance(entry.after, dict) else {"": entry.after}
    keys = list(before) + [k for k in after if k not in before]
    return [(k, before.get(k), after.get(k)) for k in keys]
