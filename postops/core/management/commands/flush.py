"""``manage.py flush`` that may also empty the append-only audit table.

Flushing removes every row of every table (test teardown, resetting a demo); the audit
triggers refuse row deletes, so this command opens :func:`postops.core.db.audit_maintenance`
for its duration and for nothing else.
"""

from django.core.management.commands.flush import Command as FlushCommand
from django.db import DEFAULT_DB_ALIAS, connections

from postops.core.db import audit_maintenance


class Command(FlushCommand):
    def handle(self, **options):
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        with audit_maintenance(connection):
            return super().handle(**options)
