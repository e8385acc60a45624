"""Benchmark: tracking events ingested per second through the batch API, against raw COPY
(issue #3, item 15; goal: at least 50 % of COPY).

    DBURL=$(bench/pg-bench.sh start /tmp/pg-bench)     # then migrate, seed_demo and
    DATABASE_URL=$DBURL .venv/bin/python bench/items_preload.py   # (see that file)
    DATABASE_URL=$DBURL .venv/bin/python bench/events_ingest.py \
        [--events 200000] [--clients 4] [--batch 5000] [--workers 5]

Makes ``events / 4`` fresh items (accepted a day ago at the demo province's counters, set-based
SQL, not timed), then ``--clients`` scanner clients post their items' journeys to
``POST /api/v1/events/batch`` on a gunicorn server on loopback (production settings, API key
with the clerk role at the provincial post office, rate limit lifted by configuration):
sorting in and out at the provincial centre, arrival at the delivery office, out for
delivery — each a wave of up to ``--batch`` events for as many different items, as a
sorting centre or a post office scans them. Each client keeps one keep-alive connection
and sends its next batch when the answer to the previous one is in. Request bodies are
built before the clock starts.

Then, in the same run, the same number of events for the same items is written with one
raw ``COPY items_trackingevent FROM STDIN`` (no validation, no status update: the floor
any ingest path can reach), and with ``--clients`` parallel COPY streams, for reference.

Checks: every event answered ``accepted``, every item ends ``out_for_delivery``. Leaves
its rows behind (the tracking table is append-only): use a throwaway database.
"""

import argparse
import http.client
import json
import os
import statistics
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("POSTOPS_DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from items_data import (  # noqa: E402
    check_item_columns,
    demo_network,
    demo_tariff_id,
    item_columns_sql,
    machine_load,
    plan_sql,
)
from server import gunicorn  # noqa: E402

from postops.accounts.services import api_key_create  # noqa: E402
from postops.core import s10  # noqa: E402
from postops.network.models import Office  # noqa: E402

SERIAL_BASE = 80_000_000  # items_preload.py uses 60,000,000+
STAGES = [  # (event code, where: "P" provincial centre, "D" delivery office)
    ("sorting_in", "P"),
    ("sorting_out", "P"),
    ("delivery_office_arrival", "D"),
    ("out_for_delivery", "D"),
]


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("events_ingest.py needs PostgreSQL: DATABASE_URL=postgres://...")
    return url


def make_items(n_items: int) -> tuple[list[tuple[int, str, str]], int]:
    """Insert ``n_items`` accepted items (one ``accepted`` event each); returns
    [(id, number, delivery office code)] and the provincial office id."""
    network = demo_network()
    codes = dict(Office.objects.values_list("id", "code"))
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "SELECT coalesce(max(substr(number, 3, 8)::int), %s) FROM items_item "
            "WHERE number ~ '^[A-Z]{2}8[0-9]{8}VN$'",
            [SERIAL_BASE],
        )
        base = cur.fetchone()[0]
        columns = item_columns_sql(network, demo_tariff_id(), base)
        check_item_columns(columns)
        cur.execute(
            f"INSERT INTO items_item ({', '.join(columns)}) "
            f"SELECT {', '.join(columns.values())} FROM (SELECT *, now() - interval '1 day' "
            f"AS accepted_at FROM ({plan_sql(network, 1, n_items)}) AS p0) AS p "
            "ORDER BY p.n RETURNING id, number, destination_office_id, origin_office_id"
        )
        rows = cur.fetchall()
        cur.execute(
            """
            INSERT INTO items_itemstate (item_id, status, last_event_code, last_event_at,
                last_office_id)
            SELECT i.id, 'accepted', 'accepted', i.accepted_at, i.origin_office_id
            FROM items_item i WHERE i.id = ANY(%s)
            """,
            [[r[0] for r in rows]],
        )
        cur.execute(
            """
            INSERT INTO items_trackingevent (event_id, item_id, code, office_id, actor_label,
                occurred_at, recorded_at, reason_code, action_code, note)
            SELECT gen_random_uuid(), i.id, 'accepted', i.origin_office_id, 'bench',
                   i.accepted_at, i.accepted_at, '', '', ''
            FROM items_item i WHERE i.id = ANY(%s)
            """,
            [[r[0] for r in rows]],
        )
    return [(r[0], r[1], codes[r[2]]) for r in rows], network.provincial


