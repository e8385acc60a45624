"""Delivery attempts and handovers are append-only, in the ORM and in the database."""

import pytest
from django.db import IntegrityError, connection, transaction

from postops.delivery import services
from postops.delivery.models import DeliveryAttempt

from .conftest import eid, local, png_bytes

TABLES = ["delivery_deliveryattempt", "delivery_handover", "delivery_counterdelivery"]


@pytest.fixture
def attempt(make_item, supervisor, postman, offices):
    item = make_item()
    services.run_sheet_assign(
        actor=supervisor,
        office=offices["delivery"],
        postman=postman,
        numbers=[item.number],
        now=local(0, 7),
    )
    services.delivery_record(
        actor=postman,
        event_id=eid(1),
        number=item.number,
        device_time=local(0, 9),
        recipient_name="Trần Thị Bình",
        relation="self",
        signature=png_bytes(),
    )
    return DeliveryAttempt.objects.get()


def test_the_orm_refuses_changes(attempt):
    attempt.recipient_name = "Người khác"
    with pytest.raises(PermissionError):
        attempt.save()
    with pytest.raises(PermissionError):
        attempt.delete()
    with pytest.raises(PermissionError):
        DeliveryAttempt.objects.filter(pk=attempt.pk).update(recipient_name="Người khác")
    assert DeliveryAttempt.objects.get(pk=attempt.pk).recipient_name == "Trần Thị Bình"


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE delivery_deliveryattempt SET recipient_name = 'X'",
        "DELETE FROM delivery_deliveryattempt",
    ],
)
def test_raw_sql_is_refused_by_the_database(attempt, sql):
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert DeliveryAttempt.objects.get(pk=attempt.pk).recipient_name == "Trần Thị Bình"


@pytest.mark.django_db
def test_append_only_triggers_exist():
    found = []
    with connection.cursor() as cursor:
        for table in TABLES:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass "
                    "AND NOT tgisinternal ORDER BY tgname",
                    [table],
                )
                found += [row[0] for row in cursor.fetchall()]
            else:
                cursor.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s "
                    "ORDER BY name",
                    [table],
                )
                found += [row[0] for row in cursor.fetchall()]
    suffixes = (
        ["no_truncate", "no_update_delete"]
        if connection.vendor == "postgresql"
        else ["no_delete", "no_update"]
    )
    assert found == [f"{table}_{suffix}" for table in TABLES for suffix in suffixes]
