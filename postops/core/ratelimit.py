"""Rate limits of the public pages and endpoints, counted in the database.

Each client address has one counter per scope (public tracking, complaints, pickup
requests): the first request opens a window of ``period`` seconds, later ones count in it,
and the first request after it ends opens a new one. One ``INSERT … ON CONFLICT DO UPDATE
… RETURNING`` per request counts, resets and answers at once, atomically across workers
and servers (PostgreSQL and SQLite ≥ 3.35). Before, the limits kept each client's request
history in Django's cache; with the shared database cache production uses, that cost six
round trips per request (read, count the table for culling, begin, read the key, write,
commit) on the busiest public endpoint, whose own lookup is one (docs/benchmarks.md).

nginx's ``limit_req`` (deploy/nginx.conf) limits first; this is the limit the application
keeps wherever it runs. A limit of ``0`` turns the application's limit off (and costs
nothing): for a deployment that limits in front of it, and for the benchmarks.
"""

from __future__ import annotations

import random
import time
from contextvars import ContextVar

from django.db import connection
from ninja.throttling import BaseThrottle

from .audit import client_ip
from .db import fetch_prepared

# On one request in this many that opens a window, counters whose window ended long ago
# are deleted (they would only be reset): the table holds about the clients of the last
# periods, with no scheduled job.
CLEANUP_ONE_IN = 200
# Windows older than this are deleted by the cleanup (longer than any period used).
CLEANUP_AFTER_SECONDS = 2 * 3600

_HIT_SQL = """
    INSERT INTO core_ratecounter (client_key, window_start, count) VALUES (%s, %s, 1)
    ON CONFLICT (client_key) DO UPDATE SET
        count = CASE WHEN core_ratecounter.window_start <= %s THEN 1
                     ELSE core_ratecounter.count + 1 END,
        window_start = CASE WHEN core_ratecounter.window_start <= %s THEN excluded.window_start
                            ELSE core_ratecounter.window_start END
    RETURNING count, window_start
"""


# The seconds a refused request must wait, for the ``wait()`` that follows ``allow_request``
# in the same request. django-ninja shares one throttle instance among all the requests of a
# router: a wait kept on the instance could be another thread's. A context variable is
# per thread (and per asyncio task).
_LAST_WAIT: ContextVar[float | None] = ContextVar("postops_rate_limit_wait", default=None)


def remember_wait(wait: float | None) -> None:
    """Keep ``wait`` (``None``: allowed) for :func:`last_wait` in this request."""
    _LAST_WAIT.set(wait)


def last_wait() -> float | None:
    """The wait kept by the latest :func:`remember_wait` in this thread or task."""
    return _LAST_WAIT.get()


def hit(key: str, limit: int, period: int, *, now: float | None = None) -> float | None:
    """Count one request of ``key``; ``None`` if it is within ``limit`` requests per
    ``period`` seconds, else the seconds until its window ends (for ``Retry-After``).
    Refused requests count too (a client that keeps trying stays refused until the window
    ends). ``limit <= 0``: no limit, nothing counted."""
    if limit <= 0:
        return None
    now = time.time() if now is None else now
    ended = now - period  # a window that started at or before this has ended
    params = [key, now, ended, ended]
    if connection.vendor == "postgresql":
        # Prepared on the connection (it runs on every public request): parsing and planning
        # the statement cost PostgreSQL more than running it (docs/benchmarks.md).
        ((count, window_start),) = fetch_prepared(_HIT_SQL, params)
    else:
        with connection.cursor() as cursor:
            cursor.execute(_HIT_SQL, params)
            count, window_start = cursor.fetchone()
    if count == 1 and random.randrange(CLEANUP_ONE_IN) == 0:
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM core_ratecounter WHERE window_start < %s",
                [now - CLEANUP_AFTER_SECONDS],
            )
    if count <= limit:
        return None
    return max(window_start + period - now, 0.0)


class ClientRateThrottle(BaseThrottle):
    """Requests per client address (the address nginx saw: ``X-Real-IP``) in a window of
    ``period`` seconds; subclasses name the ``scope`` and read their limit from settings on
    each request (a settings change applies at once). Usable as a django-ninja throttle
    and in plain views: ``allow_request`` then ``wait``."""

    scope = ""
    period = 60

    def limit(self) -> int:
        raise NotImplementedError

    def allow_request(self, request) -> bool:
        key = f"{self.scope}:{client_ip(request) or 'unknown'}"
        wait = hit(key, self.limit(), self.period)
        remember_wait(wait)
        return wait is None

    def wait(self) -> float | None:
        return last_wait()
