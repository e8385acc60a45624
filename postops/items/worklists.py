"""Supervisors' worklists of items that need a person (issue #3, item 13). Reads only.

Each list is office-scoped (the items now at, or due to be delivered by, an office in the
user's scope) and keyset-paginated (no OFFSET): a page is one indexed query however deep
the reader goes. Oldest first: the longest-waiting item is the most urgent.

- :func:`stale_items` — no tracking event for N days, not finished;
- :func:`failed_attempt_items` — the latest event was a failed delivery (EMH), with the
  number of attempts so far (two invitations 2 working days apart, then held or returned:
  Postal Law 49/2010);
- :func:`overdue_items` — past the promised delivery date and not delivered;
- COD cash not handed over is in ``postops.cod.selectors.cod_not_handed_over_page``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from postops.core.keyset import Page, keyset_page
from postops.network.selectors import office_scope_ids

from . import rules
from .models import Item, TrackingEvent

PAGE_SIZE = 50
DEFAULT_STALE_DAYS = 3

# Items not finished, as a positive list: ``exclude(state__…)`` across the one-to-one state
# became an outer join with a NOT that no index serves (a scan of every item, 0.6 s at 1 M).
_ON_THE_WAY = [s for s in rules.OPEN_STATUSES if s != rules.Status.RETURNING]


# What a worklist row shows (templates/cod/worklist.html), read with only() on every list.
ROW_FIELDS = (
    "pk",
    "number",
    "service",
    "state__status",
    "cod_amount",
    "accepted_at",
    "promised_date",
    "state__last_event_at",
    "state__last_event_code",
    "state__last_office__code",
    "state__last_office__name",
    "destination_office__code",
    "destination_office__name",
)


def _base(user) -> QuerySet[Item]:
    """Items at an office in scope, or to be delivered by one, with what a row shows."""
    scope = office_scope_ids(user)
    return (
        Item.objects.filter(Q(state__last_office_id__in=scope) | Q(destination_office_id__in=scope))
        .select_related("state__last_office", "destination_office")
        .only(*ROW_FIELDS)
    )


def stale_items(
    user,
    *,
    days: int = DEFAULT_STALE_DAYS,
    now: datetime | None = None,
    cursor: str = "",
    limit: int = PAGE_SIZE,
) -> Page:
    """Items with no event for ``days`` days or more that are not finished."""
    now = now or timezone.now()
    qs = (
        _base(user)
        .filter(state__status__in=rules.OPEN_STATUSES)
        .filter(state__last_event_at__lte=now - timedelta(days=max(0, int(days))))
    )
    return keyset_page(qs, "state__last_event_at", cursor, limit, descending=False)


def failed_attempt_items(user, *, cursor: str = "", limit: int = PAGE_SIZE) -> Page:
    """Items whose latest event is a failed delivery, with ``attempts`` (failed-delivery
    events so far) on each row; one query."""
    qs = (
        _base(user)
        .filter(state__status=rules.Status.DELIVERY_FAILED)
        # A count per row (a subquery), not a join and GROUP BY over every failed item:
        # the page then reads the partial index in order and stops at its last row.
        .annotate(
            attempts=Subquery(
                TrackingEvent.objects.filter(item=OuterRef("pk"), code=rules.Event.DELIVERY_FAILED)
                .order_by()
                .values("item")
                .annotate(n=Count("pk"))
                .values("n"),
                output_field=IntegerField(),
            )
        )
    )
    return keyset_page(qs, "state__last_event_at", cursor, limit, descending=False)


def overdue_items(
    user, *, today: date | None = None, cursor: str = "", limit: int = PAGE_SIZE
) -> Page:
    """Items past their promised date (``promised_date`` before today), still on their way
    to the receiver (not finished, not being returned)."""
    today = today or timezone.localdate()
    qs = _base(user).filter(state__status__in=_ON_THE_WAY).filter(promised_date__lt=today)
    return keyset_page(qs, "promised_date", cursor, limit, descending=False, kind=date)


def unrouted_items(user, *, cursor: str = "", limit: int = PAGE_SIZE) -> Page:
    """Items still on their way to the receiver that have no delivery office: the
    receiver's commune has no delivering office (routing by commune,
    :mod:`postops.items.routing`), or the address is still in the legacy scheme. Scoped by
    the office that accepted or last had the item (they have no delivery office)."""
    scope = office_scope_ids(user)
    qs = (
        Item.objects.filter(destination_office__isnull=True)
        .filter(Q(state__last_office_id__in=scope) | Q(origin_office_id__in=scope))
        .filter(state__status__in=_ON_THE_WAY)
        .select_related("state__last_office", "destination_office")
        .only(*ROW_FIELDS, "receiver_commune_code")
    )
    return keyset_page(qs, "state__last_event_at", cursor, limit, descending=False)
