"""Database plumbing for the append-only audit table (see core migration 0003).

``register_sqlite_functions`` gives every SQLite connection the ``postops_audit_locked()``
function that the SQLite DELETE trigger consults; :func:`audit_maintenance` opens the one
door the triggers leave: wiping the whole database with ``manage.py flush`` (tests, demo).
"""

from __future__ import annotations

from contextlib import contextmanager

_FLAG = "_postops_audit_maintenance"


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: add ``postops_audit_locked()`` to SQLite connections."""
    if connection.vendor != "sqlite":
        return
    wrapper = connection

    def locked() -> int:
        return 0 if getattr(wrapper, _FLAG, False) else 1

    connection.connection.create_function("postops_audit_locked", 0, locked)


@contextmanager
def audit_maintenance(connection):
    """Let ``connection`` empty ``core_auditentry`` (TRUNCATE on PostgreSQL, DELETE on
    SQLite) inside the block. Only ``manage.py flush`` uses it: updates stay refused."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET postops.audit_maintenance = 'on'")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET postops.audit_maintenance")
        return
    setattr(connection, _FLAG, True)
    try:
        yield
    finally:
        setattr(connection, _FLAG, False)
