"""``manage.py load_admin_units``: (re)load administrative units from ``vietnam-provinces``.

Every database already has them (data migration ``network.0003_load_admin_units``); run this
after upgrading the package to pick up corrected names or conversion rows. Idempotent.
"""

from django.core.management.base import BaseCommand

from postops.network.services import admin_units_load


class Command(BaseCommand):
    help = "Load the 2025 and legacy administrative units and the old→new commune table."

    def handle(self, *args, **options):
        counts = admin_units_load()
        self.stdout.write(
            f"provinces={counts.provinces} communes={counts.communes} "
            f"legacy_provinces={counts.legacy_provinces} "
            f"legacy_districts={counts.legacy_districts} "
            f"legacy_communes={counts.legacy_communes} "
            f"conversions={counts.conversions} partial={counts.partial_conversions} "
            f"skipped={counts.skipped_conversions}"
        )
