"""Reads of delivery, scoped to what the user may see.

A postman sees their own run sheets; a supervisor the run sheets, items and proof of the
offices in their scope (``postops.network.selectors.office_scope_ids``). Views never build
their own querysets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from postops.accounts.models import User
from postops.accounts.roles import has_role
from postops.items import bag_selectors
from postops.items import rules as item_rules
from postops.items.models import CodeList, CodeListEntry, Item
from postops.network.models import Office
from postops.network.selectors import office_scope_ids

from .models import DeliveryAttempt, EntryOutcome, Route, RunSheet, RunSheetEntry
from .rules import ASSIGNABLE_STATUSES


def _is_supervisor(user) -> bool:
    return has_role(user, "supervisor") or getattr(user, "is_superuser", False)


# --- The postman ------------------------------------------------------------------------------


def run_sheets_for_postman(user, day: date) -> list[RunSheet]:
    """The postman's run sheets of ``day`` (one per delivery office), entries and items
    loaded (three queries)."""
    return list(
        RunSheet.objects.filter(postman=user, day=day)
        .select_related("office")
        .prefetch_related("entries__item")
        .order_by("office__code")
    )


def code_list(list_name: str) -> list[CodeListEntry]:
    return list(CodeListEntry.objects.filter(list=list_name, is_active=True).order_by("code"))


def reason_codes() -> list[CodeListEntry]:
    return code_list(CodeList.REASON)


def action_codes() -> list[CodeListEntry]:
    return code_list(CodeList.ACTION)


def commune_names(codes) -> dict[str, str]:
    """Commune names for 2025 commune codes, in one query ("Phường Đông Kinh")."""
    from postops.network.models import Commune

    codes = {c for c in codes if c}
    if not codes:
        return {}
    return dict(Commune.objects.filter(code__in=codes).values_list("code", "name"))


# --- The supervisor ---------------------------------------------------------------------------


def delivery_offices_for_user(user) -> QuerySet[Office]:
    """Post offices in the user's scope (the offices that deliver)."""
    return Office.objects.filter(
        id__in=office_scope_ids(user), kind=Office.Kind.POST_OFFICE, is_active=True
    ).order_by("code")


def delivery_office_get(user, pk) -> Office | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return delivery_offices_for_user(user).filter(pk=pk).first()


def postmen_for_office(office: Office) -> QuerySet[User]:
    """Active postmen whose scope covers ``office`` (assigned to it or to an office above)."""
    from postops.network import rules as network_rules

    ancestors = network_rules.path_ids(office.path)
    return (
        User.objects.filter(is_active=True, groups__name="postman", offices__id__in=ancestors)
        .distinct()
        .order_by("full_name", "username")
    )


_WAITING_FIELDS = (
    "pk",
    "number",
    "service",
    "state__status",
    "receiver_name",
    "receiver_commune_code",
    "receiver_street",
    "cod_amount",
    "state__last_event_at",
)


def _waiting_at(office: Office) -> QuerySet[Item]:
    """Items at ``office`` in a status a round may take (arrived, back from a failed
    attempt, held) and not on a round still open."""
    return (
        Item.objects.filter(state__last_office=office, state__status__in=ASSIGNABLE_STATUSES)
        .exclude(run_sheet_entries__in=RunSheetEntry.objects.open())
        .select_related("state")
    )


def items_waiting_at_office(office: Office, limit: int = 500) -> list[Item]:
    """Items the office may put on a round: at the office, in a status a round may take,
    not on a round still open, **and delivered by this office** (``destination_office``,
    set by routing by commune, :mod:`postops.items.routing`). Oldest arrival first.

    - An item whose delivery office is another one is not offered: it travels on in a bag
      (:func:`postops.items.bag_selectors.items_to_forward`, the "Chờ chuyển tiếp" list),
      and ``run_sheet_assign``
      refuses it.
    - An item on its way back to the sender (``returning``) is never offered: its next
      office is the one that accepted it (:func:`postops.items.bag_selectors.
      onward_office_expression`; the return leaves ``destination_office`` unchanged), and the
      postman's round hands items to the receiver and collects their COD, which a return
      must not do. A held item waiting for its return to start (the round's decision
      "return") is still at its delivery office, so it stays in this list, marked.
    - An item with no delivery office (a legacy address not converted yet, or a commune no
      office delivers) is not offered silently: :func:`items_unrouted_at_office` lists it
      apart, with a warning and the "no delivery office" worklist. The supervisor who has
      checked the address may still assign it by typing or scanning its number, or with a
      route that names its commune (a post office's route often covers communes with no
      office of their own).
    """
    return list(
        _waiting_at(office)
        .filter(destination_office=office)
        .order_by("state__last_event_at", "number")
        .only(*_WAITING_FIELDS)[:limit]
    )


