from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postops.core.workdays import Calendar, public_holidays

days = st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 12, 31))
steps = st.integers(min_value=0, max_value=60)


@pytest.fixture(scope="module")
def cal():
    return Calendar()


def test_weekends_are_not_working_days(cal):
    assert cal.is_working_day(date(2026, 3, 6))  # Friday
    assert not cal.is_working_day(date(2026, 3, 7))  # Saturday
    assert not cal.is_working_day(date(2026, 3, 8))  # Sunday


def test_fixed_public_holidays(cal):
    for day in [date(2026, 1, 1), date(2026, 4, 30), date(2026, 5, 1), date(2026, 9, 2)]:
        assert not cal.is_working_day(day), day


def test_lunar_holidays_tet_and_hung_kings_2026(cal):
    # Tết Bính Ngọ: 16–20 February 2026 (Mon–Fri) off, per the holidays package.
    for offset in range(5):
        assert not cal.is_working_day(date(2026, 2, 16) + timedelta(days=offset))
    assert cal.is_working_day(date(2026, 2, 23))
    # Hùng Kings (10/3 lunar) fell on Sunday 26 April 2026: Monday 27 April in lieu.
    assert date(2026, 4, 26) in public_holidays(2026)
    assert not cal.is_working_day(date(2026, 4, 27))


def test_swapped_saturday_is_a_working_day(cal):
    # 2025: Friday 2 May off, Saturday 26 April worked in exchange.
    assert not cal.is_working_day(date(2025, 5, 2))
    assert cal.is_working_day(date(2025, 4, 26))


def test_j_plus_n_examples(cal):
    # J = Friday 13 Feb 2026; Tết week follows: J+1 is Monday 23 Feb.
    assert cal.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)
    # J = Tuesday 29 April 2025: 30/4, 1/5, 2/5 off; J+2 is Tuesday 6 May.
    assert cal.add_working_days(date(2025, 4, 29), 2) == date(2025, 5, 6)
    # J itself is not counted even on a weekend: Sunday + 1 = Monday.
    assert cal.add_working_days(date(2026, 3, 8), 1) == date(2026, 3, 9)
    # Friday + 1 = Monday
    assert cal.add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 9)
    # J+0 is J
    assert cal.add_working_days(date(2026, 3, 7), 0) == date(2026, 3, 7)
    # J+8 across National Day 2026: Mon 31 Aug (swapped for Sat 22 Aug), Tue 1 and Wed 2
    # Sep off; Thu 3 Sep is J+1 and Mon 14 Sep J+8.
    assert cal.add_working_days(date(2026, 8, 28), 1) == date(2026, 9, 3)
    assert cal.add_working_days(date(2026, 8, 28), 8) == date(2026, 9, 14)
    assert cal.is_working_day(date(2026, 8, 22))


def test_working_days_between_examples(cal):
    assert cal.working_days_between(date(2026, 2, 13), date(2026, 2, 23)) == 1
    assert cal.working_days_between(date(2026, 3, 6), date(2026, 3, 6)) == 0
    assert cal.working_days_between(date(2026, 3, 9), date(2026, 3, 6)) == -1
    assert cal.working_days_between(date(2025, 12, 31), date(2026, 12, 31)) == 249


def test_negative_n_is_refused(cal):
    with pytest.raises(ValueError, match="n must be >= 0"):
        cal.add_working_days(date(2026, 3, 6), -1)


def test_overrides_win_both_ways():
    extra_day_off = date(2026, 3, 10)  # a Tuesday
    worked_saturday = date(2026, 3, 14)
    holiday_made_working = date(2026, 1, 1)
    cal = Calendar({extra_day_off: True, worked_saturday: False, holiday_made_working: False})
    assert not cal.is_working_day(extra_day_off)
    assert cal.is_working_day(worked_saturday)
    assert cal.is_working_day(holiday_made_working)
    assert cal.add_working_days(date(2026, 3, 9), 1) == date(2026, 3, 11)
    assert cal.add_working_days(date(2026, 3, 13), 1) == date(2026, 3, 14)


def test_overrides_are_copied():
    source = {date(2026, 3, 10): True}
    cal = Calendar(source)
    source[date(2026, 3, 11)] = True
    assert cal.is_working_day(date(2026, 3, 11))
    assert cal.overrides == {date(2026, 3, 10): True}


@settings(max_examples=200)
@given(day=days, n=steps)
def test_add_then_count_gives_n_back(day, n):
    cal = Calendar()
    due = cal.add_working_days(day, n)
    assert cal.working_days_between(day, due) == n
    assert cal.working_days_between(due, day) == -n
    if n:
        assert due > day
        assert cal.is_working_day(due)
    else:
        assert due == day


@given(day=days, n=steps)
def test_add_is_strictly_increasing_in_n(day, n):
    cal = Calendar()
    assert cal.add_working_days(day, n + 1) > cal.add_working_days(day, n)


@given(day=days, n=st.integers(min_value=1, max_value=40))
def test_no_working_day_is_skipped(day, n):
    cal = Calendar()
    due = cal.add_working_days(day, n)
    between = [day + timedelta(days=k) for k in range(1, (due - day).days + 1)]
    assert sum(cal.is_working_day(d) for d in between) == n


@given(day=days, off=days, n=steps)
def test_an_extra_day_off_never_makes_a_deadline_earlier(day, off, n):
    plain = Calendar().add_working_days(day, n)
    with_day_off = Calendar({off: True}).add_working_days(day, n)
    assert with_day_off >= plain


@given(day=days)
def test_a_working_day_is_a_weekday_or_a_swapped_weekend_day(day):
    cal = Calendar()
    if cal.is_working_day(day) and day.weekday() >= 5:
        assert day in {date(2019, 1, 5), date(2024, 5, 4), date(2025, 4, 26), date(2026, 8, 22)}
