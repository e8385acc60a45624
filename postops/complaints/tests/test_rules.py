"""Complaint rules: time limits, answer deadlines (across holidays), status moves,
compensation (Decree 47/2011 Art. 24–27)."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postops.complaints import rules
from postops.core.workdays import Calendar

CAL = Calendar()
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))


# --- add_months --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day, months, expected",
    [
        (date(2026, 1, 15), 6, date(2026, 7, 15)),
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 11, 30), 2, date(2027, 1, 30)),
        (date(2026, 12, 31), 2, date(2027, 2, 28)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 10, 31), 3, date(2027, 1, 31)),
    ],
)
def test_add_months_examples(day, months, expected):
    assert rules.add_months(day, months) == expected


@given(days, st.integers(min_value=0, max_value=36))
def test_add_months_lands_in_the_right_month_never_later_day(day, months):
    result = rules.add_months(day, months)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    assert result.day <= day.day
    if result.day < day.day:  # clamped: the last day of a shorter month
        assert (result + timedelta(days=1)).month != result.month


# --- admissibility -------------------------------------------------------------------------


def test_item_loss_and_delay_six_months_from_end_to_end_time():
    for kind in ("loss", "delay"):
        assert rules.admissible_until(
            "item", kind, end_to_end_on=date(2026, 3, 5), delivered_on=date(2026, 3, 4)
        ) == date(2026, 9, 5)


def test_item_damage_one_month_from_delivery():
    assert rules.admissible_until(
        "item", "damage", end_to_end_on=date(2026, 3, 5), delivered_on=date(2026, 3, 31)
    ) == date(2026, 4, 30)
    assert rules.admissible_until("item", "damage", end_to_end_on=date(2026, 3, 5)) is None


def test_dossier_six_months_after_end_to_end_time_whatever_the_kind():
    for kind in ("loss", "delay", "dossier_service", "other"):
        assert rules.admissible_until("dossier", kind, end_to_end_on=date(2026, 2, 10)) == date(
            2026, 8, 10
        )


def test_other_item_complaints_and_unknown_start_have_no_limit():
    assert rules.admissible_until("item", "other", end_to_end_on=date(2026, 1, 1)) is None
    assert rules.admissible_until("item", "loss", end_to_end_on=None) is None
    assert rules.is_admissible(date(2040, 1, 1), None)


@given(days, days)
def test_admissible_exactly_up_to_the_last_day(end_to_end, received):
    until = rules.admissible_until("item", "loss", end_to_end_on=end_to_end)
    assert rules.is_admissible(received, until) == (received <= rules.add_months(end_to_end, 6))
    assert rules.is_admissible(until, until)
    assert not rules.is_admissible(until + timedelta(days=1), until)


# --- answer deadlines ----------------------------------------------------------------------


def test_item_answer_due_two_months_domestic_three_international():
    due = rules.answer_due("item", date(2026, 11, 30), add_working_days=CAL.add_working_days)
    assert due == date(2027, 1, 30)
    due = rules.answer_due(
        "item", date(2026, 11, 30), international=True, add_working_days=CAL.add_working_days
    )
    assert due == date(2027, 2, 28)


def test_dossier_answer_due_in_working_days_across_tet_2026():
    # Tết 2026 (Bính Ngọ): Monday 16 – Friday 20 February are days off.
    received = date(2026, 2, 13)  # Friday
    same = rules.answer_due("dossier", received, add_working_days=CAL.add_working_days)
    assert same == date(2026, 2, 27)  # 23, 24, 25, 26, 27 February
    other = rules.answer_due(
        "dossier", received, between_provinces=True, add_working_days=CAL.add_working_days
    )
    assert other == date(2026, 3, 3)  # … 2 and 3 March


def test_dossier_answer_due_across_30_april_and_1_may_2026():
    # Thursday 30 April and Friday 1 May 2026 are public holidays.
    received = date(2026, 4, 28)  # Tuesday
    add = CAL.add_working_days
    assert rules.answer_due("dossier", received, add_working_days=add) == date(2026, 5, 7)
    assert rules.answer_due(
        "dossier", received, between_provinces=True, add_working_days=add
    ) == date(2026, 5, 11)


def test_dossier_answer_due_follows_a_holiday_override():
    # The government may swap a day: a declared day off moves the deadline by one.
    add = Calendar({date(2026, 5, 4): True}).add_working_days
    assert rules.answer_due("dossier", date(2026, 4, 28), add_working_days=add) == date(2026, 5, 8)


@given(days, st.booleans())
def test_dossier_answer_due_is_5_or_7_working_days_later(received, between):
    due = rules.answer_due(
        "dossier", received, between_provinces=between, add_working_days=CAL.add_working_days
    )
    assert CAL.working_days_between(received, due) == (7 if between else 5)
    assert CAL.is_working_day(due)


@given(days, st.booleans())
def test_item_answer_due_is_calendar_months(received, international):
    due = rules.answer_due(
        "item", received, international=international, add_working_days=CAL.add_working_days
    )
    assert due == rules.add_months(received, 3 if international else 2)


def test_overdue_when_answered_or_still_open_after_the_due_day():
    due = date(2026, 5, 7)
    assert not rules.is_overdue(due, date(2026, 5, 7), date(2026, 6, 1))
    assert rules.is_overdue(due, date(2026, 5, 8), date(2026, 5, 8))
    assert not rules.is_overdue(due, None, date(2026, 5, 7))
    assert rules.is_overdue(due, None, date(2026, 5, 8))


# --- status moves ---------------------------------------------------------------------------

ALLOWED = {
    ("received", "investigating"),
    ("received", "answered"),
    ("investigating", "answered"),
    ("answered", "compensated"),
    ("answered", "closed"),
    ("compensated", "closed"),
}


@pytest.mark.parametrize("old", [s.value for s in rules.Status])
@pytest.mark.parametrize("new", [s.value for s in rules.Status])
def test_every_status_pair(old, new):
    assert rules.can_move(old, new) == ((old, new) in ALLOWED)
    if (old, new) in ALLOWED:
        assert rules.transition(old, new) == new
    else:
        with pytest.raises(rules.TransitionError):
            rules.transition(old, new)


# --- compensation ---------------------------------------------------------------------------


def test_domestic_loss_is_four_times_the_tariff_refund_included():
    c = rules.compensation("loss", tariff=32_000)
    assert (c.basis, c.amount, c.refund) == ("domestic_loss", 128_000, 32_000)


def test_domestic_damage_is_the_actual_damage_capped_at_the_loss_amount():
    assert rules.compensation("damage", tariff=30_000, damage_amount=50_000).amount == 50_000
    assert rules.compensation("damage", tariff=30_000, damage_amount=500_000).amount == 120_000


def test_delay_with_proof_refunds_the_tariff_without_proof_nothing():
    c = rules.compensation("delay", tariff=45_000)
    assert (c.basis, c.amount, c.refund) == ("delay_refund", 45_000, 45_000)
    assert rules.compensation("delay", tariff=45_000, delay_proven=False) is None
    assert rules.compensation("other", tariff=45_000) is None
    assert rules.compensation("dossier_service", tariff=45_000) is None


def test_international_nine_sdr_per_kg_at_least_thirty_plus_refund():
    # 2 kg: 9 × 2 = 18 SDR < 30 → 30 SDR × 35,000 = 1,050,000 + 250,000 refund.
    c = rules.compensation(
        "loss", tariff=250_000, international=True, weight_g=2000, sdr_rate=35_000
    )
    assert (c.basis, c.amount, c.refund) == ("international_loss", 1_300_000, 250_000)
    # 5.5 kg: 49.5 SDR × 35,001 = 1,732,549.5 → 1,732,550 (half up) + 400,000.
    c = rules.compensation(
        "loss", tariff=400_000, international=True, weight_g=5500, sdr_rate=35_001
    )
    assert c.amount == 1_732_550 + 400_000


@given(
    st.integers(min_value=0, max_value=10**7),
    st.integers(min_value=0, max_value=50_000),
    st.integers(min_value=1, max_value=100_000),
)
def test_international_never_below_thirty_sdr_plus_refund(tariff, weight_g, rate):
    c = rules.compensation(
        "loss", tariff=tariff, international=True, weight_g=weight_g, sdr_rate=rate
    )
    assert c.amount >= 30 * rate + tariff
    assert c.amount >= (9 * weight_g * rate) // 1000 + tariff


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=10**10))
def test_domestic_amounts_bounds(tariff, damage):
    loss = rules.compensation("loss", tariff=tariff)
    assert loss.amount == 4 * tariff and loss.refund == tariff
    dmg = rules.compensation("damage", tariff=tariff, damage_amount=damage)
    assert dmg.amount == min(damage, 4 * tariff) <= loss.amount


def test_negative_amounts_are_refused():
    with pytest.raises(ValueError):
        rules.compensation("loss", tariff=-1)


def test_payment_due_thirty_days_after_the_decision_and_late_flag():
    assert rules.payment_due(date(2026, 1, 15)) == date(2026, 2, 14)
    assert not rules.payment_late(date(2026, 1, 15), date(2026, 2, 14), date(2026, 3, 1))
    assert rules.payment_late(date(2026, 1, 15), date(2026, 2, 15), date(2026, 3, 1))
    assert not rules.payment_late(date(2026, 1, 15), None, date(2026, 2, 14))
    assert rules.payment_late(date(2026, 1, 15), None, date(2026, 2, 15))
