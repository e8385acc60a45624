"""Bulk writes of plain tuples, without model instances: ``COPY`` on PostgreSQL.

The payroll import writes up to ~100,000 beneficiaries and lines in one go. Building a
Django model instance per row and letting ``bulk_create``/``bulk_update`` render SQL costs
more than the database's own work, so the importer hands tuples to these helpers:

* PostgreSQL: ``COPY … FROM STDIN`` (psycopg 3) straight into the table; updates go through
  a temporary table and one ``UPDATE … FROM``. Ids for new rows are taken from the table's
  sequence first, so the caller knows them without reading the rows back.
* Other databases (SQLite): one ``executemany`` per call.

Callers run inside their own transaction; these helpers do not open one. They bypass model
``save()``, so the caller fills every column (``auto_now`` ones included) and audits.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models


def _columns(model: type[models.Model], names: Sequence[str]) -> list[models.Field]:
    return [model._meta.get_field(name) for name in names]


def _quoted(fields: Sequence[models.Field]) -> str:
    qn = connection.ops.quote_name
    return ", ".join(qn(field.column) for field in fields)


def _adapt(fields: Sequence[models.Field], rows: Sequence[tuple]) -> Sequence[tuple]:
    """Outside PostgreSQL, datetimes go in as the backend stores them (naive UTC text)."""
    if connection.vendor == "postgresql":
        return rows
    positions = [i for i, f in enumerate(fields) if isinstance(f, models.DateTimeField)]
    if not positions:
        return rows
    adapt = connection.ops.adapt_datetimefield_value
    out = []
    for row in rows:
        row = list(row)
        for i in positions:
            row[i] = adapt(row[i])
        out.append(tuple(row))
    return out


def select_in(
    model: type[models.Model],
    names: Sequence[str],
    equal: dict[str, object],
    key: str,
    values: Sequence,
) -> list[tuple]:
    """``SELECT names FROM model WHERE equal… AND key IN values``, as tuples.

    On PostgreSQL one array parameter (``= ANY(%s)``) instead of thousands of placeholders:
    with 2,000 keys per batch, building and planning the ``IN`` list cost more than the
    lookup itself. Elsewhere the ORM's ``values_list``.
    """
    if not values:
        return []
    if connection.vendor != "postgresql":
        return list(model.objects.filter(**equal, **{f"{key}__in": values}).values_list(*names))
    qn = connection.ops.quote_name
    where = [f"{qn(model._meta.get_field(name).column)} = %s" for name in equal]
    where.append(f"{qn(model._meta.get_field(key).column)} = ANY(%s)")
    table = qn(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_quoted(_columns(model, names))} FROM {table} "  # noqa: S608
            f"WHERE {' AND '.join(where)}",
            [*equal.values(), list(values)],
        )
        return cursor.fetchall()


def reserve_ids(model: type[models.Model], count: int) -> list[int] | None:
    """``count`` fresh primary keys from the table's sequence (PostgreSQL), else ``None``."""
    if connection.vendor != "postgresql" or count == 0:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def insert(model: type[models.Model], names: Sequence[str], rows: Sequence[tuple]) -> None:
    """Insert ``rows`` (tuples in the order of ``names``, field names) into ``model``'s table."""
    if not rows:
        return
    fields = _columns(model, names)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({_quoted(fields)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(
                f"INSERT INTO {table} ({_quoted(fields)}) VALUES ({marks})",  # noqa: S608
                _adapt(fields, rows),
            )


def update(model: type[models.Model], names: Sequence[str], rows: Sequence[tuple]) -> None:
    """Set the columns ``names[1:]`` of the rows whose primary key is the first value."""
    if not rows:
        return
    fields = _columns(model, names)
    pk, rest = fields[0], fields[1:]
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            scratch = qn(f"_upd_{model._meta.db_table}")
            cursor.execute(f"DROP TABLE IF EXISTS {scratch}")
            cursor.execute(
                f"CREATE TEMP TABLE {scratch} ON COMMIT DROP AS "  # noqa: S608
                f"SELECT {_quoted(fields)} FROM {table} WITH NO DATA"
            )
            with cursor.copy(f"COPY {scratch} ({_quoted(fields)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            assignments = ", ".join(f"{qn(f.column)} = u.{qn(f.column)}" for f in rest)
            cursor.execute(
                f"UPDATE {table} AS t SET {assignments} FROM {scratch} AS u "  # noqa: S608
                f"WHERE t.{qn(pk.column)} = u.{qn(pk.column)}"
            )
            cursor.execute(f"DROP TABLE {scratch}")
        else:
            assignments = ", ".join(f"{qn(f.column)} = %s" for f in rest)
            adapted = _adapt(fields, rows)
            cursor.executemany(
                f"UPDATE {table} SET {assignments} WHERE {qn(pk.column)} = %s",  # noqa: S608
                [(*row[1:], row[0]) for row in adapted],
            )


def analyze(*model_list: type[models.Model]) -> None:
    """Refresh the planner's statistics after a bulk load (PostgreSQL; no-op elsewhere).

    Autovacuum analyses a table only after some time; until then the planner may still
    believe a freshly filled table is empty and scan it whole for every lookup of the next
    import (measured: 27 ms instead of 2 ms per batch of 2,000 codes at 100,000 rows).
    Runs outside the caller's transaction; ANALYZE samples, so it costs ~0.1 s.
    """
    if connection.vendor != "postgresql":
        return
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in model_list:
            cursor.execute(f"ANALYZE {qn(model._meta.db_table)}")
