"""deploy/: gunicorn settings, nginx example, systemd units, as far as they can be read here.

The backup and restore scripts run for real in test_backup_restore.py.
"""

import logging
import re
import runpy
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from postops.core.logredact import RedactPersonalDataFilter

ROOT = Path(settings.BASE_DIR)
DEPLOY = ROOT / "deploy"


@pytest.fixture
def gunicorn_conf(monkeypatch):
    def load(**env):
        for name in ("POSTOPS_GUNICORN_WORKERS", "POSTOPS_GUNICORN_BIND", "POSTOPS_LOG_LEVEL"):
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))

    return load


def test_gunicorn_workers_follow_the_cpu_count(gunicorn_conf, monkeypatch):
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    conf = gunicorn_conf()
    assert conf["workers"] == 7
    assert conf["bind"] == "127.0.0.1:8000"
    assert conf["timeout"] == 60
    assert conf["wsgi_app"] == "config.wsgi:application"
    assert gunicorn_conf(POSTOPS_GUNICORN_WORKERS="3")["workers"] == 3


def test_gunicorn_access_log_has_no_query_string_nor_referer(gunicorn_conf):
    conf = gunicorn_conf()
    log_format = conf["access_log_format"]
    assert "%(U)s" in log_format
    for atom in ("%(r)s", "%(q)s", "%(f)s", "%({referer}i)s"):
        assert atom not in log_format


def test_every_gunicorn_log_line_passes_the_redaction_filter(gunicorn_conf):
    logconfig = gunicorn_conf(POSTOPS_LOG_LEVEL="warning")["logconfig_dict"]
    assert logconfig["filters"]["redact"]["()"] is RedactPersonalDataFilter
    for handler in logconfig["handlers"].values():
        assert handler["filters"] == ["redact"]
    assert logconfig["loggers"]["gunicorn.error"]["level"] == "WARNING"
    # The access line as gunicorn builds it, through the configured filter.
    record = logging.LogRecord(
        "gunicorn.access", logging.INFO, "", 0, '"GET %s" 200', ("/p/001203012345",), None
    )
    RedactPersonalDataFilter().filter(record)
    assert record.getMessage() == '"GET /p/[id-redacted]" 200'


NGINX = (DEPLOY / "nginx.conf").read_text()
NGINX_PROXY = (DEPLOY / "nginx-proxy.conf").read_text()


def test_nginx_logs_no_query_string_nor_referer():
    log_format = re.search(r"log_format postops (.*?);", NGINX, flags=re.DOTALL).group(1)
    for variable in ("$request ", "$request_uri", "$args", "$query_string", "$http_referer"):
        assert variable not in log_format
    assert "$postops_log_path" in log_format
    assert NGINX.count("access_log /var/log/nginx/postops.access.log postops;") == 2


def test_nginx_proxy_sets_the_headers_django_relies_on():
    for header in (
        "proxy_set_header X-Real-IP $remote_addr;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        "proxy_set_header X-Request-ID $request_id;",
        "proxy_set_header Host $host;",
    ):
        assert header in NGINX_PROXY
    assert "limit_req_zone $binary_remote_addr zone=postops_tracking" in NGINX
    assert "limit_req zone=postops_tracking" in NGINX
    assert "client_max_body_size 5m;" in NGINX
    assert "client_max_body_size 50m;" in NGINX
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in NGINX


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx not installed")
def test_nginx_accepts_the_example(tmp_path):
    """``nginx -t`` on the example, with local paths for certificates, logs and the snippet."""
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")]
        + ["-subj", "/CN=postops.example.vn"],
        check=True,
        capture_output=True,
    )
    (tmp_path / "logs").mkdir()
    site = (
        NGINX.replace("/etc/nginx/snippets/postops-proxy.conf", str(DEPLOY / "nginx-proxy.conf"))
        .replace("/etc/letsencrypt/live/postops.example.vn/fullchain.pem", f"{tmp_path}/cert.pem")
        .replace("/etc/letsencrypt/live/postops.example.vn/privkey.pem", f"{tmp_path}/key.pem")
        .replace("/var/log/nginx/", f"{tmp_path}/logs/")
    )
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "main.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/logs/error.log;\nevents {{}}\n"
        f"http {{\n include /etc/nginx/mime.types;\n include {tmp_path}/site.conf;\n"
        + "".join(
            f" {kind}_temp_path {tmp_path}/{kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        + "}\n"
    )
    result = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "main.conf")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


@pytest.mark.parametrize(
    ("unit", "command"),
    [
        (
            "postops-web.service",
            "ExecStart=/srv/postops/.venv/bin/gunicorn --config /srv/postops/deploy/gunicorn.conf.py",
        ),
        (
            "postops-worker.service",
            "ExecStart=/srv/postops/.venv/bin/python manage.py db_worker"
            " --queue-name default --interval 2 --no-reload",
        ),
        ("postops-backup.service", "ExecStart=/srv/postops/deploy/backup.sh"),
    ],
)
def test_systemd_units_run_the_right_command_with_the_env_file(unit, command):
    text = (DEPLOY / unit).read_text()
    assert command in text.splitlines()
    assert "EnvironmentFile=/etc/postops/postops.env" in text
    assert "User=postops" in text


def test_the_worker_command_exists():
    from django.core.management import get_commands

    assert get_commands()["db_worker"] == "django_tasks_db"
