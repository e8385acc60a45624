"""Reads for the sender-request page (returns, withdrawal, redirection): office-scoped."""

from __future__ import annotations

from django.db.models import Q

from postops.core import s10
from postops.network.selectors import office_scope_ids

from .models import Item


def item_for_request(user, number: str) -> Item | None:
    """The item numbered ``number`` if it starts, ends or now is at an office in the user's
    scope (the offices a counter or a supervisor answers a sender for); else ``None``."""
    number = s10.normalize(number or "")
    if not s10.is_valid(number):
        return None
    scope = office_scope_ids(user)
    return (
        Item.objects.select_related("origin_office", "destination_office", "state__last_office")
        .filter(number=number)
        .filter(
            Q(origin_office_id__in=scope)
            | Q(destination_office_id__in=scope)
            | Q(state__last_office_id__in=scope)
        )
        .first()
    )


def return_charge_for(item: Item):
    from postops.cod.models import ReturnCharge

    return ReturnCharge.objects.filter(item=item).first()
