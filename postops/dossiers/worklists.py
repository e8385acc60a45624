"""Worklists of overdue dossiers, by cause (issue #4, item 8).

Every dossier has two clocks: the post's legs (J+n, Circular 17/2017/TT-BTTTT Art. 7) and
the agency's processing time counted from the filing time. "A late result is the agency's
delay; a late leg is the post's. Report both." Each cause is one list:

``send``
    the post is late on the send leg: not filed (``received``/``in_handover``) after
    ``post_send_due``.
``agency``
    the agency is late: no result (``filed``/``registered``) after ``agency_due``, for the
    dossiers whose result the post returns (service form ``return``/``both``): for a
    send-only dossier the result goes from the agency to the citizen without the post, so
    the post cannot know it is late.
``return``
    the post is late on the return leg: the result collected (``result_collected``) and not
    delivered after ``post_return_due`` (the field of the result-return leg; the list is
    empty until that field exists).
``waiting``
    the result is ready at the agency (``result_ready``) for a dossier whose result the post
    returns (service form ``return``/``both``) and nobody collected it within
    ``POSTOPS_DOSSIER_COLLECT_DAYS`` working days.

Each list is ordered by its due date, oldest first, then id, and read with keyset pagination:
on PostgreSQL every page is one range scan of a partial index (``dossier_wl_*`` in
``models.Dossier.Meta``) whose condition is the list's status set (``(due, id) > cursor``
written as ``due >= v AND (due > v OR id > pk)``, so the scan starts at the cursor). Counts
stop at :data:`COUNT_CAP`, so a huge list costs no more to count than a big one. Scoping is
:func:`selectors.dossier_list_for_user`: post staff see the offices in their scope, an agency
officer only the agency's own lateness (cause ``agency``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from postops.accounts.models import Role
from postops.accounts.roles import has_role
from postops.core.calendar import add_working_days, get_calendar, working_days_between
from postops.core.keyset import Page, decode_cursor, encode_cursor
from postops.network.selectors import office_in_scope, office_subtree_ids

from . import rules, selectors
from .models import Dossier

# Roles of the post that follow up lateness for their offices.
POST_WORKLIST_ROLES = (Role.SUPERVISOR, Role.MANAGER)
WORKLIST_ROLES = (*POST_WORKLIST_ROLES, Role.AGENCY)


@dataclass(frozen=True)
class Cause:
    slug: str
    label: str
    due_field: str
    statuses: tuple[str, ...]
    who: str  # "post" or "agency": whose delay it is


CAUSES: dict[str, Cause] = {
    c.slug: c
    for c in (
        Cause(
            "send",
            _("Bưu điện trễ chiều gửi"),
            "post_send_due",
            (rules.Status.RECEIVED, rules.Status.IN_HANDOVER),
            "post",
        ),
        Cause(
            "agency",
            _("Cơ quan trễ hạn giải quyết"),
            "agency_due",
            (rules.Status.FILED, rules.Status.REGISTERED),
            "agency",
        ),
        Cause(
            "return",
            _("Bưu điện trễ chiều trả"),
            "post_return_due",
            (rules.Status.RESULT_COLLECTED,),
            "post",
        ),
        Cause(
            "waiting",
            _("Kết quả chờ bưu điện nhận"),
            "result_ready_on",
            (rules.Status.RESULT_READY,),
            "post",
        ),
    )
}

PAGE_SIZE = 50
COUNT_CAP = 10_000
# Service forms in which the post returns the result (and so learns of it).
RETURNING_FORMS = (rules.ServiceForm.RETURN, rules.ServiceForm.BOTH)


def has_return_leg_field() -> bool:
    """The result-return leg's deadline exists on the model (added with that leg)."""
    return any(f.name == "post_return_due" for f in Dossier._meta.get_fields())


def causes_for_user(user) -> list[Cause]:
    """The causes the user follows: post supervisors and managers all four, an agency
    officer only the agency's own delay."""
    if getattr(user, "is_superuser", False) or has_role(user, *POST_WORKLIST_ROLES):
        return list(CAUSES.values())
    if has_role(user, Role.AGENCY):
        # An officer not linked to an agency gets the page, with nothing in it (the scope).
        return [CAUSES["agency"]]
    return []


@dataclass(frozen=True)
class Filters:
    agency_id: int | None = None
    procedure_code: str = ""
    office: object | None = None  # an Office in the user's scope


def collect_days() -> int:
    return max(0, int(settings.POSTOPS_DOSSIER_COLLECT_DAYS))


def due_bound(cause: Cause, today: date) -> date:
    """Rows whose due column is strictly before this day are overdue."""
    if cause.slug == "waiting":
        # Ready on d, overdue once d + N working days < today: d <= threshold.
        threshold = rules.overdue_threshold(today, collect_days(), add_working_days)
        return date.fromordinal(threshold.toordinal() + 1)
    return today


def scope_for_user(user) -> QuerySet[Dossier]:
    """The dossiers the user may see (:func:`selectors.dossier_list_for_user`), joined only
    with what a worklist shows. Build it once per request and pass it as ``base``."""
    return (
        selectors.dossier_list_for_user(user)
        .select_related(None)
        .select_related("procedure", "agency", "office")
    )


