"""``manage.py dossiers_anonymise [--dry-run] [--batch-size N]``: retention job for dossiers.

Blanks the personal data of closed dossiers older than ``POSTOPS_DOSSIER_RETENTION_YEARS``
(at least 5; see ``postops/dossiers/retention.py``). Prints one JSON line with the counts;
``--dry-run`` only counts. Safe to run again: anonymised dossiers are skipped. Started every
night by ``deploy/postops-retention.timer``.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from postops.dossiers.retention import BATCH_SIZE, dossiers_anonymise


class Command(BaseCommand):
    help = "Anonymise closed dossiers older than the retention period (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count only; change nothing.")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args, dry_run=False, batch_size=BATCH_SIZE, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        try:
            report = dossiers_anonymise(dry_run=dry_run, batch_size=batch_size)
        except ValueError as exc:  # a retention period below the legal minimum
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            json.dumps(
                {
                    "dry_run": report.dry_run,
                    "retention_years": report.years,
                    "closed_before": report.cutoff.isoformat(),
                    "found": report.found,
                    "anonymised": report.anonymised,
                    "batches": report.batches,
                }
            )
        )
