"""Gunicorn settings for PostOps: ``gunicorn -c deploy/gunicorn.conf.py config.wsgi``.

Runs behind nginx (deploy/nginx.conf) on loopback. Tunable through a few environment
variables, documented in docs/configuration.md (section "Deployment").

Personal data never reaches the logs (Law 91/2025/QH15, Decree 356/2025): the access log
records the path without its query string and without the Referer (which carries the previous
page's query string), and every gunicorn log line, error tracebacks included, passes the same
redaction filter as Django's logs (postops.core.logredact).
"""

import os
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
# The redaction filter lives in the project; gunicorn configures logging before it loads the app.
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

from postops.core.logredact import RedactPersonalDataFilter  # noqa: E402


def _cpu_count() -> int:
    """CPUs this process may run on (cgroup/affinity aware where the OS tells), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value else default


chdir = str(PROJECT_DIR)
wsgi_app = "config.wsgi:application"
bind = os.environ.get("POSTOPS_GUNICORN_BIND", "127.0.0.1:8000")

# The classic rule for sync workers: two per CPU plus one. Each worker holds one database
# connection (CONN_MAX_AGE), so workers x web servers must stay below PostgreSQL's
# max_connections, with room for the task worker, backups and psql.
workers = _env_int("POSTOPS_GUNICORN_WORKERS", 2 * _cpu_count() + 1)
worker_class = "sync"  # nginx buffers slow clients, so sync workers are enough
# A request that runs longer is a bug or belongs in a task (imports run in the task worker).
timeout = _env_int("POSTOPS_GUNICORN_TIMEOUT", 60)
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never grows without bound.
max_requests = 2000
max_requests_jitter = 200
# Trust X-Forwarded-* only from the local nginx.
forwarded_allow_ips = "127.0.0.1,::1"
# systemd signals (reload = HUP) manage the process; no control socket in $HOME is needed.
control_socket_disable = True

# Logs go to stdout/stderr, i.e. the systemd journal.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("POSTOPS_LOG_LEVEL", "info").lower()
# %(U)s is the path without query string; no %(r)s (request line with query), %(q)s (query)
# or %(f)s (Referer). The request id links a line with Django's log and the audit trail.
access_log_format = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms rid=%({x-request-id}o)s "%(a)s"'

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": RedactPersonalDataFilter}},
    "formatters": {
        "generic": {
            "format": "%(asctime)s [%(process)d] [%(levelname)s] %(message)s",
            "datefmt": "[%Y-%m-%d %H:%M:%S %z]",
        },
        "access": {"format": "%(message)s"},
    },
    "handlers": {
        "error_console": {
            "class": "logging.StreamHandler",
            "formatter": "generic",
            "filters": ["redact"],
            "stream": "ext://sys.stderr",
        },
        "access_console": {
            "class": "logging.StreamHandler",
            "formatter": "access",
            "filters": ["redact"],
            "stream": "ext://sys.stdout",
        },
    },
    "root": {"level": loglevel.upper(), "handlers": ["error_console"]},
    "loggers": {
        "gunicorn.error": {
            "level": loglevel.upper(),
            "handlers": ["error_console"],
            "propagate": False,
        },
        "gunicorn.access": {"level": "INFO", "handlers": ["access_console"], "propagate": False},
    },
}
