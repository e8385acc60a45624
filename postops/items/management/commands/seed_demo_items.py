"""``manage.py seed_demo_items [--province 20]``: demo items for the demo province.

Run after ``seed_demo``. Loads the item configuration, gives each demo post office number
blocks, adds an illustrative tariff and a dozen items with journeys, and prints their
numbers for /tra-cuu/. Idempotent; refused with DEBUG off.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from postops.items.demo import seed_items
from postops.network.models import Office


class Command(BaseCommand):
    help = "Seed demo postal items (after seed_demo). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--province", default="20", help="2025 province code (default 20)")

    def handle(self, *args, province: str, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo_items is refused when DEBUG is off.")
        provincial = (
            Office.objects.filter(
                kind=Office.Kind.PROVINCIAL, commune__province_id=province.zfill(2)
            )
            .order_by("code")
            .first()
        )
        if provincial is None:
            raise CommandError("No demo province: run manage.py seed_demo first.")
        result = seed_items(provincial)
        self.stdout.write(
            f"Items: {len(result.numbers)} demo items, {result.blocks_created} new number blocks."
        )
        for number, status in result.numbers:
            self.stdout.write(
                f"  {number}  {status}  http://127.0.0.1:8000/tra-cuu/?numbers={number}"
            )
