"""Reads of postal items.

Public tracking (:func:`item_track_many`) is open to anyone with the number, so it returns
only what the issue allows: status, events with office code and name, the receiver's name
masked; never a phone number or an address (issue #3, item 8; Law 91/2025/QH15:
minimisation). Two queries whatever the number of items asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone, translation

from postops.core import s10

from . import rules, tariffs
from .models import (
    CodeListEntry,
    DeliveryStandard,
    EventCode,
    Item,
    ItemStatus,
    TariffVersion,
    TrackingEvent,
)

# Public lookups per request (issue #3, item 8: "several numbers at once (up to 20)").
MAX_TRACK_NUMBERS = 20


@dataclass
class TrackedEvent:
    code: str
    text: str
    office_code: str
    office_name: str
    occurred_at: datetime


@dataclass
class Tracking:
    number: str
    status: str
    status_text: str
    receiver_name: str
    events: list[TrackedEvent] = field(default_factory=list)


@dataclass
class TrackLookup:
    """The answer for one number asked for: ``tracking`` or an error ``code``."""

    query: str
    number: str
    tracking: Tracking | None = None
    error: str | None = None  # "invalid_item_number" or "item_not_found"


def split_numbers(text: str) -> list[str]:
    """Numbers typed or pasted by a person: separated by commas, semicolons or line breaks.

    Spaces inside one number are allowed (labels print ``EB 125 966 888 VN``); duplicates
    are dropped, the order kept.
    """
    parts = [p for chunk in text.replace(";", ",").splitlines() for p in chunk.split(",")]
    seen: dict[str, None] = {}
    for part in parts:
        if part.strip():
            seen.setdefault(part.strip(), None)
    return list(seen)


def _reason_labels() -> dict[tuple[str, str], str]:
    english = translation.get_language() == "en"
    return {
        (lst, code): (label_en or label) if english else label
        for lst, code, label, label_en in CodeListEntry.objects.values_list(
            "list", "code", "label", "label_en"
        )
    }


def _event_text(event, reasons: dict | None) -> str:
    text = str(EventCode(event.code).label)
    if event.reason_code and reasons is not None:
        reason = reasons.get(("reason", event.reason_code))
        if reason:
            text = f"{text}: {reason}"
    return text


def item_track_many(queries: list[str]) -> list[TrackLookup]:
    """Public tracking for each of ``queries`` (at most :data:`MAX_TRACK_NUMBERS`), in order.

    A malformed number or a wrong check digit gives ``invalid_item_number``; a valid number
    that is not in the system gives ``item_not_found``. Events newest first; times in the
    local time zone (Asia/Ho_Chi_Minh).
    """
    lookups = []
    for query in queries[:MAX_TRACK_NUMBERS]:
        number = s10.normalize(query)
        lookups.append(
            TrackLookup(
                query=query,
                number=number,
                error=None if s10.is_valid(number) else "invalid_item_number",
            )
        )
    wanted = {lk.number for lk in lookups if lk.error is None}
    items = {
        i.number: i
        for i in Item.objects.filter(number__in=wanted).only(
            "pk", "number", "status", "receiver_name"
        )
    }
    by_item: dict[int, list] = {i.pk: [] for i in items.values()}
    if by_item:
        for event in (
            TrackingEvent.objects.filter(item_id__in=by_item)
            .select_related("office")
            .only("item_id", "code", "occurred_at", "reason_code", "office__code", "office__name")
            .order_by("-occurred_at", "-pk")
        ):
            by_item[event.item_id].append(event)
    needs_reasons = any(e.reason_code for events in by_item.values() for e in events)
    reasons = _reason_labels() if needs_reasons else None
    for lookup in lookups:
        if lookup.error:
            continue
        item = items.get(lookup.number)
        if item is None:
            lookup.error = "item_not_found"
            continue
        lookup.tracking = Tracking(
            number=item.number,
            status=item.status,
            status_text=str(ItemStatus(item.status).label),
            receiver_name=rules.mask_name(item.receiver_name),
            events=[
                TrackedEvent(
                    code=e.code,
                    text=_event_text(e, reasons),
                    office_code=e.office.code,
                    office_name=e.office.name,
                    occurred_at=timezone.localtime(e.occurred_at),
                )
                for e in by_item[item.pk]
            ],
        )
    return lookups


def item_track(query: str) -> TrackLookup:
    """Public tracking of one number (see :func:`item_track_many`)."""
    return item_track_many([query])[0]


# --- Tariffs -------------------------------------------------------------------------------


def tariff_version_on(day: date) -> TariffVersion | None:
    """The tariff in force on ``day``: the latest version effective on or before it."""
    return TariffVersion.objects.filter(effective_from__lte=day).order_by("-effective_from").first()


def tariff_table(version: TariffVersion) -> tariffs.Table:
    """The version's rows as a pure :class:`tariffs.Table` (two queries)."""
    bands: dict[tuple[str, str], list[tariffs.Band]] = {}
    for service, zone, max_weight_g, price in version.rates.values_list(
        "service", "zone", "max_weight_g", "price"
    ):
        bands.setdefault((service, zone), []).append(tariffs.Band(max_weight_g, price))
    steps = {
        (service, zone): tariffs.Step(step_g, price)
        for service, zone, step_g, price in version.steps.values_list(
            "service", "zone", "step_g", "price"
        )
    }
    return tariffs.Table(
        bands=bands,
        steps=steps,
        cod=(
            tariffs.PercentFee(version.cod_per_mille, version.cod_minimum)
            if version.cod_per_mille is not None
            else None
        ),
        insured=(
            tariffs.PercentFee(version.insured_per_mille, version.insured_minimum)
            if version.insured_per_mille is not None
            else None
        ),
        advice_of_delivery=version.advice_of_delivery_fee,
        vat_percent=version.vat_percent,
    )


