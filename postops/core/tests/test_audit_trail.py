"""audit_record / audit_read: what an entry holds, and that it shares the service's fate."""

from datetime import date

import pytest
from django.db import transaction
from django.test import RequestFactory

from postops.core import services
from postops.core.audit import audit_read, audit_read_many, audit_record
from postops.core.models import AuditEntry, HolidayOverride

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_with_id():
    request = RequestFactory().get("/x", REMOTE_ADDR="10.0.0.7")
    request.request_id = "req-123"
    return request


def test_entry_records_actor_role_office_request_and_ip(make_user, offices, request_with_id):
    clerk = make_user("clerk", username="gdv-1", offices=[offices["center"]])
    entry = audit_record(
        clerk,
        "tests.thing.change",
        offices["commune_post"],
        before={"a": 1, "b": date(2026, 1, 2)},
        after={"a": 2, "b": offices["center"]},
        request=request_with_id,
    )
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.actor == clerk
    assert (entry.actor_label, entry.role, entry.office_code) == ("gdv-1", "clerk", "240000")
    assert (entry.target_type, entry.target_id) == (
        "network.office",
        str(offices["commune_post"].pk),
    )
    assert entry.before == {"a": 1, "b": "2026-01-02"}
    assert entry.after == {"a": 2, "b": offices["center"].pk}
    assert (entry.request_id, entry.ip_address) == ("req-123", "10.0.0.7")


def test_entry_rolls_back_with_the_service_transaction(make_user):
    admin = make_user("admin")
    with pytest.raises(RuntimeError), transaction.atomic():
        services.holiday_override_set(admin, date(2026, 3, 10), is_holiday=True, name="x")
        assert AuditEntry.objects.filter(action="core.holiday_override.set").count() == 1
        raise RuntimeError("the rest of the service failed")
    assert HolidayOverride.objects.count() == 0
    assert AuditEntry.objects.filter(action="core.holiday_override.set").count() == 0


def test_a_failing_audit_write_rolls_back_the_change(make_user, monkeypatch):
    admin = make_user("admin")

    def broken(*args, **kwargs):
        raise RuntimeError("audit table unavailable")

    monkeypatch.setattr(services, "audit_record", broken)
    with pytest.raises(RuntimeError):
        services.holiday_override_set(admin, date(2026, 3, 10), is_holiday=True)
    assert HolidayOverride.objects.count() == 0


def test_audit_read_records_field_names_not_values(make_user, offices, request_with_id):
    auditor = make_user("auditor", username="ksv", offices=[offices["root"]])
    target = make_user("clerk", username="citizen-holder")
    entry = audit_read(auditor, target, ["phone", "full_name", "phone"], request=request_with_id)
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.action == "accounts.user.read"
    assert (entry.target_type, entry.target_id) == ("accounts.user", str(target.pk))
    assert entry.before == {}
    assert entry.after == {"fields": ["full_name", "phone"]}
    assert (entry.actor_label, entry.office_code, entry.ip_address) == ("ksv", "LS", "10.0.0.7")


def test_audit_read_many_writes_one_entry_per_record(make_user):
    viewer = make_user("supervisor")
    targets = [make_user("clerk"), make_user("clerk")]
    assert audit_read_many(viewer, targets, ["phone"]) == 2
    entries = AuditEntry.objects.filter(action="accounts.user.read").order_by("id")
    assert [e.target_id for e in entries] == [str(t.pk) for t in targets]
    single = audit_read(viewer, targets[0], ["phone"])  # the same fields as one by one
    assert {
        (e.actor_id, e.actor_label, e.role, e.office_code, e.target_type, str(e.after))
        for e in entries
    } == {
        (
            single.actor_id,
            single.actor_label,
            single.role,
            single.office_code,
            single.target_type,
            str(single.after),
        )
    }
    assert all(e.occurred_at is not None for e in entries)


def test_audit_read_many_takes_a_fixed_number_of_queries(make_user, django_assert_max_num_queries):
    viewer = make_user("supervisor")
    targets = [make_user("clerk") for _ in range(30)]
    with django_assert_max_num_queries(5):  # the actor's office, one insert (and savepoint)
        assert audit_read_many(viewer, targets, ["phone"]) == 30


def test_anonymous_actor_keeps_only_a_label():
    entry = audit_record(None, "public.tracking.search", actor_label="1.2.3.4")
    assert (entry.actor, entry.actor_label, entry.role, entry.office_code) == (
        None,
        "1.2.3.4",
        "",
        "",
    )
