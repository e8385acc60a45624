"""Database triggers that make ``notify_messageattempt`` append-only below the ORM.

The same scheme as ``core`` migration 0003 (read its docstring). A later migration that
alters ``MessageAttempt`` on SQLite must add ``append_only_triggers(table, sqlite_only=True)``.
"""

from django.db import migrations

from postops.core.db import append_only_triggers


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0001_outbox_messages_and_attempts"),
        ("core", "0003_auditentry_append_only_triggers"),
    ]

    operations = [
        append_only_triggers("notify_messageattempt"),
    ]
