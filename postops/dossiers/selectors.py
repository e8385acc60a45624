"""Reads for dossiers: agencies, the procedure catalogue, dossiers and handovers.

Scoping (issue #2, item 5; issue #4): post staff see the dossiers and handovers of the
offices in their scope (``postops.network.selectors.office_scope_ids``); an agency officer
or an agency's API key sees those of its own agency only. Views and API endpoints never
build their own querysets: they call the ``*_for_user`` functions here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from postops.accounts.models import ApiKey, Role
from postops.accounts.roles import has_role
from postops.core.calendar import add_working_days
from postops.core.text import fold
from postops.items import tariffs
from postops.network.selectors import office_scope_ids

from . import rules
from .models import (
    Agency,
    AgencyOfficer,
    Dossier,
    DossierEvent,
    Handover,
    LegStandard,
    Procedure,
    ProcedureDocument,
)

# Roles of the post that work with dossiers at an office.
POST_ROLES = (Role.CLERK, Role.POSTMAN, Role.BDVHX, Role.SUPERVISOR, Role.MANAGER)
# Roles that may read the catalogue (public information, but behind the staff login here).
CATALOGUE_ROLES = (
    Role.CLERK,
    Role.POSTMAN,
    Role.BDVHX,
    Role.SUPERVISOR,
    Role.MANAGER,
    Role.AGENCY,
    Role.COMPLAINTS,
    Role.AUDITOR,
    Role.ADMIN,
)
# Roles that maintain the catalogue (import files).
CATALOGUE_EDIT_ROLES = (Role.ADMIN, Role.MANAGER)


# --- Agencies --------------------------------------------------------------------------------


def agency_for_actor(actor) -> Agency | None:
    """The agency an agency officer (user) or an agency's API key acts for, else ``None``.

    A user must still hold the ``agency`` role; a revoked key or an inactive agency acts for
    nobody.
    """
    if actor is None:
        return None
    if isinstance(actor, ApiKey):
        agency = actor.agency if actor.revoked_at is None and actor.role == Role.AGENCY else None
    else:
        if not getattr(actor, "is_active", False) or not has_role(actor, Role.AGENCY):
            return None
        link = AgencyOfficer.objects.select_related("agency").filter(user=actor).first()
        agency = link.agency if link else None
    return agency if agency is not None and agency.is_active else None


def agency_list(q: str = "", *, active_only: bool = True) -> QuerySet[Agency]:
    qs = Agency.objects.select_related("commune__province", "parent")
    if active_only:
        qs = qs.filter(is_active=True)
    for word in fold(q).split():
        qs = qs.filter(search_name__contains=word)
    return qs.order_by("code")


# --- Procedures ------------------------------------------------------------------------------


def procedure_search(
    q: str = "",
    *,
    agency: Agency | None = None,
    postal_only: bool = False,
    active_only: bool = True,
    limit: int | None = None,
) -> QuerySet[Procedure]:
    """Procedures matching ``q`` without diacritics: every word must occur in the code or
    the name ("ly lich tu phap" finds "Cấp Phiếu lý lịch tư pháp"), ordered by code (the
    same on every database, unlike Vietnamese collation of names).

    A query that is a procedure code (or its start) also matches. ``postal_only`` keeps the
    procedures that may be filed through the postal service (the counter's list).
    """
    qs = Procedure.objects.select_related("agency")
    if active_only:
        qs = qs.filter(is_active=True, agency__is_active=True)
    if postal_only:
        qs = qs.filter(postal_allowed=True)
    if agency is not None:
        qs = qs.filter(agency=agency)
    text = (q or "").strip()
    if text:
        condition = Q(code__istartswith=text)
        words = Q()
        for word in fold(text).split():
            words &= Q(search_name__contains=word)
        qs = qs.filter(condition | words)
    qs = qs.order_by("code")
    return qs[:limit] if limit else qs


def procedure_get(pk, *, postal_only: bool = False) -> Procedure | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    qs = Procedure.objects.select_related("agency__commune__province").prefetch_related(
        Prefetch("documents", queryset=ProcedureDocument.objects.order_by("position"))
    )
    if postal_only:
        qs = qs.filter(postal_allowed=True, is_active=True, agency__is_active=True)
    return qs.filter(pk=pk).first()


def procedure_by_code(code: str) -> Procedure | None:
    return (
        Procedure.objects.select_related("agency")
        .prefetch_related("documents")
        .filter(code=(code or "").strip())
        .first()
    )


# --- Fees and deadlines ----------------------------------------------------------------------


@dataclass
class FeeQuote:
    """The fees of a dossier at intake. ``fees`` is ``None`` when the tariff cannot price a
    leg (``problem`` says why): the clerk then enters the postal tariff by hand."""

    fees: rules.Fees | None
    tariff_version: object | None = None
    zone_send: str = ""
    zone_return: str = ""
    problem: str = ""


def _commune_province(code: str) -> str | None:
    from postops.network.models import Commune

    return Commune.objects.filter(code=code).values_list("province_id", flat=True).first()


def commune_zone(origin_code: str, dest_code: str) -> str | None:
    """The zone between two 2025 communes (same commune, same province, other province)."""
    origin_province, dest_province = _commune_province(origin_code), _commune_province(dest_code)
    if origin_province is None or dest_province is None:
        return None
    return str(tariffs.zone_between(origin_code, origin_province, dest_code, dest_province))


def dossier_fee_quote(
    *,
    procedure: Procedure,
    office,
    service_form: str,
    delivery_commune_code: str = "",
    weight_g: int,
    on: date | None = None,
) -> FeeQuote:
    """Postal tariff of each leg the post carries (service ``dossier`` of the tariff in force,
    by zone and weight) plus the procedure's agency fee, collected on the agency's behalf
    (Decision 45/2016/QĐ-TTg Art. 6(4))."""
    from postops.items.selectors import tariff_table, tariff_version_on

    day = on or timezone.localdate()
    agency_commune = procedure.agency.commune_id
    zone_send = (
        commune_zone(office.commune_id, agency_commune)
        if rules.carries_dossier(service_form)
        else ""
    )
    zone_return = ""
    if rules.returns_result(service_form):
        zone_return = (
            commune_zone(agency_commune, delivery_commune_code) if delivery_commune_code else None
        )
    if zone_send is None or zone_return is None:
        return FeeQuote(None, problem="unknown_commune")
    version = tariff_version_on(day)
    if version is None:
        return FeeQuote(None, problem="no_tariff")
    table = tariff_table(version)
    amounts = {}
    for leg, zone in (("send", zone_send), ("return", zone_return)):
        if not zone:
            amounts[leg] = 0
            continue
        try:
            amounts[leg] = tariffs.quote(
                table, service="dossier", zone=zone, weight_g=weight_g
            ).total
        except tariffs.TariffError as exc:
            return FeeQuote(None, tariff_version=version, problem=exc.code)
    return FeeQuote(
        rules.Fees(
            postal_send=amounts["send"],
            postal_return=amounts["return"],
            agency=procedure.agency_fee,
        ),
        tariff_version=version,
        zone_send=zone_send,
        zone_return=zone_return,
    )


def leg_days(zone: str, destination_commune_code: str, *, with_slip: bool = False) -> int | None:
    """The n of J+n for one leg (``LegStandard``): the destination province's own row first,
    then the zone's general row; ``None`` when nothing is configured."""
    province = _commune_province(destination_commune_code)
    rows = {
        row.destination_province_id: row
        for row in LegStandard.objects.filter(zone=zone).filter(
            Q(destination_province__isnull=True) | Q(destination_province_id=province)
        )
    }
    row = rows.get(province) or rows.get(None)
    if row is None:
        return None
    return row.days_with_slip if with_slip else row.days


def send_leg_due(office, agency: Agency, received_on: date | datetime) -> date | None:
    """The post's deadline for carrying the dossier to the agency: J+n from the intake day
    (Circular 17/2017/TT-BTTTT Art. 7), n from the zone between office and agency.

    Given the intake time (a ``datetime``), J follows the one-stop cut-off: a dossier taken
    in after ``POSTOPS_DOSSIER_CUTOFF`` (15:00) counts from the next working day
    (:func:`rules.send_leg_start`); a bare ``date`` is J itself.
    """
    zone = commune_zone(office.commune_id, agency.commune_id)
    if zone is None:
        return None
    days = leg_days(zone, agency.commune_id)
    if days is None:
        return None
    if isinstance(received_on, datetime):
        received_on = rules.send_leg_start(
            timezone.localtime(received_on),
            rules.parse_cutoff(settings.POSTOPS_DOSSIER_CUTOFF),
            add_working_days,
        )
    return add_working_days(received_on, days)


def agency_due_for(procedure: Procedure, filed_on: date | None) -> date | None:
    return rules.agency_due(
        filed_on, procedure.processing_days, procedure.same_day, add_working_days
    )


# --- Intake ----------------------------------------------------------------------------------

INTAKE_OFFICE_KINDS = ("post_office", "commune_post", "bdvhx")


def intake_offices_for_user(user) -> QuerySet:
    """The offices where the user takes dossiers in: their own assigned offices that serve
    the public (post offices, commune post offices, BĐVHX)."""
    from postops.network.models import Office

    if not getattr(user, "is_authenticated", False):
        return Office.objects.none()
    return user.offices.filter(is_active=True, kind__in=INTAKE_OFFICE_KINDS).order_by("code")


def dossier_prefix() -> str | None:
    """The S10 service indicator configured for dossier items (items configuration)."""
    from postops.items.models import ServiceIndicator

    return (
        ServiceIndicator.objects.filter(service="dossier", is_active=True)
        .order_by("prefix")
        .values_list("prefix", flat=True)
        .first()
    )


# --- Dossiers --------------------------------------------------------------------------------


def dossier_list_for_user(user) -> QuerySet[Dossier]:
    """Dossiers the user may see: post staff those taken in at offices in their scope, an
    agency officer those of their agency; superusers all."""
    qs = Dossier.objects.select_related("procedure", "agency", "office", "outbound_item")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    condition = Q(pk__in=[])
    if has_role(user, *POST_ROLES, Role.AUDITOR, Role.COMPLAINTS, Role.ADMIN):
        condition |= Q(office_id__in=office_scope_ids(user))
    agency = agency_for_actor(user)
    if agency is not None:
        condition |= Q(agency=agency)
    return qs.filter(condition)


def dossier_get_for_user(user, pk) -> Dossier | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return (
        dossier_list_for_user(user)
        .select_related("handover", "tariff_version", "intake_by", "office__commune__province")
        .prefetch_related("documents")
        .filter(pk=pk)
        .first()
    )


def dossier_events(dossier: Dossier) -> QuerySet[DossierEvent]:
    return dossier.events.order_by("occurred_at", "id")


CLOCK_LABELS = {
    rules.ClockState.NOT_STARTED: gettext_lazy("Chưa bắt đầu"),
    rules.ClockState.RUNNING: gettext_lazy("Đang trong hạn"),
    rules.ClockState.DONE: gettext_lazy("Đúng hạn"),
    rules.ClockState.LATE: gettext_lazy("Trễ hạn"),
}


@dataclass(frozen=True)
class Clocks:
    """The two clocks of a dossier (issue #4, item 8): the post's send leg and the agency's
    processing time. ``late`` names who is late: ``post``, ``agency``, both, or nobody."""

    post_send: rules.ClockState
    post_send_due: date | None
    agency: rules.ClockState
    agency_due: date | None
    # The return leg: J+n from the collection at the agency (Circular 17/2017 Art. 7).
    post_return: rules.ClockState = rules.ClockState.NOT_STARTED
    post_return_due: date | None = None

    @property
    def post_send_label(self) -> str:
        return CLOCK_LABELS[self.post_send]

    @property
    def post_return_label(self) -> str:
        return CLOCK_LABELS[self.post_return]

    @property
    def agency_label(self) -> str:
        return CLOCK_LABELS[self.agency]

    @property
    def late(self) -> list[str]:
        who = []
        if rules.ClockState.LATE in (self.post_send, self.post_return):
            who.append("post")
        if self.agency == rules.ClockState.LATE:
            who.append("agency")
        return who


def dossier_clocks(dossier: Dossier, today: date | None = None) -> Clocks:
    today = today or timezone.localdate()
    filed_on = timezone.localdate(dossier.filed_at) if dossier.filed_at else None
    return Clocks(
        post_send=rules.clock_state(dossier.post_send_due, filed_on, today),
        post_send_due=dossier.post_send_due,
        agency=rules.clock_state(dossier.agency_due, dossier.result_ready_on, today),
        agency_due=dossier.agency_due,
        post_return=rules.clock_state(
            dossier.post_return_due,
            rules.return_clock_done(
                timezone.localdate(dossier.delivered_at) if dossier.delivered_at else None,
                dossier.first_attempt_on,
            ),
            today,
        ),
        post_return_due=dossier.post_return_due,
    )


# --- Handovers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingBatch:
    """Dossiers waiting at ``office`` (and the offices under it) for one agency."""

    office: object
    agency: Agency
    count: int
    oldest: object


def handover_pending_for_user(user) -> list[PendingBatch]:
    """Per intake office of the user and per agency: how many dossiers are ``received`` and
    not yet on a handover record (the clerk's "to hand over" list)."""
    from django.db.models import Count, Min

    from postops.network.selectors import office_subtree_ids

    batches = []
    for office in intake_offices_for_user(user):
        rows = (
            Dossier.objects.filter(
                status=rules.Status.RECEIVED, office_id__in=office_subtree_ids(office)
            )
            .values("agency")
            .annotate(count=Count("id"), oldest=Min("received_at"))
            .order_by("agency")
        )
        agencies = Agency.objects.in_bulk([r["agency"] for r in rows])
        for r in rows:
            batches.append(PendingBatch(office, agencies[r["agency"]], r["count"], r["oldest"]))
    return batches


def handover_list_for_user(user) -> QuerySet[Handover]:
    """Handover records the user may see: post staff those of offices in their scope, an
    agency officer those addressed to their agency."""
    qs = Handover.objects.select_related("office", "agency")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    condition = Q(pk__in=[])
    if has_role(user, *POST_ROLES, Role.AUDITOR, Role.ADMIN):
        condition |= Q(office_id__in=office_scope_ids(user))
    agency = agency_for_actor(user)
    if agency is not None:
        condition |= Q(agency=agency)
    return qs.filter(condition)


def handover_get_for_user(user, pk) -> Handover | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return handover_list_for_user(user).filter(pk=pk).first()


def handover_dossiers(handover: Handover) -> QuerySet[Dossier]:
    return handover.dossiers.select_related("procedure", "outbound_item").order_by("code")


# --- API lookups (an agency key or officer, or post staff) -----------------------------------


def dossier_for_principal(principal, code: str) -> Dossier | None:
    """The dossier ``code`` if the API caller may see it: an agency's key or officer sees
    its agency's dossiers; post staff those of offices in their scope."""
    qs = Dossier.objects.select_related("procedure", "agency", "office", "outbound_item").filter(
        code=code
    )
    agency = principal.agency
    if agency is not None and Role.AGENCY in principal.roles:
        if not agency.is_active:
            return None
        return qs.filter(agency=agency).first()
    if principal.roles & set(POST_ROLES) or Role.AUDITOR in principal.roles:
        return qs.filter(office_id__in=principal.office_scope).first()
    return None


def handover_for_principal(principal, code: str) -> Handover | None:
    qs = Handover.objects.select_related("office", "agency").filter(code=code)
    agency = principal.agency
    if agency is not None and Role.AGENCY in principal.roles:
        return qs.filter(agency=agency).first() if agency.is_active else None
    if principal.roles & set(POST_ROLES) or Role.AUDITOR in principal.roles:
        return qs.filter(office_id__in=principal.office_scope).first()
    return None
