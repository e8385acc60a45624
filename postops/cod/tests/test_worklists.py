"""Supervisors' worklists: office-scoped, keyset-paginated, a bounded number of queries."""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection

from postops.cod import selectors as cod_selectors
from postops.cod import services
from postops.items import worklists
from postops.items.models import Item, ItemState
from postops.items.services import event_record
from postops.public.tests.test_csp_hygiene import assert_clean

NOW = datetime(2026, 3, 20, 3, 0, tzinfo=UTC)


def _scan(item, office, code, when, **extra):
    event_record(actor=None, item=item, code=code, office=office, occurred_at=when, **extra)


def _numbers(page):
    return [row.number for row in page.rows]


def _walk(fetch, limit):
    """Every row through the pages, following the cursors."""
    seen, cursor, pages = [], "", 0
    while True:
        page = fetch(cursor=cursor, limit=limit)
        seen += page.rows
        pages += 1
        if not page.next_cursor:
            return seen, pages
        cursor = page.next_cursor


def test_stale_items_oldest_first_in_scope_and_paged(
    make_item, supervisor, make_office, offices, django_assert_max_num_queries
):
    old = [make_item(when=NOW - timedelta(days=10 - n)) for n in range(5)]  # events 1 h later
    fresh = make_item(when=NOW - timedelta(days=1))
    delivered = make_item(when=NOW - timedelta(days=9))
    _scan(delivered, offices["delivery"], "delivered", NOW - timedelta(days=8))
    elsewhere = make_office("250000", parent=offices["root"])
    foreign = make_item(when=NOW - timedelta(days=9), arrive=False)
    Item.objects.filter(pk=foreign.pk).update(destination_office=elsewhere)
    ItemState.objects.filter(item=foreign).update(last_office=elsewhere)

    page = worklists.stale_items(supervisor, days=3, now=NOW)
    assert _numbers(page) == [i.number for i in old]
    assert fresh.number not in _numbers(page)
    rows, pages = _walk(
        lambda cursor, limit: worklists.stale_items(
            supervisor, days=3, now=NOW, cursor=cursor, limit=limit
        ),
        limit=2,
    )
    assert ([r.number for r in rows], pages) == ([i.number for i in old], 3)
    with django_assert_max_num_queries(2):
        worklists.stale_items(supervisor, days=3, now=NOW, limit=2)


def test_failed_attempts_count_the_attempts(make_item, supervisor, offices, codes):
    item = make_item(when=NOW - timedelta(days=4))
    t = NOW - timedelta(days=3)
    for n in range(2):
        _scan(item, offices["delivery"], "out_for_delivery", t + timedelta(days=n))
        _scan(
            item,
            offices["delivery"],
            "delivery_failed",
            t + timedelta(days=n, hours=2),
            reason_code="R01",
            action_code="A01",
        )
    other = make_item(when=NOW - timedelta(days=4))
    page = worklists.failed_attempt_items(supervisor)
    assert [(r.number, r.attempts) for r in page.rows] == [(item.number, 2)]
    assert other.number not in _numbers(page)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="partial index plans: PostgreSQL")
@pytest.mark.parametrize(
    ("worklist", "index"),
    [("failed_attempt_items", "itemstate_failed_idx"), ("stale_items", "itemstate_open_idx")],
)
def test_worklists_read_their_partial_index(supervisor, worklist, index):
    """The failed-attempts list reads ``itemstate_failed_idx`` (only failed items: 79 ms at
    1.8 M items with the whole office index, 0.7 ms with it), the stale list
    ``itemstate_open_idx`` (only unfinished items: 106 ms at 1 M items scanning every state,
    2.5 ms with it; docs/benchmarks.md). With an empty table PostgreSQL would scan: the
    plan is asked with sequential scans off, as they are on a big table."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        getattr(worklists, worklist)(supervisor)
    sql = ctx.captured_queries[-1]["sql"]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert index in plan


def test_overdue_against_the_promised_date(make_item, supervisor, offices):
    late = make_item(promised_date=date(2026, 3, 10))
    later = make_item(promised_date=date(2026, 3, 12))
    on_time = make_item(promised_date=date(2026, 3, 20))
    done = make_item(promised_date=date(2026, 3, 5))
    _scan(done, offices["delivery"], "delivered", done.accepted_at + timedelta(hours=5))
    page = worklists.overdue_items(supervisor, today=date(2026, 3, 20))
    assert _numbers(page) == [late.number, later.number]
    assert on_time.number not in _numbers(page)
    first = worklists.overdue_items(supervisor, today=date(2026, 3, 20), limit=1)
    second = worklists.overdue_items(
        supervisor, today=date(2026, 3, 20), limit=1, cursor=first.next_cursor
    )
    assert (_numbers(first), _numbers(second), second.next_cursor) == (
        [late.number],
        [later.number],
        None,
    )


def test_cod_not_handed_over(make_item, postman, supervisor, offices):
    held = make_item(cod_amount=200000)
    given = make_item(cod_amount=300000)
    for item in (held, given):
        services.cod_collection_record(
            item, item.cod_amount, postman, item.accepted_at + timedelta(hours=2), uuid.uuid4()
        )
    services.cod_handover_confirm(
        actor=supervisor,
        office=offices["delivery"],
        postman=postman,
        reference="HO-W",
        counted_amount=300000,
        numbers=[given.number],
    )
    page = cod_selectors.cod_not_handed_over_page(supervisor)
    assert [(c.item.number, c.amount, c.postman) for c in page.rows] == [
        (held.number, 200000, postman)
    ]
    before = held.accepted_at + timedelta(hours=1)
    assert cod_selectors.cod_not_handed_over_page(supervisor, before=before).rows == []


@pytest.mark.parametrize("kind", ["stale", "failed", "overdue", "cod", "unrouted"])
def test_worklist_pages_use_a_fixed_number_of_queries(
    kind, make_item, supervisor, verified_client, django_assert_max_num_queries
):
    client = verified_client(supervisor)
    url = f"/worklists/{kind}/?days=1&all=1"
    assert_clean(client.get(url))
    with django_assert_max_num_queries(14) as few:
        client.get(url)
    for _n in range(6):
        make_item(when=NOW - timedelta(days=30), promised_date=date(2026, 1, 1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200


def test_worklists_for_supervisors_and_managers_only(make_user, verified_client, offices):
    assert (
        verified_client(make_user("clerk", offices=[offices["origin"]]))
        .get("/worklists/stale/")
        .status_code
        == 403
    )
    manager = verified_client(make_user("manager", offices=[offices["root"]]))
    assert manager.get("/worklists/").status_code == 302
    assert manager.get("/worklists/nope/").status_code == 404
