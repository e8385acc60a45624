"""Reads of bags between offices, scoped to the user's offices (origin or destination)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from postops.network.models import Office
from postops.network.selectors import office_scope_ids

from .models import Bag, BagItem, BagState


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
    return bag.lines.select_related("item").order_by("-listed", "item__number")


def bag_destination_choices() -> QuerySet[Office]:
    """Offices a bag may be sent to: every active office (bags go up and down the tree)."""
    return Office.objects.filter(is_active=True).order_by("code")
