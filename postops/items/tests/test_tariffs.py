"""Tariffs: the pure arithmetic (hypothesis) and the versioned table in the database."""

from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postops.items import tariffs
from postops.items.models import TariffRate, TariffStep, TariffVersion, TariffZone
from postops.items.selectors import tariff_quote, tariff_version_on, tariff_zone
from postops.items.tariffs import Band, PercentFee, Step, Table, TariffError, Zone

BANDS = [Band(100, 13000), Band(500, 18000), Band(1000, 25000), Band(2000, 34000)]
STEP = Step(500, 5000)
TABLE = Table(
    bands={("ems", "other_province"): BANDS},
    steps={("ems", "other_province"): STEP},
    cod=PercentFee(per_mille=8, minimum=15000),
    insured=PercentFee(per_mille=5, minimum=10000),
    advice_of_delivery=3000,
    vat_percent=10,
)


@pytest.mark.parametrize(
    ("weight", "price"),
    [
        (1, 13000),
        (100, 13000),
        (101, 18000),
        (2000, 34000),
        (2001, 39000),
        (2500, 39000),
        (2501, 44000),
    ],
)
def test_base_price_by_band_and_step(weight, price):
    assert tariffs.base_price(BANDS, STEP, weight) == price


def test_base_price_errors():
    with pytest.raises(TariffError) as exc:
        tariffs.base_price(BANDS, None, 2001)
    assert exc.value.code == "too_heavy"
    with pytest.raises(TariffError) as exc:
        tariffs.base_price([], None, 10)
    assert exc.value.code == "no_rate"
    with pytest.raises(TariffError) as exc:
        tariffs.base_price(BANDS, STEP, 0)
    assert exc.value.code == "weight"


def test_percent_fees_round_half_up_and_have_a_minimum():
    fee = PercentFee(per_mille=8, minimum=15000)
    assert fee.of(0) == 0
    assert fee.of(1_000_000) == 15000  # 8,000 raised to the minimum
    assert fee.of(2_500_000) == 20000
    assert PercentFee(per_mille=5).of(1100) == 6  # 5.5 → 6
    assert PercentFee(per_mille=5).of(1099) == 5  # 5.495 → 5


def test_a_full_quote():
    q = tariffs.quote(
        TABLE,
        service="ems",
        zone=Zone.OTHER_PROVINCE,
        weight_g=1250,
        cod_amount=350000,
        declared_value=3_000_000,
        advice_of_delivery=True,
    )
    assert q == tariffs.Quote(
        base=34000, cod_fee=15000, insured_fee=15000, advice_fee=3000, total=67000, vat=6091
    )


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"service": "parcel"}, "no_rate"),
        ({"cod_amount": 1}, "no_cod"),
        ({"declared_value": 1}, "no_insured"),
        ({"advice_of_delivery": True}, "no_advice_of_delivery"),
    ],
)
def test_what_the_table_does_not_offer_is_an_error(kwargs, code):
    bare = Table(bands=TABLE.bands)
    args = {"service": "ems", "zone": "other_province", "weight_g": 100, **kwargs}
    with pytest.raises(TariffError) as exc:
        tariffs.quote(bare, **args)
    assert exc.value.code == code


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=100))
def test_vat_part_is_the_rounded_exact_share(gross, rate):
    exact = Fraction(gross * rate, 100 + rate)
    assert tariffs.vat_part(gross, rate) == (int(exact + Fraction(1, 2)) if rate else 0)


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=1000))
def test_percent_fee_is_the_rounded_exact_share(amount, per_mille):
    exact = Fraction(amount * per_mille, 1000)
    assert PercentFee(per_mille).of(amount) == (int(exact + Fraction(1, 2)) if amount else 0)


@given(st.integers(min_value=1, max_value=30000), st.integers(min_value=1, max_value=30000))
def test_heavier_never_costs_less(a, b):
    light, heavy = sorted((a, b))
    assert tariffs.base_price(BANDS, STEP, light) <= tariffs.base_price(BANDS, STEP, heavy)


def test_zones():
    assert tariffs.zone_between("06040", "20", "06040", "20") == Zone.SAME_COMMUNE
    assert tariffs.zone_between("06040", "20", "06100", "20") == Zone.SAME_PROVINCE
    assert tariffs.zone_between("06040", "20", "00004", "01") == Zone.OTHER_PROVINCE
    assert [c for c, _ in TariffZone.choices] == [z.value for z in Zone]


# --- The versioned table -------------------------------------------------------------------


def _version(effective_from, ems_price, **extra):
    version = TariffVersion.objects.create(
        name=f"Bảng cước {effective_from:%Y}",
        effective_from=effective_from,
        vat_percent=10,
        **extra,
    )
    TariffRate.objects.bulk_create(
        TariffRate(version=version, service="ems", zone=zone, max_weight_g=w, price=p)
        for zone in ("same_province", "other_province")
        for w, p in ((500, ems_price), (2000, ems_price + 10000))
    )
    TariffStep.objects.create(
        version=version, service="ems", zone="other_province", step_g=500, price=4000
    )
    return version


@pytest.mark.django_db
def test_the_version_in_force_on_a_day_prices_the_item():
    old = _version(date(2025, 1, 1), 20000)
    new = _version(date(2026, 7, 1), 22000, cod_per_mille=10, cod_minimum=12000)
    assert tariff_version_on(date(2024, 12, 31)) is None
    assert tariff_version_on(date(2026, 6, 30)) == old
    assert tariff_version_on(date(2026, 7, 1)) == new
    before = tariff_quote(service="ems", zone="other_province", weight_g=2600, on=date(2026, 6, 30))
    assert (before.version, before.quote.base, before.quote.total) == (old, 38000, 38000)
    after = tariff_quote(
        service="ems",
        zone="other_province",
        weight_g=400,
        cod_amount=2_000_000,
        on=date(2026, 7, 1),
    )
    assert (after.quote.base, after.quote.cod_fee, after.quote.total, after.quote.vat) == (
        22000,
        20000,
        42000,
        3818,
    )
    with pytest.raises(TariffError) as exc:
        tariff_quote(service="ems", zone="other_province", weight_g=1, on=date(2024, 1, 1))
    assert exc.value.code == "no_tariff"


@pytest.mark.django_db
def test_zone_from_the_accepting_office(offices):
    from postops.network.models import Commune

    origin = offices["origin"]
    here = origin.commune
    same_province = Commune.objects.filter(province=here.province).exclude(code=here.code).first()
    elsewhere = Commune.objects.exclude(province=here.province).first()
    assert tariff_zone(origin, here.code) == Zone.SAME_COMMUNE
    assert tariff_zone(origin, same_province.code) == Zone.SAME_PROVINCE
    assert tariff_zone(origin, elsewhere.code) == Zone.OTHER_PROVINCE
    assert tariff_zone(origin, "99999") is None
