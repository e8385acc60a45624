"""Reads of bags between offices, scoped to the user's offices (origin or destination),
and of the items waiting at an office to travel on in a bag (:func:`items_to_forward`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, When

from postops.network.models import Office
from postops.network.selectors import office_scope_ids

from . import rules
from .models import Bag, BagItem, BagItemState, BagState, Item


def _visible(user) -> Q:
    scope = office_scope_ids(user)
    return Q(origin_office_id__in=scope) | Q(destination_office_id__in=scope)


def bag_list_for_user(user, limit: int = 100) -> dict[str, list[Bag]]:
    """``incoming``: bags on their way to an office in scope (oldest first, to unload);
    ``recent``: the latest bags sent or received by those offices."""
    scope = office_scope_ids(user)
    base = Bag.objects.select_related("origin_office", "destination_office")
    return {
        "incoming": list(
            base.filter(destination_office_id__in=scope, state=BagState.CLOSED).order_by(
                "closed_at", "id"
            )[:limit]
        ),
        "recent": list(base.filter(_visible(user)).order_by("-closed_at", "-id")[:limit]),
    }


def bag_get_for_user(user, code: str) -> Bag | None:
    return (
        Bag.objects.select_related("origin_office", "destination_office")
        .filter(_visible(user), code=(code or "").strip().upper())
        .first()
    )


def bag_lines(bag: Bag) -> QuerySet[BagItem]:
    return bag.lines.select_related("item__state").order_by("-listed", "item__number")


def bag_destination_choices() -> QuerySet[Office]:
    """Offices a bag may be sent to: every active office (bags go up and down the tree)."""
    return Office.objects.filter(is_active=True).order_by("code")


# --- Items to forward -------------------------------------------------------------------------

# Items that sit at an office and may still leave it in a bag: accepted at the counter,
# arrived on the way, arrived at (or back to) an office that does not deliver them, or on
# the way back to the sender. Items out for delivery are with a postman; finished items go
# nowhere.
FORWARD_STATUSES: tuple[str, ...] = (
    rules.Status.ACCEPTED,
    rules.Status.IN_TRANSIT,
    rules.Status.AT_DELIVERY_OFFICE,
    rules.Status.DELIVERY_FAILED,
    rules.Status.HELD,
    rules.Status.RETURNING,
)
# The latest event says the item already left the office (a closed bag records EDE).
DEPARTURE_EVENTS: tuple[str, ...] = (
    rules.Event.SORTING_OUT,
    rules.Event.TRANSIT_DEPARTURE,
    rules.Event.OUTWARD_DEPARTURE,
    rules.Event.INWARD_DEPARTURE,
)
# How many items the "to forward" list shows (oldest first); the groups still count all.
FORWARD_LIMIT = 300


def onward_office_expression():
    """The office an item travels to next, as a query expression (``onward_office_id``).

    The delivery office set by routing (:mod:`postops.items.routing`), except for an item on
    its way back to the sender (``returning``): the return to sender
    (:func:`postops.items.returns.item_return_to_sender`) leaves ``destination_office`` on
    the receiver's delivery office, and the item goes back to the office that accepted it
    (``origin_office``), where the sender handed it in and is answered for it. ``NULL`` when
    the item has no delivery office (unrouted).
    """
    return Case(
        When(state__status=rules.Status.RETURNING, then=F("origin_office_id")),
        default=F("destination_office_id"),
    )


def _in_closed_bag():
    return Exists(
        BagItem.objects.filter(
            item=OuterRef("pk"),
            state=BagItemState.LISTED,
            listed=True,
            bag__state=BagState.CLOSED,
        )
    )


def items_at_office_to_forward(office: Office) -> QuerySet[Item]:
    """Items at ``office`` whose next office is another one (annotated ``onward_office_id``).

    At the office: ``last_office`` is it, the status is one an item waiting there has
    (:data:`FORWARD_STATUSES`), its latest event is not a departure, and it is not listed in
    a bag still on its way nor on a postman's round still open. Items with no delivery office
    are not here (the supervisors' "no delivery office" worklist has them).
    """
    # An item on a round not yet handed over is with the postman, whatever its status says.
    from postops.delivery.models import RunSheetEntry

    open_entries = RunSheetEntry.objects.open().filter(item=OuterRef("pk"))
    return (
        Item.objects.filter(state__last_office=office, state__status__in=FORWARD_STATUSES)
        .exclude(state__last_event_code__in=DEPARTURE_EVENTS)
        .annotate(onward_office_id=onward_office_expression())
        .filter(onward_office_id__isnull=False)
        .exclude(onward_office_id=office.pk)
        .exclude(_in_closed_bag())
        .exclude(Exists(open_entries))
    )


@dataclass
class ForwardGroup:
    """Items at an office that go on to ``destination``: the oldest ``items`` (up to the
    list's limit) and how many there are in all (``total``)."""

    destination: Office
    total: int
    items: list[Item]

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def items_to_forward(office: Office, limit: int = FORWARD_LIMIT) -> list[ForwardGroup]:
    """The items at ``office`` to forward, grouped by the office they go to (by office
    code), each group oldest first. Three queries however many items and groups: the
    counts per destination, the ``limit`` oldest items, the destination offices."""
    qs = items_at_office_to_forward(office)
    totals = {
        row["onward_office_id"]: row["n"]
        for row in qs.order_by().values("onward_office_id").annotate(n=Count("pk"))
    }
    if not totals:
        return []
    rows = list(
        qs.select_related("state")
        .order_by("state__last_event_at", "number")
        .only(
            "pk",
            "number",
            "service",
            "state__status",
            "state__last_event_at",
            "state__last_event_code",
        )[:limit]
    )
    destinations = Office.objects.only("pk", "code", "name").in_bulk(list(totals))
    by_destination: dict[int, list[Item]] = {pk: [] for pk in totals}
    for item in rows:
        by_destination[item.onward_office_id].append(item)
    groups = [
        ForwardGroup(destination=destinations[pk], total=totals[pk], items=by_destination[pk])
        for pk in totals
        if pk in destinations
    ]
    return sorted(groups, key=lambda g: g.destination.code)


def forward_numbers(office: Office, destination_id: int, limit: int) -> list[str]:
    """Numbers of the items at ``office`` that go on to ``destination_id``, oldest first
    (what the bag form is filled with)."""
    return list(
        items_at_office_to_forward(office)
        .filter(onward_office_id=destination_id)
        .order_by("state__last_event_at", "number")
        .values_list("number", flat=True)[:limit]
    )