def tariff_zone(origin_office, receiver_commune_code: str) -> tariffs.Zone | None:
    """The zone from the accepting office to a 2025 commune code; ``None`` when the commune
    is unknown (a legacy address must be converted first)."""
    from postops.network.models import Commune

    commune = Commune.objects.filter(code=receiver_commune_code).only("code", "province_id").first()
    if commune is None:
        return None
    origin = origin_office.commune
    return tariffs.zone_between(origin.code, origin.province_id, commune.code, commune.province_id)


@dataclass
class TariffQuote:
    version: TariffVersion
    zone: str
    quote: tariffs.Quote


def tariff_quote(
    *,
    service: str,
    zone: str,
    weight_g: int,
    cod_amount: int = 0,
    declared_value: int = 0,
    advice_of_delivery: bool = False,
    on: date | None = None,
) -> TariffQuote:
    """The price before acceptance (issue #3, item 2), with the tariff version in force on
    ``on`` (today by default). Raises ``tariffs.TariffError`` (``no_tariff`` when no version
    is in force)."""
    day = on or timezone.localdate()
    version = tariff_version_on(day)
    if version is None:
        raise tariffs.TariffError("no_tariff", "no tariff version is in force on this day")
    result = tariffs.quote(
        tariff_table(version),
        service=service,
        zone=zone,
        weight_g=weight_g,
        cod_amount=cod_amount,
        declared_value=declared_value,
        advice_of_delivery=advice_of_delivery,
    )
    return TariffQuote(version=version, zone=str(zone), quote=result)


# --- Promised delivery date ----------------------------------------------------------------


def delivery_standards() -> dict[tuple[str, str], int]:
    """The configured J+n table: (service or "", zone) → working days (one query)."""
    return {
        (service, zone): days
        for service, zone, days in DeliveryStandard.objects.values_list(
            "service", "zone", "working_days"
        )
    }


def item_promised_date(*, service: str, zone: str, accepted_on: date) -> date | None:
    """The promised delivery date of an item accepted on ``accepted_on`` (J): J+n working
    days, n from the zone table (``DeliveryStandard``); ``None`` when no row applies."""
    from postops.core.calendar import add_working_days

    days = rules.delivery_days(delivery_standards(), service, zone)
    if days is None:
        return None
    return add_working_days(accepted_on, days)