def items_unrouted_at_office(office: Office, limit: int = 100) -> list[Item]:
    """Items a round could take at ``office`` that have no delivery office (see
    :func:`items_waiting_at_office`): shown apart, oldest first."""
    return list(
        _waiting_at(office)
        .filter(destination_office__isnull=True)
        .order_by("state__last_event_at", "number")
        .only(*_WAITING_FIELDS, "receiver_scheme")[:limit]
    )


def items_back_for_sender(office: Office, limit: int = 100) -> list[Item]:
    """Items on their way back to the sender that are at the office that accepted them,
    their return's destination (:func:`postops.items.bag_selectors.onward_office_expression`):
    to be handed back to the sender there. Not offered for a round (see
    :func:`items_waiting_at_office`); listed so that they are not forgotten. Oldest first."""
    return list(
        Item.objects.filter(
            state__last_office=office,
            state__status=item_rules.Status.RETURNING,
            origin_office=office,
        )
        .exclude(state__last_event_code__in=bag_selectors.DEPARTURE_EVENTS)
        .select_related("state")
        .order_by("state__last_event_at", "number")
        .only("pk", "number", "service", "state__status", "state__last_event_at")[:limit]
    )


def next_attempts(items: list[Item]) -> dict[int, date]:
    """For items back from a failed attempt: the day the next attempt is due."""
    rows = (
        DeliveryAttempt.objects.filter(
            item_id__in=[i.pk for i in items], kind=DeliveryAttempt.Kind.FAILED
        )
        .order_by("item_id", "-occurred_at")
        .values_list("item_id", "next_attempt_on")
    )
    due: dict[int, date] = {}
    for item_id, next_on in rows:
        if item_id not in due and next_on:
            due[item_id] = next_on
    return due


def routes_for_office(office: Office) -> QuerySet[Route]:
    return Route.objects.filter(office=office, is_active=True).select_related("default_postman")


def route_get_for_user(user, pk) -> Route | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return (
        Route.objects.filter(pk=pk, office_id__in=office_scope_ids(user))
        .select_related("office")
        .first()
    )


def run_sheets_for_office(office: Office, day: date) -> QuerySet[RunSheet]:
    """The office's run sheets of ``day`` with their counts and COD cash."""
    return (
        RunSheet.objects.filter(office=office, day=day)
        .select_related("postman")
        .annotate(
            total=Count("entries", distinct=True),
            delivered=Count(
                "entries", filter=Q(entries__outcome=EntryOutcome.DELIVERED), distinct=True
            ),
        )
        .order_by("postman__full_name", "postman__username")
    )


def run_sheets_unconfirmed(office: Office, before: date) -> QuerySet[RunSheet]:
    """Earlier rounds still waiting for their handover (they block nothing, but the cash
    and items are unaccounted for)."""
    return (
        RunSheet.objects.filter(office=office, day__lt=before)
        .exclude(status=RunSheet.Status.CONFIRMED)
        .select_related("postman")
        .order_by("day")
    )


def run_sheet_get_for_user(user, pk) -> RunSheet | None:
    """A run sheet the user may open: their own (postman) or in scope (supervisor)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    qs = RunSheet.objects.select_related("office", "postman")
    sheet = qs.filter(pk=pk).first()
    if sheet is None:
        return None
    if sheet.postman_id == user.pk:
        return sheet
    if _is_supervisor(user) and office_scope_ids(user).filter(pk=sheet.office_id).exists():
        return sheet
    return None


def attempts_for_run_sheet(run_sheet: RunSheet) -> dict[int, list[DeliveryAttempt]]:
    """Attempts of the round per entry id, oldest first."""
    by_entry: dict[int, list[DeliveryAttempt]] = {}
    for attempt in DeliveryAttempt.objects.filter(entry__run_sheet=run_sheet).order_by(
        "occurred_at", "pk"
    ):
        by_entry.setdefault(attempt.entry_id, []).append(attempt)
    return by_entry


def attempt_get_for_user(user, pk) -> DeliveryAttempt | None:
    """An attempt whose proof the user may see: the postman who made it, or a supervisor of
    its office."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    attempt = DeliveryAttempt.objects.select_related("item").filter(pk=pk).first()
    if attempt is None:
        return None
    if attempt.postman_id == user.pk:
        return attempt
    if _is_supervisor(user) and office_scope_ids(user).filter(pk=attempt.office_id).exists():
        return attempt
    return None


# --- For other apps (COD, returns, worklists) --------------------------------------------------


def delivery_is_final(item: Item) -> bool:
    """Delivered, and the round it was delivered on has been confirmed by the supervisor."""
    return DeliveryAttempt.objects.filter(
        item=item,
        kind=DeliveryAttempt.Kind.DELIVERED,
        entry__run_sheet__status=RunSheet.Status.CONFIRMED,
    ).exists()


