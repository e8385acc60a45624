"""Shared by the items benchmarks: the demo network's offices and set-based item generation.

Not a benchmark itself. ``items_preload.py`` fills the database with it and
``events_ingest.py`` makes fresh items to scan with it; both write with one ``INSERT …
SELECT … FROM generate_series`` so that a million rows take seconds, not an hour.

Items follow the same rules as ``item_accept``: an S10 number with its check digit (UPU S10,
weights 8 6 4 2 3 5 9 7), a configured prefix, receiver address in the 2025 scheme, money in
integer đồng. Values come from a hash of the item's position (``hashint8``), so two runs
with the same arguments build the same data.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from django.db import connection

from postops.demo.names import (
    FAMILY,
    GIVEN_FEMALE,
    GIVEN_MALE,
    MIDDLE_FEMALE,
    MIDDLE_MALE,
    STREETS,
    VILLAGES,
)

# S10 prefix (configured in postops/items/data/item_config.json) → service, with its share.
PREFIXES = [("EB", "ems", 35), ("CP", "parcel", 30), ("RR", "registered", 25), ("UA", "letter_goods", 5), ("VV", "insured", 5)]  # fmt: skip
SHOPS = [
    "Cửa hàng Hoa Mai",
    "Shop Thời trang Lan Anh",
    "Nông sản Mẫu Sơn",
    "Đặc sản Lạng Sơn Quê Tôi",
    "Công ty TNHH Thương mại Kỳ Lừa",
    "Nhà sách Tân Thanh",
]


@dataclass
class Network:
    """Ids of the demo province's offices, by the part they play in a journey."""

    provincial: int  # the provincial post office: sorting centre
    counters: list[int]  # post offices, commune post offices, BĐVHX: accept and deliver
    hub_of: dict[int, int]  # counter → its post office (itself for a post office)
    commune_of: dict[int, str]


def demo_network(province_code: str = "20") -> Network:
    """The offices ``manage.py seed_demo`` built for ``province_code`` (refuses without)."""
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT o.id, o.kind, o.parent_id, o.commune_id
            FROM network_office o JOIN network_commune c ON c.code = o.commune_id
            WHERE c.province_id = %s AND o.kind <> 'payout_point' AND o.is_active
            ORDER BY o.code
            """,
            [province_code],
        )
        rows = cur.fetchall()
    provincial = [r[0] for r in rows if r[1] == "provincial"]
    if not provincial:
        raise SystemExit(f"no demo network for province {province_code}: run manage.py seed_demo")
    counters = [r[0] for r in rows if r[1] != "provincial"]
    kinds = {r[0]: r for r in rows}
    hub_of = {c: c if kinds[c][1] == "post_office" else kinds[c][2] for c in counters}
    return Network(provincial[0], counters, hub_of, {r[0]: r[3] for r in rows})


def sql_text_array(values: list[str]) -> str:
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]::text[]"


def sql_int_array(values: list[int]) -> str:
    return "ARRAY[" + ",".join(str(int(v)) for v in values) + "]::bigint[]"


def s10_sql(prefix: str, serial: str) -> str:
    """SQL for the S10 number of ``prefix`` (text) and ``serial`` (integer expression):
    C = 11 − (Σ dᵢ·wᵢ mod 11), 10 → 0, 11 → 5 (domain.md §3)."""
    weights = [8, 6, 4, 2, 3, 5, 9, 7]
    total = " + ".join(f"{w} * (({serial}) / {10 ** (7 - i)} % 10)" for i, w in enumerate(weights))
    check = f"(11 - (({total}) % 11))"
    return (
        f"({prefix} || lpad(({serial})::text, 8, '0') || "
        f"(CASE {check} WHEN 10 THEN 0 WHEN 11 THEN 5 ELSE {check} END)::text || 'VN')"
    )


def plan_sql(network: Network, first: int, last: int) -> str:
    """A SELECT of one row per item ``n`` in ``first``..``last``: its hashes ``h1``–``h6``
    and its offices (origin and destination among the counters). Run it without
    parameters: ``%`` in these statements is SQL's modulo."""
    counters = sql_int_array(network.counters)
    n_c = len(network.counters)
    return f"""
        SELECT n, h1, h2, h3, h4, h5, h6,
               ({counters})[1 + h1 % {n_c}] AS origin_id,
               ({counters})[1 + h2 % {n_c}] AS dest_id
        FROM (
            SELECT n,
                   abs(hashint8(n * 8 + 1)::bigint) AS h1,
                   abs(hashint8(n * 8 + 2)::bigint) AS h2,
                   abs(hashint8(n * 8 + 3)::bigint) AS h3,
                   abs(hashint8(n * 8 + 4)::bigint) AS h4,
                   abs(hashint8(n * 8 + 5)::bigint) AS h5,
                   abs(hashint8(n * 8 + 6)::bigint) AS h6
            FROM generate_series({int(first)}::bigint, {int(last)}::bigint) AS n
        ) AS hashed
    """


