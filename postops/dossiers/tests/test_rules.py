"""Pure dossier rules: statuses, document check, numbers, phones, fees, the two clocks."""

from datetime import date, timedelta
from itertools import product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postops.core.workdays import Calendar
from postops.dossiers import rules
from postops.dossiers.rules import ClockState, DocumentKind, Requirement, Status

# --- Status transitions -------------------------------------------------------------------

ALLOWED = {
    ("received", "in_handover"),
    ("in_handover", "filed"),
    ("filed", "result_ready"),
    ("registered", "result_ready"),
    ("result_ready", "result_collected"),
    ("result_collected", "delivered"),
    ("result_collected", "returned_to_agency"),
}


@pytest.mark.parametrize("old,new", list(product(list(Status), list(Status))))
def test_every_status_pair(old, new):
    if (old.value, new.value) in ALLOWED:
        assert rules.transition(old, new) == new
    else:
        with pytest.raises(rules.TransitionRefused):
            rules.transition(old, new)


def test_service_forms():
    assert rules.initial_status("send") == Status.RECEIVED
    assert rules.initial_status("both") == Status.RECEIVED
    assert rules.initial_status("return") == Status.REGISTERED
    assert [rules.carries_dossier(f) for f in ("send", "return", "both")] == [True, False, True]
    assert [rules.returns_result(f) for f in ("send", "return", "both")] == [False, True, True]


# --- Documents ----------------------------------------------------------------------------

REQS = [
    Requirement(1, "Tờ khai", DocumentKind.ORIGINAL),
    Requirement(2, "Thẻ căn cước", DocumentKind.COPY),
    Requirement(3, "Giấy chứng sinh", DocumentKind.EITHER, 2),
]


def test_complete_dossier_has_no_shortfall():
    assert rules.document_shortfalls(REQS, {1: "original", 2: "copy", 3: "copy"}) == []
    # An original where a copy is asked for is accepted: the agency gets more, not less.
    assert rules.document_shortfalls(REQS, {1: "original", 2: "original", 3: "original"}) == []


def test_shortfalls_in_list_order():
    problems = rules.document_shortfalls(REQS, {1: "copy", 3: "nothing"})
    assert [(p.requirement.key, p.reason) for p in problems] == [
        (1, "needs_original"),
        (2, "missing"),
        (3, "missing"),
    ]


@given(st.dictionaries(st.sampled_from([1, 2, 3]), st.sampled_from(["original", "copy", "x"])))
def test_shortfall_iff_missing_or_wrong_kind(received):
    keys = {p.requirement.key for p in rules.document_shortfalls(REQS, received)}
    for req in REQS:
        got = received.get(req.key)
        ok = got in ("original", "copy") and not (req.kind == "original" and got != "original")
        assert (req.key not in keys) == ok


# --- Numbers ------------------------------------------------------------------------------


def test_agency_number():
    assert rules.agency_number_check("TTHCC-250701-0042", "TTHCC") == date(2025, 7, 1)
    assert rules.agency_number_check("000.00.20.H39-260105-1234", "000.00.20.H39") == date(
        2026, 1, 5
    )
    cases = {
        "TTHCC-250701-042": "format",
        "TTHCC-2507010042": "format",
        "tthcc-250701-0042": "format",
        "STP-250701-0042": "agency",
        "TTHCC-251301-0042": "date",
        "TTHCC-250230-0042": "date",
    }
    for number, code in cases.items():
        with pytest.raises(rules.NumberError) as exc:
            rules.agency_number_check(number, "TTHCC")
        assert exc.value.code == code, number
    with pytest.raises(rules.NumberError) as exc:
        rules.agency_number_check("x", "TTHCC")
    assert str(exc.value) == (
        "Số hồ sơ phải có dạng <mã cơ quan>-YYMMDD-XXXX, ví dụ TTHCC-250701-0001."
    )


@given(st.dates(date(2000, 1, 1), date(2099, 12, 31)), st.integers(1, 99_999))
def test_dossier_code_round_trip(day, seq):
    code = rules.dossier_code(day, seq)
    assert rules.is_dossier_code(code)
    assert code == f"HS-{day:%y%m%d}-{seq:05d}"
    assert len(code) == 15


def test_dossier_code_limits():
    with pytest.raises(ValueError):
        rules.dossier_code(date(2025, 1, 1), 100_000)
    with pytest.raises(ValueError):
        rules.dossier_code(date(2025, 1, 1), 0)
    assert not rules.is_dossier_code("RR473124829GB")


# --- Phones -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        ("0912345678", "0912345678"),
        ("0912 345 678", "0912345678"),
        ("+84 912.345.678", "0912345678"),
        ("84912345678", "0912345678"),
        ("(0205) 3871-234", "02053871234"),
    ],
)
def test_phone_normalize(text, expected):
    assert rules.phone_normalize(text) == expected


@pytest.mark.parametrize(
    "text", ["", "912345678", "0012345678", "09123", "091234567890", "09a2345678"]
)
def test_phone_refused(text):
    with pytest.raises(rules.PhoneError):
        rules.phone_normalize(text)


# --- Fees and clocks ----------------------------------------------------------------------


@given(st.integers(0, 10**9), st.integers(0, 10**9), st.integers(0, 10**9))
def test_fees_add_up(send, back, agency):
    fees = rules.Fees(send, back, agency)
    assert fees.postal == send + back
    assert fees.total == send + back + agency


@pytest.mark.parametrize("bad", [-1, 1.5, True, "100"])
def test_fees_are_integer_dong(bad):
    with pytest.raises(ValueError):
        rules.Fees(postal_send=bad)


def test_clock_states():
    d = date(2025, 7, 10)
    assert rules.clock_state(None, None, d) == ClockState.NOT_STARTED
    assert rules.clock_state(d, None, d) == ClockState.RUNNING
    assert rules.clock_state(d, None, d + timedelta(days=1)) == ClockState.LATE
    assert rules.clock_state(d, d, d + timedelta(days=9)) == ClockState.DONE
    assert rules.clock_state(d, d + timedelta(days=1), d) == ClockState.LATE


def test_agency_due_counts_working_days_from_filing():
    cal = Calendar()
    # Filed Friday 29 August 2025: Monday 1 and Tuesday 2 September are holidays (National
    # Day), so the 10 working days run from Wednesday 3 to Tuesday 16 September.
    assert rules.agency_due(date(2025, 8, 29), 10, False, cal.add_working_days) == date(2025, 9, 16)
    assert rules.agency_due(date(2025, 8, 29), 10, True, cal.add_working_days) == date(2025, 8, 29)
    assert rules.agency_due(None, 10, False, cal.add_working_days) is None
