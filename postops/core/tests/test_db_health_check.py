"""The PostgreSQL backend checks a kept connection at most once per interval
(``POSTOPS_DB_HEALTH_CHECK_SECONDS``), and at once when psycopg knows it is broken."""

import pytest
from django.db import connection as proxy
from django.db import connections

connection = connections["default"]  # the wrapper itself, not the thread-local proxy

pytestmark = pytest.mark.skipif(
    proxy.vendor != "postgresql", reason="the interval applies to PostgreSQL only"
)


@pytest.fixture
def checks(db, monkeypatch):
    """Count the round-trip checks (``is_usable``); the connection stays usable."""
    calls = []
    monkeypatch.setattr(type(connection), "is_usable", lambda self: calls.append(1) or True)
    connection.ensure_connection()
    connection.health_check_enabled = True
    return calls


def new_request():
    # What Django does at each request's start for a kept connection.
    connection.health_check_done = False
    connection.close_if_health_check_failed()


def test_the_backend_is_in_use():
    assert type(connection).__module__ == "postops.core.db_backends.postgresql.base"


def test_within_the_interval_no_request_pays_a_round_trip(checks, settings, monkeypatch):
    settings.POSTOPS_DB_HEALTH_CHECK_SECONDS = 10
    clock = iter([100.0, 101.0, 105.0, 109.9, 110.1])
    monkeypatch.setattr("postops.core.db_backends.postgresql.base.monotonic", lambda: next(clock))
    connection._checked_at = 100.0

    for _ in range(4):  # at 100.0, 101.0, 105.0 and 109.9 s
        new_request()
    assert checks == []

    new_request()  # at 110.1 s: due
    assert checks == [1]
    assert connection._checked_at == 110.1


def test_zero_checks_before_every_request(checks, settings):
    settings.POSTOPS_DB_HEALTH_CHECK_SECONDS = 0
    new_request()
    new_request()
    assert checks == [1, 1]


def test_a_connection_psycopg_knows_broken_is_checked_at_once(checks, settings, monkeypatch):
    settings.POSTOPS_DB_HEALTH_CHECK_SECONDS = 3600
    connection._checked_at = float("inf")  # as if just checked
    monkeypatch.setattr(type(connection.connection), "broken", property(lambda self: True))
    new_request()
    assert checks == [1]
