"""Number blocks and S10 allocation."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from postops.core.models import AuditEntry
from postops.items.models import NumberBlock
from postops.items.services import item_accept, number_allocate, number_block_create


def test_numbers_come_in_order_with_their_check_digits(blocks, offices):
    assert number_allocate(office=offices["origin"], prefix="EB", count=3) == [
        "EB125966888VN",  # domain.md §3 example: S = 234, C = 8
        "EB125966891VN",
        "EB125966905VN",  # S = 187, 11 − 0 = 11 → 5
    ]
    block = NumberBlock.objects.get(pk=blocks["EB"].pk)
    assert block.next_serial == 12596691
    assert block.last_used_at is not None
    assert block.closed_at is None


def test_allocation_continues_in_the_next_block_and_closes_the_used_one(
    blocks, offices, indicators
):
    origin = offices["origin"]
    assert len(number_allocate(office=origin, prefix="RR", count=998)) == 998
    second = NumberBlock.objects.create(
        office=origin,
        indicator=indicators["RR"],
        first_serial=5000,
        last_serial=5009,
        next_serial=5000,
    )
    assert number_allocate(office=origin, prefix="RR", count=5) == [
        "RR000009985VN",
        "RR000009999VN",
        "RR000050007VN",
        "RR000050015VN",
        "RR000050024VN",
    ]
    first = NumberBlock.objects.get(pk=blocks["RR"].pk)
    assert first.next_serial == 1000
    assert first.closed_at is not None
    second.refresh_from_db()
    assert second.next_serial == 5003
    assert second.closed_at is None


def test_no_block_left_is_a_field_error(blocks, offices):
    with pytest.raises(ValidationError) as exc:
        number_allocate(office=offices["delivery"], prefix="EB")
    assert exc.value.message_dict == {
        "prefix": ["Bưu cục 241000 đã hết số hiệu EB; cần cấp dải số mới."]
    }


def test_block_create_records_an_audit_entry(indicators, offices, make_user):
    admin = make_user("admin", offices=[offices["root"]])
    block = number_block_create(
        actor=admin, office=offices["delivery"], prefix="CP", first_serial=100, last_serial=199
    )
    assert (block.first_serial, block.last_serial, block.next_serial) == (100, 199, 100)
    assert block.created_by == admin
    entry = AuditEntry.objects.get(action="items.number_block_create")
    assert entry.after == {
        "office": "241000",
        "prefix": "CP",
        "first_serial": 100,
        "last_serial": 199,
    }
    assert entry.office_code == "241000"


def test_block_create_refuses_an_office_outside_the_scope(indicators, offices, make_user):
    supervisor = make_user("supervisor", offices=[offices["origin"]])
    with pytest.raises(PermissionDenied):
        number_block_create(
            actor=supervisor, office=offices["delivery"], prefix="CP", first_serial=0, last_serial=9
        )


@pytest.mark.parametrize(
    ("first", "last"),
    [(12596700, 12596800), (12596600, 12596688), (12596787, 12596787), (0, 99_999_999)],
)
def test_block_create_refuses_overlap_with_an_open_block(blocks, offices, first, last):
    with pytest.raises(ValidationError) as exc:
        number_block_create(
            actor=None,
            office=offices["delivery"],
            prefix="EB",
            first_serial=first,
            last_serial=last,
        )
    assert list(exc.value.message_dict) == ["first_serial"]


def test_block_create_allows_a_neighbouring_range(blocks, offices):
    block = number_block_create(
        actor=None,
        office=offices["delivery"],
        prefix="EB",
        first_serial=12596788,
        last_serial=12596800,
    )
    assert block.next_serial == 12596788


def _close(block, months_ago_days):
    NumberBlock.objects.filter(pk=block.pk).update(
        next_serial=block.last_serial + 1,
        closed_at=timezone.now() - timedelta(days=months_ago_days),
        last_used_at=timezone.now() - timedelta(days=months_ago_days),
    )


def test_a_range_used_less_than_twelve_months_ago_is_refused(blocks, offices):
    _close(blocks["RR"], 330)
    with pytest.raises(ValidationError) as exc:
        number_block_create(
            actor=None, office=offices["delivery"], prefix="RR", first_serial=0, last_serial=99
        )
    assert list(exc.value.message_dict) == ["first_serial"]


def test_a_range_last_used_more_than_twelve_months_ago_may_be_given_again(blocks, offices):
    _close(blocks["RR"], 370)
    block = number_block_create(
        actor=None, office=offices["delivery"], prefix="RR", first_serial=0, last_serial=99
    )
    assert block.office == offices["delivery"]


def test_the_reuse_period_is_configurable(blocks, offices, settings):
    settings.POSTOPS_S10_REUSE_MONTHS = 24
    _close(blocks["RR"], 370)
    with pytest.raises(ValidationError):
        number_block_create(
            actor=None, office=offices["delivery"], prefix="RR", first_serial=0, last_serial=99
        )


def test_a_range_with_items_still_on_record_is_refused(blocks, offices, accept_kwargs):
    accept_kwargs.update(prefix="RR")
    assert item_accept(actor=None, **accept_kwargs).item.number == "RR000000005VN"  # S = 0 → C = 5
    _close(blocks["RR"], 400)
    with pytest.raises(ValidationError) as exc:
        number_block_create(
            actor=None, office=offices["delivery"], prefix="RR", first_serial=0, last_serial=9
        )
    assert exc.value.message_dict == {
        "first_serial": ["Trong dải số còn bưu gửi đang lưu; không thể cấp lại."]
    }
    # The same range minus the serial in use is fine.
    assert (
        number_block_create(
            actor=None, office=offices["delivery"], prefix="RR", first_serial=1, last_serial=9
        ).first_serial
        == 1
    )


def test_block_create_validates_the_range_and_the_prefix(indicators, offices):
    with pytest.raises(ValidationError) as exc:
        number_block_create(
            actor=None, office=offices["origin"], prefix="EB", first_serial=10, last_serial=9
        )
    assert list(exc.value.message_dict) == ["last_serial"]
    with pytest.raises(ValidationError) as exc:
        number_block_create(
            actor=None, office=offices["origin"], prefix="EE", first_serial=0, last_serial=9
        )
    assert exc.value.message_dict == {"prefix": ["Mã dịch vụ EE chưa được cấu hình."]}
