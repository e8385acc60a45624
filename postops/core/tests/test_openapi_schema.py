"""docs/openapi.json is the committed contract: it must equal the live schema."""

import io
import json

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from postops.core.management.commands.export_openapi import openapi_schema, openapi_text

COMMITTED = settings.BASE_DIR / "docs" / "openapi.json"


def test_committed_schema_matches_the_live_api():
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    live = openapi_schema()
    assert committed == live, (
        "docs/openapi.json differs from the live API schema; "
        "run: python manage.py export_openapi (and commit docs/openapi.json)"
    )


def test_committed_schema_is_in_the_stable_text_form():
    assert COMMITTED.read_text(encoding="utf-8") == openapi_text(openapi_schema()), (
        "docs/openapi.json is not in the exported form; run: python manage.py export_openapi"
    )


def test_export_text_is_sorted_indented_and_ends_with_a_newline():
    text = openapi_text({"b": 1, "a": {"d": [1], "c": "Bưu cục"}})
    assert (
        text == '{\n  "a": {\n    "c": "Bưu cục",\n    "d": [\n      1\n    ]\n  },\n  "b": 1\n}\n'
    )


def test_export_writes_the_file(tmp_path):
    target = tmp_path / "openapi.json"
    out = io.StringIO()
    call_command("export_openapi", output=str(target), stdout=out)
    assert target.read_text(encoding="utf-8") == openapi_text(openapi_schema())
    assert out.getvalue() == f"Wrote {target}.\n"


def test_export_check_passes_when_up_to_date(tmp_path):
    target = tmp_path / "openapi.json"
    call_command("export_openapi", output=str(target), stdout=io.StringIO())
    out = io.StringIO()
    call_command("export_openapi", output=str(target), check=True, stdout=out)
    assert out.getvalue() == f"{target} is up to date.\n"


def test_export_check_fails_with_the_fix_on_drift(tmp_path):
    target = tmp_path / "openapi.json"
    target.write_text("{}\n", encoding="utf-8")
    with pytest.raises(CommandError, match="run: python manage.py export_openapi"):
        call_command("export_openapi", output=str(target), check=True)
    assert target.read_text(encoding="utf-8") == "{}\n"


def test_schema_does_not_depend_on_the_active_language():
    from django.utils import translation

    with translation.override("en"):
        english = openapi_schema()
    with translation.override("vi"):
        vietnamese = openapi_schema()
    assert english == vietnamese
