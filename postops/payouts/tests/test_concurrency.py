"""Exactly one payout under concurrency (issue #5, item 10): real threads, real PostgreSQL."""

import threading
from datetime import date

import pytest
from django.db import connection, connections

from postops.payouts import services
from postops.payouts.errors import AlreadyPaid
from postops.payouts.models import Payout, PayrollLine, PayrollPeriod

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 20


def _run_threads(target):
    barrier = threading.Barrier(THREADS)
    results: list = [None] * THREADS

    def worker(index):
        try:
            barrier.wait()
            results[index] = ("ok", target(index))
        except Exception as exc:  # collected and asserted on below
            results[index] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture
def shared_line(network, beneficiary, programme, make_user, payout_days_open):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent writers need PostgreSQL")
    period = PayrollPeriod.objects.create(
        programme=programme, month=date(2026, 3, 1), status="paying"
    )
    return PayrollLine.objects.create(
        period=period, beneficiary=beneficiary, payout_point=network["point"], amount=3_250_000
    )


def _pay(teller, line, key):
    return services.payout_record(
        teller,
        line_id=line.pk,
        idempotency_key=key,
        receiver="self",
        id_document_type="cccd",
        id_document_number="020150001234",
    )


def test_twenty_tellers_one_line_one_payout(shared_line, teller):
    results = _run_threads(lambda i: _pay(teller, shared_line, f"key-{i}"))
    created = [r[1] for r in results if r[0] == "ok"]
    errors = [r[1] for r in results if r[0] == "error"]
    assert len(created) == 1
    assert created[0][1] is True
    assert len(errors) == THREADS - 1
    assert all(isinstance(e, AlreadyPaid) for e in errors), errors
    assert Payout.objects.filter(line=shared_line).count() == 1
    assert Payout.objects.get().receipt_number == "201001-2026-000001"


def test_twenty_replays_of_one_key_give_one_payout(shared_line, teller):
    results = _run_threads(lambda i: _pay(teller, shared_line, "same-key"))
    assert all(r[0] == "ok" for r in results), results
    payouts = {r[1][0].pk for r in results}
    assert len(payouts) == 1
    assert sorted(r[1][1] for r in results) == [False] * (THREADS - 1) + [True]
    assert Payout.objects.count() == 1


def test_twenty_lines_in_parallel_get_gapless_receipts(
    network, programme, teller, make_user, payout_days_open
):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent writers need PostgreSQL")
    from postops.payouts.models import Beneficiary

    period = PayrollPeriod.objects.create(
        programme=programme, month=date(2026, 3, 1), status="paying"
    )
    lines = []
    for n in range(THREADS):
        person = Beneficiary.objects.create(
            programme=programme,
            code=f"C{n}",
            full_name="Người Thứ",
            id_number=f"020045{n:06d}",
            commune=network["commune"],
        )
        lines.append(
            PayrollLine.objects.create(
                period=period, beneficiary=person, payout_point=network["point"], amount=1
            )
        )

    def pay_own(i):
        return services.payout_record(
            teller,
            line_id=lines[i].pk,
            idempotency_key=f"line-{i}",
            receiver="self",
            id_document_type="cccd",
            id_document_number=f"020045{i:06d}",
        )

    results = _run_threads(pay_own)
    assert all(r[0] == "ok" for r in results), results
    sequences = sorted(Payout.objects.values_list("receipt_sequence", flat=True))
    assert sequences == list(range(1, THREADS + 1))
