"""Two senders at once on a real PostgreSQL: each claims its own rows (SKIP LOCKED), so no
message is sent twice. SQLite serialises writers, so the race only exists on PostgreSQL."""

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from postops.notify import services
from postops.notify.models import Message

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


@pytest.fixture(autouse=True)
def _reload_admin_units():
    # The flush after a transactional test wipes the units the migration loaded.
    yield
    from postops.network.services import admin_units_load

    admin_units_load()


def _messages(count):
    now = timezone.now()
    Message.objects.bulk_create(
        Message(
            channel="email",
            recipient=f"r{n}@example.vn",
            template_key="dossier_filed",
            dedupe_key=f"race:{n}",
            next_attempt_at=now,
        )
        for n in range(count)
    )
    return list(Message.objects.order_by("next_attempt_at", "id").values_list("pk", flat=True))


def test_a_locked_row_is_skipped_not_waited_for():
    ids = _messages(3)
    locked, release = threading.Event(), threading.Event()

    def hold_first_row():
        try:
            with transaction.atomic():
                Message.objects.select_for_update().get(pk=ids[0])
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_first_row)
    holder.start()
    try:
        assert locked.wait(10)
        # Another sender is busy with the first row: this one takes the others at once.
        assert services.notifications_claim_due(limit=10) == ids[1:]
    finally:
        release.set()
        holder.join()
    assert services.notifications_claim_due(limit=10) == [ids[0]]


def test_concurrent_sweeps_claim_disjoint_rows():
    _messages(40)
    results: list[list[int]] = [[], [], [], []]
    barrier = threading.Barrier(4)

    def sweep(i):
        try:
            barrier.wait()
            results[i] = services.notifications_claim_due(limit=15)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    claimed = [pk for r in results for pk in r]
    assert len(claimed) == len(set(claimed)) == 40
