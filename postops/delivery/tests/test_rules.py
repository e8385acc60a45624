"""Pure delivery rules: ID documents, COD, the two-invitation rule, handover variance."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postops.core.workdays import Calendar
from postops.delivery import rules
from postops.delivery.rules import Outcome

CAL = Calendar()
MON = date(2026, 11, 2)  # Monday; no public holiday that week or the next
TUE, WED, THU, FRI = (MON + timedelta(days=n) for n in range(1, 5))
NEXT_MON = MON + timedelta(days=7)


def decide(day, earlier=(), reason="R05", action="A01", service="ems", calendar=CAL):
    return rules.decide_failed_attempt(
        day=day,
        earlier_invitations=earlier,
        reason_code=reason,
        action_code=action,
        service=service,
        calendar=calendar,
    )


# --- ID documents and COD ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "number", "problem"),
    [
        ("cccd", "001090012345", None),
        ("cccd", "001 090 012 345", None),
        ("cccd", "00109001234", "cccd_length"),
        ("cccd", "00109001234A", "cccd_digits"),
        ("cccd", "003090012345", "cccd_province"),
        ("cccd", "", "missing"),
        ("passport", "C1234567", None),
        ("passport", "c1234567", None),
        ("passport", "12345678", "passport_format"),
        ("driving_licence", "001090012345", "unknown_document"),
    ],
)
def test_document_problem(document, number, problem):
    assert rules.document_problem(document, number) == problem


def test_documents_are_masked_for_pages():
    assert rules.mask_document("cccd", "001090012345") == "001*******45"
    assert rules.mask_document("passport", "C1234567") == "C*****67"
    assert rules.mask_document("passport", "C1") == "**"


@pytest.mark.parametrize(
    ("service", "cod", "required"),
    [
        ("registered", 0, True),
        ("insured", 0, True),
        ("dossier", 0, True),
        ("ems", 350000, True),
        ("ems", 0, False),
        ("parcel", 0, False),
    ],
)
def test_id_check_required(service, cod, required):
    assert rules.id_check_required(service, cod) is required


@pytest.mark.parametrize(
    ("expected", "collected", "problem"),
    [
        (350000, 350000, None),
        (350000, 349000, "cod_mismatch"),
        (350000, 350001, "cod_mismatch"),
        (350000, None, "cod_missing"),
        (350000, 0, "cod_mismatch"),
        (0, None, None),
        (0, 0, None),
        (0, 1000, "cod_not_due"),
    ],
)
def test_cod_must_be_the_exact_amount(expected, collected, problem):
    assert rules.cod_problem(expected, collected) == problem


@given(st.integers(min_value=1, max_value=10**10), st.integers(min_value=0, max_value=10**10))
def test_cod_accepts_only_the_amount_due(expected, collected):
    assert (rules.cod_problem(expected, collected) is None) == (collected == expected)


# --- Failed attempts: Postal Law 49/2010, two invitations two working days apart ---------------


def test_first_absence_leaves_an_invitation_and_schedules_two_working_days_later():
    assert decide(MON) == rules.FailureDecision(Outcome.RETRY, 1, WED, "next_attempt")
    # From a Thursday, two working days later is the Monday.
    assert decide(THU) == rules.FailureDecision(Outcome.RETRY, 1, NEXT_MON, "next_attempt")


def test_second_invitation_two_working_days_later_ends_the_attempts():
    assert decide(WED, [MON]) == rules.FailureDecision(
        Outcome.HOLD, 2, None, "invitations_exhausted"
    )
    # Administrative results go back to the agency (Decision 45/2016 Art. 10).
    assert decide(WED, [MON], service="dossier") == rules.FailureDecision(
        Outcome.RETURN, 2, None, "invitations_exhausted"
    )


def test_a_second_attempt_too_soon_does_not_count_as_the_spaced_invitation():
    # Tuesday is only one working day after Monday: try again on Wednesday.
    assert decide(TUE, [MON]) == rules.FailureDecision(Outcome.RETRY, 2, WED, "next_attempt")
    assert decide(WED, [MON, TUE]).outcome == Outcome.HOLD


def test_weekends_and_holidays_do_not_count():
    # Friday then Monday is one working day apart; then Tuesday is the second.
    assert decide(NEXT_MON, [FRI]) == rules.FailureDecision(
        Outcome.RETRY, 2, NEXT_MON + timedelta(days=1), "next_attempt"
    )
    # With Tuesday made a day off, Monday → Thursday.
    holiday = Calendar({TUE: True})
    assert decide(MON, calendar=holiday).next_attempt_on == THU
    assert decide(WED, [MON], calendar=holiday).outcome == Outcome.RETRY


@pytest.mark.parametrize("reason", ["R01", "R02", "R03", "R04"])
def test_an_undeliverable_reason_returns_at_once(reason):
    assert decide(MON, reason=reason) == rules.FailureDecision(
        Outcome.RETURN, None, None, "undeliverable_reason"
    )


def test_the_postmans_action_holds_but_a_return_needs_the_invitations():
    assert decide(MON, action="A02") == rules.FailureDecision(
        Outcome.HOLD, None, None, "postman_action"
    )
    # Asking for a return on a first absence: the law wants two invitations first.
    assert decide(MON, action="A03") == rules.FailureDecision(
        Outcome.RETRY, 1, WED, "return_too_early"
    )
    assert decide(WED, [MON], action="A03").outcome == Outcome.RETURN
    assert decide(THU, [MON, WED], action="A03") == rules.FailureDecision(
        Outcome.RETURN, None, None, "postman_action"
    )
    # An action code the configuration does not know holds the item for a person to decide.
    assert decide(MON, action="A99").outcome == Outcome.HOLD


def test_invitations_after_the_attempt_day_are_ignored():
    assert decide(MON, [WED]).invitation == 1


days = st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31))


@given(days)
def test_following_the_schedule_ends_after_exactly_two_spaced_invitations(start):
    invitations = []
    day = start
    for _ in range(5):
        decision = decide(day, invitations)
        if decision.outcome != Outcome.RETRY:
            break
        assert decision.next_attempt_on > day
        assert CAL.is_working_day(decision.next_attempt_on)
        invitations.append(day)
        day = decision.next_attempt_on
    assert decision.outcome == Outcome.HOLD
    assert decision.invitation == 2
    all_invitations = [*invitations, day]
    assert CAL.working_days_between(all_invitations[0], all_invitations[-1]) >= 2


@given(days, st.lists(days, max_size=4))
def test_retry_is_never_scheduled_before_the_spacing_is_reached(day, earlier):
    decision = decide(day, earlier)
    if decision.outcome == Outcome.RETRY:
        first = min([d for d in earlier if d <= day] + [day])
        assert decision.next_attempt_on >= CAL.add_working_days(first, 2)
        assert decision.next_attempt_on > day
    else:
        assert rules.invitations_exhausted([*[d for d in earlier if d <= day], day], CAL)


# --- Handover -----------------------------------------------------------------------------------


def test_handover_variance():
    v = rules.handover_variance(
        expected_items=3, returned_items=2, expected_cash=700000, counted_cash=650000
    )
    assert (v.items, v.cash, v.any) == (-1, -50000, True)
    v = rules.handover_variance(expected_items=0, returned_items=0, expected_cash=0, counted_cash=0)
    assert v.any is False
    with pytest.raises(ValueError):
        rules.handover_variance(
            expected_items=1, returned_items=1, expected_cash=10.5, counted_cash=10
        )


@given(*(st.integers(min_value=0, max_value=10**9) for _ in range(4)))
def test_variance_is_counted_minus_expected(e_items, r_items, e_cash, c_cash):
    v = rules.handover_variance(
        expected_items=e_items, returned_items=r_items, expected_cash=e_cash, counted_cash=c_cash
    )
    assert (v.items, v.cash) == (r_items - e_items, c_cash - e_cash)
    assert v.any == ((e_items, e_cash) != (r_items, c_cash))


def test_image_kind_reads_magic_bytes():
    assert rules.image_kind(b"\x89PNG\r\n\x1a\n....") == "png"
    assert rules.image_kind(b"\xff\xd8\xff\xe0....") == "jpeg"
    assert rules.image_kind(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "webp"
    assert rules.image_kind(b"<svg>") is None