def cod_cash_with_postmen(office_ids) -> QuerySet[DeliveryAttempt]:
    """Deliveries with cash collected whose round is not confirmed yet: the cash is still
    with the postman (worklist "COD not handed over")."""
    return (
        DeliveryAttempt.objects.filter(
            office_id__in=office_ids, kind=DeliveryAttempt.Kind.DELIVERED, cod_collected__gt=0
        )
        .exclude(entry__run_sheet__status=RunSheet.Status.CONFIRMED)
        .select_related("item", "postman")
        .order_by("occurred_at", "pk")
    )


def cod_cash_total_with_postman(run_sheet: RunSheet) -> int:
    return (
        DeliveryAttempt.objects.filter(
            entry__run_sheet=run_sheet, kind=DeliveryAttempt.Kind.DELIVERED
        ).aggregate(total=Sum("cod_collected"))["total"]
        or 0
    )


def items_due_for_return(office_ids) -> QuerySet[Item]:
    """Items brought back from a confirmed round with the decision "return" (undeliverable
    reason, or two invitations without reaching the receiver): the returns service starts
    the return to sender from here."""
    return (
        Item.objects.filter(
            run_sheet_entries__outcome=EntryOutcome.RETURN,
            run_sheet_entries__run_sheet__status=RunSheet.Status.CONFIRMED,
            run_sheet_entries__run_sheet__office_id__in=office_ids,
            state__status=item_rules.Status.HELD,
        )
        .distinct()
        .select_related("state")
        .order_by("state__last_event_at")
    )


# --- Handover -------------------------------------------------------------------------------


@dataclass(frozen=True)
class HandoverFigures:
    """What a round should bring back: the undelivered entries and the COD cash."""

    delivered: int
    undelivered: list[RunSheetEntry]
    expected_cash: int

    @property
    def expected_items(self) -> int:
        return len(self.undelivered)


def handover_figures(run_sheet: RunSheet) -> HandoverFigures:
    entries = list(run_sheet.entries.select_related("item__state").order_by("position", "pk"))
    undelivered = [e for e in entries if e.outcome != EntryOutcome.DELIVERED]
    cash = sum(
        DeliveryAttempt.objects.filter(
            entry__run_sheet=run_sheet, kind=DeliveryAttempt.Kind.DELIVERED
        ).values_list("cod_collected", flat=True)
    )
    return HandoverFigures(
        delivered=len(entries) - len(undelivered), undelivered=undelivered, expected_cash=cash
    )


# --- Home payouts -------------------------------------------------------------------------------


def _payout_lines():
    from postops.payouts import rules as payout_rules
    from postops.payouts.models import Payout, PayrollLine

    return (
        PayrollLine.objects.filter(home_payout=True, period__status=payout_rules.PAYING)
        .select_related("period__programme", "beneficiary", "payout_point")
        .annotate(is_paid=Exists(Payout.objects.filter(line=OuterRef("pk"))))
    )


def home_payout_lines_for_supervisor(user, limit: int = 500) -> list:
    """Lines to be paid at home in the supervisor's scope, with their assignment."""
    return list(
        _payout_lines()
        .filter(payout_point_id__in=office_scope_ids(user))
        .select_related("home_assignment__staff")
        .order_by("payout_point__code", "beneficiary__village", "beneficiary__search_name")[:limit]
    )


def home_payout_staff_for(user) -> QuerySet[User]:
    """Staff who may pay at home, working within the supervisor's scope."""
    from .services import HOME_PAYOUT_ROLES

    return (
        User.objects.filter(
            is_active=True,
            groups__name__in=HOME_PAYOUT_ROLES,
            offices__id__in=office_scope_ids(user),
        )
        .distinct()
        .order_by("full_name", "username")
    )


def home_payouts_for_staff(user) -> list:
    """The lines given to ``user`` to pay at home (paid ones included, marked)."""
    return list(
        _payout_lines()
        .filter(home_assignment__staff=user)
        .order_by("beneficiary__village", "beneficiary__search_name")
    )


def home_payout_identity_checks(line, proxies, salt: bytes) -> list[dict]:
    """What the phone needs to check a document offline: per receiver and document type,
    a slow salted hash of the number on record (never the number)."""
    from .rules import identity_check_digest

    checks = []
    person = line.beneficiary
    if person.id_number:
        checks.append(
            {
                "receiver": "self",
                "document": "cccd",
                "digest": identity_check_digest("cccd", person.id_number, salt),
            }
        )
    if person.passport_number:
        checks.append(
            {
                "receiver": "self",
                "document": "passport",
                "digest": identity_check_digest("passport", person.passport_number, salt),
            }
        )
    for proxy in proxies:
        checks.append(
            {
                "receiver": f"proxy:{proxy.pk}",
                "document": proxy.id_document_type,
                "digest": identity_check_digest(proxy.id_document_type, proxy.id_number, salt),
            }
        )
    return checks
