"""The public tracking read (``selectors.item_track_many``): one query, whatever is asked.

It is hand-written SQL for speed (docs/benchmarks.md), so these pin what the ORM used to
guarantee: an item without events still answers, events come newest first with the
latest-stored first on equal times, a reason label is in the request's language (English
falls back to Vietnamese when the code list has no English label), an inactive or unknown
reason code leaves the plain event text.
"""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation

from postops.items import selectors
from postops.items.models import CodeList, CodeListEntry, Item, ItemState, TrackingEvent
from postops.items.services import event_record, item_accept

T0 = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)  # 08:30 in Hà Nội


@pytest.fixture
def item(blocks, accept_kwargs):
    return item_accept(actor=None, accepted_at=T0, **accept_kwargs).item


def record_at_delivery_office(item, offices, *steps: tuple[int, str, str]) -> None:
    """Record ``(hours after T0, event code, reason code)`` steps at the delivery office; a
    step with a reason gets the action code A01."""
    for hours, code, reason in steps:
        event_record(
            actor=None,
            item=item,
            code=code,
            office=offices["delivery"],
            occurred_at=T0 + timedelta(hours=hours),
            reason_code=reason,
            action_code="A01" if reason else "",
        )


def texts(lookup) -> list[tuple[str, str, str]]:
    return [(e.code, e.text, e.occurred_at.isoformat()) for e in lookup.tracking.events]


def test_one_query_for_twenty_numbers(item, blocks, accept_kwargs, django_assert_num_queries):
    others = [item_accept(actor=None, accepted_at=T0, **accept_kwargs).item for _ in range(19)]
    numbers = [item.number] + [o.number for o in others]
    selectors.office_cache_clear()
    with django_assert_num_queries(2):  # the lookup, and the offices once per process
        selectors.item_track_many(numbers)
    with django_assert_num_queries(1):
        lookups = selectors.item_track_many(numbers)
    assert [lk.number for lk in lookups] == numbers
    assert all(lk.error is None and len(lk.tracking.events) == 1 for lk in lookups)


def test_office_names_follow_a_rename(item, offices):
    assert selectors.item_track(item.number).tracking.events[0].office_name == "Bưu cục Lạng Sơn"
    office = offices["origin"]
    office.name = "Bưu cục Đông Kinh"
    office.save()
    assert selectors.item_track(item.number).tracking.events[0].office_name == "Bưu cục Đông Kinh"


def test_an_item_without_events_answers_with_no_events(offices, db):
    bare = Item.objects.create(
        number="RR473124829VN",
        service="registered",
        sender_name="Bưu điện tỉnh",
        receiver_name="Nông Văn Dũng",
        weight_g=20,
        origin_office=offices["origin"],
        accepted_at=T0,
    )
    ItemState.objects.create(item=bare, status="accepted")
    (lookup,) = selectors.item_track_many(["rr 473 124 829 vn"])
    assert lookup.error is None
    assert (lookup.tracking.number, lookup.tracking.status, lookup.tracking.events) == (
        bare.number,
        "accepted",
        [],
    )
    assert lookup.tracking.receiver_name == "N*** V** D***"


def test_newest_first_and_latest_stored_first_on_equal_times(item, offices):
    origin = offices["origin"]
    same = T0 + timedelta(hours=1)
    TrackingEvent.objects.create(
        event_id=uuid.uuid4(),
        item=item,
        code="sorting_in",
        office=origin,
        occurred_at=same,
        recorded_at=same,
    )
    TrackingEvent.objects.create(
        event_id=uuid.uuid4(),
        item=item,
        code="sorting_out",
        office=origin,
        occurred_at=same,
        recorded_at=same,
    )
    (lookup,) = selectors.item_track_many([item.number])
    assert [e.code for e in lookup.tracking.events] == ["sorting_out", "sorting_in", "accepted"]
    assert lookup.tracking.events[0].occurred_at.isoformat() == "2026-03-02T09:30:00+07:00"


