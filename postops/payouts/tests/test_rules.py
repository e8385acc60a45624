from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postops.payouts import rules

days = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))


@pytest.mark.parametrize(
    ("old", "new", "allowed"),
    [
        (
            old,
            new,
            (old, new)
            in {
                ("imported", "checked"),
                ("checked", "imported"),
                ("checked", "approved"),
                ("approved", "paying"),
                ("paying", "closed"),
                ("closed", "reported"),
            },
        )
        for old in rules.PERIOD_STATUSES
        for new in rules.PERIOD_STATUSES
    ],
)
def test_every_period_transition_pair(old, new, allowed):
    assert rules.period_can_move(old, new) is allowed


def test_parse_period():
    assert rules.parse_period("2026-03") == date(2026, 3, 1)
    assert rules.parse_period(" 2026-12 ") == date(2026, 12, 1)
    assert rules.format_period(date(2026, 3, 1)) == "2026-03"


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "202603", "03/2026", "", "2026-3"])
def test_parse_period_rejects(text):
    with pytest.raises(ValueError):
        rules.parse_period(text)


def test_add_months_clamps_to_month_end():
    assert rules.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert rules.add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert rules.add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)
    assert rules.add_months(date(2026, 3, 1), -3) == date(2025, 12, 1)


@given(days, st.integers(min_value=-600, max_value=600))
def test_add_months_keeps_day_when_possible(day, months):
    result = rules.add_months(day, months)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    assert result.day == day.day or result.day < day.day


def test_age_on():
    birth = date(1946, 3, 4)
    assert rules.age_on(birth, date(2026, 3, 3)) == 79
    assert rules.age_on(birth, date(2026, 3, 4)) == 80


def test_home_payout_eligible_at_80():
    birth = date(1946, 3, 4)
    assert rules.home_payout_eligible(birth, date(2026, 3, 4), 80) is True
    assert rules.home_payout_eligible(birth, date(2026, 3, 3), 80) is False
    assert rules.home_payout_eligible(birth, date(2026, 3, 4), None) is False


def test_authorisation_last_day_is_twelve_months_minus_a_day():
    assert rules.authorisation_last_day(date(2026, 1, 15), 12) == date(2027, 1, 14)
    assert rules.authorisation_period_ok(date(2026, 1, 15), date(2027, 1, 14), 12)
    assert not rules.authorisation_period_ok(date(2026, 1, 15), date(2027, 1, 15), 12)
    assert not rules.authorisation_period_ok(date(2026, 1, 15), date(2026, 1, 14), 12)


@given(days.filter(lambda d: d.year < 2100), st.integers(min_value=1, max_value=24))
def test_authorisation_window_never_exceeds_limit(start, months):
    last = rules.authorisation_last_day(start, months)
    assert rules.authorisation_period_ok(start, last, months)
    assert not rules.authorisation_period_ok(start, last + timedelta(days=1), months)


def test_authorisation_valid_on():
    start, end = date(2026, 1, 1), date(2026, 6, 30)
    assert rules.authorisation_valid_on(start, end, True, date(2026, 1, 1))
    assert rules.authorisation_valid_on(start, end, True, date(2026, 6, 30))
    assert not rules.authorisation_valid_on(start, end, True, date(2026, 7, 1))
    assert not rules.authorisation_valid_on(start, end, True, date(2025, 12, 31))
    assert not rules.authorisation_valid_on(start, end, False, date(2026, 3, 1))


def test_identity_matches():
    record = rules.IdentityRecord("020150001234", "C1234567")
    assert rules.identity_matches(record, "cccd", "020150001234")
    assert rules.identity_matches(record, "cccd", " 0201 5000 1234 ")
    assert not rules.identity_matches(record, "cccd", "020150001235")
    assert rules.identity_matches(record, "passport", "c1234567")
    assert not rules.identity_matches(record, "passport", "020150001234")
    assert not rules.identity_matches(record, "driving_licence", "020150001234")
    assert not rules.identity_matches(record, "cccd", "")
    assert not rules.identity_matches(rules.IdentityRecord("020150001234"), "passport", "")
    assert not rules.identity_matches(rules.IdentityRecord("020150001234"), "passport", "X1")


def test_receipt_number():
    assert rules.receipt_number("201001", 2026, 7) == "201001-2026-000007"
    with pytest.raises(ValueError):
        rules.receipt_number("201001", 2026, 0)
