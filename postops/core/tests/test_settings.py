"""config/settings.py read in a fresh process with a given environment.

Settings are evaluated once, at import, so each case runs Python in a subprocess with exactly
the environment it names (nothing inherited from the test run, where POSTOPS_DEBUG=1).
"""

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PRODUCTION = {
    "POSTOPS_SECRET_KEY": "k" * 20 + "-production-secret-of-sixty-chars-xyz0123",
    "POSTOPS_ALLOWED_HOSTS": "postops.example.vn",
    "POSTOPS_CSRF_TRUSTED_ORIGINS": "https://postops.example.vn",
}

DUMP = """
import json
from django.conf import settings
import django
django.setup()
from django.db.backends.postgresql.psycopg_any import is_psycopg3
db = settings.DATABASES["default"]
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "db": {k: db[k] for k in ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT",
                               "CONN_MAX_AGE", "CONN_HEALTH_CHECKS")},
    "psycopg3": is_psycopg3,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
    "LANGUAGE_COOKIE_SECURE": settings.LANGUAGE_COOKIE_SECURE,
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
    "staticfiles": settings.STORAGES["staticfiles"]["BACKEND"],
    "mailer": settings.MAILERS["default"],
    "CSRF_TRUSTED_ORIGINS": settings.CSRF_TRUSTED_ORIGINS,
    "cache": settings.CACHES["default"],
}))
"""


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        **env,
    }
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def _settings(env: dict[str, str]) -> dict:
    result = _run(["-c", DUMP], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_configuration_passes_the_deploy_check_without_warnings(tmp_path):
    env = {**PRODUCTION, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stderr + result.stdout
    # Only models.W040 is silenced (SQLite ignores INCLUDE columns), once per index.
    assert re.fullmatch(r"System check identified no issues \(\d+ silenced\)\.\n", result.stdout)
    assert result.stderr == ""


def test_deploy_check_warns_about_a_per_process_cache(tmp_path):
    env = {
        **PRODUCTION,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "POSTOPS_CACHE_BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    }
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 1
    assert "(postops.W001) The default cache" in result.stderr + result.stdout


def test_production_defaults_to_the_shared_database_cache():
    loaded = _settings({**PRODUCTION, "DATABASE_URL": "sqlite:///unused.sqlite3"})
    assert loaded["cache"] == {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "postops_cache",
    }


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("POSTOPS_SECRET_KEY", "POSTOPS_SECRET_KEY must be set when POSTOPS_DEBUG is off."),
        ("POSTOPS_ALLOWED_HOSTS", "POSTOPS_ALLOWED_HOSTS must be set when POSTOPS_DEBUG is off."),
    ],
)
def test_production_without_a_required_variable_fails_at_start(missing, message):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = _run(["manage.py", "check"], env)
    assert result.returncode == 1
    assert f"django.core.exceptions.ImproperlyConfigured: {message}" in result.stderr


def test_production_refuses_a_short_secret():
    result = _run(["manage.py", "check"], {**PRODUCTION, "POSTOPS_SECRET_KEY": "too-short"})
    assert result.returncode == 1
    assert "POSTOPS_SECRET_KEY must be at least 50 characters long." in result.stderr


def test_postgres_url_uses_psycopg3_with_health_checks_and_secure_production_defaults():
    loaded = _settings(
        {
            **PRODUCTION,
            "DATABASE_URL": "postgres://postops:s%40cret@db.example.vn:5433/postops_prod",
            "POSTOPS_DB_CONN_MAX_AGE": "120",
        }
    )
    assert loaded == {
        "DEBUG": False,
        "db": {
            "ENGINE": "postops.core.db_backends.postgresql",
            "NAME": "postops_prod",
            "USER": "postops",
            "PASSWORD": "s@cret",
            "HOST": "db.example.vn",
            "PORT": 5433,
            "CONN_MAX_AGE": 120,
            "CONN_HEALTH_CHECKS": True,
        },
        "psycopg3": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "LANGUAGE_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "staticfiles": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "mailer": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "localhost", "port": 25},
        },
        "CSRF_TRUSTED_ORIGINS": ["https://postops.example.vn"],
        "cache": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "postops_cache",
        },
    }


def test_debug_defaults_to_embedded_sqlite_without_any_secret():
    loaded = _settings({"POSTOPS_DEBUG": "1"})
    assert loaded["DEBUG"] is True
    assert loaded["db"]["ENGINE"] == "django.db.backends.sqlite3"
    assert loaded["db"]["NAME"] == str(ROOT / "var" / "postops.sqlite3")
    assert loaded["db"]["CONN_MAX_AGE"] == 0
    assert loaded["SESSION_COOKIE_SECURE"] is False
    assert loaded["mailer"] == {
        "BACKEND": "django.core.mail.backends.console.EmailBackend",
        "OPTIONS": {},
    }
    assert loaded["cache"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_django_loggers_only_reach_the_redacting_root_handler():
    """The default handlers of "django" and "django.server" (no redaction) are gone."""
    assert logging.getLogger("django").handlers == []
    assert logging.getLogger("django.server").handlers == []
    # pytest adds capture handlers of its own to the root logger; ours is the plain one.
    (console,) = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    assert [type(f).__name__ for f in console.filters] == [
        "RequestIdLogFilter",
        "RedactPersonalDataFilter",
    ]
