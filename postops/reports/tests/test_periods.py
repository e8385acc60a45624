"""Report periods and their legal due dates (domain reference §1)."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postops.reports import periods


@pytest.mark.parametrize(
    "kind, year, number, start, end, due",
    [
        ("quarter", 2026, 1, date(2026, 1, 1), date(2026, 3, 31), date(2026, 4, 10)),
        ("quarter", 2026, 2, date(2026, 4, 1), date(2026, 6, 30), date(2026, 7, 10)),
        ("quarter", 2026, 3, date(2026, 7, 1), date(2026, 9, 30), date(2026, 10, 10)),
        ("quarter", 2026, 4, date(2026, 10, 1), date(2026, 12, 31), date(2027, 1, 10)),
        ("half", 2026, 1, date(2026, 1, 1), date(2026, 6, 30), date(2026, 7, 10)),
        ("year", 2026, 1, date(2026, 1, 1), date(2026, 12, 31), date(2027, 1, 10)),
    ],
)
def test_periods_and_due_dates(kind, year, number, start, end, due):
    p = periods.period(kind, year, number)
    assert (p.start, p.end, p.due) == (start, end, due)


def test_bad_periods_are_refused():
    for args in (("quarter", 2026, 5), ("half", 2026, 2), ("month", 2026, 1), ("year", 1999, 1)):
        with pytest.raises(ValueError):
            periods.period(*args)


def test_slug_and_next_day():
    assert periods.period("quarter", 2026, 4).slug == "2026-Q4"
    assert periods.period("quarter", 2026, 4).next_day == date(2027, 1, 1)
    assert periods.period("half", 2026).slug == "2026-H1"
    assert periods.period("year", 2026).slug == "2026"


@given(st.integers(min_value=2000, max_value=2099), st.integers(min_value=1, max_value=4))
def test_quarters_tile_the_year(year, quarter):
    p = periods.period("quarter", year, quarter)
    assert p.start.day == 1 and p.start.month == 3 * quarter - 2
    assert p.next_day == (
        periods.period("quarter", year, quarter + 1).start if quarter < 4 else date(year + 1, 1, 1)
    )
    assert p.due > p.end and p.due.day == 10


def test_percent_rounds_half_up_with_two_decimals():
    assert periods.percent(199, 200) == "99.50"
    assert periods.percent(2, 3) == "66.67"
    assert periods.percent(1, 3) == "33.33"
    assert periods.percent(5, 5) == "100.00"
    assert periods.percent(0, 0) is None


@given(st.integers(min_value=1, max_value=10**6), st.data())
def test_percent_is_within_a_half_hundredth(whole, data):
    part = data.draw(st.integers(min_value=0, max_value=whole))
    value = float(periods.percent(part, whole))
    assert abs(value - part * 100 / whole) <= 0.005 + 1e-9
