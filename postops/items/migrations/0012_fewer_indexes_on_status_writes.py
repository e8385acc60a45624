"""Three fewer index entries for each status write of an item (docs/benchmarks.md, "Items").

A status change rewrites the item's row outside HOT (``status`` and ``last_office_id`` are
indexed), so every index of ``items_item`` takes a new entry. Three did not earn it:

* ``tariff_version_id``: only deleting a tariff version looks items up by it (PROTECT);
* ``sender_key_id``: now indexed only where set (items from a counter have no key);
* ``receiver_commune_code``: the route assignment filters it together with the office and
  status (``item_last_office_idx`` finds the rows); nothing searches it alone. It comes from
  the shared address fields, so it is dropped here by name, as 0010 did for the sender's.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


RECEIVER_COMMUNE_INDEX = "items_item_receiver_commune_code_a678c531"


def drop_receiver_commune_index(apps, schema_editor):
    schema_editor.execute(f'DROP INDEX IF EXISTS "{RECEIVER_COMMUNE_INDEX}"')


def create_receiver_commune_index(apps, schema_editor):
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "{RECEIVER_COMMUNE_INDEX}" '
        "ON items_item (receiver_commune_code)"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_apikey_agency"),
        ("items", "0011_trackingevent_append_only_triggers_after_rebuild"),
        ("network", "0003_load_admin_units"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(drop_receiver_commune_index, create_receiver_commune_index),
        migrations.AlterField(
            model_name="item",
            name="sender_key",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="items",
                to="accounts.apikey",
                verbose_name="khóa API gửi",
            ),
        ),
        migrations.AlterField(
            model_name="item",
            name="tariff_version",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="items",
                to="items.tariffversion",
                verbose_name="bảng cước",
            ),
        ),
        migrations.AddIndex(
            model_name="item",
            index=models.Index(
                condition=models.Q(("sender_key__isnull", False)),
                fields=["sender_key"],
                name="item_sender_key_idx",
            ),
        ),
    ]
