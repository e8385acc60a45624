"""Reporting periods of the report to the provincial authority and their legal due dates.

Circular 17/2017/TT-BTTTT (reporting on the public postal service for administrative
procedures; summarised in the domain reference §1): quarterly reports are due before the 10th of the first month of the next
quarter, the half-year report before 10 July, the yearly report before 10 January of the
next year. "Before the 10th" is shown as the 10th, the last day the report may arrive.

The half-year report covers the first six months (January–June); the second half of the
year is covered by the yearly report. Pure module: no Django import.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class PeriodType(StrEnum):
    QUARTER = "quarter"
    HALF = "half"
    YEAR = "year"


@dataclass(frozen=True)
class Period:
    kind: PeriodType
    year: int
    number: int  # quarter 1–4; half 1; year 1
    start: date  # first day, inclusive
    end: date  # last day, inclusive
    due: date  # the report must reach the authority by this day

    @property
    def next_day(self) -> date:
        """The first day after the period (the exclusive upper bound for queries)."""
        if self.end.month == 12:
            return date(self.end.year + 1, 1, 1)
        return date(self.end.year, self.end.month + 1, 1)

    @property
    def slug(self) -> str:
        if self.kind is PeriodType.QUARTER:
            return f"{self.year}-Q{self.number}"
        if self.kind is PeriodType.HALF:
            return f"{self.year}-H{self.number}"
        return f"{self.year}"


def _month_end(year: int, month: int) -> date:
    if month == 12:
        return date(year, 12, 31)
    return date(year, month + 1, 1) - timedelta(days=1)


def period(kind: str, year: int, number: int = 1) -> Period:
    """The period named by ``kind``, ``year`` and ``number``; ``ValueError`` if none."""
    kind = PeriodType(kind)
    if not 2000 <= year <= 2099:
        raise ValueError("year must be 2000–2099")
    if kind is PeriodType.QUARTER:
        if not 1 <= number <= 4:
            raise ValueError("quarter must be 1–4")
        first = 3 * (number - 1) + 1
        start, end = date(year, first, 1), _month_end(year, first + 2)
    elif kind is PeriodType.HALF:
        if number != 1:
            raise ValueError("the half-year report covers the first half only")
        start, end = date(year, 1, 1), date(year, 6, 30)
    else:
        number = 1
        start, end = date(year, 1, 1), date(year, 12, 31)
    due = date(year + 1, 1, 10) if end.month == 12 else date(year, end.month + 1, 10)
    return Period(kind, year, number, start, end, due)


def percent(part: int, whole: int) -> str | None:
    """``part / whole`` as a percentage with two decimals, rounded half up (``"99.50"``);
    ``None`` when there is nothing to measure."""
    if whole <= 0:
        return None
    hundredths = (part * 10000 * 2 + whole) // (2 * whole)
    return f"{hundredths // 100}.{hundredths % 100:02d}"