def overdue_queryset(
    user,
    cause: Cause,
    filters: Filters | None = None,
    today: date | None = None,
    *,
    base: QuerySet[Dossier] | None = None,
) -> QuerySet[Dossier]:
    """Overdue dossiers of one cause the user may see, unordered (the caller orders)."""
    today = today or timezone.localdate()
    if cause not in causes_for_user(user):
        return Dossier.objects.none()
    if cause.slug == "return" and not has_return_leg_field():
        return Dossier.objects.none()
    filters = filters or Filters()
    # The scope first (offices in scope, or the officer's agency); then the partial index's
    # condition (status set) and its range (due < bound).
    qs = (scope_for_user(user) if base is None else base).filter(
        status__in=[str(s) for s in cause.statuses],
        **{f"{cause.due_field}__lt": due_bound(cause, today)},
    )
    if cause.slug in ("agency", "waiting"):
        qs = qs.filter(service_form__in=[str(f) for f in RETURNING_FORMS])
    if filters.agency_id:
        qs = qs.filter(agency_id=filters.agency_id)
    if filters.procedure_code:
        qs = qs.filter(procedure__code=filters.procedure_code)
    if filters.office is not None:
        qs = qs.filter(office_id__in=office_subtree_ids(filters.office))
    return qs


def overdue_page(
    user,
    cause: Cause,
    filters: Filters | None = None,
    *,
    cursor: str = "",
    limit: int = PAGE_SIZE,
    today: date | None = None,
    base: QuerySet[Dossier] | None = None,
) -> Page:
    """One page of the cause's list, oldest due date first; one query.

    Keyset pagination as :func:`postops.core.keyset.keyset_page`, with the cursor condition
    given a lower bound on the due date that PostgreSQL can start the index scan at.
    """
    qs = overdue_queryset(user, cause, filters, today, base=base)
    field = cause.due_field
    limit = max(1, min(int(limit), 200))
    position = decode_cursor(cursor, date)
    if position is not None:
        value, pk = position
        qs = qs.filter(
            Q(**{f"{field}__gte": value}) & (Q(**{f"{field}__gt": value}) | Q(pk__gt=pk))
        )
    found = list(qs.order_by(field, "pk")[: limit + 1])
    page = Page(rows=found[:limit])
    if len(found) > limit:
        last = found[limit - 1]
        page.next_cursor = encode_cursor(getattr(last, field), last.pk)
    return page


def overdue_counts(
    user,
    filters: Filters | None = None,
    today: date | None = None,
    *,
    base: QuerySet[Dossier] | None = None,
) -> dict[str, int]:
    """How many dossiers each cause the user follows holds (same filters), up to
    :data:`COUNT_CAP` (``COUNT_CAP + 1`` means "more than the cap")."""
    return {
        cause.slug: overdue_queryset(user, cause, filters, today, base=base)
        .order_by()
        .values("pk")[: COUNT_CAP + 1]
        .count()
        for cause in causes_for_user(user)
    }


def office_filter_for_user(user, office_id) -> object | None:
    """The office of the filter if it is in the user's scope, else ``None`` (ignored)."""
    from postops.network.models import Office

    try:
        office = Office.objects.get(pk=int(office_id))
    except (TypeError, ValueError, Office.DoesNotExist):
        return None
    return office if office_in_scope(user, office) else None


# --- Rows for pages and exports --------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One line of a worklist. No personal data: code, procedure, agency, office, dates."""

    dossier: Dossier
    due: date
    days_late: int


def iter_rows(cause: Cause, dossiers, today: date | None = None) -> Iterator[Row]:
    """Each dossier with its deadline (for ``waiting``: the day the post had to collect the
    result by) and the working days since."""
    today = today or timezone.localdate()
    late_days = _LateDays(today)
    for d in dossiers:
        due = getattr(d, cause.due_field)
        if cause.slug == "waiting":
            due = add_working_days(due, collect_days())
        yield Row(d, due, late_days(due))


class _LateDays:
    """``working_days_between(due, today)`` for many due dates, walking the calendar back
    from today once instead of once per row (a list can reach years back)."""

    def __init__(self, today: date):
        self.calendar = get_calendar()
        self.today = today
        self.low = today  # counts[d] = working days in (d, today], known for d >= low
        self.counts = {today: 0}

    def __call__(self, due: date) -> int:
        if due >= self.today:
            return working_days_between(due, self.today)
        count = self.counts[self.low]
        while self.low > due:
            if self.calendar.is_working_day(self.low):
                count += 1
            self.low -= timedelta(days=1)
            self.counts[self.low] = count
        return self.counts[due]


def rows(cause: Cause, dossiers, today: date | None = None) -> list[Row]:
    return list(iter_rows(cause, dossiers, today))


EXPORT_COLUMNS = (
    _("Số phiếu gửi"),
    _("Thủ tục"),
    _("Cơ quan"),
    _("Bưu cục"),
    _("Trạng thái"),
    _("Hạn"),
    _("Số ngày làm việc trễ"),
)


def export_rows(
    user, cause: Cause, filters: Filters | None = None, today: date | None = None
) -> Iterator[list]:
    """Every overdue dossier of the cause as plain cells, streamed in batches of 2,000 so a
    large list never sits in memory."""
    today = today or timezone.localdate()
    qs = overdue_queryset(user, cause, filters, today).order_by(cause.due_field, "pk")
    for row in iter_rows(cause, _chunks(qs), today):
        d = row.dossier
        yield [
            d.code,
            f"{d.procedure.code} {d.procedure.name}",
            f"{d.agency.code} {d.agency.name}",
            d.office.code if d.office_id else "",
            str(d.get_status_display()),
            row.due.isoformat(),
            row.days_late,
        ]


def _chunks(qs: QuerySet[Dossier]) -> Iterator[Dossier]:
    yield from qs.iterator(chunk_size=2000)
