"""Database plumbing for the append-only audit table (see core migration 0003).

``register_sqlite_functions`` gives every SQLite connection the ``postops_audit_locked()``
function that the SQLite DELETE trigger consults; :func:`audit_maintenance` opens the one
door the triggers leave: wiping the whole database with ``manage.py flush`` (tests, demo).
"""

from __future__ import annotations

from contextlib import contextmanager

import psycopg
from django.db import connection as default_connection

_FLAG = "_postops_audit_maintenance"


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: add ``postops_audit_locked()`` to SQLite connections."""
    if connection.vendor != "sqlite":
        return
    wrapper = connection

    def locked() -> int:
        return 0 if getattr(wrapper, _FLAG, False) else 1

    connection.connection.create_function("postops_audit_locked", 0, locked)


@contextmanager
def audit_maintenance(connection):
    """Let ``connection`` empty ``core_auditentry`` (TRUNCATE on PostgreSQL, DELETE on
    SQLite) inside the block. Only ``manage.py flush`` uses it: updates stay refused."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET postops.audit_maintenance = 'on'")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET postops.audit_maintenance")
        return
    setattr(connection, _FLAG, True)
    try:
        yield
    finally:
        setattr(connection, _FLAG, False)


# --- Append-only tables ----------------------------------------------------------------------
#
# One scheme for every history table (audit, tracking events, dossier events, COD movements,
# delivery attempts…): UPDATE and DELETE are refused by a trigger below the ORM, so raw SQL
# and ORM paths nobody thought of are stopped too (issue #2 item 6). Emptying the whole
# database with ``manage.py flush`` passes through the maintenance door above
# (``postops.audit_maintenance`` on PostgreSQL, ``postops_audit_locked()`` on SQLite).
# SQLite drops a table's triggers when Django rebuilds the table (most ``AlterField``s), so a
# later migration that rebuilds one of these tables must add ``append_only_triggers(table)``
# again; each app's ``test_append_only_triggers_exist`` fails until it does.


def append_only_sql(table: str, vendor: str) -> tuple[list[str], list[str]]:
    """The (create, drop) statements that make ``table`` append-only on ``vendor``.

    Empty lists for a backend without triggers. The statements carry no parameters: the
    PL/pgSQL body uses ``%`` as its own placeholder.
    """
    if vendor == "postgresql":
        create = [
            f"""
    CREATE FUNCTION {table}_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE'
           AND coalesce(current_setting('postops.audit_maintenance', true), '') = 'on' THEN
            RETURN NULL;
        END IF;
        RAISE EXCEPTION '{table} is append-only: % refused', TG_OP
            USING ERRCODE = 'restrict_violation';
    END
    $$
    """,
            f"""
    CREATE TRIGGER {table}_no_update_delete
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {table}_append_only()
    """,
            f"""
    CREATE TRIGGER {table}_no_truncate
    BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()
    """,
        ]
        drop = [
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
            f"DROP TRIGGER IF EXISTS {table}_no_update_delete ON {table}",
            f"DROP FUNCTION IF EXISTS {table}_append_only()",
        ]
        return create, drop
    if vendor == "sqlite":
        create = [
            f"""
    CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
    BEGIN
        SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused');
    END
    """,
            f"""
    CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
    WHEN postops_audit_locked()
    BEGIN
        SELECT RAISE(ABORT, '{table} is append-only: DELETE refused');
    END
    """,
        ]
        drop = [
            f"DROP TRIGGER IF EXISTS {table}_no_update",
            f"DROP TRIGGER IF EXISTS {table}_no_delete",
        ]
        return create, drop
    return [], []


def append_only_triggers(*tables: str, sqlite_only: bool = False):
    """A migration operation that makes ``tables`` append-only (reversible).

    Migrations that use it depend on ``core.0003_auditentry_append_only_triggers`` (the
    SQLite function and the PostgreSQL maintenance setting). ``sqlite_only=True`` re-creates
    the SQLite triggers after a table rebuild, where PostgreSQL kept its own.
    """
    from django.db import migrations

    def forwards(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if sqlite_only and vendor != "sqlite":
            return
        for table in tables:
            create, drop = append_only_sql(table, vendor)
            # After a possible rebuild the triggers may or may not still be there.
            for sql in (drop + create) if sqlite_only else create:
                schema_editor.execute(sql, params=None)

    def backwards(apps, schema_editor):
        if sqlite_only:
            return  # the earlier migration that created them still wants them
        for table in tables:
            for sql in append_only_sql(table, schema_editor.connection.vendor)[1]:
                schema_editor.execute(sql, params=None)

    return migrations.RunPython(forwards, backwards, elidable=False)


# --- Prepared statements (PostgreSQL) ---------------------------------------------------------
#
# Django's cursors bind parameters on the client and never prepare, so PostgreSQL parses and
# plans each statement at each run. For the hottest statements of the public endpoints (a
# tracking lookup, a rate-limit count) that costs more than running them (docs/benchmarks.md).
# PostOps connects to PostgreSQL directly (or through a pooler that keeps prepared statements:
# PgBouncer >= 1.21 with max_prepared_statements).


class PreparedCursor(psycopg.Cursor):
    """A server-side-binding cursor that prepares every statement it runs and asks for
    results in binary: psycopg's C loaders read binary timestamps without parsing text
    (and without Django's time-zone loader, a Python call per value; they come back in
    the connection's time zone, UTC)."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=True)


def fetch_prepared(sql: str, params, connection=default_connection) -> list[tuple]:
    """Rows of ``sql`` run as a statement prepared on the PostgreSQL ``connection`` at its
    first run (``%s`` placeholders; later runs skip parsing and, once PostgreSQL keeps its
    generic plan after five runs, planning). Wrapped like Django's own cursors: errors
    translated, queries logged in tests. PostgreSQL only."""
    connection.ensure_connection()
    with connection._prepare_cursor(PreparedCursor(connection.connection)) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