def build_batches(items, provincial_code, clients: int, batch: int) -> list[list[bytes]]:
    """Per client: its request bodies, stage after stage, each for up to ``batch`` items."""
    start = timezone.now() - timedelta(hours=20)
    per_client: list[list[bytes]] = []
    for c in range(clients):
        mine = items[c::clients]
        bodies = []
        for s, (code, where) in enumerate(STAGES):
            at = (start + timedelta(hours=3 * s)).isoformat()
            for i in range(0, len(mine), batch):
                events = [
                    {
                        "event_id": str(uuid.uuid4()),
                        "number": number,
                        "code": code,
                        "office_code": provincial_code if where == "P" else delivery,
                        "occurred_at": at,
                    }
                    for _id, number, delivery in mine[i : i + batch]
                ]
                bodies.append(json.dumps({"events": events}).encode())
        per_client.append(bodies)
    return per_client


def post(conn: http.client.HTTPConnection, key: str, body: bytes) -> dict:
    conn.request(
        "POST",
        "/api/v1/events/batch",
        body=body,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    response = conn.getresponse()
    data = response.read()
    if response.status != 200:
        raise RuntimeError(f"HTTP {response.status}: {data[:300]!r}")
    return json.loads(data)


def run_api(host, port, key, per_client) -> tuple[float, list[float], dict]:
    latencies: list[float] = []
    totals = {"accepted": 0, "duplicate": 0, "rejected": 0}
    errors: list[Exception] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(per_client) + 1)

    def client(bodies):
        conn = http.client.HTTPConnection(host, port, timeout=300)
        try:
            barrier.wait()
            for body in bodies:
                t = time.perf_counter()
                answer = post(conn, key, body)
                spent = time.perf_counter() - t
                with lock:
                    latencies.append(spent)
                    for k in totals:
                        totals[k] += answer[k]
                    if answer["rejected"]:
                        reasons = {r.get("reason") for r in answer["results"]}
                        errors.append(RuntimeError(f"rejected: {reasons}"))
        except Exception as exc:  # reported by the caller
            errors.append(exc)
            barrier.abort()
        finally:
            conn.close()

    threads = [threading.Thread(target=client, args=(b,)) for b in per_client]
    for thread in threads:
        thread.start()
    barrier.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    if errors:
        raise SystemExit(f"API run failed: {errors[:3]}")
    return seconds, latencies, totals


