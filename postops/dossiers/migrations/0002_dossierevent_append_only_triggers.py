"""Database triggers that make ``dossiers_dossierevent`` append-only below the ORM.

The same scheme as ``core`` migration 0003 for the audit table (read its docstring): UPDATE
and DELETE are refused by a trigger; emptying the whole database with ``manage.py flush``
(tests, demo resets) passes through the same maintenance door (``postops.audit_maintenance``
on PostgreSQL, ``postops_audit_locked()`` on SQLite, see ``postops.core.db``).

SQLite drops a table's triggers when Django rebuilds the table, so a later migration that
alters ``DossierEvent`` must add ``append_only_triggers(table, sqlite_only=True)``; ``test_append_only_triggers_exist``
in ``postops/dossiers/tests/test_append_only.py`` fails until it does.
"""

from django.db import migrations

from postops.core.db import append_only_triggers


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0001_agencies_procedures_dossiers_handovers"),
        # postops_audit_locked() (SQLite) and the maintenance setting come from core.
        ("core", "0003_auditentry_append_only_triggers"),
    ]

    operations = [
        append_only_triggers("dossiers_dossierevent"),
    ]
