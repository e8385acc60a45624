"""``manage.py load_item_config [--file FILE]``: S10 prefixes, reason/action code lists and
delivery standards (J+n per zone).

Without ``--file`` it loads ``postops/items/data/item_config.json`` (UPU S10 letter families
and domestic placeholder codes; see the file's comment). Idempotent.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from postops.items.services import item_config_load


class Command(BaseCommand):
    help = "Load S10 service indicators, reason/action code lists and delivery standards."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, help="a JSON file shaped like the default")

    def handle(self, *args, **options):
        data = None
        if options["file"]:
            try:
                data = json.loads(options["file"].read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise CommandError(f"cannot read {options['file']}: {exc}") from exc
        counts = item_config_load(data=data)
        self.stdout.write(
            f"service_indicators={counts.indicators} reason_codes={counts.reasons} "
            f"action_codes={counts.actions} delivery_standards={counts.delivery_standards}"
        )
