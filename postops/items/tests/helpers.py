"""Items made directly in the database for tests that need many of them (the services
would price, number and audit each one)."""

from datetime import datetime

from postops.core import s10
from postops.items.models import Item, ItemState


def accepted_parcels(origin, count: int, at: datetime, prefix: str = "CP") -> list[str]:
    """``count`` parcels accepted at ``origin`` at ``at``, numbered ``prefix`` 0…count-1,
    each with its state (accepted, at ``origin``); their numbers."""
    items = Item.objects.bulk_create(
        Item(
            number=s10.build(prefix, serial),
            service="parcel",
            sender_name="Shop",
            receiver_name="Khách",
            receiver_commune_code="00004",
            weight_g=500,
            origin_office=origin,
            accepted_at=at,
        )
        for serial in range(count)
    )
    ItemState.objects.bulk_create(
        ItemState(
            item=item,
            status="accepted",
            last_office=origin,
            last_event_at=at,
            last_event_code="accepted",
        )
        for item in items
    )
    return [item.number for item in items]
