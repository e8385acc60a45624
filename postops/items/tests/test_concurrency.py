"""Concurrency on a real PostgreSQL: threads with their own connections race each other.

SQLite serialises writers (``transaction_mode = IMMEDIATE``), so these races only exist on
PostgreSQL; the tests are skipped elsewhere.
"""

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction

from postops.core import s10
from postops.items.models import Item, NumberBlock, TrackingEvent
from postops.items.services import events_ingest_batch, item_accept, number_allocate

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row-level races need PostgreSQL"),
]

THREADS = 8


@pytest.fixture(autouse=True)
def _reload_admin_units():
    """The flush after a transactional test wipes the administrative units the migration
    loaded; load them again so that later tests in the session find them (faster than
    ``serialized_rollback``)."""
    yield
    from postops.network.services import admin_units_load

    admin_units_load()


def run_in_threads(target, count=THREADS):
    """Run ``target(i)`` in ``count`` threads started together; return results or raise."""
    barrier = threading.Barrier(count)
    results: list = [None] * count
    errors: list = []

    def worker(i):
        try:
            barrier.wait()
            results[i] = target(i)
        except Exception as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


def test_parallel_allocation_never_hands_out_a_number_twice(blocks, offices):
    origin = offices["origin"]

    def allocate(i):
        got = []
        for _ in range(25):
            with transaction.atomic():
                got.extend(number_allocate(office=origin, prefix="RR", count=1 + i % 3))
        return got

    results = run_in_threads(allocate)
    numbers = [n for got in results for n in got]
    expected_total = sum(25 * (1 + i % 3) for i in range(THREADS))
    assert len(numbers) == len(set(numbers)) == expected_total
    # No gaps either: exactly the first serials of the block, each once.
    assert sorted(numbers) == sorted(s10.build("RR", serial) for serial in range(expected_total))
    assert NumberBlock.objects.get(pk=blocks["RR"].pk).next_serial == expected_total


def test_parallel_retries_of_one_acceptance_make_one_item(blocks, offices, accept_kwargs):
    results = run_in_threads(
        lambda i: item_accept(actor=None, idempotency_key="same-key", **accept_kwargs)
    )
    assert len({r.item.pk for r in results}) == 1
    assert sorted(r.created for r in results) == [False] * (THREADS - 1) + [True]
    assert Item.objects.count() == 1
    assert TrackingEvent.objects.count() == 1


def test_the_same_batch_sent_in_parallel_is_stored_once(blocks, offices, accept_kwargs):
    t0 = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
    numbers = [
        item_accept(actor=None, accepted_at=t0, **accept_kwargs).item.number for _ in range(20)
    ]
    batch = [
        {
            "event_id": str(uuid.UUID(int=i * 10 + step)),
            "number": number,
            "code": code,
            "office_code": office,
            "occurred_at": (t0 + timedelta(minutes=step + 1)).isoformat(),
        }
        for i, number in enumerate(numbers)
        for step, (code, office) in enumerate(
            [("sorting_in", "240000"), ("delivery_office_arrival", "241000")]
        )
    ]
    results = run_in_threads(lambda i: events_ingest_batch(actor=None, events=batch), count=4)
    for position in range(len(batch)):
        outcomes = sorted(r[position].result for r in results)
        assert outcomes == ["accepted", "duplicate", "duplicate", "duplicate"]
    assert TrackingEvent.objects.exclude(code="accepted").count() == 40
    assert set(Item.objects.values_list("state__status", flat=True)) == {"at_delivery_office"}
