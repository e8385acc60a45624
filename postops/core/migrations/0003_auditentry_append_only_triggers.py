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
a later migration that alters ``AuditEntry`` must add ``append_only_triggers(table, sqlite_only=True)``; the test
``test_append_only_triggers_exist`` fails until it does.
"""

from django.db import migrations

from postops.core.db import append_only_triggers


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_auditentry_keyset_indexes"),
    ]

    operations = [
        append_only_triggers("core_auditentry"),
    ]
