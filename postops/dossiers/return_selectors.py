"""Reads of the result-return leg: collection records, results to take back to the agency,
the return clock and public tracking of a dossier (no personal data)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Exists, Min, OuterRef, QuerySet
from django.utils import timezone

from postops.items.rules import Status as ItemStatus
from postops.network.selectors import office_scope_ids

from . import rules
from .models import Dossier, DossierStatus, ResultCollection, ResultReturn


def results_to_take_back(*, office=None, agency=None, office_ids=None) -> QuerySet[Dossier]:
    """Dossiers whose result the post must take back to the agency: collected, the return
    item held at the office, and the delivery rule decided a return (two invitations two
    working days apart, or an undeliverable reason: ``postops.delivery.rules``)."""
    from postops.delivery.models import DeliveryAttempt

    decided = DeliveryAttempt.objects.filter(
        item_id=OuterRef("return_item_id"), kind=DeliveryAttempt.Kind.FAILED, outcome="return"
    )
    qs = Dossier.objects.select_related("agency", "procedure", "return_item__state").filter(
        Exists(decided),
        status=rules.Status.RESULT_COLLECTED,
        return_item__state__status=ItemStatus.HELD,
    )
    if office is not None:
        qs = qs.filter(return_item__state__last_office=office)
    if office_ids is not None:
        qs = qs.filter(return_item__state__last_office_id__in=office_ids)
    if agency is not None:
        qs = qs.filter(agency=agency)
    return qs


@dataclass(frozen=True)
class TakeBackBatch:
    office_id: int
    agency_id: int
    count: int
    oldest: datetime | None
    office: object = None
    agency: object = None


def take_back_batches_for_user(user) -> list[TakeBackBatch]:
    """Per office (in the user's scope) and agency: how many results wait to go back."""
    from postops.network.models import Office

    from .models import Agency

    rows = list(
        results_to_take_back(office_ids=list(office_scope_ids(user)))
        .values("return_item__state__last_office", "agency")
        .annotate(count=Count("id"), oldest=Min("collected_at"))
        .order_by("return_item__state__last_office", "agency")
    )
    offices = Office.objects.in_bulk([r["return_item__state__last_office"] for r in rows])
    agencies = Agency.objects.in_bulk([r["agency"] for r in rows])
    return [
        TakeBackBatch(
            r["return_item__state__last_office"],
            r["agency"],
            r["count"],
            r["oldest"],
            offices[r["return_item__state__last_office"]],
            agencies[r["agency"]],
        )
        for r in rows
    ]


def collection_get_for_user(user, pk) -> ResultCollection | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return (
        ResultCollection.objects.select_related("office", "agency")
        .filter(pk=pk, office_id__in=office_scope_ids(user))
        .first()
    )


def collection_list_for_user(user) -> QuerySet[ResultCollection]:
    return ResultCollection.objects.select_related("office", "agency").filter(
        office_id__in=office_scope_ids(user)
    )


def collection_dossiers(collection: ResultCollection) -> QuerySet[Dossier]:
    return collection.dossiers.select_related("procedure", "return_item").order_by("code")


def result_return_get_for_user(user, pk) -> ResultReturn | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return (
        ResultReturn.objects.select_related("office", "agency")
        .filter(pk=pk, office_id__in=office_scope_ids(user))
        .first()
    )


def result_return_dossiers(record: ResultReturn) -> QuerySet[Dossier]:
    return record.dossiers.select_related("procedure", "return_item").order_by("code")


# --- Public tracking -------------------------------------------------------------------------


@dataclass
class Milestone:
    status: str
    text: str
    occurred_at: datetime


@dataclass
class DossierTracking:
    """What anyone may see of a dossier: its code, procedure, status, the dates that matter
    and the milestones (issue #4 item 10). No name, ID number, address, phone, agency number
    or seal: the code alone must not reveal who filed what."""

    code: str
    status: str
    status_text: str
    procedure_name: str
    agency_name: str
    appointment_date: date | None
    result_ready_on: date | None
    item_numbers: list[str] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)


def dossier_track(code: str) -> DossierTracking | None:
    """Public tracking of dossier ``code`` (``HS-YYMMDD-NNNNN``), or ``None``."""
    code = (code or "").strip().upper()
    if not rules.is_dossier_code(code):
        return None
    dossier = (
        Dossier.objects.select_related("procedure", "agency", "outbound_item", "return_item")
        .filter(code=code)
        .first()
    )
    if dossier is None:
        return None
    # In the order the steps happened (the status moves are one-way); a step entered later
    # with an earlier paper time keeps its place.
    shown = set(rules.PUBLIC_MILESTONES)
    milestones = []
    seen = set()
    for status, occurred_at in dossier.events.order_by("id").values_list("status", "occurred_at"):
        if status in shown and status not in seen:
            seen.add(status)
            milestones.append(
                Milestone(status, str(DossierStatus(status).label), timezone.localtime(occurred_at))
            )
    items = [i.number for i in (dossier.outbound_item, dossier.return_item) if i is not None]
    return DossierTracking(
        code=dossier.code,
        status=dossier.status,
        status_text=str(DossierStatus(dossier.status).label),
        procedure_name=dossier.procedure.name,
        agency_name=dossier.agency.name,
        appointment_date=dossier.appointment_date,
        result_ready_on=dossier.result_ready_on,
        item_numbers=items,
        milestones=milestones,
    )


def dossier_code_for_item(number: str) -> str | None:
    """The dossier an item number belongs to (outbound or return leg), for tracking."""
    from django.db.models import Q

    return (
        Dossier.objects.filter(Q(outbound_item__number=number) | Q(return_item__number=number))
        .values_list("code", flat=True)
        .first()
    )


@dataclass
class DossierLookup:
    """The answer for one dossier code asked for: ``tracking`` or ``error``
    (``dossier_not_found``); ``via`` is the item number when found through an item."""

    query: str
    tracking: DossierTracking | None = None
    error: str | None = None
    via: str = ""


def is_dossier_query(text: str) -> bool:
    return rules.is_dossier_code((text or "").strip().upper())


def dossier_track_many(queries: list[str]) -> list[DossierLookup]:
    """Public tracking for the page ``/tra-cuu/``: each dossier code among ``queries``, then
    the dossiers the other (item) numbers belong to, each once."""
    from django.db.models import Q

    from postops.core import s10

    lookups: list[DossierLookup] = []
    seen: set[str] = set()
    for query in queries:
        if not is_dossier_query(query):
            continue
        code = query.strip().upper()
        if code in seen:
            continue
        seen.add(code)
        tracking = dossier_track(code)
        lookups.append(DossierLookup(code, tracking, None if tracking else "dossier_not_found"))
    numbers = [s10.normalize(q) for q in queries if not is_dossier_query(q)]
    numbers = [n for n in numbers if s10.is_valid(n)]
    if numbers:
        rows = Dossier.objects.filter(
            Q(outbound_item__number__in=numbers) | Q(return_item__number__in=numbers)
        ).values_list("code", "outbound_item__number", "return_item__number")
        for code, outbound, returned in rows:
            if code not in seen:
                seen.add(code)
                via = outbound if outbound in numbers else returned
                lookups.append(DossierLookup(code, dossier_track(code), None, via or ""))
    return lookups
