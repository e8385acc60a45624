"""Write the API's OpenAPI schema to ``docs/openapi.json`` (or check it is up to date)."""

import json
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

DEFAULT_PATH = Path(settings.BASE_DIR) / "docs" / "openapi.json"


def openapi_schema() -> dict:
    """The live schema of ``/api/v1/``, independent of the active language.

    Translations are switched off so that the schema holds the source strings whatever
    ``.mo`` files are compiled; a round trip through JSON gives plain dicts and lists.
    """
    from config.api import api

    with translation.override(None):
        schema = api.get_openapi_schema()
        return json.loads(json.dumps(schema, default=str))


def openapi_text(schema: dict) -> str:
    """Stable text: sorted keys, 2-space indent, UTF-8 kept readable, trailing newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = "Export the OpenAPI schema of /api/v1/ to docs/openapi.json (stable key order)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", default=str(DEFAULT_PATH), help="file to write, or - for stdout"
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="write nothing; fail if the file differs from the live schema",
        )

    def handle(self, *args, output, check, **options):
        text = openapi_text(openapi_schema())
        if output == "-":
            sys.stdout.write(text)
            return
        path = Path(output)
        if check:
            current = path.read_text(encoding="utf-8") if path.exists() else ""
            if current != text:
                raise CommandError(f"{path} is out of date; run: python manage.py export_openapi")
            self.stdout.write(f"{path} is up to date.")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {path}.")
