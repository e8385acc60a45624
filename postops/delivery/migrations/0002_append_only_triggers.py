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

from postops.core.db import append_only_triggers


class Migration(migrations.Migration):
    dependencies = [
        ("delivery", "0001_run_sheets_attempts_handover"),
        # postops_audit_locked() (SQLite) and the maintenance setting come from core.
        ("core", "0003_auditentry_append_only_triggers"),
    ]

    operations = [
        append_only_triggers("delivery_deliveryattempt", "delivery_handover"),
    ]
