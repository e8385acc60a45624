"""The one-stop cut-off (15:00 rule) on the send leg's J (domain.md §1, one-stop rules)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from postops.dossiers import rules
from postops.dossiers.services import dossier_intake

from . import helpers

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CUTOFF = time(15, 0)


def weekdays_only(day: date, n: int) -> date:
    """A calendar of Monday–Friday with no holidays: the n-th working day after ``day``."""
    while n > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31))


@given(moments)
def test_at_or_before_the_cutoff_counts_from_the_same_day(moment):
    moment = datetime.combine(moment.date(), min(moment.time(), CUTOFF))
    assert rules.send_leg_start(moment, CUTOFF, weekdays_only) == moment.date()


@given(moments)
def test_after_the_cutoff_counts_from_the_next_working_day(moment):
    if moment.time() <= CUTOFF:
        moment = datetime.combine(moment.date(), time(15, 0, 0, 1))
    start = rules.send_leg_start(moment, CUTOFF, weekdays_only)
    assert start > moment.date()
    assert start.weekday() < 5
    # No working day is skipped in between.
    assert all(
        (moment.date() + timedelta(days=k)).weekday() >= 5
        for k in range(1, (start - moment.date()).days)
    )


@given(moments, st.times())
def test_a_later_intake_never_starts_earlier(moment, cutoff):
    later = moment + timedelta(minutes=1)
    assert rules.send_leg_start(moment, cutoff, weekdays_only) <= rules.send_leg_start(
        later, cutoff, weekdays_only
    )


def test_examples():
    friday = datetime(2025, 9, 12, 15, 0)
    assert rules.send_leg_start(friday, CUTOFF, weekdays_only) == date(2025, 9, 12)
    late = friday.replace(second=1)
    assert rules.send_leg_start(late, CUTOFF, weekdays_only) == date(2025, 9, 15)
    aware = datetime(2025, 9, 12, 16, 30, tzinfo=VN)
    assert rules.send_leg_start(aware, CUTOFF, weekdays_only) == date(2025, 9, 15)


@pytest.mark.parametrize("text", ["", "15", "25:00", "15:5", "ab:cd", "15:00:00"])
def test_parse_cutoff_refuses(text):
    with pytest.raises(ValueError):
        rules.parse_cutoff(text)


def test_parse_cutoff():
    assert rules.parse_cutoff("15:00") == time(15, 0)
    assert rules.parse_cutoff(" 9:30 ") == time(9, 30)


# --- Intake uses it --------------------------------------------------------------------------


@pytest.fixture
def setup(tree, centre, make_user):
    helpers.dossier_items_setup([tree["po_a"]])
    clerk = make_user("clerk", offices=[tree["po_a"]], username="gdv-an")
    proc = helpers.procedure(centre)
    docs = {d.position: d.pk for d in proc.documents.all()}
    return {"clerk": clerk, "office": tree["po_a"], "procedure": proc, "docs": docs}


def intake(setup, received_at):
    docs = setup["docs"]
    return dossier_intake(
        setup["clerk"],
        office=setup["office"],
        procedure=setup["procedure"],
        service_form="send",
        applicant=helpers.applicant(),
        documents={docs[1]: "original", docs[2]: "copy"},
        seal_number="NP-1",
        weight_g=300,
        received_at=received_at,
    ).dossier


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("received", "due"),
    [
        # Same province: J+2. Friday 12/9 at 15:00 counts from Friday: due Tuesday 16/9.
        (datetime(2025, 9, 12, 15, 0, tzinfo=VN), date(2025, 9, 16)),
        # Friday at 15:01 moves to Monday 15/9: due Wednesday 17/9.
        (datetime(2025, 9, 12, 15, 1, tzinfo=VN), date(2025, 9, 17)),
        # Stored in UTC: 08:30 UTC is 15:30 in Vietnam, after the cut-off.
        (datetime(2025, 9, 12, 8, 30, tzinfo=ZoneInfo("UTC")), date(2025, 9, 17)),
    ],
)
def test_intake_send_leg_due_follows_the_cutoff(setup, received, due):
    assert intake(setup, received).post_send_due == due


@pytest.mark.django_db
@override_settings(POSTOPS_DOSSIER_CUTOFF="16:30")
def test_cutoff_comes_from_the_settings(setup):
    assert intake(setup, datetime(2025, 9, 12, 16, 0, tzinfo=VN)).post_send_due == date(2025, 9, 16)