def warm_up(host, port, key, workers: int, provincial_code: str) -> None:
    """Load every worker's code paths with a batch that stores nothing (unknown item)."""
    body = json.dumps(
        {
            "events": [
                {
                    "event_id": str(uuid.uuid4()),
                    "number": s10.build("EB", 0),  # valid S10, no such item: rejected
                    "code": "sorting_in",
                    "office_code": provincial_code,
                    "occurred_at": timezone.now().isoformat(),
                }
            ]
        }
    ).encode()
    threads = []
    for _ in range(workers * 3):
        conn = http.client.HTTPConnection(host, port, timeout=60)
        threads.append(threading.Thread(target=post, args=(conn, key, body)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def copy_rows(items, provincial_id, office_ids, n_events: int) -> list[bytes]:
    """``n_events`` COPY text lines for the same items, stage after stage."""
    lines = []
    recorded = timezone.now().isoformat()
    start = timezone.now() - timedelta(hours=20)
    for s, (code, where) in enumerate(STAGES):
        at = (start + timedelta(hours=3 * s, minutes=1)).isoformat()
        for item_id, _number, delivery in items:
            office = provincial_id if where == "P" else office_ids[delivery]
            lines.append(
                f"{uuid.uuid4()}\t{item_id}\t{code}\t{office}\t\\N\tbench-copy\t{at}\t"
                f"{recorded}\t\t\t\\N\t\\N\t\n".encode()
            )
    return lines[:n_events]


COPY_SQL = (
    "COPY items_trackingevent (event_id, item_id, code, office_id, actor_id, actor_label, "
    "occurred_at, recorded_at, reason_code, action_code, latitude, longitude, note) FROM STDIN"
)


def run_copy(lines: list[bytes], streams: int) -> float:
    """Seconds to COPY ``lines`` over ``streams`` connections at once (each commits)."""
    chunks = [b"".join(lines[i::streams]) for i in range(streams)]
    barrier = threading.Barrier(streams + 1)
    errors: list[Exception] = []

    def stream(data: bytes):
        conn = connections.create_connection("default")
        try:
            conn.ensure_connection()
            barrier.wait()
            with conn.cursor() as cur, cur.cursor.copy(COPY_SQL) as copy:
                for i in range(0, len(data), 1 << 20):
                    copy.write(data[i : i + (1 << 20)])
            conn.commit()
        except Exception as exc:  # reported below
            errors.append(exc)
            barrier.abort()
        finally:
            conn.close()

    threads = [threading.Thread(target=stream, args=(c,)) for c in chunks]
    for thread in threads:
        thread.start()
    barrier.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    if errors:
        raise SystemExit(f"COPY failed: {errors[:3]}")
    return time.perf_counter() - began


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=5, help="gunicorn workers")
    args = parser.parse_args()
    url = database_url()
    n_items = args.events // len(STAGES)
    n_events = n_items * len(STAGES)

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM items_item")
        item_count = cur.fetchone()[0]
        cur.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'items_trackingevent'")
        event_count = cur.fetchone()[0]
    print(machine_load())
    print(
        f"database: PostgreSQL, {item_count:,} items, ~{event_count:,} events before the run; "
        f"{args.clients} clients, batches of {args.batch}, {args.workers} gunicorn workers"
    )
    t = time.perf_counter()
    items, provincial_id = make_items(n_items)
    office_ids = {code: pk for pk, code in Office.objects.values_list("id", "code")}
    provincial_code = Office.objects.get(pk=provincial_id).code
    _key_row, key = api_key_create(
        None,
        name="bench-scanner",
        role="clerk",
        offices=[Office.objects.get(pk=provincial_id)],
    )
    per_client = build_batches(items, provincial_code, args.clients, args.batch)
    lines = copy_rows(items, provincial_id, office_ids, n_events)
    print(
        f"setup: {n_items:,} fresh items, bodies and COPY rows in {time.perf_counter() - t:.1f} s"
    )
    connections.close_all()

    with gunicorn(url, args.workers) as (host, port):
        warm_up(host, port, key, args.workers, provincial_code)
        seconds, latencies, totals = run_api(host, port, key, per_client)
    api_rate = n_events / seconds
    assert totals == {"accepted": n_events, "duplicate": 0, "rejected": 0}, totals
    with connection.cursor() as cur:
        cur.execute(
            "SELECT status, count(*) FROM items_itemstate WHERE item_id = ANY(%s) GROUP BY status",
            [[i[0] for i in items]],
        )
        statuses = dict(cur.fetchall())
    assert statuses == {"out_for_delivery": n_items}, statuses
    connections.close_all()

    copy_one = run_copy(lines, 1)
    copy_rate = n_events / copy_one
    lines_par = copy_rows(items, provincial_id, office_ids, n_events)
    copy_par = run_copy(lines_par, args.clients)

    latencies.sort()
    p50 = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(f"batch API:   {n_events:,} events in {seconds:6.2f} s  {api_rate:9,.0f} events/s")
    print(
        f"             {len(latencies)} batches, latency per batch p50 {p50 * 1000:.0f} ms, "
        f"p99 {p99 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms"
    )
    print(f"COPY (1):    {n_events:,} events in {copy_one:6.2f} s  {copy_rate:9,.0f} events/s")
    print(
        f"COPY ({args.clients}):    {n_events:,} events in {copy_par:6.2f} s  "
        f"{n_events / copy_par:9,.0f} events/s  (parallel streams, for reference)"
    )
    ratio = api_rate / copy_rate
    print(
        f"API / COPY:  {ratio:.0%}  (goal ≥ 50 %: {'met' if ratio >= 0.5 else 'MISSED'}); "
        f"DEBUG={settings.DEBUG} in this process, off in the server"
    )
    print(machine_load())


if __name__ == "__main__":
    main()
