"""Benchmark: payouts recorded per second under concurrency (issue #5, item 11).

    POSTOPS_DEBUG=1 DATABASE_URL=postgres://... .venv/bin/python manage.py migrate
    POSTOPS_DEBUG=1 DATABASE_URL=postgres://... .venv/bin/python bench/payout_record.py \
        [--lines 2000] [--threads 8] [--offices 4]

Creates a paying period with ``--lines`` lines spread over ``--offices`` payout points,
then ``--threads`` tellers pay them all at once (each line also sent twice with the same
idempotency key, as a double click would). Prints payouts/s and checks: one payout per
line, receipts gapless per office. Baseline in the same run: the same threads each
INSERT the same rows (one autocommit INSERT per payout) into a bare copy of the payout
table (no constraints, indexes or triggers): the floor of what one write per payout costs.
Today is opened for payouts at the bench points (a supervisor's schedule exception): a
point pays only on its scheduled days. Removes what it created, except the append-only payouts
(they stay under the programme code ``bench-pay``; use a throwaway database).
"""

import argparse
import os
import sys
import threading
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("POSTOPS_DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.utils import timezone  # noqa: E402

from postops.accounts.models import User  # noqa: E402
from postops.network.models import Commune, Office, Province  # noqa: E402
from postops.payouts import services  # noqa: E402
from postops.payouts.models import (  # noqa: E402
    Beneficiary,
    Payout,
    PayoutScheduleException,
    PayrollLine,
    PayrollPeriod,
    Programme,
)


def setup(n_lines: int, n_offices: int):
    province, _ = Province.objects.get_or_create(
        code="20",
        defaults={"name": "Lạng Sơn", "division_type": "tỉnh", "codename": "x", "search_name": "x"},
    )
    commune, _ = Commune.objects.get_or_create(
        code="99700",
        defaults={
            "name": "Bench",
            "division_type": "xã",
            "codename": "b",
            "province": province,
            "search_name": "bench",
        },
    )
    root, _ = Office.objects.get_or_create(
        code="BP0000",
        defaults={
            "name": "Bench root",
            "kind": "post_office",
            "commune": commune,
            "postal_code": "25000",
        },
    )
    Office.objects.filter(pk=root.pk).update(path=f"/{root.pk}/")
    root.refresh_from_db()
    points = []
    for i in range(n_offices):
        point, _ = Office.objects.get_or_create(
            code=f"BP{i + 1:04d}",
            defaults={
                "name": f"Bench point {i}",
                "kind": "payout_point",
                "commune": commune,
                "postal_code": "25000",
                "parent": root,
            },
        )
        Office.objects.filter(pk=point.pk).update(path=f"{root.path}{point.pk}/")
        points.append(point)
    opener, _ = User.objects.get_or_create(username="bench-supervisor")
    for point in points:
        PayoutScheduleException.objects.get_or_create(
            point=point,
            day=timezone.localdate(),
            defaults={"reason": "bench", "opened_by": opener},
        )
    teller, _ = User.objects.get_or_create(username="bench-teller")
    teller.groups.add(Group.objects.get_or_create(name="teller")[0])
    teller.offices.set([root])
    programme, _ = Programme.objects.get_or_create(code="bench-pay", defaults={"name": "Bench"})
    month = date(2000 + PayrollPeriod.objects.filter(programme=programme).count(), 1, 1)
    period = PayrollPeriod.objects.create(programme=programme, month=month, status="paying")
    start = Beneficiary.objects.filter(programme=programme).count()
    people = Beneficiary.objects.bulk_create(
        [
            Beneficiary(
                programme=programme,
                code=f"BP{start + i:07d}",
                full_name="Bench",
                search_name="bench",
                id_number=f"020045{start + i:06d}",
                commune=commune,
            )
            for i in range(n_lines)
        ]
    )
    lines = PayrollLine.objects.bulk_create(
        [
            PayrollLine(
                period=period, beneficiary=p, payout_point=points[i % n_offices], amount=3_250_000
            )
            for i, p in enumerate(people)
        ]
    )
    return teller, period, [(line.pk, people[i].id_number) for i, line in enumerate(lines)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--offices", type=int, default=4)
    args = parser.parse_args()
    teller, period, work = setup(args.lines, args.offices)
    chunks = [work[i :: args.threads] for i in range(args.threads)]
    errors: list = []

    def run(chunk):
        try:
            for line_id, number in chunk:
                for _ in range(2):  # a double click: same key twice
                    services.payout_record(
                        teller,
                        line_id=line_id,
                        idempotency_key=f"bench-{line_id}",
                        receiver="self",
                        id_document_type="cccd",
                        id_document_number=number,
                    )
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(c,)) for c in chunks]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    assert not errors, errors[:3]
    paid = Payout.objects.filter(line__period=period)
    assert paid.count() == args.lines
    for office_id in set(paid.values_list("office_id", flat=True)):
        year_sequences = sorted(
            paid.filter(office_id=office_id).values_list("receipt_year", "receipt_sequence")
        )
        for year in {y for y, _s in year_sequences}:
            sequences = [s for y, s in year_sequences if y == year]
            # Earlier runs in the same database used the first numbers of the year.
            assert sequences == list(range(sequences[0], sequences[0] + len(sequences)))
    baseline = bare_insert_baseline(work, teller, args.threads)
    print(f"database: {connections['default'].vendor}, threads: {args.threads}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"{args.lines} payouts (+{args.lines} replays) in {seconds:.2f} s: "
        f"{args.lines / seconds:.0f} payouts/s"
    )
    print(
        f"baseline: {args.lines} bare INSERTs of the same rows in {baseline:.2f} s: "
        f"{args.lines / baseline:.0f} rows/s; payout_record = "
        f"{100 * baseline / seconds:.0f}% of it"
    )


def bare_insert_baseline(work, teller, threads: int) -> float:
    """Seconds for ``threads`` threads to INSERT one row per payout (autocommit each) into a
    copy of the payout table without constraints, indexes or triggers."""
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_payout_bare")
        cursor.execute("CREATE TABLE bench_payout_bare AS SELECT * FROM payouts_payout WHERE false")
    office = Office.objects.filter(code="BP0001").values_list("pk", flat=True).first()
    chunks = [work[i::threads] for i in range(threads)]
    sql = (
        "INSERT INTO bench_payout_bare (id, line_id, idempotency_key, receiver, proxy_id, "
        "id_document_type, id_document_number, amount, teller_id, office_id, paid_at, "
        "recorded_at, receipt_year, receipt_sequence, receipt_number) VALUES "
        "(%s, %s, %s, 'self', NULL, 'cccd', %s, 3250000, %s, %s, %s, %s, %s, %s, %s)"
    )
    errors: list = []

    def run(chunk):
        try:
            with connections["default"].cursor() as cursor:
                for line_id, number in chunk:
                    now = timezone.now()
                    cursor.execute(
                        sql,
                        [
                            line_id,
                            line_id,
                            f"bare-{line_id}",
                            number,
                            teller.pk,
                            office,
                            now,
                            now,
                            now.year,
                            line_id,
                            f"BARE-{line_id}",
                        ],
                    )
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    pool = [threading.Thread(target=run, args=(c,)) for c in chunks]
    began = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    seconds = time.perf_counter() - began
    assert not errors, errors[:3]
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_payout_bare")
    return seconds


if __name__ == "__main__":
    main()
