"""Pure tariff arithmetic: the price of an item from a tariff table. No Django import.

The table is configuration (``models.TariffVersion`` and its rows): service × zone × weight
band, a price per extra weight step above the last band, and add-ons (cash on delivery,
insured value, advice of delivery). Vietnam Post's own figures are not public here, so
nothing in this module holds a price. All amounts are integer đồng and the table's prices
include VAT (issue #3, item 2: "VAT included"); :func:`vat_part` gives the VAT inside a
gross amount for the receipt.

Rounding: a percentage fee is rounded half up to the đồng, then raised to its minimum.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Zone(StrEnum):
    """Where the item goes, seen from the accepting office (issue #3, item 2)."""

    SAME_COMMUNE = "same_commune"
    SAME_PROVINCE = "same_province"
    OTHER_PROVINCE = "other_province"


def zone_between(
    origin_commune: str, origin_province: str, dest_commune: str, dest_province: str
) -> Zone:
    """The zone from one commune to another (2025 codes: 5-digit commune, 2-digit province)."""
    if origin_commune == dest_commune:
        return Zone.SAME_COMMUNE
    if origin_province == dest_province:
        return Zone.SAME_PROVINCE
    return Zone.OTHER_PROVINCE


class TariffError(ValueError):
    """The table cannot price this item; ``code`` says why."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Band:
    max_weight_g: int
    price: int


@dataclass(frozen=True)
class Step:
    """Above the last band: ``price`` for each started ``step_g`` grams."""

    step_g: int
    price: int


@dataclass(frozen=True)
class PercentFee:
    """``per_mille``‰ of an amount (rounded half up), at least ``minimum`` đồng; 0 on 0."""

    per_mille: int
    minimum: int = 0

    def of(self, amount: int) -> int:
        if amount <= 0:
            return 0
        fee = (amount * self.per_mille * 2 + 1000) // 2000  # half up, integers only
        return max(fee, self.minimum)


@dataclass(frozen=True)
class Table:
    """One tariff version: bands and steps per (service, zone), add-ons, VAT rate."""

    bands: dict[tuple[str, str], list[Band]]
    steps: dict[tuple[str, str], Step] = field(default_factory=dict)
    cod: PercentFee | None = None
    insured: PercentFee | None = None
    advice_of_delivery: int | None = None
    vat_percent: int = 0


@dataclass(frozen=True)
class Quote:
    base: int
    cod_fee: int
    insured_fee: int
    advice_fee: int
    total: int
    vat: int


def base_price(bands: list[Band], step: Step | None, weight_g: int) -> int:
    """The price of the first band whose limit is at least ``weight_g``; above the last
    band, the last band's price plus one ``step`` per started ``step_g`` grams."""
    if weight_g <= 0:
        raise TariffError("weight", "weight must be positive")
    ordered = sorted(bands, key=lambda b: b.max_weight_g)
    if not ordered:
        raise TariffError("no_rate", "no rate for this service and zone")
    for band in ordered:
        if weight_g <= band.max_weight_g:
            return band.price
    if step is None:
        raise TariffError("too_heavy", "heavier than the last weight band")
    last = ordered[-1]
    extra = weight_g - last.max_weight_g
    steps = -(-extra // step.step_g)  # started steps: ceiling division
    return last.price + steps * step.price


def vat_part(gross: int, vat_percent: int) -> int:
    """The VAT inside a VAT-inclusive amount, rounded half up: gross × r / (100 + r)."""
    if vat_percent <= 0 or gross <= 0:
        return 0
    return (gross * vat_percent * 2 + (100 + vat_percent)) // (2 * (100 + vat_percent))


def quote(
    table: Table,
    *,
    service: str,
    zone: Zone | str,
    weight_g: int,
    cod_amount: int = 0,
    declared_value: int = 0,
    advice_of_delivery: bool = False,
) -> Quote:
    """Price an item. Raises :class:`TariffError` when the table has no rate or add-on
    for what is asked (``no_rate``, ``too_heavy``, ``no_cod``, ``no_insured``,
    ``no_advice_of_delivery``)."""
    key = (str(service), str(Zone(zone)))
    base = base_price(table.bands.get(key, []), table.steps.get(key), weight_g)
    cod_fee = insured_fee = advice_fee = 0
    if cod_amount > 0:
        if table.cod is None:
            raise TariffError("no_cod", "cash on delivery is not offered in this tariff")
        cod_fee = table.cod.of(cod_amount)
    if declared_value > 0:
        if table.insured is None:
            raise TariffError("no_insured", "insured value is not offered in this tariff")
        insured_fee = table.insured.of(declared_value)
    if advice_of_delivery:
        if table.advice_of_delivery is None:
            raise TariffError(
                "no_advice_of_delivery", "advice of delivery is not offered in this tariff"
            )
        advice_fee = table.advice_of_delivery
    total = base + cod_fee + insured_fee + advice_fee
    return Quote(
        base=base,
        cod_fee=cod_fee,
        insured_fee=insured_fee,
        advice_fee=advice_fee,
        total=total,
        vat=vat_part(total, table.vat_percent),
    )
