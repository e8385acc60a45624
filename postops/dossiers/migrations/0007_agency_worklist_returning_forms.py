# The agency worklist counts only dossiers whose result the post returns (service form return
# or both): its two partial indexes take the same condition.

from django.db import migrations, models


def _index(name, fields):
    return models.Index(
        condition=models.Q(
            ("service_form__in", ["return", "both"]), ("status__in", ["filed", "registered"])
        ),
        fields=fields,
        name=name,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0006_anonymised_at_worklist_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="dossier", name="dossier_wl_agency_idx"),
        migrations.RemoveIndex(model_name="dossier", name="dossier_wl_own_agency_idx"),
        migrations.AddIndex(
            model_name="dossier", index=_index("dossier_wl_agency_idx", ["agency_due", "id"])
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=_index("dossier_wl_own_agency_idx", ["agency", "agency_due", "id"]),
        ),
    ]
