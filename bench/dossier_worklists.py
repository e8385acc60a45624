"""Benchmark: the overdue-dossier worklists at 1,000,000 dossiers on PostgreSQL (issue #4,
item 14; goal: p95 ≤ 100 ms per page with keyset pagination).

    DBURL=$(bench/pg-bench.sh start /tmp/pg-bench)     # tuned throwaway cluster
    export DATABASE_URL=$DBURL POSTOPS_DEBUG=1
    .venv/bin/python manage.py migrate
    .venv/bin/python bench/dossier_worklists.py [--dossiers 1000000] [--requests 200]
    bench/pg-bench.sh stop /tmp/pg-bench

Preload (skipped when the table already holds ``--dossiers`` rows of this script): a small
network of its own (a provincial post office ``BW0000`` with 30 post offices under it, 20
agencies, 200 procedures), then ``--dossiers`` dossiers received over the last three years,
made inside the server by one ``INSERT … SELECT … FROM generate_series`` (every NOT NULL
column filled; no audit entries: the rows stand for history loaded from elsewhere), then
``VACUUM ANALYZE``. Older dossiers are closed (delivered, taken back, or filed for send-only
ones) as they age; 1 % are stuck in an open status, so each cause has a few thousand overdue
rows across the province (a badly run province; a well run one has fewer).

Measure: for each cause (send, agency, return, waiting), scope (a manager over the whole
province, a supervisor of one post office) and depth (the first page, a keyset page in the
middle of the list), ``--requests`` GET requests of the real page through Django's test
client (the whole view: session, middleware, the page query, the four counts, the template)
with DEBUG off; p50/p95/p99 in ms. Baseline in the same run: the page's own SQL through a
psycopg cursor (what the database alone costs). Prints EXPLAIN of each page query, to show
the partial index range scans. Reads only once loaded.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("POSTOPS_DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402
from items_data import machine_load  # noqa: E402

from postops.core.keyset import decode_cursor, encode_cursor  # noqa: E402
from postops.dossiers import worklists  # noqa: E402

PREFIX = "BW"
OFFICES = 30
AGENCIES = 20
PROCEDURES = 200
SPAN_DAYS = 1096


def network():
    """The benchmark's own offices, agencies and procedures (idempotent)."""
    from postops.core.text import fold
    from postops.dossiers.models import Agency, Procedure
    from postops.network.models import Commune, Office

    communes = list(Commune.objects.order_by("code")[:40])
    if not communes:
        raise SystemExit("no communes: run manage.py migrate (it loads the admin units)")
    root, _ = Office.objects.get_or_create(
        code=f"{PREFIX}0000",
        defaults={
            "name": "Bưu điện tỉnh (bench)",
            "kind": "provincial",
            "commune": communes[0],
            "postal_code": "24000",
        },
    )
    if root.path != f"/{root.pk}/":
        root.path = f"/{root.pk}/"
        Office.objects.filter(pk=root.pk).update(path=root.path)
    offices = []
    for k in range(OFFICES):
        office, _ = Office.objects.get_or_create(
            code=f"{PREFIX}{k + 1:04d}",
            defaults={
                "name": f"Bưu cục {k + 1} (bench)",
                "kind": "post_office",
                "commune": communes[k % len(communes)],
                "postal_code": "24000",
                "parent": root,
            },
        )
        path = f"{root.path}{office.pk}/"
        if office.path != path:
            Office.objects.filter(pk=office.pk).update(path=path)
            office.path = path
        offices.append(office)
    agencies = []
    for k in range(AGENCIES):
        agency, _ = Agency.objects.get_or_create(
            code=f"{PREFIX}.AG{k:02d}",
            defaults={
                "name": f"Cơ quan {k} (bench)",
                "kind": "one_stop",
                "commune": communes[k % len(communes)],
                "search_name": fold(f"{PREFIX}.AG{k:02d} co quan {k}"),
            },
        )
        agencies.append(agency)
    procedures = []
    for k in range(PROCEDURES):
        name = f"Thủ tục {k} (bench)"
        proc, _ = Procedure.objects.get_or_create(
            code=f"{PREFIX}.{k:05d}",
            defaults={
                "name": name,
                "agency": agencies[k % AGENCIES],
                "level": "province",
                "processing_days": 10,
                "search_name": fold(f"{PREFIX}.{k:05d} {name}"),
            },
        )
        procedures.append(proc)
    return root, offices, agencies, procedures


def _required_columns() -> dict[str, str]:
    with connection.cursor() as cur:
        cur.execute(
            """SELECT column_name, data_type FROM information_schema.columns
               WHERE table_name = 'dossiers_dossier' AND is_nullable = 'NO'
                 AND column_default IS NULL"""
        )
        return dict(cur.fetchall())


