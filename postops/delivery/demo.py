"""Demo data for delivery (``manage.py seed_demo``): a round for ``demo-postman`` today.

A few items accepted at the second post office arrive at the first one (where the demo
postman and supervisor work); most go on the postman's run sheet for today, one stays
waiting for the supervisor to assign on the "Điều phối phát" page, and the office gets a
route over its communes. Idempotent: items carry fixed idempotency keys and events fixed
ids; an item already on a round is not assigned again. Demo only.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from postops.accounts.models import User
from postops.demo.names import person_name, street_address
from postops.items import services as item_services
from postops.items.models import Item
from postops.network.models import Commune, Office

from . import services
from .models import Route, RunSheetEntry

_NAMESPACE = uuid.UUID("7d0f5b8e-2f3a-4d6c-8b1e-5a9c3e7f1d20")
# (prefix, COD amount, weight in grams): a COD parcel, a registered letter (ID check), EMS…
_DEMO_ROUND = [
    ("CP", 350_000, 1_500),
    ("RR", 0, 120),
    ("EB", 0, 800),
    ("EB", 480_000, 2_000),
    ("CP", 0, 3_000),
]
_LEFT_FOR_THE_SUPERVISOR = 1


@dataclass
class DemoDelivery:
    numbers: list[str] = field(default_factory=list)
    assigned: list[str] = field(default_factory=list)


def seed_delivery(provincial: Office) -> DemoDelivery:
    result = DemoDelivery()
    post_offices = list(
        Office.objects.filter(
            path__startswith=provincial.path, kind=Office.Kind.POST_OFFICE
        ).order_by("code")
    )
    postman = User.objects.filter(username="demo-postman").first()
    supervisor = User.objects.filter(username="demo-supervisor").first()
    if len(post_offices) < 2 or postman is None or supervisor is None:
        return result
    home, origin = post_offices[0], post_offices[1]
    communes = list(
        Commune.objects.filter(province_id=home.commune.province_id).order_by("code")[:3]
    )
    rng = random.Random(f"postops-demo-delivery-{provincial.code}")
    now = timezone.now()
    for n, (prefix, cod, weight) in enumerate(_DEMO_ROUND):
        name = person_name(rng)[0]
        street = street_address(rng, urban=True)
        phone = f"09{rng.randint(10000000, 99999999)}"
        accepted = item_services.item_accept(
            actor=None,
            office=origin,
            prefix=prefix,
            sender_name="Cửa hàng Hoa Mai",
            sender_phone="0912345678",
            receiver_name=name,
            receiver_phone=phone,
            receiver_address={"commune_code": communes[n % len(communes)].code, "street": street},
            weight_g=weight,
            cod_amount=cod,
            destination_office=home,
            accepted_at=now - timedelta(days=1),
            idempotency_key=f"demo-delivery-{provincial.code}-{n}",
        )
        item = accepted.item
        if accepted.created:
            item_services.event_record(
                actor=None,
                item=item,
                code="delivery_office_arrival",
                office=home,
                occurred_at=now - timedelta(hours=2),
                event_id=uuid.uuid5(_NAMESPACE, f"{item.number}-arrival"),
            )
        result.numbers.append(item.number)
    Route.objects.get_or_create(
        office=home,
        code="T01",
        defaults={
            "name": "Tuyến trung tâm",
            "commune_codes": [c.code for c in communes],
            "default_postman": postman,
        },
    )
    busy = set(
        RunSheetEntry.objects.open()
        .filter(item__number__in=result.numbers)
        .values_list("item__number", flat=True)
    )
    waiting = list(
        Item.objects.filter(
            number__in=result.numbers[:-_LEFT_FOR_THE_SUPERVISOR], state__last_office=home
        )
        .exclude(number__in=busy)
        .values_list("number", flat=True)
    )
    if waiting:
        try:
            assigned = services.run_sheet_assign(
                actor=supervisor, office=home, postman=postman, numbers=waiting
            )
        except ValidationError:
            return result  # today's round was already handed over
        result.assigned = assigned.added
    return result
