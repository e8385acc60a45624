"""Bags between offices: close with the item list (EDE), one scan to receive (EMG/EDD),
missing and extra items, repeats, refusals (issue #3, item 7)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import given
from hypothesis import strategies as st

from postops.core.models import AuditEntry
from postops.items import bags, rules
from postops.items.models import Bag, BagItem, Item, TrackingEvent
from postops.items.services import event_record, item_accept

T0 = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)  # 08:30 in Hà Nội
T_CLOSE = T0 + timedelta(hours=2)
T_ARRIVE = T0 + timedelta(hours=6)


@pytest.fixture
def items(blocks, accept_kwargs):
    """Four EMS items accepted at the origin office, bound for the delivery office."""
    return [
        item_accept(actor=None, accepted_at=T0 + timedelta(minutes=n), **accept_kwargs).item
        for n in range(4)
    ]


@pytest.fixture
def clerks(make_user, offices):
    return {
        "origin": make_user("clerk", offices=[offices["origin"]]),
        "delivery": make_user("clerk", offices=[offices["delivery"]]),
    }


def _close(clerks, offices, numbers, **extra):
    return bags.bag_close(
        actor=clerks["origin"],
        origin_office=offices["origin"],
        destination_office=offices["delivery"],
        numbers=numbers,
        closed_at=T_CLOSE,
        **extra,
    )


def _codes(item):
    return list(item.events.order_by("occurred_at", "pk").values_list("code", "office__code"))


def test_closing_a_bag_lists_its_items_and_records_their_departure(items, clerks, offices):
    text = "\n".join(i.number.lower() for i in items[:3]) + "\n" + items[0].number + "\n"
    result = _close(clerks, offices, text, seal_number="NP-0042")
    bag = result.bag
    assert result.created is True
    assert bag.code == "240000-241000-260302-0001"
    assert (bag.state, bag.item_count, bag.seal_number, bag.closed_by) == (
        "closed",
        3,
        "NP-0042",
        clerks["origin"],
    )
    assert list(bag.lines.values_list("item__number", "listed", "state")) == [
        (i.number, True, "listed") for i in items[:3]
    ]
    for item in items[:3]:
        item.refresh_from_db()
        assert item.status == "in_transit"
        assert _codes(item) == [("accepted", "240000"), ("sorting_out", "240000")]
    assert TrackingEvent.objects.get(item=items[0], code="sorting_out").upu_code == "EDE"
    entry = AuditEntry.objects.get(action="items.bag_close")
    assert entry.after == {
        "code": bag.code,
        "destination": "241000",
        "items": 3,
        "seal_number": "NP-0042",
    }
    # The next bag on the route that day gets the next number.
    second = _close(clerks, offices, [items[3].number]).bag
    assert second.code == "240000-241000-260302-0002"


def test_a_resent_close_returns_the_first_bag(items, clerks, offices):
    numbers = [i.number for i in items[:2]]
    first = _close(clerks, offices, numbers, idempotency_key="form-1")
    again = _close(clerks, offices, numbers, idempotency_key="form-1")
    assert (again.created, again.bag) == (False, first.bag)
    assert Bag.objects.count() == 1
    assert TrackingEvent.objects.filter(code="sorting_out").count() == 2
    with pytest.raises(bags.BagIdempotencyConflict):
        _close(clerks, offices, numbers[:1], idempotency_key="form-1")


def test_a_bag_with_a_wrong_item_is_refused_whole(items, clerks, offices):
    for minutes, code in ((60, "out_for_delivery"), (90, "delivered")):
        event_record(
            actor=None,
            item=items[3],
            code=code,
            office=offices["origin"],
            occurred_at=T0 + timedelta(minutes=minutes),
        )
    _close(clerks, offices, [items[2].number])
    with pytest.raises(ValidationError) as exc:
        _close(
            clerks,
            offices,
            [items[0].number, "EB125966889VN", "RR000000005VN", items[2].number, items[3].number],
        )
    assert exc.value.message_dict == {
        "numbers": [
            "EB125966889VN: không phải số hiệu S10 hợp lệ.",
        ]
    }
    with pytest.raises(ValidationError) as exc:
        _close(clerks, offices, [items[0].number, "RR000000005VN", items[2].number])
    assert exc.value.message_dict == {
        "numbers": [
            "RR000000005VN: không có bưu gửi này.",
            f"{items[2].number}: đang trong túi 240000-241000-260302-0001 chưa được nhận.",
        ]
    }
    with pytest.raises(ValidationError) as exc:
        _close(clerks, offices, [items[0].number, items[3].number])
    assert exc.value.message_dict == {
        "numbers": [
            f"{items[3].number}: không thể rời bưu cục "
            "(This event cannot follow the item's current status.)."
        ]
    }
    # Nothing of the refused bags was kept.
    assert Bag.objects.count() == 1
    items[0].refresh_from_db()
    assert items[0].status == "accepted"
    with pytest.raises(ValidationError) as exc:
        bags.bag_close(
            actor=clerks["origin"],
            origin_office=offices["origin"],
            destination_office=offices["origin"],
            numbers=[items[0].number],
        )
    assert exc.value.message_dict == {
        "destination_office": ["Bưu cục nhận phải khác bưu cục đóng túi."]
    }
    with pytest.raises(ValidationError) as exc:
        _close(clerks, offices, "\n \n")
    assert exc.value.message_dict == {"numbers": ["Túi chưa có bưu gửi nào."]}
    with pytest.raises(PermissionDenied):
        bags.bag_close(
            actor=clerks["delivery"],
            origin_office=offices["origin"],
            destination_office=offices["delivery"],
            numbers=[items[0].number],
        )


def test_one_scan_receives_the_whole_bag(items, clerks, offices):
    bag = _close(clerks, offices, [i.number for i in items[:3]]).bag
    receipt = bags.bag_receive(
        actor=clerks["delivery"],
        code=bag.code.lower(),
        office=offices["delivery"],
        received_at=T_ARRIVE,
    )
    assert (receipt.arrived, receipt.missing, receipt.extra, receipt.replayed) == (
        sorted(i.number for i in items[:3]),
        [],
        [],
        False,
    )
    for item in items[:3]:
        item.refresh_from_db()
        assert item.status == "at_delivery_office"
        assert _codes(item)[-1] == ("delivery_office_arrival", "241000")
    bag.refresh_from_db()
    assert (bag.state, bag.received_by, bag.received_at) == (
        "received",
        clerks["delivery"],
        T_ARRIVE,
    )
    assert set(bag.lines.values_list("state", flat=True)) == {"arrived"}
    # A second scan answers the same and records nothing.
    events = TrackingEvent.objects.count()
    again = bags.bag_receive(actor=clerks["delivery"], code=bag.code, office=offices["delivery"])
    assert (again.arrived, again.replayed) == (receipt.arrived, True)
    assert TrackingEvent.objects.count() == events
    assert AuditEntry.objects.filter(action="items.bag_receive").count() == 1


def test_a_checked_receipt_reports_missing_and_extra_items(items, clerks, offices):
    bag = _close(clerks, offices, [i.number for i in items[:3]]).bag
    found = f"{items[0].number}\n{items[2].number}\n{items[3].number}\nCP000000005VN\nXYZ\n"
    receipt = bags.bag_receive(
        actor=clerks["delivery"],
        code=bag.code,
        office=offices["delivery"],
        found=found,
        received_at=T_ARRIVE,
    )
    assert receipt.arrived == sorted([items[0].number, items[2].number])
    assert receipt.missing == [items[1].number]
    assert receipt.extra == [items[3].number]  # not listed, but here: its arrival counts
    assert (receipt.unknown, receipt.invalid, receipt.rejected) == (["CP000000005VN"], ["XYZ"], {})
    states = dict(bag.lines.values_list("item__number", "state"))
    assert states == {
        items[0].number: "arrived",
        items[1].number: "missing",
        items[2].number: "arrived",
        items[3].number: "extra",
    }
    statuses = dict(Item.objects.values_list("number", "state__status"))
    assert statuses[items[1].number] == "in_transit"  # still on its way somewhere
    assert statuses[items[3].number] == "at_delivery_office"
    assert AuditEntry.objects.get(action="items.bag_receive").after == {
        "code": bag.code,
        "arrived": 2,
        "missing": 1,
        "extra": 1,
        "unknown": 1,
        "rejected": 0,
        "checked": True,
    }
    report = bags.bag_receipt_report(bag)
    assert (report.arrived, report.missing, report.extra) == (
        receipt.arrived,
        receipt.missing,
        receipt.extra,
    )


def test_a_bag_through_a_transit_office_records_sorting_in(items, clerks, offices, make_user):
    transit_clerk = make_user("clerk", offices=[offices["bdvhx"]])
    bag = bags.bag_close(
        actor=clerks["origin"],
        origin_office=offices["origin"],
        destination_office=offices["bdvhx"],
        numbers=[items[0].number],
        closed_at=T_CLOSE,
    ).bag
    bags.bag_receive(
        actor=transit_clerk, code=bag.code, office=offices["bdvhx"], received_at=T_ARRIVE
    )
    items[0].refresh_from_db()
    assert items[0].status == "in_transit"
    assert _codes(items[0])[-1] == ("sorting_in", "241010")


def test_a_bag_is_received_only_at_its_destination(items, clerks, offices, make_user):
    bag = _close(clerks, offices, [items[0].number]).bag
    with pytest.raises(ValidationError) as exc:
        bags.bag_receive(actor=clerks["origin"], code=bag.code, office=offices["origin"])
    assert exc.value.message_dict == {
        "code": [f"Túi {bag.code} gửi đến bưu cục 241000, không phải bưu cục này."]
    }
    with pytest.raises(ValidationError) as exc:
        bags.bag_receive(actor=clerks["delivery"], code="NOPE", office=offices["delivery"])
    assert exc.value.message_dict == {"code": ["Không có túi mang mã NOPE."]}
    with pytest.raises(PermissionDenied):
        bags.bag_receive(actor=clerks["origin"], code=bag.code, office=offices["delivery"])
    assert BagItem.objects.get().state == "listed"


def test_bag_code_format():
    assert rules.bag_code("240000", "241000", date(2026, 3, 2), 7) == "240000-241000-260302-0007"


@given(
    listed=st.sets(st.sampled_from("ABCDEFGH")),
    found=st.one_of(st.none(), st.sets(st.sampled_from("ABCDEFGHIJ"))),
)
def test_a_receipt_partitions_listed_and_found_items(listed, found):
    arrived, missing, extra = rules.bag_compare(listed, found)
    assert set(arrived) | set(missing) == listed
    assert not set(arrived) & set(missing)
    if found is None:
        assert (arrived, missing, extra) == (sorted(listed), [], [])
    else:
        assert set(arrived) | set(extra) == found
        assert not set(extra) & listed
