"""Two more indexes every status write paid for and no query uses (no filter, join or order on
either, by grep): ``accepted_by_id`` (nothing lists items by clerk) and ``sender_commune_code``
(the sender's commune is shown, never searched; the receiver's stays indexed for routing).
The latter comes from the shared address fields, so it is dropped here by name."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

SENDER_COMMUNE_INDEX = "items_item_sender_commune_code_af22c5e7"


def drop_sender_commune_index(apps, schema_editor):
    schema_editor.execute(f'DROP INDEX IF EXISTS "{SENDER_COMMUNE_INDEX}"')


def create_sender_commune_index(apps, schema_editor):
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "{SENDER_COMMUNE_INDEX}" ON items_item (sender_commune_code)'
    )


class Migration(migrations.Migration):
    dependencies = [
        ("items", "0009_partner_key_access"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(drop_sender_commune_index, create_sender_commune_index),
        migrations.AlterField(
            model_name="item",
            name="accepted_by",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="người nhận gửi",
            ),
        ),
    ]
