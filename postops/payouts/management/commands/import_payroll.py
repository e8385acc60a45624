"""``manage.py import_payroll --programme P --period YYYY-MM FILE [--valid-only]``.

Prints the job report as JSON: ``{"status", "total", "valid", "invalid", "errors"}``; exits
with status 1 when the file was rejected.
"""

import json
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from postops.payouts import rules, services
from postops.payouts.models import Programme


class Command(BaseCommand):
    help = "Import a payroll file (CSV or XLSX) into a programme's period and print the report."

    def add_arguments(self, parser):
        parser.add_argument("--programme", required=True, help="bhxh, btxh or ncc")
        parser.add_argument("--period", required=True, help="YYYY-MM")
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--valid-only",
            action="store_true",
            help="Import the valid rows even when other rows have errors.",
        )
        parser.add_argument("--user", help="Username recorded as the importer (audit).")

    def handle(self, *args, **options):
        try:
            programme = Programme.objects.get(code=options["programme"])
        except Programme.DoesNotExist:
            raise CommandError(f"unknown programme {options['programme']!r}") from None
        try:
            month = rules.parse_period(options["period"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        actor = None
        if options.get("user"):
            try:
                actor = get_user_model().objects.get(username=options["user"])
            except get_user_model().DoesNotExist:
                raise CommandError(f"unknown user {options['user']!r}") from None
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        period = services.payroll_period_get_or_create(actor, programme, month)
        with path.open("rb") as stream:
            job = services.payroll_import(
                actor, period, stream, path.name, valid_only=options["valid_only"]
            )
        self.stdout.write(json.dumps(job.report(), ensure_ascii=False))
        if job.status == job.Status.REJECTED:
            sys.exit(1)
