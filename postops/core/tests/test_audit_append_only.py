"""No path updates or deletes an audit entry (issue #2 item 6), on SQLite and PostgreSQL."""

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from postops.core.audit import audit_record
from postops.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry():
    return audit_record(None, "tests.something", actor_label="someone", after={"x": 1})


def _unchanged(entry):
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.action, stored.after) == ("tests.something", {"x": 1})


def test_save_of_a_stored_entry_is_refused(entry):
    entry.action = "tests.rewritten"
    with pytest.raises(PermissionError, match="AuditEntry is append-only"):
        entry.save()
    fetched = AuditEntry.objects.get(pk=entry.pk)
    fetched.after = {"x": 2}
    with pytest.raises(PermissionError):
        fetched.save(update_fields=["after"])
    _unchanged(entry)


def test_save_with_an_existing_primary_key_cannot_overwrite(entry):
    clone = AuditEntry(pk=entry.pk, action="tests.overwrite")
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()
    _unchanged(entry)


def test_instance_delete_is_refused(entry):
    with pytest.raises(PermissionError):
        entry.delete()
    _unchanged(entry)


@pytest.mark.parametrize(
    "attempt",
    [
        lambda qs: qs.update(action="tests.rewritten"),
        lambda qs: qs.delete(),
        lambda qs: qs._update({"action": "tests.rewritten"}),
        lambda qs: qs._raw_delete(qs.db),
        lambda qs: qs.filter(action="tests.something").update_or_create(
            action="tests.something", defaults={"after": {}}
        ),
    ],
    ids=["update", "delete", "_update", "_raw_delete", "update_or_create"],
)
def test_queryset_paths_are_refused(entry, attempt):
    with pytest.raises(PermissionError):
        attempt(AuditEntry.objects.all())
    _unchanged(entry)


def test_bulk_update_is_refused(entry):
    entry.action = "tests.rewritten"
    with pytest.raises(PermissionError):
        AuditEntry.objects.bulk_update([entry], ["action"])
    _unchanged(entry)


def test_upsert_is_refused_but_plain_bulk_insert_works(entry):
    with pytest.raises(PermissionError):
        AuditEntry.objects.bulk_create(
            [AuditEntry(pk=entry.pk, action="tests.rewritten")],
            update_conflicts=True,
            update_fields=["action"],
            unique_fields=["id"],
        )
    created = AuditEntry.objects.bulk_create([AuditEntry(action="tests.bulk")])
    assert len(created) == 1
    assert AuditEntry.objects.filter(action="tests.bulk").count() == 1
    _unchanged(entry)


def test_django_base_manager_refuses_too(entry):
    # Django's internal manager (related lookups, deletion collector) is the append-only one.
    with pytest.raises(PermissionError):
        AuditEntry._base_manager.filter(pk=entry.pk).update(action="tests.rewritten")
    _unchanged(entry)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE core_auditentry SET action = 'tests.rewritten'",
        "UPDATE core_auditentry SET after = '{}' WHERE id = %s",
        "DELETE FROM core_auditentry",
        "DELETE FROM core_auditentry WHERE id = %s",
    ],
)
def test_raw_sql_is_refused_by_the_database(entry, sql):
    params = [entry.pk] if "%s" in sql else []
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)
    _unchanged(entry)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE trigger: PostgreSQL")
def test_truncate_is_refused_on_postgresql(entry):
    _check_deferred_constraints_now()
    with (
        pytest.raises(IntegrityError, match="TRUNCATE refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("TRUNCATE core_auditentry")
    _unchanged(entry)


def test_append_only_triggers_exist():
    # A later migration that rebuilds the table on SQLite would silently drop them.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'core_auditentry'::regclass "
                "AND NOT tgisinternal ORDER BY tgname"
            )
            expected = [("core_auditentry_no_truncate",), ("core_auditentry_no_update_delete",)]
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = 'core_auditentry' ORDER BY name"
            )
            expected = [("core_auditentry_no_delete",), ("core_auditentry_no_update",)]
        assert cursor.fetchall() == expected


def test_flush_may_still_empty_the_database(entry):
    # Test teardown and demo resets use flush; it is the one way to remove entries.
    _check_deferred_constraints_now()
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
    assert AuditEntry.objects.count() == 0
    # ... and the door closes again afterwards.
    again = audit_record(None, "tests.after_flush")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [again.pk])


def test_inserting_is_allowed(entry):
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM core_auditentry")
        assert cursor.fetchone() == (1,)


class TestAdminIsReadOnly:
    @pytest.fixture
    def admin_client(self, make_user, verified_client):
        root = make_user("admin", username="root", is_superuser=True, is_staff=True)
        return verified_client(root)

    def test_changelist_and_detail_are_readable(self, admin_client, entry):
        assert admin_client.get("/admin/core/auditentry/").status_code == 200
        response = admin_client.get(f"/admin/core/auditentry/{entry.pk}/change/")
        assert response.status_code == 200
        assert b'name="_save"' not in response.content

    def test_no_add_change_or_delete(self, admin_client, entry):
        assert admin_client.get("/admin/core/auditentry/add/").status_code == 403
        assert admin_client.post("/admin/core/auditentry/add/", {}).status_code == 403
        response = admin_client.post(
            f"/admin/core/auditentry/{entry.pk}/change/", {"action": "tests.rewritten"}
        )
        assert response.status_code == 403
        assert admin_client.get(f"/admin/core/auditentry/{entry.pk}/delete/").status_code == 403
        assert (
            admin_client.post(
                f"/admin/core/auditentry/{entry.pk}/delete/", {"post": "yes"}
            ).status_code
            == 403
        )
        response = admin_client.post(
            "/admin/core/auditentry/",
            {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
        )
        assert AuditEntry.objects.filter(pk=entry.pk).exists()
        _unchanged(entry)


def _check_deferred_constraints_now():
    # Inside the test's transaction PostgreSQL refuses TRUNCATE while deferred foreign-key
    # checks of earlier inserts are pending; a real flush runs in a transaction of its own.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
