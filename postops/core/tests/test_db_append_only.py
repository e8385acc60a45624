"""``postops.core.db.append_only_triggers``: the one trigger scheme of every history table."""

import pytest
from django.db import DatabaseError, connection, transaction

from postops.core.db import append_only_sql, append_only_triggers


class _Editor:
    """The part of a schema editor that the migration operation uses."""

    connection = connection

    def execute(self, sql, params=None):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def _execute(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)


@pytest.mark.django_db
@pytest.mark.parametrize("sqlite_only", [False, True])
def test_operation_refuses_update_and_delete_then_reverses(sqlite_only):
    table = "core_append_only_probe"
    _execute(f"CREATE TABLE {table} (id integer PRIMARY KEY, note varchar(10))")
    _execute(f"INSERT INTO {table} (id, note) VALUES (1, 'a')")
    operation = append_only_triggers(table, sqlite_only=sqlite_only)
    operation.code(None, _Editor())
    guarded = connection.vendor == "sqlite" or not sqlite_only
    for statement in (f"UPDATE {table} SET note = 'b'", f"DELETE FROM {table}"):
        if guarded:
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                _execute(statement)
        else:
            with transaction.atomic():
                _execute(statement)
                transaction.set_rollback(True)
    operation.reverse_code(None, _Editor())
    if sqlite_only and connection.vendor == "sqlite":
        # A re-create after a rebuild leaves the triggers on the way back: the earlier
        # migration that made the table append-only still wants them.
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            _execute(f"DELETE FROM {table}")
    else:
        _execute(f"UPDATE {table} SET note = 'c'")
        _execute(f"DELETE FROM {table}")


def test_unknown_backend_has_no_statements():
    assert append_only_sql("t", "mysql") == ([], [])
    create, drop = append_only_sql("t", "postgresql")
    assert [s.split()[0:2] for s in create] == [
        ["CREATE", "FUNCTION"],
        ["CREATE", "TRIGGER"],
        ["CREATE", "TRIGGER"],
    ]
    assert drop[-1] == "DROP FUNCTION IF EXISTS t_append_only()"
