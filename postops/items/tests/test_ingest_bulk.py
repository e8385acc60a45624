"""The set-based write path of event ingest, on PostgreSQL (unnest) and SQLite (ORM) alike.

``_events_insert`` must store every new event with all its columns, skip an event id that is
already stored and say which ids it stored (the batch service restarts on a lost race when
the answer is short; ids in their canonical text form); ``_items_status_write`` must write
exactly the four cached columns.
"""

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from postops.items import services
from postops.items.models import Item, TrackingEvent

T0 = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def item(blocks, accept_kwargs):
    return services.item_accept(actor=None, accepted_at=T0, **accept_kwargs).item


def pending(item, office, n: int, code="sorting_in", **extra) -> services._Pending:
    values = {
        "index": n,
        "event_id": str(uuid.UUID(int=1000 + n)),
        "number": item.number,
        "code": code,
        "office_code": office.code,
        "occurred_at": T0 + timedelta(minutes=n + 1),
        "reason_code": "",
        "action_code": "",
        "latitude": None,
        "longitude": None,
        "note": "",
        **extra,
    }
    return services._Pending(**values, office=office, item=item)


def test_events_insert_stores_every_column(item, offices, make_user):
    postman = make_user("postman", offices=[offices["root"]])
    failed = pending(
        item,
        offices["delivery"],
        1,
        code="delivery_failed",
        reason_code="R01",
        action_code="A01",
        latitude=Decimal("21.853100"),
        longitude=Decimal("106.761500"),
        note="Gọi không nghe máy",
    )
    plain = pending(item, offices["origin"], 0)

    stored = services._events_insert([plain, failed], user=postman, label="postman", now=NOW)

    assert stored == {str(uuid.UUID(int=1000)), str(uuid.UUID(int=1001))}
    row = TrackingEvent.objects.get(event_id=uuid.UUID(int=1001))
    assert (
        row.item_id,
        row.code,
        row.office_id,
        row.actor_id,
        row.actor_label,
        row.occurred_at,
        row.recorded_at,
        row.reason_code,
        row.action_code,
        row.latitude,
        row.longitude,
        row.note,
    ) == (
        item.pk,
        "delivery_failed",
        offices["delivery"].pk,
        postman.pk,
        "postman",
        T0 + timedelta(minutes=2),
        NOW,
        "R01",
        "A01",
        Decimal("21.853100"),
        Decimal("106.761500"),
        "Gọi không nghe máy",
    )
    row = TrackingEvent.objects.get(event_id=uuid.UUID(int=1000))
    assert (row.actor_id, row.latitude, row.longitude, row.reason_code) == (
        postman.pk,
        None,
        None,
        "",
    )


def test_events_insert_skips_a_stored_event_id_and_says_so(item, offices):
    first = pending(item, offices["origin"], 0)
    assert services._events_insert([first], user=None, label="system", now=NOW) == {first.event_id}

    again = pending(item, offices["origin"], 0, code="sorting_out")  # same id, other content
    new = pending(item, offices["origin"], 1)
    later = NOW + timedelta(seconds=1)  # each call has its own server time
    stored = services._events_insert([again, new], user=None, label="system", now=later)

    assert stored == {new.event_id}
    assert TrackingEvent.objects.get(event_id=first.event_id).code == "sorting_in"
    assert TrackingEvent.objects.filter(item=item).count() == 3  # accepted + 2


def test_items_status_write_changes_the_state_of_those_items_only(blocks, accept_kwargs, offices):
    items = [
        services.item_accept(actor=None, accepted_at=T0, **accept_kwargs).item for _ in range(3)
    ]
    first, second, untouched = items
    changed = [
        services._LockedItem(
            (
                it.pk,
                it.number,
                it.service,
                "in_transit",
                T0 + timedelta(hours=i + 1),
                "sorting_in",
                offices["delivery"].pk,
                None,
            )
        )
        for i, it in enumerate((first, second))
    ]

    services._items_status_write(changed)

    rows = {
        i.pk: (i.status, i.last_event_at, i.last_event_code, i.last_office_id, i.receiver_name)
        for i in Item.objects.filter(pk__in=[it.pk for it in items]).select_related("state")
    }
    receiver = accept_kwargs["receiver_name"]
    delivery = offices["delivery"].pk
    assert rows == {
        first.pk: ("in_transit", T0 + timedelta(hours=1), "sorting_in", delivery, receiver),
        second.pk: ("in_transit", T0 + timedelta(hours=2), "sorting_in", delivery, receiver),
        untouched.pk: ("accepted", T0, "accepted", offices["origin"].pk, receiver),
    }


def test_events_insert_without_skipping_refuses_a_stored_event_id(item, offices):
    """The optimistic pass inserts plainly: a stored id makes it start again, checking."""
    from django.db import transaction

    first = pending(item, offices["origin"], 0)
    services._events_insert([first], user=None, label="system", now=NOW)
    new = pending(item, offices["origin"], 1)

    with pytest.raises(services._CheckStored), transaction.atomic():
        services._events_insert([new, first], user=None, label="system", now=NOW, skip_stored=False)

    assert TrackingEvent.objects.filter(item=item).count() == 2  # accepted + first, not `new`
    assert services._events_insert(
        [new], user=None, label="system", now=NOW, skip_stored=False
    ) == {new.event_id}


@pytest.mark.skipif("postgresql" not in services.connection.vendor, reason="ctid: PostgreSQL")
def test_status_write_finds_locked_rows_by_ctid_and_falls_back_to_the_key(
    blocks, accept_kwargs, offices, django_assert_num_queries
):
    from django.db import transaction

    items = [
        services.item_accept(actor=None, accepted_at=T0, **accept_kwargs).item for _ in range(2)
    ]
    with transaction.atomic():
        locked = list(services._items_lock({i.number for i in items}).values())
        assert all(i.ctid for i in locked)
        for i in locked:
            i.status, i.last_event_code = "in_transit", "sorting_in"
        with django_assert_num_queries(1):  # by ctid, every row found: no second update
            services._items_status_write(locked)
        for i in locked:
            i.ctid = "(0,1)"  # stale (the rows moved when updated): the key finds them
            i.last_event_code = "sorting_out"
        with django_assert_num_queries(2):
            services._items_status_write(locked)
    assert (
        sorted(
            Item.objects.filter(pk__in=[i.pk for i in items]).values_list(
                "state__status", "state__last_event_code"
            )
        )
        == [("in_transit", "sorting_out")] * 2
    )
