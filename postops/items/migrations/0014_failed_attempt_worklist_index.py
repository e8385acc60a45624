"""A partial index for the "failed attempts" worklist (items whose status is
``delivery_failed``, oldest first): the list read ``item_last_office_idx`` whole since 0007
dropped the status index (79 ms at 1.8 M items). Partial, so that status writes pay for it
only when an item enters that status."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_apikey_agency"),
        ("items", "0013_covering_index_for_item_history"),
        ("network", "0003_load_admin_units"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="item",
            index=models.Index(
                condition=models.Q(("status", "delivery_failed")),
                fields=["last_event_at", "id"],
                name="item_failed_attempt_idx",
            ),
        ),
    ]
