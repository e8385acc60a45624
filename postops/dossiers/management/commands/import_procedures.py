"""``manage.py import_procedures FILE [--user USERNAME]``: load a procedure catalogue.

Prints the report as JSON: ``{"rows", "procedures", "created", "updated", "unchanged",
"errors"}``; exits with status 1 when the file was rejected (nothing is written then).
The file format is described in ``postops/dossiers/catalogue.py``.
"""

import json
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from postops.dossiers.catalogue import procedures_import


class Command(BaseCommand):
    help = "Import a procedure catalogue (CSV or XLSX); all or nothing, idempotent."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", help="Username recorded as the importer (audit).")

    def handle(self, *args, file: Path, user=None, **options):
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"unknown user {user!r}")
        if not file.is_file():
            raise CommandError(f"no such file: {file}")
        with file.open("rb") as stream:
            result = procedures_import(actor, stream, file.name)
        report = {
            "rows": result.rows,
            "procedures": result.procedures,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "errors": result.errors,
        }
        self.stdout.write(json.dumps(report, ensure_ascii=False))
        if result.errors:
            sys.exit(1)
