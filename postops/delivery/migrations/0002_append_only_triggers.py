"""Database triggers that make delivery attempts and handovers append-only below the ORM.

The same scheme as ``core`` migration 0003 (audit) and ``items`` migration 0002 (tracking
events): UPDATE and DELETE are refused by a trigger; emptying the whole database with
``manage.py flush`` (tests, demo resets) passes through the maintenance door
(``postops.audit_maintenance`` on PostgreSQL, ``postops_audit_locked()`` on SQLite, see
``postops.core.db``).

SQLite drops a table's triggers when Django rebuilds the table, so a later migration that
alters one of these models must create them again; ``test_append_only_triggers_exist`` in
``postops/delivery/tests/test_models.py`` fails until it does.
"""

from django.db import migrations

TABLES = ["delivery_deliveryattempt", "delivery_handover"]


def _sqlite_create(table: str) -> list[str]:
    return [
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


def _sqlite_drop(table: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {table}_no_update", f"DROP TRIGGER IF EXISTS {table}_no_delete"]


def _postgresql_create(table: str) -> list[str]:
    return [
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


def _postgresql_drop(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        f"DROP TRIGGER IF EXISTS {table}_no_update_delete ON {table}",
        f"DROP FUNCTION IF EXISTS {table}_append_only()",
    ]


def _run(schema_editor, builders):
    builder = builders.get(schema_editor.connection.vendor)
    if builder is None:
        return
    for table in TABLES:
        for sql in builder(table):
            # No parameters: the PL/pgSQL body uses "%" as its own placeholder.
            schema_editor.execute(sql, params=None)


def create_triggers(apps, schema_editor):
    _run(schema_editor, {"postgresql": _postgresql_create, "sqlite": _sqlite_create})


def drop_triggers(apps, schema_editor):
    _run(schema_editor, {"postgresql": _postgresql_drop, "sqlite": _sqlite_drop})


class Migration(migrations.Migration):
    dependencies = [
        ("delivery", "0001_run_sheets_attempts_handover"),
        # postops_audit_locked() (SQLite) and the maintenance setting come from core.
        ("core", "0003_auditentry_append_only_triggers"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
