"""Django's PostgreSQL backend, with the connection health check at most once per interval.

Django's ``CONN_HEALTH_CHECKS`` sends ``SELECT 1`` before the first query of *every*
request that reuses a persistent connection: on the public tracking endpoint that doubled
the round trips of a lookup (docs/benchmarks.md, "Items"). Here the check runs when the
connection has not been checked for ``POSTOPS_DB_HEALTH_CHECK_SECONDS`` (default 10), or
when psycopg already knows it is closed or broken; in between, a connection the server
dropped makes one request fail, after which Django closes it (``errors_occurred``) and the
next request opens a new one — what Django does with health checks off, limited to the
interval.
"""

from time import monotonic

from django.conf import settings
from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    _checked_at = float("-inf")

    def connect(self):
        super().connect()
        self._checked_at = monotonic()

    def close_if_health_check_failed(self):
        due = (
            self.connection is not None and self.health_check_enabled and not self.health_check_done
        )
        if not due:
            return
        now = monotonic()
        if not (self.connection.closed or self.connection.broken) and (
            now - self._checked_at < settings.POSTOPS_DB_HEALTH_CHECK_SECONDS
        ):
            self.health_check_done = True
            return
        self._checked_at = now
        super().close_if_health_check_failed()
