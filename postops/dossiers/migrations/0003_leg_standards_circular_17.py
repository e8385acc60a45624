"""Starting values of the post's end-to-end times (Circular 17/2017/TT-BTTTT Art. 7).

The circular's table is per district-level area; districts were abolished on 1 July 2025 and
no amended table is known (domain.md §1), so the rows map today's zones to it: one commune ≈
"within one district-level area" (J+1, J+2 with an appointment slip), one province (J+2,
J+4), another province (J+4, J+8), and J+3/J+6 towards the centrally-run cities, read as the
circular's "special-class/class-I cities". All of it is configuration: edit the rows in the
admin when the Ministry publishes figures for the new units.
"""

from django.db import migrations

GENERAL = [("same_commune", 1, 2), ("same_province", 2, 4), ("other_province", 4, 8)]
CITY_NOTE = "Thành phố trực thuộc trung ương (đô thị loại đặc biệt/loại I), TT 17/2017 Điều 7"


def seed(apps, schema_editor):
    LegStandard = apps.get_model("dossiers", "LegStandard")
    Province = apps.get_model("network", "Province")
    for zone, days, slip in GENERAL:
        LegStandard.objects.get_or_create(
            zone=zone,
            destination_province=None,
            defaults={"days": days, "days_with_slip": slip, "note": "TT 17/2017 Điều 7"},
        )
    for province in Province.objects.filter(division_type="thành phố trung ương"):
        LegStandard.objects.get_or_create(
            zone="other_province",
            destination_province=province,
            defaults={"days": 3, "days_with_slip": 6, "note": CITY_NOTE},
        )


def unseed(apps, schema_editor):
    apps.get_model("dossiers", "LegStandard").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0002_dossierevent_append_only_triggers"),
        ("network", "0003_load_admin_units"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