def preload(count: int, offices, procedures) -> float:
    """Insert ``count`` dossiers in one statement; seconds taken."""
    office_ids = "ARRAY[" + ",".join(str(o.pk) for o in offices) + "]"
    proc_ids = "ARRAY[" + ",".join(str(p.pk) for p in procedures) + "]"
    agency_ids = "ARRAY[" + ",".join(str(p.agency_id) for p in procedures) + "]"
    # h in [0, 1000): a well-mixed per-row number that picks the status of a row.
    h = "((i * 7919) % 1000)"
    form = "(CASE WHEN i % 10 < 4 THEN 'both' WHEN i % 10 < 7 THEN 'send' ELSE 'return' END)"
    age = f"(({count} - i)::bigint * {SPAN_DAYS} / {count})"  # days ago, newest last
    recv = f"(now() - make_interval(days => {age}::int, mins => (i % 600)::int))"
    day = f"(({recv}) AT TIME ZONE 'Asia/Ho_Chi_Minh')::date"
    # Stuck: 1 % of the dossiers never moved on from the status h picks (the worklists' long
    # tail); the others follow their age: taken in, handed over, filed, result ready,
    # collected, then closed (delivered, 2 % taken back; filed for send-only ones).
    stuck = f"""(CASE
        WHEN {form} = 'return' THEN
          (CASE WHEN {h} < 300 THEN 'registered' WHEN {h} < 650 THEN 'result_ready'
                ELSE 'result_collected' END)
        WHEN {form} = 'send' THEN
          (CASE WHEN {h} < 500 THEN 'received' ELSE 'in_handover' END)
        ELSE
          (CASE WHEN {h} < 200 THEN 'received' WHEN {h} < 350 THEN 'in_handover'
                WHEN {h} < 600 THEN 'filed' WHEN {h} < 800 THEN 'result_ready'
                ELSE 'result_collected' END)
      END)"""
    by_age = f"""(CASE
        WHEN {form} = 'send' THEN
          (CASE WHEN {age} <= 1 THEN 'received' WHEN {age} <= 3 THEN 'in_handover'
                ELSE 'filed' END)
        WHEN {age} <= 1 AND {form} = 'both' THEN 'received'
        WHEN {age} <= 3 AND {form} = 'both' THEN 'in_handover'
        WHEN {age} <= 16 THEN (CASE WHEN {form} = 'both' THEN 'filed' ELSE 'registered' END)
        WHEN {age} <= 17 THEN 'result_ready'
        WHEN {age} <= 19 THEN 'result_collected'
        WHEN {h} % 50 = 7 THEN 'returned_to_agency'
        ELSE 'delivered' END)"""
    status = f"(CASE WHEN ((i * 7907) % 1009) < 10 THEN {stuck} ELSE {by_age} END)"
    values = {
        "code": f"'{PREFIX}' || lpad(i::text, 11, '0')",
        "procedure_id": f"({proc_ids})[1 + i % {len(procedures)}]",
        "agency_id": f"({agency_ids})[1 + i % {len(procedures)}]",
        "office_id": f"({office_ids})[1 + (i / 7) % {len(offices)}]",
        "service_form": form,
        "channel": "'counter'",
        "status": status,
        "received_at": recv,
        "created_at": recv,
        "applicant_name": "'Nguyễn Văn ' || (i % 997)::text",
        "applicant_id_number": "lpad((20190000000 + i)::text, 12, '0')",
        "applicant_scheme": "'2025'",
        "applicant_commune_code": "'06040'",
        "delivery_scheme": "'2025'",
        "delivery_commune_code": "'06040'",
        "payment_method": "'cash'",
        "post_send_due": f"(CASE WHEN {form} <> 'return' THEN {day} + 3 END)",
        "filed_at": f"(CASE WHEN {form} <> 'return' THEN {recv} + interval '2 days' END)",
        "agency_due": f"{day} + 16",
        "result_ready_on": f"{day} + 16",
        "post_return_due": f"(CASE WHEN {form} <> 'send' THEN {day} + 20 END)",
        "delivered_at": f"(CASE WHEN {form} <> 'send' THEN {recv} + interval '19 days' END)",
    }
    required = _required_columns()
    defaults = {"boolean": "false", "integer": "0", "bigint": "0", "smallint": "0"}
    for column, kind in required.items():
        if column not in values and column != "id":
            values[column] = defaults.get(kind, "''")
    columns = ", ".join(values)
    exprs = ",\n  ".join(values.values())
    sql = f"INSERT INTO dossiers_dossier ({columns})\nSELECT\n  {exprs}\nFROM generate_series(1::bigint, {count}) AS i"
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL work_mem = '512MB'")
        cur.execute(sql)
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE dossiers_dossier")
    return time.perf_counter() - started


def loaded() -> int:
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM dossiers_dossier WHERE code LIKE %s", [f"{PREFIX}%"])
        return cur.fetchone()[0]


def users(root, office):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from postops.accounts.models import User

    out = {}
    for role, where in (("manager", root), ("supervisor", office)):
        user, _ = User.objects.get_or_create(
            username=f"bench-wl-{role}", defaults={"full_name": f"Bench {role}"}
        )
        user.groups.clear()
        from django.contrib.auth.models import Group

        user.groups.add(Group.objects.get(name=role))
        user.offices.set([where])
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", confirmed=True)
        client = Client()
        client.force_login(user)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
        out[role] = (user, client)
    return out


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    q = statistics.quantiles(samples, n=100, method="inclusive")
    return q[49], q[94], q[98]


