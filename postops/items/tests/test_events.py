"""Tracking events: single records and batches, duplicates, late events, query bounds."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from postops.core.models import AuditEntry
from postops.items.models import Item, TrackingEvent
from postops.items.services import (
    EventRejected,
    event_record,
    events_ingest_batch,
    item_accept,
)
from postops.items.tests.helpers import accepted_parcels

T0 = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def eid(n: int) -> str:
    return str(uuid.UUID(int=n))


@pytest.fixture
def item(blocks, accept_kwargs):
    return item_accept(actor=None, accepted_at=T0, **accept_kwargs).item


@pytest.fixture
def postman(make_user, offices):
    return make_user("postman", offices=[offices["root"]])


def status_of(item) -> tuple:
    item = Item.objects.get(pk=item.pk)
    return item.status, item.last_event_at, item.last_event_code, item.last_office.code


def test_an_item_walks_from_acceptance_to_delivery(item, offices, postman, codes):
    origin, delivery = offices["origin"], offices["delivery"]
    steps = [
        ("sorting_in", origin, {}, "in_transit"),
        ("sorting_out", origin, {}, "in_transit"),
        ("delivery_office_arrival", delivery, {}, "at_delivery_office"),
        ("out_for_delivery", delivery, {}, "out_for_delivery"),
        (
            "delivery_failed",
            delivery,
            {"reason_code": "R01", "action_code": "A01"},
            "delivery_failed",
        ),
        ("out_for_delivery", delivery, {}, "out_for_delivery"),
        ("delivered", delivery, {}, "delivered"),
    ]
    for minutes, (code, office, extra, want) in enumerate(steps, start=1):
        result = event_record(
            actor=postman, item=item, code=code, office=office, occurred_at=at(minutes), **extra
        )
        assert (result.result, result.status) == ("accepted", want)
        assert status_of(item) == (want, at(minutes), code, office.code)
    history = list(item.events.order_by("occurred_at").values_list("code", flat=True))
    assert history == ["accepted", *[s[0] for s in steps]]
    failed = item.events.get(code="delivery_failed")
    assert (failed.reason_code, failed.action_code, failed.upu_code) == ("R01", "A01", "EMH")
    assert failed.actor == postman
    assert AuditEntry.objects.filter(action="items.event_record").count() == len(steps)


def test_a_late_event_is_kept_but_does_not_move_the_status_back(item, offices, postman):
    event_record(
        actor=postman,
        item=item,
        code="delivery_office_arrival",
        office=offices["delivery"],
        occurred_at=at(60),
    )
    late = event_record(
        actor=postman, item=item, code="sorting_out", office=offices["origin"], occurred_at=at(30)
    )
    assert (late.result, late.status) == ("accepted", "at_delivery_office")
    assert status_of(item) == ("at_delivery_office", at(60), "delivery_office_arrival", "241000")
    assert item.events.count() == 3
    assert item.events.get(code="sorting_out").occurred_at == at(30)


def test_a_late_event_is_judged_against_the_status_of_its_own_time(item, offices, postman):
    delivery = offices["delivery"]
    for minutes, code in ((20, "delivery_office_arrival"), (30, "out_for_delivery"), (50, "held")):
        event_record(actor=postman, item=item, code=code, office=delivery, occurred_at=at(minutes))
    # The delivery at minute 40 reaches the server after the "held" scan of minute 50: it
    # fitted its own time (out for delivery), so it is kept; the status stays "held".
    late = event_record(
        actor=postman, item=item, code="delivered", office=delivery, occurred_at=at(40)
    )
    assert (late.result, late.status) == ("accepted", "held")
    # Out for delivery before the item was even accepted did not fit its time.
    with pytest.raises(EventRejected) as exc:
        event_record(
            actor=postman, item=item, code="out_for_delivery", office=delivery, occurred_at=at(-5)
        )
    assert exc.value.result.details == {"status": None, "code": "out_for_delivery"}
    assert item.events.count() == 5


def test_an_event_the_table_refuses_is_not_stored(item, offices, postman):
    with pytest.raises(EventRejected) as exc:
        event_record(
            actor=postman, item=item, code="delivered", office=offices["origin"], occurred_at=at(5)
        )
    assert exc.value.reason == "invalid_transition"
    assert exc.value.result.details == {"status": "accepted", "code": "delivered"}
    assert item.events.count() == 1
    assert status_of(item)[0] == "accepted"


def test_the_same_event_id_twice_is_stored_once(item, offices, postman):
    kwargs = {
        "actor": postman,
        "item": item,
        "code": "sorting_in",
        "office": offices["origin"],
        "occurred_at": at(5),
        "event_id": eid(7),
    }
    assert event_record(**kwargs).result == "accepted"
    again = event_record(**kwargs)
    assert (again.result, again.status) == ("duplicate", "in_transit")
    assert item.events.count() == 2


def test_services_may_record_codes_scanners_may_not(item, offices, postman):
    result = event_record(
        actor=postman, item=item, code="return_started", office=offices["origin"], occurred_at=at(5)
    )
    assert result.status == "returning"
    with pytest.raises(EventRejected) as exc:
        event_record(actor=postman, item=item, code="accepted", office=offices["origin"])
    assert exc.value.reason == "code_not_allowed"


# --- Batches -------------------------------------------------------------------------------


def scan(n, number, code, office_code="240000", minutes=5, **extra):
    return {
        "event_id": eid(n),
        "number": number,
        "code": code,
        "office_code": office_code,
        "occurred_at": at(minutes).isoformat(),
        **extra,
    }


def test_a_batch_answers_each_event(item, offices, make_user, codes):
    clerk = make_user("clerk", offices=[offices["origin"]])
    number = item.number
    now = timezone.now()
    batch = [
        scan(1, number, "sorting_in", minutes=5),
        scan(1, number, "sorting_in", minutes=5),  # same id again in the batch
        {**scan(2, number, "sorting_out"), "event_id": "not-a-uuid"},
        scan(3, "EB125966889VN", "sorting_out"),  # wrong check digit
        scan(4, "EB125966891VN", "sorting_out"),  # valid number, no such item
        scan(5, number, "teleported"),
        scan(6, number, "accepted"),
        scan(7, number, "sorting_out", office_code="999999"),
        scan(8, number, "sorting_out", office_code="241000"),  # outside the clerk's scope
        {**scan(9, number, "sorting_out"), "occurred_at": (now + timedelta(hours=1)).isoformat()},
        {**scan(10, number, "sorting_out"), "occurred_at": "2026-03-02T08:30:00"},
        scan(11, number, "delivery_failed"),
        scan(12, number, "delivery_failed", reason_code="R99", action_code="A01"),
        scan(13, number, "delivery_failed", reason_code="R01", action_code="R01"),
        scan(14, number, "sorting_out", latitude=21.85),
        scan(15, number, "sorting_out", latitude=91, longitude=106.76),
        scan(16, number, "delivered", minutes=9),
        scan(
            17,
            " eb 125 966 888 vn",
            "sorting_out",
            minutes=8,
            latitude="21.853708",
            longitude=106.761519,
        ),
    ]
    results = [r.as_dict() for r in events_ingest_batch(actor=clerk, events=batch)]
    brief = [
        (
            uuid.UUID(r["event_id"]).int if r["event_id"] else None,
            r["result"],
            r.get("reason"),
            r.get("status"),
        )
        for r in results
    ]
    assert brief == [
        (1, "accepted", None, "in_transit"),
        (1, "duplicate", None, None),
        (None, "rejected", "invalid_event_id", None),
        (3, "rejected", "invalid_item_number", None),
        (4, "rejected", "item_not_found", None),
        (5, "rejected", "unknown_code", None),
        (6, "rejected", "code_not_allowed", None),
        (7, "rejected", "unknown_office", None),
        (8, "rejected", "office_out_of_scope", None),
        (9, "rejected", "occurred_in_future", None),
        (10, "rejected", "invalid_time", None),
        (11, "rejected", "reason_required", None),
        (12, "rejected", "unknown_reason_code", None),
        (13, "rejected", "unknown_action_code", None),
        (14, "rejected", "invalid_position", None),
        (15, "rejected", "invalid_position", None),
        (16, "rejected", "invalid_transition", None),
        (17, "accepted", None, "in_transit"),
    ]
    assert results[16]["details"] == {"status": "in_transit", "code": "delivered"}
    assert results[3]["message"] == "The item number is not a valid S10 number."
    stored = TrackingEvent.objects.get(event_id=eid(17))
    assert (str(stored.latitude), str(stored.longitude)) == ("21.853708", "106.761519")
    assert (stored.actor, stored.recorded_at > stored.occurred_at) == (clerk, True)
    assert status_of(item) == ("in_transit", at(8), "sorting_out", "240000")
    entry = AuditEntry.objects.get(action="items.events_ingest")
    assert entry.after == {
        "accepted": 2,
        "duplicate": 1,
        "rejected": 15,
        "items": 1,
        "items_changed": 1,
    }


def test_events_inside_a_batch_apply_in_the_order_they_happened(item, offices, postman):
    number = item.number
    batch = [
        scan(3, number, "delivered", "241000", minutes=40),
        scan(1, number, "delivery_office_arrival", "241000", minutes=20),
        scan(2, number, "out_for_delivery", "241000", minutes=30),
    ]
    results = events_ingest_batch(actor=postman, events=batch)
    assert [(r.result, r.status) for r in results] == [("accepted", "delivered")] * 3
    assert status_of(item) == ("delivered", at(40), "delivered", "241000")


def test_replaying_a_batch_changes_nothing(item, offices, postman, codes):
    number = item.number
    batch = [
        scan(1, number, "sorting_in", minutes=5),
        scan(2, number, "delivery_office_arrival", "241000", minutes=50),
        scan(3, number, "out_for_delivery", "241000", minutes=60),
        scan(
            4, number, "delivery_failed", "241000", minutes=70, reason_code="R02", action_code="A02"
        ),
        # At minute 10 the item was in transit: a delivery then is refused, on replay too.
        scan(5, number, "delivered", "241000", minutes=10),
    ]
    first = [r.result for r in events_ingest_batch(actor=postman, events=batch)]
    assert first == ["accepted", "accepted", "accepted", "accepted", "rejected"]
    snapshot = (
        status_of(item),
        sorted(TrackingEvent.objects.values_list("event_id", "code", "occurred_at", "recorded_at")),
        AuditEntry.objects.count(),
    )
    second = events_ingest_batch(actor=postman, events=batch)
    assert [r.result for r in second] == ["duplicate" if r == "accepted" else r for r in first]
    assert (
        status_of(item),
        sorted(TrackingEvent.objects.values_list("event_id", "code", "occurred_at", "recorded_at")),
        AuditEntry.objects.count(),
    ) == snapshot


def test_a_resent_event_the_table_would_now_refuse_is_a_duplicate(item, offices, postman):
    """The first pass does not read the stored ids: an event it refuses may be a resent one,
    so the batch runs again reading them, and answers ``duplicate``, not ``rejected``."""
    walk = [
        scan(1, item.number, "delivery_office_arrival", "241000", minutes=5),
        scan(2, item.number, "out_for_delivery", "241000", minutes=6),
        scan(3, item.number, "delivered", "241000", minutes=7),
    ]
    assert [r.result for r in events_ingest_batch(actor=postman, events=walk)] == ["accepted"] * 3
    audits = AuditEntry.objects.count()

    # "delivered" after "delivered" is refused by the table; the same event resent is not.
    resent = events_ingest_batch(
        actor=postman, events=[walk[2], scan(4, item.number, "delivered", "241000", minutes=8)]
    )

    assert [(r.result, r.reason, r.status) for r in resent] == [
        ("duplicate", None, "delivered"),
        ("rejected", "invalid_transition", None),
    ]
    assert item.events.count() == 4
    assert AuditEntry.objects.count() == audits  # nothing stored: no audit entry


def test_new_and_resent_events_in_one_batch_are_stored_once(item, offices, postman):
    first = scan(1, item.number, "sorting_in", minutes=5)
    events_ingest_batch(actor=postman, events=[first])
    audits = AuditEntry.objects.count()

    results = events_ingest_batch(
        actor=postman, events=[first, scan(2, item.number, "sorting_out", minutes=6)]
    )

    assert [r.result for r in results] == ["duplicate", "accepted"]
    assert sorted(item.events.values_list("code", flat=True)) == [
        "accepted",
        "sorting_in",
        "sorting_out",
    ]
    assert AuditEntry.objects.count() == audits + 1  # the rolled-back first pass left none
    assert status_of(item)[2] == "sorting_out"


@pytest.mark.parametrize(
    "written",
    [
        "5F0C6B5E-3D5A-4B8E-9A57-0B9D5C1E7A10",
        "{5f0c6b5e-3d5a-4b8e-9a57-0b9d5c1e7a10}",
        "5f0c6b5e3d5a4b8e9a570b9d5c1e7a10",
        "urn:uuid:5f0c6b5e-3d5a-4b8e-9a57-0b9d5c1e7a10",
    ],
)
def test_an_event_id_in_another_spelling_of_the_same_uuid_is_a_duplicate(item, postman, written):
    canonical = "5f0c6b5e-3d5a-4b8e-9a57-0b9d5c1e7a10"
    event = {**scan(1, item.number, "sorting_in", minutes=5), "event_id": canonical}
    events_ingest_batch(actor=postman, events=[event])

    (again,) = events_ingest_batch(actor=postman, events=[{**event, "event_id": written}])

    assert (again.result, again.event_id) == ("duplicate", canonical)
    assert item.events.count() == 2


def test_a_reused_event_id_with_other_content_is_rejected(item, offices, postman):
    events_ingest_batch(actor=postman, events=[scan(1, item.number, "sorting_in", minutes=5)])
    (result,) = events_ingest_batch(
        actor=postman, events=[scan(1, item.number, "sorting_out", minutes=6)]
    )
    assert (result.result, result.reason) == ("rejected", "event_id_conflict")


def test_a_batch_over_the_limit_is_refused(postman):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        events_ingest_batch(actor=postman, events=[{}] * 5001)
    assert exc.value.message_dict == {"events": ["Tối đa 5000 sự kiện mỗi lần gửi."]}


def _many_items(offices, indicators, count):
    return accepted_parcels(offices["origin"], count, T0)


def test_five_thousand_events_take_a_bounded_number_of_queries(
    offices, indicators, postman, django_assert_max_num_queries
):
    numbers = _many_items(offices, indicators, 1000)
    walk = [
        ("sorting_in", "240000"),
        ("sorting_out", "240000"),
        ("delivery_office_arrival", "241000"),
        ("out_for_delivery", "241000"),
        ("delivered", "241000"),
    ]
    batch = [
        scan(i * 10 + step, number, code, office, minutes=step + 1)
        for i, number in enumerate(numbers)
        for step, (code, office) in enumerate(walk)
    ]
    assert len(batch) == 5000
    with django_assert_max_num_queries(30):
        results = events_ingest_batch(actor=postman, events=batch)
    assert {r.result for r in results} == {"accepted"}
    assert TrackingEvent.objects.count() == 5000
    assert set(Item.objects.values_list("state__status", flat=True)) == {"delivered"}
    with django_assert_max_num_queries(15):
        again = events_ingest_batch(actor=postman, events=batch)
    assert {r.result for r in again} == {"duplicate"}
    assert TrackingEvent.objects.count() == 5000
