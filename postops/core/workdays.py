"""Working days for end-to-end times (J+n) and legal time limits.

Rules:

* A working day is Monday to Friday, minus public holidays (Circular 17/2017/TT-BTTTT Art. 7:
  end-to-end times J+n are counted "in working days"; the agencies' processing times and the
  complaint answer times are counted the same way).
* Public holidays are those of Labour Code 45/2019/QH14 Art. 112 — 1 January, Tết (lunar new
  year, several days), Hùng Kings' day (10/3 lunar), 30 April, 1 May, 2 September plus an
  adjacent day — as computed by the ``holidays`` package's Vietnam calendar, which includes
  the lunar dates, the days in lieu and the weekend days the government swapped into working
  days (e.g. Saturday 26 April 2025 worked for Friday 2 May 2025); a swapped weekend day is a
  working day here.
* The government fixes the exact days each year (Prime Minister's yearly notice), so a
  calendar takes overrides: ``{date: True}`` makes a day a day off, ``{date: False}`` makes it
  a working day, whatever the computed default says (the ``HolidayOverride`` table feeds
  these; see ``postops.core.calendar``).

J+n semantics (Circular 17/2017/TT-BTTTT Art. 6–7: J is the day the dossier is taken from the
citizen, or the result from the agency): J itself is not counted, whatever day it is. J+n is the n-th working day strictly
after J; J+0 is J itself. So an item taken in on a Friday with J+1 is due on Monday, and one
taken in on a Sunday with J+1 is also due on Monday.

Pure module: no Django import (the ``holidays`` package is pure Python).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import date, timedelta

import holidays

_ONE_DAY = timedelta(days=1)


class _VietnamHolidays:
    """Holidays and swapped working weekend days of Vietnam, per year, computed once."""

    def __init__(self) -> None:
        self._years: dict[int, tuple[frozenset[date], frozenset[date]]] = {}
        self._lock = threading.Lock()

    def year(self, year: int) -> tuple[frozenset[date], frozenset[date]]:
        cached = self._years.get(year)
        if cached is None:
            with self._lock:
                cached = self._years.get(year)
                if cached is None:
                    vn = holidays.country_holidays("VN", years=year)
                    days_off = frozenset(d for d in vn if d.year == year)
                    workdays = frozenset(
                        d for d in getattr(vn, "weekend_workdays", ()) if d.year == year
                    )
                    cached = (days_off, workdays)
                    self._years[year] = cached
        return cached


# One shared copy: the computed calendar never changes within a process.
_VIETNAM = _VietnamHolidays()


def public_holidays(year: int) -> frozenset[date]:
    """Vietnam's computed public holidays (days in lieu included) of ``year``."""
    return _VIETNAM.year(year)[0]


class Calendar:
    """Working days of Vietnam with per-day overrides (``{date: is_day_off}``)."""

    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        self._overrides = dict(overrides or {})

    @property
    def overrides(self) -> dict[date, bool]:
        return dict(self._overrides)

    def is_working_day(self, day: date) -> bool:
        """An override wins; otherwise Mon–Fri that is not a public holiday, or a weekend
        day the government swapped into a working day."""
        override = self._overrides.get(day)
        if override is not None:
            return not override
        days_off, swapped_workdays = _VIETNAM.year(day.year)
        if day in swapped_workdays:
            return True
        return day.weekday() < 5 and day not in days_off

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day`` (J+1)."""
        return self.add_working_days(day, 1)

    def add_working_days(self, day: date, n: int) -> date:
        """J+n: the n-th working day strictly after ``day``; ``n == 0`` gives ``day``.

        ``n`` must be ≥ 0 (a deadline never lies before the day it starts from).
        """
        if n < 0:
            raise ValueError("n must be >= 0")
        current = day
        remaining = n
        while remaining:
            current += _ONE_DAY
            if self.is_working_day(current):
                remaining -= 1
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days lie in (start, end]: the J+n count from ``start`` to ``end``.

        ``working_days_between(j, add_working_days(j, n)) == n``. Negative when ``end`` is
        before ``start`` (how many working days late, read the other way round).
        """
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        current = start
        while current < end:
            current += _ONE_DAY
            if self.is_working_day(current):
                count += 1
        return count
