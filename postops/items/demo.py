"""Demo data for postal items: configuration, number blocks, an illustrative tariff and a
few items with their journeys, so that public tracking (``/tra-cuu/``) has something to show.

Idempotent: items are accepted with fixed idempotency keys and events carry fixed UUIDs, so
a second run adds nothing. Demo only (the tariff figures are invented and labelled so);
``manage.py seed_demo_items`` refuses to run with DEBUG off.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from postops.network.models import Commune, Office

from . import services
from .models import NumberBlock, ServiceIndicator, TariffRate, TariffStep, TariffVersion

DEMO_BLOCK_SIZE = 100_000
DEMO_ITEMS = 12
_NAMESPACE = uuid.UUID("6f1f3c2e-9c1b-4d53-9a0e-3b7f3e0c2a10")

# (service, zone) → [(max grams, price)] — invented figures for the demo, VAT included.
_DEMO_BANDS = {
    "ems": [(100, 13000), (500, 18000), (1000, 25000), (2000, 34000)],
    "parcel": [(1000, 15000), (2000, 20000), (5000, 32000)],
    "registered": [(20, 6000), (100, 8000), (500, 12000)],
}
_ZONE_FACTOR = {"same_commune": 0.8, "same_province": 1.0, "other_province": 1.5}

# Journeys of the demo items: events after acceptance (code, office: "origin"/"delivery").
_JOURNEYS = [
    [],
    [("sorting_in", "origin"), ("sorting_out", "origin")],
    [("sorting_in", "origin"), ("sorting_out", "origin"), ("delivery_office_arrival", "delivery")],
    [
        ("sorting_in", "origin"),
        ("delivery_office_arrival", "delivery"),
        ("out_for_delivery", "delivery"),
    ],
    [
        ("delivery_office_arrival", "delivery"),
        ("out_for_delivery", "delivery"),
        ("delivery_failed", "delivery"),
    ],
    [
        ("sorting_in", "origin"),
        ("delivery_office_arrival", "delivery"),
        ("out_for_delivery", "delivery"),
        ("delivered", "delivery"),
    ],
]


@dataclass
class DemoItems:
    blocks_created: int = 0
    numbers: list[tuple[str, str]] = field(default_factory=list)  # number, status


def _demo_tariff() -> None:
    if TariffVersion.objects.exists():
        return
    version = TariffVersion.objects.create(
        name="Bảng cước minh họa (demo, không phải giá thật)",
        effective_from=date(2025, 7, 1),
        vat_percent=10,
        cod_per_mille=8,
        cod_minimum=15000,
        insured_per_mille=5,
        insured_minimum=10000,
        advice_of_delivery_fee=3000,
        source="demo",
    )
    rows = []
    for service, bands in _DEMO_BANDS.items():
        for zone, factor in _ZONE_FACTOR.items():
            rows += [
                TariffRate(
                    version=version,
                    service=service,
                    zone=zone,
                    max_weight_g=w,
                    price=int(p * factor) // 100 * 100,
                )
                for w, p in bands
            ]
            TariffStep.objects.create(
                version=version, service=service, zone=zone, step_g=500, price=int(4000 * factor)
            )
    TariffRate.objects.bulk_create(rows)


def seed_items(provincial: Office) -> DemoItems:
    """Seed item configuration and demo items under the province's office tree."""
    result = DemoItems()
    services.item_config_load()
    _demo_tariff()
    post_offices = list(
        Office.objects.filter(
            path__startswith=provincial.path, kind=Office.Kind.POST_OFFICE
        ).order_by("code")
    )
    if len(post_offices) < 2:
        return result
    prefixes = list(
        ServiceIndicator.objects.filter(prefix__in=["EB", "CP", "RR"]).values_list(
            "prefix", flat=True
        )
    )
    # Each post office gets its own range of each prefix, far apart, offset by province.
    base = int(provincial.code[:2]) * 1_000_000
    for i, office in enumerate(post_offices):
        for prefix in prefixes:
            if NumberBlock.objects.filter(office=office, indicator_id=prefix).exists():
                continue
            first = base + i * DEMO_BLOCK_SIZE
            services.number_block_create(
                actor=None,
                office=office,
                prefix=prefix,
                first_serial=first,
                last_serial=first + DEMO_BLOCK_SIZE - 1,
            )
            result.blocks_created += 1

    from postops.demo.names import person_name, street_address

    rng = random.Random(f"postops-demo-items-{provincial.code}")
    origin, delivery = post_offices[0], post_offices[1]
    communes = list(
        Commune.objects.filter(province_id=delivery.commune.province_id).order_by("code")[:30]
    )
    start = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(days=3)
    for n in range(DEMO_ITEMS):
        prefix = prefixes[n % len(prefixes)]
        accepted_at = start + timedelta(hours=2 * n)
        with transaction.atomic():
            item = services.item_accept(
                actor=None,
                office=origin,
                prefix=prefix,
                sender_name="Cửa hàng Hoa Mai",
                sender_phone="0912345678",
                receiver_name=person_name(rng)[0],
                receiver_phone=f"09{rng.randint(10000000, 99999999)}",
                receiver_address={
                    "commune_code": rng.choice(communes).code,
                    "street": street_address(rng, urban=False),
                },
                weight_g=rng.choice([250, 800, 1500, 3000]),
                cod_amount=rng.choice([0, 0, 250000, 480000]),
                destination_office=delivery,
                accepted_at=accepted_at,
                idempotency_key=f"demo-{provincial.code}-{n}",
            ).item
            _journey(item, _JOURNEYS[n % len(_JOURNEYS)], origin, delivery, accepted_at)
        item.refresh_from_db()
        result.numbers.append((item.number, item.status))
    _demo_partner_webhooks(origin)
    return result


DEMO_PARTNER_KEY = "Cửa hàng Hoa Mai (demo)"


def _demo_partner_webhooks(origin: Office) -> None:
    """A partner API key for the demo shop, managed on /items/webhooks/ by ``demo-partner``
    (no URL set: the demo partner sets one and gets the secret once)."""
    from postops.accounts.models import ApiKey, User
    from postops.accounts.services import api_key_create

    from .models import PartnerKeyAccess

    user = User.objects.filter(username="demo-partner").first()
    if user is None:
        return
    key = ApiKey.objects.filter(name=DEMO_PARTNER_KEY, revoked_at__isnull=True).first()
    if key is None:
        key, _raw = api_key_create(None, name=DEMO_PARTNER_KEY, role="partner", offices=[origin])
    PartnerKeyAccess.objects.get_or_create(user=user, api_key=key)


def _journey(item, steps, origin, delivery, accepted_at: datetime) -> None:
    offices = {"origin": origin.code, "delivery": delivery.code}
    events = []
    for k, (code, where) in enumerate(steps, start=1):
        event = {
            "event_id": str(uuid.uuid5(_NAMESPACE, f"{item.number}-{k}")),
            "number": item.number,
            "code": code,
            "office_code": offices[where],
            "occurred_at": accepted_at + timedelta(hours=3 * k),
        }
        if code == "delivery_failed":
            event.update(reason_code="R05", action_code="A01")
        events.append(event)
    if events:
        services.events_ingest_batch(actor=None, events=events)
