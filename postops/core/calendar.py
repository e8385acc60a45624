"""Working-day arithmetic with the database's holiday overrides (thin layer over ``workdays``).

The computed Vietnamese calendar (``postops.core.workdays``) plus the ``HolidayOverride`` rows
that staff enter from the government's yearly notice. The rows are read once and kept per
process; ``holiday_override_set``/``holiday_override_delete`` (``postops.core.services``) drop
the copy when they change a row. Other processes learn of the change through a version stamp
in Django's cache (immediate with a shared cache backend; with the per-process default
``locmem`` cache they reload at the latest after :data:`RELOAD_SECONDS`).

Use these functions, not ``workdays.Calendar`` directly, wherever a deadline is computed:
``add_working_days(day, n)`` gives J+n (see ``workdays`` for the exact semantics).
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import date

from django.core.cache import cache

from .workdays import Calendar

RELOAD_SECONDS = 300
_VERSION_KEY = "postops:core:holiday-overrides:version"

_lock = threading.Lock()
_state: dict = {"calendar": None, "version": None, "loaded_at": 0.0}


def _load() -> Calendar:
    from .models import HolidayOverride

    rows = HolidayOverride.objects.values_list("date", "is_holiday")
    return Calendar(dict(rows))


def get_calendar() -> Calendar:
    """The process's calendar, reloaded when an override changed or the copy is too old."""
    version = cache.get(_VERSION_KEY)
    now = time.monotonic()
    current = _state["calendar"]
    if (
        current is not None
        and _state["version"] == version
        and now - _state["loaded_at"] < RELOAD_SECONDS
    ):
        return current
    with _lock:
        fresh = _load()
        _state.update(calendar=fresh, version=version, loaded_at=now)
    return fresh


def calendar_cache_clear(*, broadcast: bool = False) -> None:
    """Forget this process's copy; with ``broadcast`` tell the other processes too."""
    if broadcast:
        cache.set(_VERSION_KEY, uuid.uuid4().hex, timeout=None)
    with _lock:
        _state.update(calendar=None, version=None, loaded_at=0.0)


def is_working_day(day: date) -> bool:
    return get_calendar().is_working_day(day)


def add_working_days(day: date, n: int) -> date:
    """J+n with the stored overrides: the n-th working day strictly after ``day``."""
    return get_calendar().add_working_days(day, n)


def working_days_between(start: date, end: date) -> int:
    """Working days in (start, end] with the stored overrides."""
    return get_calendar().working_days_between(start, end)
