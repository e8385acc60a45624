"""A pg_trgm GIN index on the folded name, for the teller's search by name.

Search by name without diacritics is a substring match on ``search_name``
(``LIKE '%word%'``), which a b-tree cannot serve: with 100,000 people per programme every
keystroke would scan the table. A trigram GIN index serves ``LIKE '%…%'`` for words of
three letters or more (PostgreSQL docs, F.35 pg_trgm, "Index Support"). PostgreSQL only:
on SQLite both operations do nothing and the search scans, as before.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEX = "payouts_beneficiary_search_name_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON payouts_beneficiary "
        "USING gin (search_name gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("payouts", "0011_schedule_exceptions_report_delivery"),
    ]

    operations = [
        # Guarded by vendor inside Django's operation; pg_trgm is a trusted extension
        # (PostgreSQL ≥ 13), so the database owner may create it.
        TrigramExtension(),
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