def item_columns_sql(
    network: Network, tariff_version_id: int | None, serial_base: int
) -> dict[str, str]:
    """Column → SQL expression over a plan row ``p`` (see :func:`plan_sql`) and
    ``p.accepted_at``. Status columns are left to the caller."""
    prefix_slots: list[tuple[str, str]] = []
    for prefix, service, share in PREFIXES:
        prefix_slots += [(prefix, service)] * share
    prefixes = sql_text_array([p for p, _s in prefix_slots])
    services = sql_text_array([s for _p, s in prefix_slots])
    slot = f"1 + p.h3 % {len(prefix_slots)}"
    communes = sql_text_array([network.commune_of[c] for c in network.counters])
    n_c = len(network.counters)
    family, mid_m, mid_f = (sql_text_array(x) for x in (FAMILY, MIDDLE_MALE, MIDDLE_FEMALE))
    giv_m, giv_f = sql_text_array(GIVEN_MALE), sql_text_array(GIVEN_FEMALE)
    streets, villages = sql_text_array(STREETS), sql_text_array(VILLAGES)
    shops = sql_text_array(SHOPS)

    def person(h: str) -> str:
        return (
            f"CASE WHEN {h} % 2 = 0 THEN "
            f"({family})[1 + {h} / 2 % {len(FAMILY)}] || ' ' || "
            f"({mid_m})[1 + {h} / 64 % {len(MIDDLE_MALE)}] || ' ' || "
            f"({giv_m})[1 + {h} / 1024 % {len(GIVEN_MALE)}] "
            f"ELSE ({family})[1 + {h} / 2 % {len(FAMILY)}] || ' ' || "
            f"({mid_f})[1 + {h} / 64 % {len(MIDDLE_FEMALE)}] || ' ' || "
            f"({giv_f})[1 + {h} / 1024 % {len(GIVEN_FEMALE)}] END"
        )

    def street(h: str) -> str:
        return (
            f"CASE WHEN {h} % 3 = 0 THEN 'Số ' || (1 + {h} / 3 % 250) || ' đường ' || "
            f"({streets})[1 + {h} / 999 % {len(STREETS)}] "
            f"ELSE ({villages})[1 + {h} / 999 % {len(VILLAGES)}] END"
        )

    weight = "(50 + p.h4 % 4950)"
    commune_at = f"({communes})[1 + p.h1 % {n_c}]"
    receiver_commune = f"({communes})[1 + p.h2 % {n_c}]"
    # Same order as plan_sql's office array: h1/h2 pick the office and its commune alike.
    return {
        "number": s10_sql(f"({prefixes})[{slot}]", f"{int(serial_base)} + p.n"),
        "service": f"({services})[{slot}]",
        "sender_name": f"CASE WHEN p.h5 % 10 < 3 THEN ({shops})[1 + p.h5 / 10 % {len(SHOPS)}] "
        f"ELSE {person('(p.h5 / 16)')} END",
        "sender_phone": "'09' || lpad((p.h5 % 100000000)::text, 8, '0')",
        "sender_scheme": "'2025'",
        "sender_commune_code": commune_at,
        "sender_street": street("p.h5"),
        "sender_raw": street("p.h5"),
        "receiver_name": person("p.h6"),
        "receiver_phone": "'03' || lpad((p.h6 % 100000000)::text, 8, '0')",
        "receiver_scheme": "'2025'",
        "receiver_commune_code": receiver_commune,
        "receiver_street": street("p.h6"),
        "receiver_raw": street("p.h6"),
        "contents": "CASE WHEN p.h4 % 5 = 0 THEN 'Hồ sơ, giấy tờ' WHEN p.h4 % 5 = 1 "
        "THEN 'Quần áo' WHEN p.h4 % 5 = 2 THEN 'Đặc sản' ELSE 'Hàng hóa' END",
        "weight_g": weight,
        # Four in ten e-commerce parcels carry COD; amounts in whole thousands of đồng.
        "cod_amount": "CASE WHEN p.h4 % 10 < 4 THEN (50 + p.h4 / 10 % 1950) * 1000 ELSE 0 END",
        "declared_value": "0",
        # Roughly the demo tariff (VAT included), rounded to 100 đồng.
        "fee": f"(13000 + {weight} / 500 * 4000) / 100 * 100",
        "tariff_version_id": str(tariff_version_id) if tariff_version_id else "NULL",
        "promised_date": "(p.accepted_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date + (2 + p.h3 % 3)::int",
        "origin_office_id": "p.origin_id",
        "destination_office_id": "p.dest_id",
        "accepted_at": "p.accepted_at",
        "accepted_by_id": "NULL",
        "idempotency_scope": "''",
        "idempotency_key": "''",
        "request_hash": "''",
        "created_at": "p.accepted_at",
    }


def check_item_columns(columns: dict[str, str]) -> None:
    """Fill required columns the item table gained after this generator was written with
    their type's empty value ('' / 0 / false, what a Django default usually is); stop for
    any other type, so that nothing is guessed silently."""
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT column_name, data_type FROM information_schema.columns
            WHERE table_name = 'items_item' AND is_nullable = 'NO' AND column_default IS NULL
              AND is_identity = 'NO'
            """
        )
        missing = {name: kind for name, kind in cur.fetchall() if name not in columns}
    empty = {"character varying": "''", "text": "''", "boolean": "false", "integer": "0",
             "bigint": "0", "smallint": "0"}  # fmt: skip
    unknown = {name: kind for name, kind in missing.items() if kind not in empty}
    if unknown:
        raise SystemExit(f"items_item has new required columns, fill them here: {unknown}")
    for name, kind in missing.items():
        print(f"note: items_item.{name} ({kind}) not known here, filled with {empty[kind]}")
        columns[name] = empty[kind]


def machine_load() -> str:
    """The load averages (1, 5, 15 min) and CPU count, printed with every result: other
    work on the machine changes the figures, so the record says how busy it was."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def demo_tariff_id() -> int | None:
    with connection.cursor() as cur:
        cur.execute("SELECT id FROM items_tariffversion ORDER BY effective_from DESC LIMIT 1")
        row = cur.fetchone()
    return row[0] if row else None
