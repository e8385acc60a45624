"""Fewer indexes on the two tables every scan writes, and room for in-place updates.

Each scan rewrites its item's status cache; while ``status`` and ``last_office`` are
indexed that update inserts into every index of ``items_item`` (no HOT update), so each
index costs one insert per scanned item (docs/benchmarks.md, "Items"). Dropped, with the
query that still serves each read:

- ``status`` and its ``varchar_pattern_ops`` copy: lists filter the status together with
  the office (``item_last_office_idx``); the daily unclaimed job walks the table by key.
- the single-column ``origin_office_id`` and ``last_office_id`` indexes: the leading
  column of ``item_origin_idx`` and ``item_last_office_idx``.
- the ``varchar_pattern_ops`` copies PostgreSQL gets for ``number`` and the two commune
  codes: nothing searches them with ``LIKE``/``startswith`` (numbers and codes are looked
  up whole; the plain unique/btree index serves that).
- ``items_trackingevent.item_id``: the leading column of ``event_item_time_idx``.

``fillfactor = 85`` on ``items_item`` leaves room on each page, so that an update that
changes no indexed column (a sorting-out scan after the sorting-in at the same centre
changes only the time and event code) stays on its page as a HOT update.
"""

import django.db.models.deletion
from django.db import migrations, models

# varchar_pattern_ops copies Django creates on PostgreSQL for unique or indexed CharFields
# (names are Django's, derived from table and column); none exist on SQLite.
LIKE_INDEXES = {
    "items_item_number_8c518a68_like": "number",
    "items_item_receiver_commune_code_a678c531_like": "receiver_commune_code",
    "items_item_sender_commune_code_af22c5e7_like": "sender_commune_code",
}


def drop_like_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in LIKE_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
    schema_editor.execute("ALTER TABLE items_item SET (fillfactor = 85)")


def create_like_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in LIKE_INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON items_item ("{column}" varchar_pattern_ops)'
        )
    schema_editor.execute("ALTER TABLE items_item RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("items", "0006_bags_between_offices"),
        ("network", "0003_load_admin_units"),
    ]

    operations = [
        migrations.RunPython(drop_like_indexes, create_like_indexes, elidable=False),
        migrations.AlterField(
            model_name="item",
            name="last_office",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="network.office",
                verbose_name="bưu cục gần nhất",
            ),
        ),
        migrations.AlterField(
            model_name="item",
            name="origin_office",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="items_accepted",
                to="network.office",
                verbose_name="bưu cục nhận gửi",
            ),
        ),
        migrations.AlterField(
            model_name="item",
            name="status",
            field=models.CharField(
                choices=[
                    ("accepted", "Đã nhận gửi"),
                    ("in_transit", "Đang vận chuyển"),
                    ("at_delivery_office", "Đã đến bưu cục phát"),
                    ("out_for_delivery", "Đang phát"),
                    ("delivery_failed", "Phát không thành công"),
                    ("held", "Lưu giữ tại bưu cục phát"),
                    ("awaiting_pickup", "Chờ nhận tại điểm nhận hàng"),
                    ("delivered", "Phát thành công"),
                    ("returning", "Đang chuyển hoàn"),
                    ("returned", "Đã chuyển hoàn cho người gửi"),
                    ("withdrawn", "Người gửi đã rút lại"),
                    ("unclaimed", "Bưu gửi vô thừa nhận"),
                ],
                default="accepted",
                max_length=20,
                verbose_name="trạng thái",
            ),
        ),
        migrations.AlterField(
            model_name="trackingevent",
            name="item",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="events",
                to="items.item",
                verbose_name="bưu gửi",
            ),
        ),
    ]