def middle_cursor(user, cause) -> tuple[str, int]:
    qs = worklists.overdue_queryset(user, cause).order_by(cause.due_field, "pk")
    total = qs.count()
    if total < 2 * worklists.PAGE_SIZE:
        return "", total
    row = qs.values_list(cause.due_field, "pk")[total // 2]
    return encode_cursor(row[0], row[1]), total


def page_sql(user, cause, cursor):
    """The page query exactly as the view runs it (SQL and parameters)."""
    qs = worklists.overdue_queryset(user, cause)
    field = cause.due_field
    position = decode_cursor(cursor, date)
    if position:
        value, pk = position
        qs = qs.filter(
            Q(**{f"{field}__gte": value}) & (Q(**{f"{field}__gt": value}) | Q(pk__gt=pk))
        )
    qs = qs.order_by(field, "pk")[: worklists.PAGE_SIZE + 1]
    return qs.query.sql_with_params()


def measure(args):
    root, offices, _agencies, procedures = network()
    have = loaded()
    if have < args.dossiers:
        if have:
            raise SystemExit(f"{have} bench dossiers present, fewer than asked: drop the database")
        print(f"preloading {args.dossiers:,} dossiers ({machine_load()}) …", flush=True)
        seconds = preload(args.dossiers, offices, procedures)
        print(f"preloaded in {seconds:.1f} s ({machine_load()})", flush=True)
    # The test client's host; not setup_test_environment(), which instruments templates.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    people = users(root, offices[0])
    total = Dossier_count()
    print(f"dossiers in the table: {total:,}; {machine_load()}")
    results = []
    db_ms = []

    def timed(execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            db_ms[-1] += (time.perf_counter() - t) * 1000

    with override_settings(DEBUG=False, ROOT_URLCONF="bench.urls"):
        for role in ("manager", "supervisor"):
            user, client = people[role]
            counts = worklists.overdue_counts(user)
            print(f"\n{role}: overdue counts {counts}")
            # Floor: a no-op view through the same client, session and middleware.
            for _ in range(5):
                client.get("/bench/noop")
            noop = []
            for _ in range(args.requests):
                t = time.perf_counter()
                assert client.get("/bench/noop").status_code == 200
                noop.append((time.perf_counter() - t) * 1000)
            n = percentiles(noop)
            print(f"  no-op view      page p50 {n[0]:6.1f}  p95 {n[1]:6.1f}  p99 {n[2]:6.1f} ms")
            for cause in worklists.CAUSES.values():
                mid, total_rows = middle_cursor(user, cause)
                for depth, cursor in (("first", ""), ("middle", mid)):
                    if depth == "middle" and not cursor:
                        continue
                    url = f"/dossiers/worklists/{cause.slug}/" + (
                        f"?after={cursor}" if cursor else ""
                    )
                    for _ in range(5):  # warm-up
                        assert client.get(url).status_code == 200
                    samples = []
                    db_ms.clear()
                    with connection.execute_wrapper(timed):
                        for _ in range(args.requests):
                            db_ms.append(0.0)
                            t = time.perf_counter()
                            response = client.get(url)
                            samples.append((time.perf_counter() - t) * 1000)
                            assert response.status_code == 200
                    db_share = statistics.median(db_ms)
                    sql, params = page_sql(user, cause, cursor)
                    base = []
                    with connection.cursor() as cur:
                        for _ in range(args.requests):
                            t = time.perf_counter()
                            cur.execute(sql, params)
                            cur.fetchall()
                            base.append((time.perf_counter() - t) * 1000)
                        if args.explain:
                            cur.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
                            plan = "\n      ".join(r[0] for r in cur.fetchall())
                            print(f"    EXPLAIN {cause.slug}/{role}/{depth}:\n      {plan}")
                    p = percentiles(samples)
                    b = percentiles(base)
                    results.append((role, cause.slug, depth, total_rows, p, b))
                    print(
                        f"  {cause.slug:<8} {depth:<6} rows {total_rows:>6}  page p50 {p[0]:6.1f}"
                        f"  p95 {p[1]:6.1f}  p99 {p[2]:6.1f} ms   | SQL p50 {b[0]:5.2f}"
                        f"  p95 {b[1]:5.2f}  p99 {b[2]:5.2f} ms | all SQL of the page p50"
                        f" {db_share:5.1f} ms",
                        flush=True,
                    )
    worst = max(r[4][1] for r in results)
    print(f"\nworst page p95: {worst:.1f} ms (goal ≤ 100 ms); {machine_load()}")
    print(f"measured at {timezone.now():%Y-%m-%d %H:%M} UTC")


def Dossier_count() -> int:
    with connection.cursor() as cur:
        cur.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'dossiers_dossier'")
        return cur.fetchone()[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of each page")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("PostgreSQL only: set DATABASE_URL (see bench/pg-bench.sh)")
    measure(args)


if __name__ == "__main__":
    main()
