"""The public rate limits' counters (postops.core.ratelimit): one statement per request."""

import pytest
from django.db import connection
from django.test import RequestFactory

from postops.core import ratelimit
from postops.core.models import RateCounter

pytestmark = pytest.mark.django_db


def test_a_window_opens_at_the_first_request_and_refuses_beyond_the_limit():
    answers = [ratelimit.hit("t:1.2.3.4", 3, 60, now=1000.0 + i) for i in range(5)]
    # Allowed three times; then refused until the window (opened at 1000 s) ends at 1060 s.
    assert answers == [None, None, None, 57.0, 56.0]
    row = RateCounter.objects.get(client_key="t:1.2.3.4")
    assert (row.window_start, row.count) == (1000.0, 5)  # refused requests count too


def test_a_new_window_starts_after_the_period():
    for i in range(4):
        ratelimit.hit("t:a", 3, 60, now=1000.0 + i)
    assert ratelimit.hit("t:a", 3, 60, now=1059.9) == pytest.approx(0.1)
    assert ratelimit.hit("t:a", 3, 60, now=1060.0) is None  # new window, count 1
    row = RateCounter.objects.get(client_key="t:a")
    assert (row.window_start, row.count) == (1060.0, 1)


def test_each_client_and_scope_has_its_own_counter():
    for _ in range(3):
        ratelimit.hit("t:a", 3, 60, now=1000.0)
    assert ratelimit.hit("t:a", 3, 60, now=1001.0) is not None
    assert ratelimit.hit("t:b", 3, 60, now=1001.0) is None
    assert ratelimit.hit("other:a", 3, 60, now=1001.0) is None


def test_a_limit_of_zero_counts_nothing():
    assert ratelimit.hit("t:a", 0, 60) is None
    assert not RateCounter.objects.exists()


def test_one_statement_per_request(django_assert_num_queries, monkeypatch):
    monkeypatch.setattr(ratelimit, "CLEANUP_ONE_IN", 10**9)
    ratelimit.hit("t:a", 3, 60, now=1000.0)
    with django_assert_num_queries(1):
        ratelimit.hit("t:a", 3, 60, now=1001.0)


def test_windows_that_ended_long_ago_are_deleted_now_and_then(monkeypatch):
    monkeypatch.setattr(ratelimit, "CLEANUP_ONE_IN", 1)  # every window opening cleans
    ratelimit.hit("t:old", 3, 60, now=1000.0)
    ratelimit.hit("t:recent", 3, 60, now=1000.0 + ratelimit.CLEANUP_AFTER_SECONDS)
    ratelimit.hit("t:new", 3, 60, now=1001.0 + ratelimit.CLEANUP_AFTER_SECONDS)
    assert sorted(RateCounter.objects.values_list("client_key", flat=True)) == [
        "t:new",
        "t:recent",
    ]


def test_the_throttle_counts_per_client_address_and_says_how_long_to_wait(settings):
    from postops.items.api import PublicRateThrottle

    settings.POSTOPS_PUBLIC_RATE_PER_MINUTE = 2
    rf = RequestFactory()
    behind_nginx = rf.get("/", HTTP_X_REAL_IP="203.0.113.7", REMOTE_ADDR="127.0.0.1")
    throttle = PublicRateThrottle()
    assert [throttle.allow_request(behind_nginx) for _ in range(3)] == [True, True, False]
    assert 59 < throttle.wait() <= 60
    assert throttle.allow_request(rf.get("/", REMOTE_ADDR="198.51.100.1"))
    assert RateCounter.objects.filter(client_key="public_tracking:203.0.113.7").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_the_counters_table_is_unlogged_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = 'core_ratecounter'")
        assert cursor.fetchone() == ("u",)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_the_count_is_a_prepared_statement_on_postgresql(monkeypatch):
    monkeypatch.setattr(ratelimit, "CLEANUP_ONE_IN", 10**9)
    for i in range(8):  # PostgreSQL weighs the generic plan after five runs
        assert ratelimit.hit(f"t:{i % 3}", 3, 60, now=1000.0 + i) is None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, generic_plans FROM pg_prepared_statements"
            " WHERE statement LIKE '%%core_ratecounter%%'"
        )
        ((statement, generic_plans),) = cursor.fetchall()
    assert "VALUES ($1, $2, 1)" in statement
    assert generic_plans >= 1  # not parsed nor planned again at each request
    assert RateCounter.objects.get(client_key="t:1").count == 3


def test_a_shared_throttle_tells_each_thread_its_own_wait(monkeypatch):
    """django-ninja shares a router's throttle among requests: a refused request must get
    its own ``Retry-After``, not the one of a request another thread just counted."""
    import threading

    from postops.items.api import PublicRateThrottle

    monkeypatch.setattr(ratelimit, "hit", lambda key, limit, period: 42.0 if "9.9" in key else None)
    throttle = PublicRateThrottle()
    rf = RequestFactory()
    counted, checked = threading.Event(), threading.Event()
    seen = {}

    def refused_client():
        seen["allowed"] = throttle.allow_request(rf.get("/", REMOTE_ADDR="9.9.9.9"))
        counted.set()
        checked.wait(5)  # meanwhile another request is allowed
        seen["wait"] = throttle.wait()

    thread = threading.Thread(target=refused_client)
    thread.start()
    counted.wait(5)
    assert throttle.allow_request(rf.get("/", REMOTE_ADDR="198.51.100.1"))
    assert throttle.wait() is None
    checked.set()
    thread.join(5)
    assert seen == {"allowed": False, "wait": 42.0}
