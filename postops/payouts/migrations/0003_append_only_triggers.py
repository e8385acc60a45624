from django.db import migrations

# Payouts and their reversals are append-only (architecture: "append-only history"). The
# models refuse updates and deletes; on PostgreSQL a trigger also refuses them for raw SQL.
TABLES = ["payouts_payout", "payouts_payoutreversal"]

FUNCTION = """
CREATE OR REPLACE FUNCTION payouts_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # params=None: the "%" of RAISE is not a query placeholder.
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION payouts_refuse_change()"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS payouts_refuse_change()")


class Migration(migrations.Migration):
    dependencies = [("payouts", "0002_seed_programmes")]
    operations = [migrations.RunPython(forwards, backwards)]
