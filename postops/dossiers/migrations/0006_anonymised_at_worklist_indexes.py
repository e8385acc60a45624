# Retention: Dossier.anonymised_at. Partial indexes for the worklists of overdue dossiers (postops.dossiers.worklists): one per
# cause, keyed by the cause's due date, limited to the cause's open statuses.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0005_result_return_leg"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossier",
            name="anonymised_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="ẩn danh hóa lúc"),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(("status__in", ["received", "in_handover"])),
                fields=["post_send_due", "id"],
                name="dossier_wl_send_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(("status__in", ["filed", "registered"])),
                fields=["agency_due", "id"],
                name="dossier_wl_agency_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(("status__in", ["filed", "registered"])),
                fields=["agency", "agency_due", "id"],
                name="dossier_wl_own_agency_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(("status", "result_collected")),
                fields=["post_return_due", "id"],
                name="dossier_wl_return_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(
                    ("service_form__in", ["return", "both"]), ("status", "result_ready")
                ),
                fields=["result_ready_on", "id"],
                name="dossier_wl_waiting_idx",
            ),
        ),
    ]
