"""Counter acceptance: numbers, validation, idempotency, the EMA event and the audit entry."""

import json
from datetime import UTC, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from postops.core.models import AuditEntry
from postops.items.models import Item, NumberBlock, TrackingEvent
from postops.items.services import IdempotencyConflict, item_accept

T0 = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


def test_accept_stores_the_item_its_first_event_and_an_audit_entry(
    blocks, offices, accept_kwargs, make_user
):
    clerk = make_user("clerk", offices=[offices["origin"]])
    result = item_accept(actor=clerk, accepted_at=T0, **accept_kwargs)
    assert result.created is True
    item = Item.objects.get()
    assert item == result.item
    assert item.number == "EB125966888VN"
    assert item.service == "ems"
    assert item.status == "accepted"
    assert item.origin_office == offices["origin"]
    assert item.destination_office == offices["delivery"]
    assert item.last_office == offices["origin"]
    assert item.accepted_at == T0
    assert item.last_event_at == T0
    assert item.last_event_code == "accepted"
    assert item.accepted_by == clerk
    assert (item.weight_g, item.cod_amount, item.declared_value, item.fee) == (
        1250,
        350000,
        0,
        42000,
    )
    assert (item.receiver_scheme, item.receiver_commune_code, item.receiver_street) == (
        "2025",
        "00004",
        "12 Lê Lợi",
    )
    assert item.receiver_raw == "12 Lê Lợi, P. Đông Kinh"
    assert item.sender_commune_code == ""

    event = TrackingEvent.objects.get()
    assert (event.item, event.code, event.upu_code, event.office) == (
        item,
        "accepted",
        "EMA",
        offices["origin"],
    )
    assert (event.actor, event.actor_label, event.occurred_at) == (clerk, clerk.username, T0)

    entry = AuditEntry.objects.get(action="items.accept")
    assert (entry.target_type, entry.target_id, entry.office_code) == (
        "items.item",
        str(item.pk),
        "240000",
    )
    assert entry.after == {
        "number": "EB125966888VN",
        "service": "ems",
        "weight_g": 1250,
        "cod_amount": 350000,
        "declared_value": 0,
        "fee": 42000,
        "origin_office": "240000",
    }
    # Personal data stays in the item row, not in the audit trail.
    assert "Bình" not in json.dumps(entry.after, ensure_ascii=False)


def test_a_replay_with_the_same_key_returns_the_first_item(
    blocks, offices, accept_kwargs, make_user
):
    clerk = make_user("clerk", offices=[offices["origin"]])
    first = item_accept(actor=clerk, idempotency_key="k-1", **accept_kwargs)
    again = item_accept(actor=clerk, idempotency_key="k-1", **accept_kwargs)
    assert (first.created, again.created) == (True, False)
    assert again.item.pk == first.item.pk
    assert Item.objects.count() == 1
    assert TrackingEvent.objects.count() == 1
    assert NumberBlock.objects.get(pk=blocks["EB"].pk).next_serial == 12596689


def test_the_same_key_with_another_request_is_a_conflict(blocks, offices, accept_kwargs, make_user):
    clerk = make_user("clerk", offices=[offices["origin"]])
    first = item_accept(actor=clerk, idempotency_key="k-1", **accept_kwargs)
    accept_kwargs["weight_g"] = 2000
    with pytest.raises(IdempotencyConflict) as exc:
        item_accept(actor=clerk, idempotency_key="k-1", **accept_kwargs)
    assert exc.value.item.pk == first.item.pk
    assert Item.objects.count() == 1


def test_keys_belong_to_their_caller(blocks, offices, accept_kwargs, make_user):
    one = make_user("clerk", offices=[offices["origin"]])
    two = make_user("clerk", offices=[offices["origin"]])
    a = item_accept(actor=one, idempotency_key="same", **accept_kwargs)
    b = item_accept(actor=two, idempotency_key="same", **accept_kwargs)
    assert a.item.pk != b.item.pk
    assert [a.item.number, b.item.number] == ["EB125966888VN", "EB125966891VN"]


def test_a_pre_printed_number_is_normalised_and_checked(blocks, offices, accept_kwargs):
    accept_kwargs.pop("prefix")
    item = item_accept(actor=None, number=" rr 473 124 829 vn ", **accept_kwargs).item
    assert item.number == "RR473124829VN"
    assert item.service == "registered"
    # The office's block was not touched.
    assert NumberBlock.objects.get(pk=blocks["RR"].pk).next_serial == 0
    with pytest.raises(ValidationError) as exc:
        item_accept(actor=None, number="RR473124829VN", **accept_kwargs)
    assert exc.value.message_dict == {"number": ["Số hiệu này đã được dùng."]}


def test_a_wrong_check_digit_is_refused(blocks, offices, accept_kwargs):
    accept_kwargs.pop("prefix")
    with pytest.raises(ValidationError) as exc:
        item_accept(actor=None, number="EB125966889VN", **accept_kwargs)
    assert exc.value.message_dict == {
        "number": ["Chữ số kiểm tra sai: với dãy số 12596688, chữ số kiểm tra phải là 8."]
    }
    assert Item.objects.count() == 0


def test_an_unconfigured_prefix_is_refused(blocks, offices, accept_kwargs):
    accept_kwargs.pop("prefix")
    with pytest.raises(ValidationError) as exc:
        item_accept(actor=None, number="ZZ000000014VN", **accept_kwargs)
    assert exc.value.message_dict == {"prefix": ["Mã dịch vụ ZZ chưa được cấu hình."]}


def test_each_wrong_field_is_reported(blocks, offices, accept_kwargs):
    accept_kwargs.update(
        weight_g=0,
        cod_amount=-1,
        fee=True,
        sender_name=" ",
        receiver_address={"commune_code": "12a", "street": "x"},
    )
    with pytest.raises(ValidationError) as exc:
        item_accept(actor=None, **accept_kwargs)
    assert exc.value.message_dict == {
        "weight_g": ["Khối lượng phải là số gam lớn hơn 0."],
        "cod_amount": ["Số tiền phải là số đồng nguyên, không âm."],
        "fee": ["Số tiền phải là số đồng nguyên, không âm."],
        "sender_name": ["Cần nhập tên người gửi."],
        "receiver_commune_code": ["Mã xã/phường cần đúng 5 chữ số."],
    }


def test_a_clerk_accepts_only_at_an_office_in_scope(blocks, offices, accept_kwargs, make_user):
    clerk = make_user("clerk", offices=[offices["delivery"]])
    with pytest.raises(PermissionDenied):
        item_accept(actor=clerk, **accept_kwargs)
    assert Item.objects.count() == 0


def test_a_failed_acceptance_gives_its_number_back(blocks, offices, accept_kwargs, monkeypatch):
    def broken_audit(*args, **kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr("postops.items.services._audit", broken_audit)
    with pytest.raises(RuntimeError):
        item_accept(actor=None, **accept_kwargs)
    assert NumberBlock.objects.get(pk=blocks["EB"].pk).next_serial == 12596688
    assert (Item.objects.count(), TrackingEvent.objects.count()) == (0, 0)
