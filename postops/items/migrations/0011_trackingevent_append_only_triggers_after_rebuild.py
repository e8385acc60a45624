"""Re-create the SQLite append-only triggers of ``items_trackingevent``.

Migrations 0007 (no single-column ``item_id`` index) and 0008 (the ``redirected`` event
code) alter ``TrackingEvent``; on SQLite Django rebuilds the table for that and the rebuild
drops its triggers (see 0002's docstring). PostgreSQL kept its own; this does nothing there.
"""

from django.db import migrations

from postops.core.db import append_only_triggers


class Migration(migrations.Migration):
    dependencies = [
        ("items", "0010_drop_unused_item_indexes"),
        ("core", "0003_auditentry_append_only_triggers"),
    ]

    operations = [
        append_only_triggers("items_trackingevent", sqlite_only=True),
    ]
