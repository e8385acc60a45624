"""Tracking events are append-only: the model, the queryset and the database refuse changes."""

import uuid
from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, connection, transaction

from postops.items.models import TrackingEvent
from postops.items.services import item_accept


@pytest.fixture
def event(blocks, accept_kwargs):
    item = item_accept(
        actor=None, accepted_at=datetime(2026, 3, 2, tzinfo=UTC), **accept_kwargs
    ).item
    return item.events.get()


def _unchanged(event):
    again = TrackingEvent.objects.get(pk=event.pk)
    assert (again.code, again.occurred_at, again.event_id) == (
        event.code,
        event.occurred_at,
        event.event_id,
    )


def test_the_orm_refuses_changes(event):
    changed = TrackingEvent.objects.get(pk=event.pk)
    changed.code = "delivered"
    with pytest.raises(PermissionError):
        changed.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        TrackingEvent.objects.filter(pk=event.pk).update(code="delivered")
    with pytest.raises(PermissionError):
        TrackingEvent.objects.filter(pk=event.pk).delete()
    _unchanged(event)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE items_trackingevent SET code = 'delivered'",
        "UPDATE items_trackingevent SET event_id = %s WHERE id = %s",
        "DELETE FROM items_trackingevent",
        "DELETE FROM items_trackingevent WHERE id = %s",
    ],
)
def test_raw_sql_is_refused_by_the_database(event, sql):
    params = []
    if "event_id = %s" in sql:
        params.append(uuid.uuid4().hex if connection.vendor == "sqlite" else str(uuid.uuid4()))
    if "id = %s" in sql.replace("event_id = %s", ""):
        params.append(event.pk)
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)
    _unchanged(event)


@pytest.mark.django_db
def test_append_only_triggers_exist():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'items_trackingevent'::regclass "
                "AND NOT tgisinternal ORDER BY tgname"
            )
            expected = [
                ("items_trackingevent_no_truncate",),
                ("items_trackingevent_no_update_delete",),
            ]
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = 'items_trackingevent' ORDER BY name"
            )
            expected = [("items_trackingevent_no_delete",), ("items_trackingevent_no_update",)]
        assert cursor.fetchall() == expected
