"""docs/configuration.md documents every environment variable the code reads."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
DOC = (ROOT / "docs" / "configuration.md").read_text()

# os.environ.get("X"...), os.getenv("X"), os.environ["X"], env_bool/env_int/env_list("X"...)
PYTHON_READS = re.compile(
    r"(?:os\.environ\.get|os\.getenv|env_[a-z]+|_env_[a-z]+)\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']"
    r"|os\.environ\[\s*[\"']([A-Z][A-Z0-9_]*)[\"']"
)
# ${POSTOPS_X...} and ${DATABASE_URL...} in shell scripts.
SHELL_READS = re.compile(r"\$\{((?:POSTOPS|DATABASE)_[A-Z0-9_]*)")


def _python_reads(path: Path) -> set[str]:
    return {a or b for a, b in PYTHON_READS.findall(path.read_text())}


def _table(heading: str) -> dict[str, list[str]]:
    """Rows of the table under ``## heading``: variable name -> the other cells."""
    section = DOC.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        match = re.match(r"\| `([A-Z][A-Z0-9_]*)` \|(.*)\|$", line)
        if match:
            rows[match.group(1)] = [cell.strip() for cell in match.group(2).split("|")]
    return rows


def _documented() -> set[str]:
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", DOC, flags=re.MULTILINE))


def test_every_variable_read_by_the_settings_is_in_the_settings_table():
    read = _python_reads(ROOT / "config" / "settings.py")
    assert {"POSTOPS_SECRET_KEY", "POSTOPS_ALLOWED_HOSTS", "DATABASE_URL"} <= read
    assert read - set(_table("Application settings")) == set()


def test_the_settings_table_lists_only_variables_the_settings_read():
    read = _python_reads(ROOT / "config" / "settings.py")
    assert set(_table("Application settings")) - read == set()


def test_deployment_variables_are_documented():
    gunicorn = _python_reads(ROOT / "deploy" / "gunicorn.conf.py")
    assert gunicorn == {
        "POSTOPS_GUNICORN_BIND",
        "POSTOPS_GUNICORN_WORKERS",
        "POSTOPS_GUNICORN_TIMEOUT",
        "POSTOPS_LOG_LEVEL",
    }
    scripts = set()
    for script in (ROOT / "deploy").glob("*.sh"):
        scripts |= set(SHELL_READS.findall(script.read_text()))
    assert "POSTOPS_BACKUP_DIR" in scripts
    assert (gunicorn | scripts) - _documented() == set()
    assert set(_table("Deployment")) <= gunicorn
    assert set(_table("Backups")) <= scripts


def test_env_example_sets_every_required_variable_and_only_documented_ones():
    example = (ROOT / "deploy" / "postops.env.example").read_text()
    names = set(re.findall(r"^#?([A-Z][A-Z0-9_]*)=", example, flags=re.MULTILINE))
    assert names - _documented() == set()
    required = {
        name for name, cells in _table("Application settings").items() if "**yes**" in cells[0]
    }
    assert required == {"POSTOPS_SECRET_KEY", "POSTOPS_ALLOWED_HOSTS", "DATABASE_URL"}
    set_in_example = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", example, flags=re.MULTILINE))
    assert required <= set_in_example
    assert "POSTOPS_DEBUG" not in set_in_example
