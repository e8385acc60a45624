"""Database triggers that make ``dossiers_dossierevent`` append-only below the ORM.

The same scheme as ``core`` migration 0003 for the audit table (read its docstring): UPDATE
and DELETE are refused by a trigger; emptying the whole database with ``manage.py flush``
(tests, demo resets) passes through the same maintenance door (``postops.audit_maintenance``
on PostgreSQL, ``postops_audit_locked()`` on SQLite, see ``postops.core.db``).

SQLite drops a table's triggers when Django rebuilds the table, so a later migration that
alters ``DossierEvent`` must run ``SQLITE_CREATE`` again; ``test_append_only_triggers_exist``
in ``postops/dossiers/tests/test_append_only.py`` fails until it does.
"""

from django.db import migrations

SQLITE_CREATE = [
    """
    CREATE TRIGGER dossiers_dossierevent_no_update BEFORE UPDATE ON dossiers_dossierevent
    BEGIN
        SELECT RAISE(ABORT, 'dossiers_dossierevent is append-only: UPDATE refused');
    END
    """,
    """
    CREATE TRIGGER dossiers_dossierevent_no_delete BEFORE DELETE ON dossiers_dossierevent
    WHEN postops_audit_locked()
    BEGIN
        SELECT RAISE(ABORT, 'dossiers_dossierevent is append-only: DELETE refused');
    END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS dossiers_dossierevent_no_update",
    "DROP TRIGGER IF EXISTS dossiers_dossierevent_no_delete",
]

POSTGRESQL_CREATE = [
    """
    CREATE FUNCTION dossiers_dossierevent_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE'
           AND coalesce(current_setting('postops.audit_maintenance', true), '') = 'on' THEN
            RETURN NULL;
        END IF;
        RAISE EXCEPTION 'dossiers_dossierevent is append-only: % refused', TG_OP
            USING ERRCODE = 'restrict_violation';
    END
    $$
    """,
    """
    CREATE TRIGGER dossiers_dossierevent_no_update_delete
    BEFORE UPDATE OR DELETE ON dossiers_dossierevent
    FOR EACH ROW EXECUTE FUNCTION dossiers_dossierevent_append_only()
    """,
    """
    CREATE TRIGGER dossiers_dossierevent_no_truncate
    BEFORE TRUNCATE ON dossiers_dossierevent
    FOR EACH STATEMENT EXECUTE FUNCTION dossiers_dossierevent_append_only()
    """,
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS dossiers_dossierevent_no_truncate ON dossiers_dossierevent",
    "DROP TRIGGER IF EXISTS dossiers_dossierevent_no_update_delete ON dossiers_dossierevent",
    "DROP FUNCTION IF EXISTS dossiers_dossierevent_append_only()",
]


def _run(schema_editor, statements_by_vendor):
    for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
        # No parameters: the PL/pgSQL body uses "%" as its own placeholder.
        schema_editor.execute(sql, params=None)


def create_triggers(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL_CREATE, "sqlite": SQLITE_CREATE})


def drop_triggers(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL_DROP, "sqlite": SQLITE_DROP})


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0001_agencies_procedures_dossiers_handovers"),
        # postops_audit_locked() (SQLite) and the maintenance setting come from core.
        ("core", "0003_auditentry_append_only_triggers"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
