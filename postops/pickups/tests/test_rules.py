"""Pure rules of pickup requests."""

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postops.pickups import rules


def weekdays(day: date) -> bool:
    return day.weekday() < 5


@given(st.text(alphabet="0123456789", min_size=7, max_size=11))
def test_mask_phone_keeps_length_and_both_ends(phone):
    masked = rules.mask_phone(phone)
    assert len(masked) == len(phone)
    assert masked[:3] == phone[:3] and masked[-3:] == phone[-3:]
    assert set(masked[3:-3]) <= {"*"}


def test_mask_phone_example():
    assert rules.mask_phone("0912345678") == "091****678"
    assert rules.mask_phone("12345") == "*****"


@given(st.integers(min_value=0, max_value=50))
def test_new_codes_are_codes_and_survive_typing(_n):
    code = rules.new_code()
    assert rules.is_code(code)
    typed = f" {code[:4].lower()}-{code[4:]} "
    assert rules.normalize_code(typed) == code


@pytest.mark.parametrize("text", ["", "TG123", "TG0000000O", "XX23456789", "TG234567890"])
def test_not_codes(text):
    assert not rules.is_code(text)


MONDAY_NOON = datetime(2026, 11, 23, 12, 0)


@pytest.mark.parametrize(
    ("day", "window", "code"),
    [
        (date(2026, 11, 22), "morning", "past"),
        (date(2026, 11, 28), "morning", "not_working_day"),
        (date(2026, 11, 23), "morning", "window_over"),
        (date(2026, 12, 24), "morning", "too_far"),
        (date(2026, 11, 24), "evening", "window"),
    ],
)
def test_preferred_slot_refusals(day, window, code):
    with pytest.raises(rules.WhenError) as exc:
        rules.check_preferred(day, window, MONDAY_NOON, weekdays)
    assert exc.value.code == code


@given(
    st.integers(min_value=1, max_value=rules.MAX_DAYS_AHEAD),
    st.sampled_from(["morning", "afternoon"]),
)
def test_future_working_days_are_accepted(ahead, window):
    day = MONDAY_NOON.date() + timedelta(days=ahead)
    if weekdays(day):
        rules.check_preferred(day, window, MONDAY_NOON, weekdays)


def test_today_afternoon_until_it_ends():
    rules.check_preferred(MONDAY_NOON.date(), "afternoon", MONDAY_NOON, weekdays)
    late = datetime.combine(MONDAY_NOON.date(), time(17, 0))
    with pytest.raises(rules.WhenError):
        rules.check_preferred(MONDAY_NOON.date(), "afternoon", late, weekdays)


def test_transitions():
    assert rules.can_move("requested", "assigned")
    assert rules.can_move("assigned", "assigned")  # reassign
    assert rules.can_move("failed", "assigned")  # sent out again
    assert not rules.can_move("requested", "collected")
    assert not rules.can_move("collected", "cancelled")
    assert not rules.can_move("cancelled", "assigned")
