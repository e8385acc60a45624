"""Start the project under gunicorn on loopback for a benchmark, with production settings.

``DEBUG`` off (a random secret key, ``127.0.0.1`` allowed, no HTTPS redirect: there is no
TLS on loopback), ``deploy/gunicorn.conf.py`` as in production (sync workers, access log)
except that workers are not recycled during a run (``--max-requests 0``: a worker's
start-up would land in the middle of a measurement), settings ``bench.settings`` (the
project's plus the no-op endpoints). The access and error logs go to ``<log dir>``.

Rate limiting is set by configuration, not code. The staff API's limit is raised out of
reach (``POSTOPS_API_RATE_PER_MINUTE``) and its cache is Django's dummy cache
(``POSTOPS_CACHE_BACKEND``), so it keeps no history: with a real cache and a limit out of
reach, the per-key history of every request in the last minute is read and written back
on each request, a cost that grows with the request rate and that production never sees.
The public limits count in the database (``postops.core.ratelimit``): ``public_rate``
(``POSTOPS_PUBLIC_RATE_PER_MINUTE``) is ``0``, off, unless a benchmark asks for it.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNLIMITED = str(10**9)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(database_url: str, workers: int, log_dir: Path = Path("/tmp"), public_rate: str = "0"):
    """Yield ``(host, port)`` of a running server; stop it (and only it) afterwards."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "POSTOPS_DEBUG": "",
        "POSTOPS_SECRET_KEY": secrets.token_urlsafe(64),
        "POSTOPS_ALLOWED_HOSTS": "127.0.0.1",
        "POSTOPS_SSL_REDIRECT": "0",
        "POSTOPS_PUBLIC_RATE_PER_MINUTE": public_rate,
        "POSTOPS_API_RATE_PER_MINUTE": UNLIMITED,
        "POSTOPS_CACHE_BACKEND": "django.core.cache.backends.dummy.DummyCache",
        "POSTOPS_LOG_LEVEL": "WARNING",
        "POSTOPS_GUNICORN_BIND": f"127.0.0.1:{port}",
        "POSTOPS_GUNICORN_WORKERS": str(workers),
    }
    log = open(log_dir / f"bench-gunicorn-{port}.log", "wb")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            "deploy/gunicorn.conf.py",
            "--max-requests",
            "0",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {log.name}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not answer /healthz; see {log.name}")
            time.sleep(0.2)
        yield "127.0.0.1", port
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
