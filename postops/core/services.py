"""Writes of the core app: holiday overrides (audit writes live in ``audit.py``)."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from .audit import audit_record
from .calendar import calendar_cache_clear
from .models import HolidayOverride


def _override_state(override: HolidayOverride | None) -> dict:
    if override is None:
        return {}
    return {
        "date": override.date.isoformat(),
        "is_holiday": override.is_holiday,
        "name": override.name,
        "source": override.source,
    }


def _invalidate_calendar() -> None:
    # Now, so that this process sees its own change at once; and again after commit, so
    # that no process keeps a copy read while the transaction was still open.
    calendar_cache_clear(broadcast=True)
    transaction.on_commit(lambda: calendar_cache_clear(broadcast=True))


def holiday_override_set(
    actor,
    day: date,
    *,
    is_holiday: bool,
    name: str = "",
    source: str = "",
    request=None,
) -> HolidayOverride:
    """Make ``day`` a day off (``is_holiday=True``) or a working day (``False``).

    The government fixes the exact holidays each year (Labour Code 2019 Art. 112 and the
    Prime Minister's yearly notice); ``source`` names that notice. One row per date.
    """
    with transaction.atomic():
        existing = HolidayOverride.objects.select_for_update().filter(date=day).first()
        before = _override_state(existing)
        override = existing or HolidayOverride(date=day)
        override.is_holiday = is_holiday
        override.name = name
        override.source = source
        override.full_clean()
        override.save()
        after = _override_state(override)
        audit_record(
            actor,
            "core.holiday_override.set",
            override,
            before={k: v for k, v in before.items() if after.get(k) != v},
            after={k: v for k, v in after.items() if before.get(k) != v},
            request=request,
        )
        _invalidate_calendar()
    return override


def holiday_override_delete(actor, day: date, *, request=None) -> bool:
    """Remove the override of ``day`` (the computed default applies again). False if none."""
    with transaction.atomic():
        override = HolidayOverride.objects.select_for_update().filter(date=day).first()
        if override is None:
            return False
        before = _override_state(override)
        target_id = str(override.pk)
        override.delete()
        audit_record(
            actor,
            "core.holiday_override.delete",
            target_type="core.holidayoverride",
            target_id=target_id,
            before=before,
            request=request,
        )
        _invalidate_calendar()
    return True


def audit_search_record(actor, filters: dict, *, cursor: str = "", request=None) -> None:
    """Record that ``actor`` looked at the audit trail (the auditor page is audited too):
    the criteria used, and the page's cursor (empty for the newest page)."""
    audit_record(
        actor,
        "core.auditentry.search",
        target_type="core.auditentry",
        after={"filters": filters, "cursor": cursor},
        request=request,
    )
