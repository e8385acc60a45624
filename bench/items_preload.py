"""Preload PostgreSQL with postal items and their tracking history (issue #3, item 15).

    DBURL=$(bench/pg-bench.sh start /tmp/pg-bench)       # tuned throwaway cluster
    export DATABASE_URL=$DBURL POSTOPS_DEBUG=1
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py seed_demo
    .venv/bin/python bench/items_preload.py [--items 1000000]

Builds ``--items`` items over the demo province's offices (``seed_demo``, Lạng Sơn by
default) accepted over the last 180 days, each with a journey of 5–15 tracking events
(10.2 on average, so a million items bring about ten million events) that the transition
table of ``postops.items.rules`` accepts: acceptance, transit and sorting at the provincial
post office, arrival at the delivery office, zero to two failed attempts with a reason and
an action code, then delivery, collection at the counter or a pick-up point, or return to
sender. The newest 3 % are still on their way. Each item's state row (``items_itemstate``)
holds the outcome of its last event, as the event services would have left them.

Fast path, all in one transaction (a failure leaves the database as it was): secondary
indexes, unique and foreign-key constraints of the two tables are dropped, rows are made
by ``INSERT … SELECT … FROM generate_series`` inside the server, events inserted in the
order they happened (as they would arrive), then the indexes and constraints are rebuilt
from their saved definitions and the tables vacuumed and analysed. The tracking table is
append-only (triggers refuse UPDATE, DELETE and TRUNCATE): this only inserts. No audit
entries are written: these rows stand for history loaded from elsewhere, not for actions
taken through PostOps. PostgreSQL only.
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("POSTOPS_DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from items_data import (  # noqa: E402
    check_item_columns,
    demo_network,
    demo_tariff_id,
    item_columns_sql,
    machine_load,
    plan_sql,
    sql_int_array,
)

from postops.core import s10  # noqa: E402
from postops.items import rules  # noqa: E402

SERIAL_BASE = 60_000_000  # demo blocks use 20,000,000+; events_ingest.py uses 80,000,000+
SPAN_DAYS = 180
IN_PROGRESS_SHARE = 0.03
SLOTS = 10_000
REASONS = ["R01", "R02", "R03", "R04", "R05"]  # postops/items/data/item_config.json

# --- Journeys ------------------------------------------------------------------------------
# Roles: O accepting office, U its post office, P provincial post office (sorting centre),
# T the delivery office's post office, D the delivery office.


def _journeys(rng: random.Random) -> list[tuple[float, bool, list[tuple[str, str, int]]]]:
    """(share, local, [(event code, role, minutes after the previous event)]).

    Shares: 3 % accepted and delivered by the same office; otherwise a transit scan pair at
    the accepting post office and at the delivering one (75 % each), arrival and departure
    scans at the provincial centre besides its sorting scans (50 %), 0/1/2 failed attempts
    (72/18/10 %); 8 % of those refused at the first attempt and 40 % of those failed twice go
    back to the sender. Journeys longer than
    15 events are left out (their share goes to the others).
    """
    out: list[tuple[float, bool, list]] = []

    def gap(lo, hi):
        return rng.randint(lo, hi)

    # Accepted at the delivering office itself (same commune), delivered on the second try.
    local = [
        ("accepted", "O", 0),
        ("out_for_delivery", "O", gap(60, 240)),
        ("delivery_failed", "O", gap(60, 300)),
        ("out_for_delivery", "O", 2880),
        ("delivered", "O", gap(30, 240)),
    ]
    out.append((0.03, True, local))
    endings_by_attempts = {
        0: (("deliver", 0.9), ("pickup", 0.1)),
        1: (("deliver", 0.8), ("held", 0.12), ("return", 0.08)),  # refused: back at once
        2: (("deliver", 0.45), ("held", 0.15), ("return", 0.4)),
    }
    for transit_o, p_o in ((False, 0.25), (True, 0.75)):
        for transit_d, p_d in ((False, 0.25), (True, 0.75)):
            for centre, p_c in ((False, 0.5), (True, 0.5)):
                for attempts, p_a in ((0, 0.72), (1, 0.18), (2, 0.10)):
                    for ending, p_e in endings_by_attempts[attempts]:
                        steps = _journey(gap, transit_o, transit_d, centre, attempts, ending)
                        if len(steps) <= 15:
                            share = 0.97 * p_o * p_d * p_c * p_a * p_e
                            out.append((share, False, steps))
    return out


def _journey(gap, transit_o, transit_d, centre, attempts, ending):
    steps = [("accepted", "O", 0)]
    if transit_o:
        steps += [
            ("transit_arrival", "U", gap(90, 240)),
            ("transit_departure", "U", gap(60, 180)),
        ]
    if centre:
        steps += [("transit_arrival", "P", gap(180, 480))]
    steps += [
        ("sorting_in", "P", gap(20, 90) if centre else gap(180, 480)),
        ("sorting_out", "P", gap(60, 240)),
    ]
    if centre:
        steps += [("transit_departure", "P", gap(20, 120))]
    if transit_d:
        steps += [
            ("transit_arrival", "T", gap(120, 360)),
            ("transit_departure", "T", gap(60, 120)),
        ]
    steps += [("delivery_office_arrival", "D", gap(120, 300))]
    if ending == "pickup":
        return steps + [
            ("pickup_point_arrival", "D", gap(60, 600)),
            ("delivered", "D", gap(240, 4320)),
        ]
    for k in range(attempts):
        steps += [
            # Two invitations two working days apart (Postal Law 49/2010).
            ("out_for_delivery", "D", gap(600, 900) if k == 0 else 2880),
            ("delivery_failed", "D", gap(60, 360)),
        ]
    if ending == "deliver":
        return steps + [
            ("out_for_delivery", "D", gap(600, 900) if not attempts else 2880),
            ("delivered", "D", gap(30, 300)),
        ]
    if ending == "held":
        return steps + [("held", "D", gap(30, 120)), ("delivered", "D", gap(600, 4320))]
    return steps + [  # back to the sender
        ("return_started", "D", 2880),
        ("sorting_in", "P", gap(300, 600)),
        ("sorting_out", "P", gap(60, 240)),
        ("delivery_office_arrival", "O", gap(180, 480)),
        ("delivered", "O", gap(600, 4320)),  # the sender collects it at the counter
    ]


def _final_status(steps) -> rules.Status:
    status = None
    for code, _role, _gap in steps:
        status = rules.transition(status, code)  # raises if the journey breaks a rule
    return status


def templates(seed: int = 20) -> tuple[list[dict], list[int], list[int]]:
    """Journey templates, finished and still on the way, and the slots that weight them."""
    rng = random.Random(seed)
    journeys = _journeys(rng)
    tpls = []
    finished_slots: list[int] = []
    progress_slots: list[int] = []
    total_weight = sum(w for w, _l, _s in journeys)  # < 1: long ones left out
    for weight, local, steps in journeys:
        for cut in range(5, len(steps) + 1):
            part = steps[:cut]
            tid = len(tpls)
            offsets, at = [], 0
            for _code, _role, minutes in part:
                at += minutes
                offsets.append(at)
            tpls.append(
                {
                    "tid": tid,
                    "local": local,
                    "steps": [(c, r, o) for (c, r, _m), o in zip(part, offsets, strict=True)],
                    "status": _final_status(part).value,
                    "total": max(at, 1),
                }
            )
            share = round(SLOTS * weight / total_weight)
            if cut == len(steps):
                finished_slots += [tid] * max(share, 1)
            else:
                progress_slots += [tid] * max(share // (len(steps) - 4), 1)
    return tpls, finished_slots, progress_slots


# --- Fast load -----------------------------------------------------------------------------


def _saved_definitions(cur, table: str) -> tuple[list[str], list[str]]:
    """(DROP statements, CREATE statements) for the secondary indexes, unique and foreign-key
    constraints of ``table``; the primary key stays (other tables' foreign keys need it)."""
    cur.execute(
        """
        SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint
        WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC
        """,
        [table],
    )
    constraints = cur.fetchall()
    cur.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
        WHERE i.indrelid = %s::regclass AND NOT i.indisprimary
          AND i.indexrelid NOT IN (SELECT conindid FROM pg_constraint WHERE conrelid = %s::regclass)
        """,
        [table, table],
    )
    indexes = cur.fetchall()
    drops = [f'ALTER TABLE {table} DROP CONSTRAINT "{n}"' for n, _t, _d in constraints]
    drops += [f"DROP INDEX {n}" for n, _d in indexes]
    creates = [d for _n, d in indexes]
    # Unique constraints before foreign keys ('u' sorts after 'f': reverse the order).
    creates += [
        f'ALTER TABLE {table} ADD CONSTRAINT "{n}" {d}' for n, _t, d in reversed(constraints)
    ]
    return drops, creates


def load(n_items: int, province: str) -> None:
    if connection.vendor != "postgresql":
        raise SystemExit("items_preload.py needs PostgreSQL (DATABASE_URL=postgres://...)")
    network = demo_network(province)
    tpls, finished_slots, progress_slots = templates()
    mean = sum(len(tpls[t]["steps"]) for t in finished_slots) / len(finished_slots)
    print(
        f"{len(tpls)} journey templates, {mean:.2f} events per finished item; "
        f"{len(network.counters)} counters + provincial post office {network.provincial}"
    )
    print(machine_load())
    hubs = sql_int_array([network.hub_of[c] for c in network.counters])
    n_c = len(network.counters)
    timings: list[tuple[str, float]] = []
    began = time.perf_counter()

    def lap(label: str, since: float) -> float:
        now = time.perf_counter()
        timings.append((label, now - since))
        print(f"  {label:<44} {now - since:8.1f} s", flush=True)
        return now

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL work_mem = '1GB'")
        cur.execute("SELECT count(*) FROM items_item WHERE number ~ '^[A-Z]{2}6[0-9]{7}[0-9]VN$'")
        if cur.fetchone()[0]:
            raise SystemExit("this database already holds preloaded items (serials 6xxxxxxx)")
        cur.execute("SELECT coalesce(max(id), 0) FROM items_item")
        id_base = cur.fetchone()[0]
        t = time.perf_counter()
        cur.execute(
            "CREATE TEMP TABLE bench_tpl (tid int PRIMARY KEY, local boolean, status text, "
            "last_code text, last_role text, total int) ON COMMIT DROP"
        )
        cur.execute(
            "CREATE TEMP TABLE bench_step (tid int, seq int, code text, role text, "
            "offset_min int) ON COMMIT DROP"
        )
        with cur.cursor.copy("COPY bench_tpl FROM STDIN") as copy:
            for tp in tpls:
                code, role, _o = tp["steps"][-1]
                copy.write_row((tp["tid"], tp["local"], tp["status"], code, role, tp["total"]))
        with cur.cursor.copy("COPY bench_step FROM STDIN") as copy:
            for tp in tpls:
                for seq, (code, role, offset) in enumerate(tp["steps"]):
                    copy.write_row((tp["tid"], seq, code, role, offset))
        done_cut = int(n_items * (1 - IN_PROGRESS_SHARE))
        # One row per item: hashes, offices, journey, acceptance time and the stretch factor
        # that keeps the whole journey in the past.
        cur.execute(
            f"""
            CREATE TEMP TABLE bench_plan ON COMMIT DROP AS
            SELECT p.*, {id_base} + p.n AS id, t.tid, t.local, t.status, t.last_code,
                   t.last_role, t.total, a.accepted_at,
                   least(0.8 + (p.h4 % 400) / 1000.0,
                         extract(epoch FROM now() - a.accepted_at) / 60 * 0.95 / t.total)
                       AS stretch,
                   ({hubs})[1 + p.h1 % {n_c}] AS origin_hub,
                   ({hubs})[1 + p.h2 % {n_c}] AS dest_hub
            FROM ({plan_sql(network, 1, n_items)}) AS p
            CROSS JOIN LATERAL (
                SELECT CASE WHEN p.n <= {done_cut}
                    THEN ({sql_int_array(finished_slots)})[1 + p.h3 / 7 % {len(finished_slots)}]
                    ELSE ({sql_int_array(progress_slots)})[1 + p.h3 / 7 % {len(progress_slots)}]
                    END AS tid
            ) AS pick
            JOIN bench_tpl t ON t.tid = pick.tid
            CROSS JOIN LATERAL (
                SELECT now() - interval '{SPAN_DAYS} days'
                       + (p.n - 1) * interval '1 second' * {SPAN_DAYS * 86400 / n_items}
                       - (p.h5 % 600) * interval '1 second' AS accepted_at
            ) AS a
            """
        )
        # Local items are delivered by the office that accepted them.
        cur.execute("UPDATE bench_plan SET dest_id = origin_id, dest_hub = origin_hub WHERE local")
        t = lap("plan (1 row per item, temp table)", t)

        drops, creates = [], []
        for table in ("items_trackingevent", "items_itemstate", "items_item"):
            d, c = _saved_definitions(cur, table)
            drops += d
            creates += c
        for sql in drops:
            cur.execute(sql)
        t = lap(f"drop {len(drops)} indexes and constraints", t)

        columns = item_columns_sql(network, demo_tariff_id(), SERIAL_BASE)
        role_office = (
            "CASE {r} WHEN 'O' THEN p.origin_id WHEN 'U' THEN p.origin_hub "
            f"WHEN 'P' THEN {network.provincial} WHEN 'T' THEN p.dest_hub ELSE p.dest_id END"
        )
        columns.update(
            {
                "id": "p.id",
                "destination_office_id": "p.dest_id",
            }
        )
        check_item_columns(columns)
        names = ", ".join(columns)
        cur.execute(
            f"INSERT INTO items_item ({names}) "
            f"SELECT {', '.join(columns.values())} FROM bench_plan AS p ORDER BY p.n"
        )
        items_made = cur.rowcount
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('items_item', 'id'), "
            "(SELECT max(id) FROM items_item))"
        )
        t = lap(f"insert {items_made:,} items", t)
        cur.execute(
            f"""
            INSERT INTO items_itemstate (item_id, status, last_event_code, last_office_id,
                last_event_at)
            SELECT p.id, p.status, p.last_code, {role_office.format(r="p.last_role")},
                   p.accepted_at + p.total * p.stretch * interval '1 minute'
            FROM bench_plan AS p ORDER BY p.id
            """
        )
        t = lap(f"insert {cur.rowcount:,} item states", t)

        # Events in the order they happened, as scanners would have sent them.
        reasons = "ARRAY[" + ",".join(f"'{r}'" for r in REASONS) + "]"
        cur.execute(
            f"""
            INSERT INTO items_trackingevent (event_id, item_id, code, office_id, actor_id,
                actor_label, occurred_at, recorded_at, reason_code, action_code, latitude,
                longitude, note)
            SELECT md5('preload-' || p.n || '-' || s.seq)::uuid, p.id, s.code,
                   {role_office.format(r="s.role")}, NULL, 'bench-preload', e.at,
                   e.at + (1 + (p.h6 + s.seq) % 240) * interval '1 minute',
                   CASE WHEN s.code = 'delivery_failed'
                        THEN ({reasons})[1 + (p.h6 + s.seq) % {len(REASONS)}] ELSE '' END,
                   CASE WHEN s.code = 'delivery_failed'
                        THEN CASE WHEN s.seq < 8 THEN 'A01' ELSE 'A03' END ELSE '' END,
                   CASE WHEN s.code IN ('delivered', 'delivery_failed')
                        THEN round(21.3 + (p.h4 % 100000) / 100000.0, 6) END,
                   CASE WHEN s.code IN ('delivered', 'delivery_failed')
                        THEN round(106.2 + (p.h5 % 100000) / 100000.0, 6) END,
                   ''
            FROM bench_plan AS p
            JOIN bench_step AS s ON s.tid = p.tid
            CROSS JOIN LATERAL (
                SELECT p.accepted_at + s.offset_min * p.stretch * interval '1 minute' AS at
            ) AS e
            ORDER BY e.at
            """
        )
        events_made = cur.rowcount
        t = lap(f"insert {events_made:,} events (ordered by time)", t)
        for sql in creates:
            cur.execute(sql)
        t = lap(f"rebuild {len(creates)} indexes and constraints", t)
    t = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("VACUUM (ANALYZE) items_item")
        cur.execute("VACUUM (ANALYZE) items_itemstate")
        cur.execute("VACUUM (ANALYZE) items_trackingevent")
    t = lap("vacuum and analyse", t)
    total = time.perf_counter() - began
    verify(sample=300)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('items_item')), "
            "pg_size_pretty(pg_total_relation_size('items_trackingevent')), "
            "(SELECT count(*) FROM items_item), (SELECT count(*) FROM items_trackingevent)"
        )
        item_size, event_size, item_count, event_count = cur.fetchone()
    print(
        f"loaded {items_made:,} items and {events_made:,} events in {total:.0f} s; "
        f"database now holds {item_count:,} items ({item_size}) and "
        f"{event_count:,} events ({event_size})"
    )
    print(machine_load())


def verify(sample: int) -> None:
    """Replay the stored history of ``sample`` random preloaded items through the rules:
    the status column must be what the events give, numbers must pass the S10 check."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT i.id, i.number, s.status, s.last_event_code FROM items_item i "
            "JOIN items_itemstate s ON s.item_id = i.id "
            "WHERE i.number ~ '^[A-Z]{2}6' ORDER BY random() LIMIT %s",
            [sample],
        )
        items = cur.fetchall()
        cur.execute(
            "SELECT item_id, code FROM items_trackingevent WHERE item_id = ANY(%s) "
            "ORDER BY item_id, occurred_at, id",
            [[i[0] for i in items]],
        )
        history: dict[int, list[str]] = {}
        for item_id, code in cur.fetchall():
            history.setdefault(item_id, []).append(code)
    for item_id, number, status, last_code in items:
        assert s10.is_valid(number), number
        codes = history[item_id]
        assert 5 <= len(codes) <= 15, (number, codes)
        replayed = None
        for code in codes:
            replayed = rules.transition(replayed, code)
        assert (replayed.value, codes[-1]) == (status, last_code), (number, codes, status)
    print(f"checked {len(items)} random items: S10 valid, 5–15 events, status = replay")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--province", default="20")
    args = parser.parse_args()
    if not 1 <= args.items <= 10_000_000:
        raise SystemExit("--items must be between 1 and 10,000,000 (serials 60,000,000+)")
    load(args.items, args.province)


if __name__ == "__main__":
    main()
