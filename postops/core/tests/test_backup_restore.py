"""deploy/backup.sh and deploy/restore.sh, run for real against the test PostgreSQL server.

The test database (migrated by pytest-django, so it holds the whole PostOps schema) is dumped,
restored into a fresh database and compared table by table. Runs only on PostgreSQL.
"""

import os
import shutil
import subprocess
import time
import uuid
from glob import glob
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)
BACKUP = ROOT / "deploy" / "backup.sh"
RESTORE = ROOT / "deploy" / "restore.sh"

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="backup and restore need PostgreSQL (DATABASE_URL)",
    ),
    pytest.mark.django_db,
]


def _pg_bin() -> str:
    """Directory of the newest PostgreSQL client tools (as scripts/pg-throwaway.sh finds them)."""
    found = sorted(glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    if found:
        return found[-1]
    on_path = shutil.which("pg_dump")
    if on_path is None:
        pytest.skip("pg_dump not installed")
    return str(Path(on_path).parent)


def _url(name: str) -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "postgres", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def _run(script: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    full_env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "POSTOPS_PG_BIN": _pg_bin(),
        **env,
    }
    return subprocess.run(
        [str(script), *args], env=full_env, capture_output=True, text=True, timeout=120
    )


def _psql(database: str, sql: str) -> str:
    result = subprocess.run(
        [f"{_pg_bin()}/psql", "--no-psqlrc", "-At", "-v", "ON_ERROR_STOP=1", _url(database)],
        input=sql,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout.strip()


def _row_counts(database: str) -> dict[str, int]:
    rows = _psql(
        database,
        """
        SELECT tablename || ' ' || (xpath('/row/n/text()', query_to_xml(
            format('SELECT count(*) AS n FROM public.%I', tablename), false, true, '')))[1]::text
        FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename;
        """,
    )
    return {name: int(count) for name, count in (line.split(" ") for line in rows.splitlines())}


@pytest.fixture
def source_db():
    return connection.settings_dict["NAME"]


@pytest.fixture
def target_db():
    name = f"postops_restore_{uuid.uuid4().hex[:12]}"
    yield name
    _psql("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE);')


def test_backup_then_restore_into_a_new_database_keeps_every_table(tmp_path, source_db, target_db):
    # An archive older than the retention period goes; a recent one stays.
    old = tmp_path / "postops-20000101T000000Z.dump"
    recent = tmp_path / "postops-20000102T000000Z.dump"
    for path, days in ((old, 30), (recent, 2)):
        path.write_bytes(b"x")
        stamp = time.time() - days * 86400
        os.utime(path, (stamp, stamp))

    backup = _run(
        BACKUP,
        env={
            "DATABASE_URL": _url(source_db),
            "POSTOPS_BACKUP_DIR": str(tmp_path),
            "POSTOPS_BACKUP_KEEP_DAYS": "7",
        },
    )
    assert backup.returncode == 0, backup.stderr
    dump = Path(backup.stdout.strip())
    assert dump.parent == tmp_path
    assert dump.name.startswith("postops-") and dump.suffix == ".dump"
    assert Path(f"{dump}.sha256").read_text().split() == [
        subprocess.run(
            ["sha256sum", str(dump)], capture_output=True, text=True, check=True
        ).stdout.split()[0],
        dump.name,
    ]
    assert not old.exists()
    assert recent.exists()

    restore = _run(RESTORE, str(dump), target_db, env={"DATABASE_URL": _url(source_db)})
    assert restore.returncode == 0, restore.stderr
    assert restore.stderr.strip().endswith(f"into database {target_db}: verified")

    source_counts = _row_counts(source_db)
    assert source_counts["django_migrations"] > 0
    assert "accounts_user" in source_counts
    assert _row_counts(target_db) == source_counts
    # The script's own report says the same.
    reported = dict(line.split("\t") for line in restore.stdout.strip().splitlines())
    assert reported["public.django_migrations"] == str(source_counts["django_migrations"])


def test_restore_refuses_an_existing_database(tmp_path, source_db):
    backup = _run(
        BACKUP, env={"DATABASE_URL": _url(source_db), "POSTOPS_BACKUP_DIR": str(tmp_path)}
    )
    assert backup.returncode == 0, backup.stderr
    restore = _run(RESTORE, backup.stdout.strip(), source_db, env={"DATABASE_URL": _url(source_db)})
    assert restore.returncode == 1
    assert f"database {source_db} already exists" in restore.stderr


def test_restore_rejects_a_damaged_archive_before_creating_anything(tmp_path, target_db):
    dump = tmp_path / "postops-20250101T000000Z.dump"
    dump.write_bytes(b"PGDMP not really an archive")
    restore = _run(RESTORE, str(dump), target_db, env={"DATABASE_URL": _url("postgres")})
    assert restore.returncode == 1
    assert "not a readable pg_dump archive" in restore.stderr
    assert (
        _psql("postgres", f"SELECT count(*) FROM pg_database WHERE datname = '{target_db}'") == "0"
    )


def test_restore_rejects_a_checksum_mismatch(tmp_path, source_db, target_db):
    backup = _run(
        BACKUP, env={"DATABASE_URL": _url(source_db), "POSTOPS_BACKUP_DIR": str(tmp_path)}
    )
    dump = Path(backup.stdout.strip())
    with dump.open("ab") as archive:
        archive.write(b"tampered")
    restore = _run(RESTORE, str(dump), target_db, env={"DATABASE_URL": _url(source_db)})
    assert restore.returncode == 1
    assert "checksum mismatch" in restore.stderr


def test_backup_refuses_a_sqlite_url(tmp_path):
    backup = _run(
        BACKUP,
        env={"DATABASE_URL": "sqlite:////tmp/x.sqlite3", "POSTOPS_BACKUP_DIR": str(tmp_path)},
    )
    assert backup.returncode == 2
    assert "not a PostgreSQL URL" in backup.stderr
