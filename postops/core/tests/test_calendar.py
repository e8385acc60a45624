"""The Django layer of working days: overrides from the database, cached, audited."""

from datetime import date

import pytest
from django.core.cache import cache

from postops.core import calendar, services
from postops.core.models import AuditEntry, HolidayOverride

pytestmark = pytest.mark.django_db

TUESDAY = date(2026, 3, 10)
SATURDAY = date(2026, 3, 14)


@pytest.fixture
def admin(make_user):
    return make_user("admin", username="qtv")


def test_without_overrides_the_computed_calendar_applies():
    assert calendar.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)
    assert calendar.is_working_day(TUESDAY)
    assert calendar.working_days_between(date(2026, 3, 6), date(2026, 3, 9)) == 1


def test_set_override_changes_deadlines_at_once_and_is_audited(admin):
    assert calendar.add_working_days(date(2026, 3, 9), 1) == TUESDAY
    services.holiday_override_set(
        admin, TUESDAY, is_holiday=True, name="Nghỉ bù", source="Thông báo 123/TB-VPCP"
    )
    assert not calendar.is_working_day(TUESDAY)
    assert calendar.add_working_days(date(2026, 3, 9), 1) == date(2026, 3, 11)
    entry = AuditEntry.objects.get(action="core.holiday_override.set")
    assert entry.actor_label == "qtv"
    assert entry.target_type == "core.holidayoverride"
    assert entry.before == {}
    assert entry.after == {
        "date": "2026-03-10",
        "is_holiday": True,
        "name": "Nghỉ bù",
        "source": "Thông báo 123/TB-VPCP",
    }


def test_changing_an_override_records_only_what_changed(admin):
    services.holiday_override_set(admin, SATURDAY, is_holiday=True, name="x")
    services.holiday_override_set(admin, SATURDAY, is_holiday=False, name="x")
    assert HolidayOverride.objects.get(date=SATURDAY).is_holiday is False
    assert calendar.is_working_day(SATURDAY)
    last = AuditEntry.objects.filter(action="core.holiday_override.set").order_by("-id")[0]
    assert (last.before, last.after) == ({"is_holiday": True}, {"is_holiday": False})


def test_delete_override_restores_the_default_and_is_audited(admin):
    override = services.holiday_override_set(admin, SATURDAY, is_holiday=False)
    assert calendar.is_working_day(SATURDAY)
    assert services.holiday_override_delete(admin, SATURDAY) is True
    assert not calendar.is_working_day(SATURDAY)
    entry = AuditEntry.objects.get(action="core.holiday_override.delete")
    assert (entry.target_type, entry.target_id) == ("core.holidayoverride", str(override.pk))
    assert entry.before == {"date": "2026-03-14", "is_holiday": False, "name": "", "source": ""}
    assert services.holiday_override_delete(admin, SATURDAY) is False
    assert AuditEntry.objects.filter(action="core.holiday_override.delete").count() == 1


def test_calendar_is_cached_per_process(django_assert_num_queries):
    calendar.is_working_day(TUESDAY)
    with django_assert_num_queries(0):
        calendar.add_working_days(TUESDAY, 5)
        calendar.working_days_between(TUESDAY, SATURDAY)


def test_a_change_made_by_another_process_is_picked_up_through_the_version_stamp():
    assert calendar.is_working_day(TUESDAY)
    # Another process wrote the row and bumped the shared version stamp.
    HolidayOverride.objects.create(date=TUESDAY, is_holiday=True)
    assert calendar.is_working_day(TUESDAY)  # still this process's copy
    cache.set(calendar._VERSION_KEY, "other-process", timeout=None)
    assert not calendar.is_working_day(TUESDAY)


def test_the_copy_expires_even_without_a_signal(monkeypatch):
    assert calendar.is_working_day(TUESDAY)
    HolidayOverride.objects.create(date=TUESDAY, is_holiday=True)
    monkeypatch.setattr(calendar, "RELOAD_SECONDS", 0)
    assert not calendar.is_working_day(TUESDAY)


def test_override_validation(admin):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        services.holiday_override_set(admin, TUESDAY, is_holiday=True, name="x" * 121)
    assert "name" in exc.value.message_dict
    assert HolidayOverride.objects.count() == 0


class TestAdmin:
    @pytest.fixture
    def client_admin(self, make_user, verified_client):
        return verified_client(
            make_user("admin", username="root", is_superuser=True, is_staff=True)
        )

    def test_add_goes_through_the_service(self, client_admin):
        response = client_admin.post(
            "/admin/core/holidayoverride/add/",
            {"date": "2026-03-10", "is_holiday": "on", "name": "Nghỉ bù", "source": "TB-1"},
        )
        assert response.status_code == 302
        assert not calendar.is_working_day(TUESDAY)
        entry = AuditEntry.objects.get(action="core.holiday_override.set")
        assert entry.actor_label == "root"

    def test_change_and_delete_go_through_the_services(self, client_admin, make_user):
        override = services.holiday_override_set(make_user("admin"), TUESDAY, is_holiday=True)
        response = client_admin.post(
            f"/admin/core/holidayoverride/{override.pk}/change/",
            {"name": "Đổi tên", "source": ""},
        )
        assert response.status_code == 302
        override.refresh_from_db()
        assert (override.is_holiday, override.name) == (False, "Đổi tên")
        assert calendar.is_working_day(TUESDAY)
        response = client_admin.post(
            f"/admin/core/holidayoverride/{override.pk}/delete/", {"post": "yes"}
        )
        assert response.status_code == 302
        assert HolidayOverride.objects.count() == 0
        actions = list(
            AuditEntry.objects.filter(actor_label="root")
            .order_by("id")
            .values_list("action", flat=True)
        )
        assert actions == ["core.holiday_override.set", "core.holiday_override.delete"]
