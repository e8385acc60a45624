"""Database triggers that make ``core_auditentry`` append-only below the ORM.

The model and its queryset already refuse updates and deletes; these triggers also stop raw
SQL and any ORM path we did not think of (issue #2 item 6: "no path updates or deletes an
entry").

* PostgreSQL: a row trigger refuses UPDATE and DELETE; a statement trigger refuses TRUNCATE
  unless the session set ``postops.audit_maintenance = 'on'``, which only the ``flush``
  management command does (``postops.core.db.audit_maintenance``) — wiping a whole test or
  demo database is maintenance, not a path of the application.
* SQLite: a trigger refuses UPDATE; another refuses DELETE while the SQL function
  ``postops_audit_locked()`` answers 1. PostOps registers that function on every connection
  (``postops.core.apps``) and makes it answer 0 only inside ``flush`` (SQLite's flush is a
  ``DELETE FROM`` per table). A connection without the function (the ``sqlite3`` shell) fails
  with "no such function": still refused.

SQLite drops a table's triggers when Django rebuilds the table (most ``AlterField``s do), so
a later migration that alters ``AuditEntry`` must run ``SQLITE_CREATE`` again; the test
``test_append_only_triggers_exist`` fails until it does.
"""

from django.db import migrations

SQLITE_CREATE = [
    """
    CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry
    BEGIN
        SELECT RAISE(ABORT, 'core_auditentry is append-only: UPDATE refused');
    END
    """,
    """
    CREATE TRIGGER core_auditentry_no_delete BEFORE DELETE ON core_auditentry
    WHEN postops_audit_locked()
    BEGIN
        SELECT RAISE(ABORT, 'core_auditentry is append-only: DELETE refused');
    END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_update",
    "DROP TRIGGER IF EXISTS core_auditentry_no_delete",
]

POSTGRESQL_CREATE = [
    """
    CREATE FUNCTION core_auditentry_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE'
           AND coalesce(current_setting('postops.audit_maintenance', true), '') = 'on' THEN
            RETURN NULL;
        END IF;
        RAISE EXCEPTION 'core_auditentry is append-only: % refused', TG_OP
            USING ERRCODE = 'restrict_violation';
    END
    $$
    """,
    """
    CREATE TRIGGER core_auditentry_no_update_delete
    BEFORE UPDATE OR DELETE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only()
    """,
    """
    CREATE TRIGGER core_auditentry_no_truncate
    BEFORE TRUNCATE ON core_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION core_auditentry_append_only()
    """,
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON core_auditentry",
    "DROP TRIGGER IF EXISTS core_auditentry_no_update_delete ON core_auditentry",
    "DROP FUNCTION IF EXISTS core_auditentry_append_only()",
]


def _run(schema_editor, statements_by_vendor):
    statements = statements_by_vendor.get(schema_editor.connection.vendor, [])
    for sql in statements:
        # No parameters: the PL/pgSQL body uses "%" as its own placeholder.
        schema_editor.execute(sql, params=None)


def create_triggers(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL_CREATE, "sqlite": SQLITE_CREATE})


def drop_triggers(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL_DROP, "sqlite": SQLITE_DROP})


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_auditentry_keyset_indexes"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
