"""Benchmark: import a payroll of N rows from CSV and from XLSX (issue #5, item 11).

    POSTOPS_DEBUG=1 DATABASE_URL=... .venv/bin/python manage.py migrate
    POSTOPS_DEBUG=1 DATABASE_URL=... .venv/bin/python bench/payroll_import.py [--rows 100000]

Prints rows/s for each format and, on PostgreSQL, for a raw ``COPY`` of the same rows into
a scratch table in the same run (the floor any import can reach). Everything it creates is
removed at the end (its own programme code ``bench``, communes ``998xx``). Besides wall time
it prints this process's CPU time: on a shared machine the wall time also measures the
neighbours. ``--profile FILE`` writes a pyinstrument report of the first CSV import to FILE. Results: ``docs/benchmarks.md``.
"""

import argparse
import io
import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("POSTOPS_DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from postops.network.models import Commune, Office, Province  # noqa: E402
from postops.payouts import services  # noqa: E402
from postops.payouts.models import (  # noqa: E402
    Beneficiary,
    ImportJob,
    PayrollLine,
    PayrollPeriod,
    Programme,
)
from postops.payouts.tests.helpers import ENGLISH, csv_bytes, xlsx_bytes  # noqa: E402

COMMUNES = ["99801", "99802", "99803"]


def rows(n: int) -> list[list]:
    out = []
    for i in range(n):
        out.append(
            [
                f"B{i:07d}",
                f"Nguyễn Văn Bình {i}",
                "01/01/1950",
                "Nam",
                f"020050{i:06d}",
                f"Thôn {i % 50}",
                COMMUNES[i % 3],
                "",
                "3.250.000",
                "" if i % 7 else "150.000",
                "1",
                "1" if i % 11 == 0 else "0",
                "",
            ]
        )
    return out


def setup():
    province, _ = Province.objects.get_or_create(
        code="20",
        defaults={"name": "Lạng Sơn", "division_type": "tỉnh", "codename": "x", "search_name": "x"},
    )
    for code in COMMUNES:
        commune, _ = Commune.objects.get_or_create(
            code=code,
            defaults={
                "name": f"Bench {code}",
                "division_type": "xã",
                "codename": code,
                "province": province,
                "search_name": code,
            },
        )
        Office.objects.get_or_create(
            code=f"B{code}",
            defaults={
                "name": f"Bench point {code}",
                "kind": "payout_point",
                "commune": commune,
                "postal_code": "25000",
                "path": f"/bench-{code}/",
            },
        )
    programme, _ = Programme.objects.get_or_create(code="bench", defaults={"name": "Bench"})
    return programme


def cleanup(programme):
    with transaction.atomic():
        PayrollLine.objects.filter(period__programme=programme).delete()
        ImportJob.objects.filter(period__programme=programme).delete()
        PayrollPeriod.objects.filter(programme=programme).delete()
        Beneficiary.objects.filter(programme=programme).delete()
    if connection.vendor == "postgresql":
        # Dead rows of the previous run would make the next run's unique checks visit them.
        with connection.cursor() as cursor:
            for model in (PayrollLine, Beneficiary, ImportJob, PayrollPeriod):
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")


def timed_import(
    programme, data: bytes, name: str, month: date, profiler=None
) -> tuple[float, float, ImportJob]:
    period = PayrollPeriod.objects.create(programme=programme, month=month)
    if profiler is not None:
        profiler.start()
    start, cpu = time.perf_counter(), time.process_time()
    job = services.payroll_import(None, period, io.BytesIO(data), name)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    if profiler is not None:
        profiler.stop()
    return seconds, cpu, job


def line(label: str, n: int, seconds: float, cpu: float | None = None) -> str:
    text = f"{label:<28}{seconds:7.2f} s  {n / seconds:10.0f} rows/s"
    if cpu is not None:
        text += f"   (client CPU {cpu:6.2f} s, {n / cpu:8.0f} rows per CPU-second)"
    return text


def timed_copy(data: bytes) -> float | None:
    if connection.vendor != "postgresql":
        return None
    columns = ", ".join(f"{c} text" for c in ENGLISH)
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE bench_copy ({columns}) ON COMMIT DROP")
        with cursor.copy("COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
            copy.write(data)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--profile", metavar="FILE", help="pyinstrument report of the CSV import")
    args = parser.parse_args()
    n = args.rows
    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler()
    programme = setup()
    cleanup(programme)
    data = rows(n)
    csv_data = csv_bytes(data)
    xlsx_data = xlsx_bytes(data, header=ENGLISH)
    try:
        print(f"database: {connection.vendor}, rows: {n}")
        copy = timed_copy(csv_data)
        if copy is not None:
            print(line("COPY (raw, no validation):", n, copy))
        seconds, cpu, job = timed_import(
            programme, csv_data, "bench.csv", date(2099, 1, 1), profiler
        )
        assert job.status == "done" and job.created_lines == n, job.report()
        print(line("CSV import:", n, seconds, cpu))
        # A second period: the same people (looked up, unchanged), new lines.
        seconds, cpu, job = timed_import(programme, xlsx_data, "bench.xlsx", date(2099, 2, 1))
        assert job.status == "done" and job.created_lines == n, job.report()
        print(line("XLSX import (2nd period):", n, seconds, cpu))
        seconds, cpu, job = timed_import(programme, csv_data, "bench.csv", date(2099, 3, 1))
        print(line("CSV import (3rd period):", n, seconds, cpu))
        if profiler is not None:
            Path(args.profile).write_text(profiler.output_text(unicode=True, color=False))
            print(f"profile of the CSV import: {args.profile}")
    finally:
        cleanup(programme)


if __name__ == "__main__":
    main()
