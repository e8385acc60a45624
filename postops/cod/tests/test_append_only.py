"""COD history is append-only: the ORM and the database refuse to change or remove it."""

import uuid
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction

from postops.cod import services
from postops.cod.models import CodMovement

TABLES = [
    "cod_codhandover",
    "cod_codmovement",
    "cod_reconciliation",
    "cod_remittanceline",
    "cod_returncharge",
]


@pytest.fixture
def movement(make_item, postman):
    item = make_item()
    collection = services.cod_collection_record(
        item, item.cod_amount, postman, item.accepted_at + timedelta(hours=2), uuid.uuid4()
    ).collection
    return collection.movements.get()


def test_the_orm_refuses_changes(movement):
    movement.amount = 1
    with pytest.raises(PermissionError):
        movement.save()
    with pytest.raises(PermissionError):
        movement.delete()
    with pytest.raises(PermissionError):
        CodMovement.objects.filter(pk=movement.pk).update(amount=1)
    with pytest.raises(PermissionError):
        CodMovement.objects.all().delete()
    assert CodMovement.objects.get(pk=movement.pk).amount == 350000


@pytest.mark.parametrize(
    "sql", ["UPDATE cod_codmovement SET amount = 1", "DELETE FROM cod_codmovement"]
)
def test_raw_sql_is_refused_by_the_database(movement, sql):
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert CodMovement.objects.get(pk=movement.pk).amount == 350000


@pytest.mark.django_db
@pytest.mark.parametrize("table", TABLES)
def test_append_only_triggers_exist(table):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass "
                "AND NOT tgisinternal ORDER BY tgname",
                [table],
            )
            expected = [(f"{table}_no_truncate",), (f"{table}_no_update_delete",)]
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = %s ORDER BY name",
                [table],
            )
            expected = [(f"{table}_no_delete",), (f"{table}_no_update",)]
        assert cursor.fetchall() == expected