def test_reason_labels_follow_the_language(item, offices, codes):
    CodeListEntry.objects.create(list=CodeList.REASON, code="R77", label="Nhà đóng cửa")
    record_at_delivery_office(
        item,
        offices,
        (2, "delivery_office_arrival", ""),
        (3, "out_for_delivery", ""),
        (4, "delivery_failed", "R01"),
        (5, "out_for_delivery", ""),
        (6, "delivery_failed", "R77"),
    )
    # A code retired after use keeps its label in the history.
    CodeListEntry.objects.filter(list=CodeList.REASON, code="R01").update(is_active=False)

    with translation.override("vi"):
        (vi,) = selectors.item_track_many([item.number])
    with translation.override("en"):
        (en,) = selectors.item_track_many([item.number])

    assert [e.text for e in vi.tracking.events[:3:2]] == [
        "Phát không thành công: Nhà đóng cửa",
        "Phát không thành công: Không có người nhận",
    ]
    # No English label for R77: the Vietnamese one stands in.
    assert [e.text for e in en.tracking.events[:3:2]] == [
        "Delivery attempt failed: Nhà đóng cửa",
        "Delivery attempt failed: Receiver absent",
    ]


def test_unknown_and_malformed_numbers(item):
    lookups = selectors.item_track_many(["RR473124829GB", "EB125966889VN", item.number])
    assert [(lk.number, lk.error) for lk in lookups] == [
        ("RR473124829GB", "item_not_found"),
        ("EB125966889VN", "invalid_item_number"),
        (item.number, None),
    ]


def test_reason_labels_follow_an_edit(item, offices, codes):
    record_at_delivery_office(
        item,
        offices,
        (1, "delivery_office_arrival", ""),
        (2, "out_for_delivery", ""),
        (3, "delivery_failed", "R01"),
    )
    with translation.override("vi"):
        before = selectors.item_track(item.number).tracking.events[0].text
        entry = CodeListEntry.objects.get(list=CodeList.REASON, code="R01")
        entry.label = "Người nhận đi vắng"
        entry.save()  # post_save empties this process's cache
        after = selectors.item_track(item.number).tracking.events[0].text
    assert (before, after) == (
        "Phát không thành công: Không có người nhận",
        "Phát không thành công: Người nhận đi vắng",
    )


def test_a_missing_key_reloads_the_cached_table_at_most_every_few_seconds(monkeypatch):
    loads = []
    cache = selectors._TableCache(lambda: loads.append(1) or {"a": 1}, seconds=300)
    clock = iter([100.0, 100.0, 101.0, 104.0, 106.0, 106.0, 107.0])
    monkeypatch.setattr(selectors.time, "monotonic", lambda: next(clock))

    assert cache.get("a", None) == 1  # first read loads (at 100 s)
    assert cache.get("zz", "-") == "-"  # 101 s: missing, loaded 1 s ago: no reload
    assert cache.get("zz", "-") == "-"  # 104 s: still within the 5 s
    assert cache.get("zz", "-") == "-"  # 106 s: reloads once
    assert cache.get("a", None) == 1  # 107 s: present: no reload
    assert loads == [1, 1]


@pytest.mark.skipif(
    "postgresql" not in selectors.connection.vendor, reason="prepared statements: PostgreSQL"
)
def test_the_lookup_is_a_prepared_statement_on_postgresql(item, django_user_model):
    from django.db import connection

    for _ in range(8):  # PostgreSQL weighs the generic plan after five runs
        selectors.item_track(item.number)
    selectors.item_track_many([item.number, "RR473124829VN"])
    selectors.item_track_many([item.number, "EB125966888VN"])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, generic_plans FROM pg_prepared_statements ORDER BY statement"
        )
        statements = cursor.fetchall()
    # One statement for one number, one for several (an array parameter, whatever the count).
    assert len(statements) == 2
    (one, generic_plans), (many, _) = statements  # "= $1" sorts before "= ANY"
    assert "WHERE i.number = ANY($1)" in many
    assert "WHERE i.number = $1" in one
    # The one-number statement is not planned again at each run.
    assert generic_plans >= 1
