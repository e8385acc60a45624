"""The item-history index covers public tracking (docs/benchmarks.md, "Items").

``(item, occurred_at DESC, id DESC) INCLUDE (code, reason_code, office)``: the tracking
lookup reads an item's events from the index alone (index-only scan) instead of fetching
about ten table pages scattered over the append-only event table. It replaces
``event_item_time_idx`` (same leading columns), so a scan still writes one entry into it.
Created before the old one is dropped, so reads always have an index. On a large
production table create it first by hand, without blocking the scanners::

    CREATE INDEX CONCURRENTLY IF NOT EXISTS event_item_track_idx ON items_trackingevent
        (item_id, occurred_at DESC, id DESC) INCLUDE (code, reason_code, office_id);

(then this migration finds it: ``AddIndex`` would fail on an existing name, so fake it with
``migrate items 0013 --fake`` after dropping ``event_item_time_idx`` by hand.) SQLite has no
``INCLUDE``: there the index has the three key columns only.
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("items", "0012_fewer_indexes_on_status_writes"),
        ("network", "0003_load_admin_units"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="trackingevent",
            index=models.Index(
                fields=["item", "-occurred_at", "-id"],
                include=("code", "reason_code", "office"),
                name="event_item_track_idx",
            ),
        ),
        migrations.RemoveIndex(
            model_name="trackingevent",
            name="event_item_time_idx",
        ),
    ]
