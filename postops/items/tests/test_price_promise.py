"""item_accept prices the item and promises a date when the caller does not (issue #3,
items 2–3): the tariff in force on the acceptance day, J+n working days by zone."""

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from postops.core.models import HolidayOverride
from postops.items import rules
from postops.items.models import TariffRate
from postops.items.services import item_accept
from postops.network.models import Commune

T0 = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)  # Monday 2 March 2026, 08:30 in Hà Nội


def _commune(offices, where):
    here = offices["origin"].commune
    if where == "same_commune":
        return here.code
    if where == "same_province":
        return Commune.objects.filter(province=here.province).exclude(code=here.code).first().code
    return Commune.objects.exclude(province=here.province).order_by("code").first().code


def _kwargs(accept_kwargs, offices, where, **extra):
    kwargs = {k: v for k, v in accept_kwargs.items() if k != "fee"}
    kwargs["receiver_address"] = {"commune_code": _commune(offices, where), "street": "1 Lê Lợi"}
    kwargs.update(extra)
    return kwargs


@pytest.mark.parametrize(
    ("where", "fee", "promised"),
    [
        # 1,250 g EMS with 350,000 đ COD: band ≤ 2,000 g + COD fee 8‰ raised to 15,000.
        ("same_commune", 15000 + 15000, date(2026, 3, 3)),
        ("same_province", 18000 + 15000, date(2026, 3, 4)),
        ("other_province", 30000 + 15000, date(2026, 3, 6)),
    ],
)
def test_fee_and_promised_date_come_from_the_tariff_and_the_zone_table(
    blocks, offices, accept_kwargs, tariff, standards, where, fee, promised
):
    item = item_accept(actor=None, accepted_at=T0, **_kwargs(accept_kwargs, offices, where)).item
    assert (item.fee, item.tariff_version, item.promised_date) == (fee, tariff, promised)


def test_add_ons_and_extra_weight_are_priced(blocks, offices, accept_kwargs, tariff, standards):
    item = item_accept(
        actor=None,
        accepted_at=T0,
        **_kwargs(
            accept_kwargs,
            offices,
            "other_province",
            weight_g=2600,
            cod_amount=0,
            advice_of_delivery=True,
        ),
    ).item
    # 30,000 for 2 kg + 2 started steps of 500 g × 4,000 + advice of delivery 3,000.
    assert (item.fee, item.advice_of_delivery) == (30000 + 8000 + 3000, True)


def test_a_service_row_wins_over_the_row_for_every_service(
    blocks, offices, accept_kwargs, tariff, standards
):
    TariffRate.objects.create(
        version=tariff, service="registered", zone="other_province", max_weight_g=2000, price=9000
    )
    item = item_accept(
        actor=None,
        accepted_at=T0,
        **_kwargs(accept_kwargs, offices, "other_province", prefix="RR"),
    ).item
    assert (item.fee, item.promised_date) == (9000 + 15000, date(2026, 3, 9))  # J+5: Monday


def test_the_promise_skips_weekends_and_holiday_overrides(
    blocks, offices, accept_kwargs, tariff, standards
):
    HolidayOverride.objects.create(date=date(2026, 3, 4), is_holiday=True, name="Nghỉ bù")
    friday = datetime(2026, 3, 6, 2, 0, tzinfo=UTC)
    item = item_accept(
        actor=None, accepted_at=friday, **_kwargs(accept_kwargs, offices, "same_province")
    ).item
    assert item.promised_date == date(2026, 3, 10)  # Mon 9, Tue 10
    item = item_accept(
        actor=None, accepted_at=T0, **_kwargs(accept_kwargs, offices, "same_province")
    ).item
    assert item.promised_date == date(2026, 3, 5)  # Tue 3, (Wed 4 off), Thu 5


def test_given_values_are_kept(blocks, offices, accept_kwargs, tariff, standards):
    item = item_accept(
        actor=None,
        accepted_at=T0,
        **_kwargs(accept_kwargs, offices, "same_province", fee=0, promised_date=date(2026, 4, 1)),
    ).item
    assert (item.fee, item.tariff_version, item.promised_date) == (0, None, date(2026, 4, 1))


def test_without_a_tariff_in_force_the_item_is_accepted_unpriced(
    blocks, offices, accept_kwargs, standards
):
    item = item_accept(
        actor=None, accepted_at=T0, **_kwargs(accept_kwargs, offices, "same_province")
    ).item
    assert (item.fee, item.tariff_version, item.promised_date) == (0, None, date(2026, 3, 4))


def test_without_a_zone_row_there_is_no_promise(blocks, offices, accept_kwargs, tariff):
    item = item_accept(
        actor=None, accepted_at=T0, **_kwargs(accept_kwargs, offices, "same_province")
    ).item
    assert (item.fee, item.promised_date) == (33000, None)


@pytest.mark.parametrize(
    ("extra", "errors"),
    [
        (
            {"weight_g": 2600, "receiver_address": None},
            {"weight_g": ["Bưu gửi nặng quá mức cân cao nhất của bảng cước."]},
        ),
        (
            {"declared_value": 1_000_000},
            {"declared_value": ["Bảng cước hiện hành không nhận khai giá."]},
        ),
        (
            {"prefix": "CP"},
            {"fee": ["Bảng cước không có giá cho dịch vụ này ở vùng này."]},
        ),
        (
            {"receiver_address": {"commune_code": "00001", "scheme": "legacy", "street": "x"}},
            {
                "receiver_commune_code": [
                    "Địa chỉ người nhận theo địa giới cũ: cần chuyển sang xã/phường mới "
                    "trước khi tính cước."
                ]
            },
        ),
        (
            {"receiver_address": {"commune_code": "99999", "street": "x"}},
            {"receiver_commune_code": ["Không tìm thấy xã/phường của người nhận."]},
        ),
    ],
)
def test_an_item_the_tariff_cannot_price_is_refused(
    blocks, offices, accept_kwargs, tariff, indicators, extra, errors
):
    from postops.items.models import Item, NumberBlock

    kwargs = _kwargs(accept_kwargs, offices, "same_province")
    if extra.get("receiver_address", "") is None:
        extra = {k: v for k, v in extra.items() if k != "receiver_address"}
    kwargs.update(extra)
    NumberBlock.objects.create(
        office=offices["origin"],
        indicator=indicators["CP"],
        first_serial=0,
        last_serial=9,
        next_serial=0,
    )
    with pytest.raises(ValidationError) as exc:
        item_accept(actor=None, accepted_at=T0, **kwargs)
    assert exc.value.message_dict == errors
    assert not Item.objects.exists()


def test_a_replay_without_a_fee_returns_the_priced_item(
    blocks, offices, accept_kwargs, tariff, standards
):
    kwargs = _kwargs(accept_kwargs, offices, "same_province")
    first = item_accept(actor=None, idempotency_key="k", **kwargs)
    again = item_accept(actor=None, idempotency_key="k", **kwargs)
    assert (again.created, again.item, again.item.fee) == (False, first.item, 33000)


@given(
    table=st.dictionaries(
        st.tuples(st.sampled_from(["", "ems", "parcel"]), st.sampled_from(["a", "b"])),
        st.integers(0, 30),
    ),
    service=st.sampled_from(["ems", "parcel", "registered"]),
    zone=st.sampled_from(["a", "b"]),
)
def test_delivery_days_prefers_the_service_row(table, service, zone):
    got = rules.delivery_days(table, service, zone)
    assert got == table.get((service, zone), table.get(("", zone)))
