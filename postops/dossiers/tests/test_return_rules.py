"""Pure rules of the return leg: J+n of the return leg, when the post's clock stops, record
numbers; the proxy's written authorisation at delivery (postops.delivery.rules)."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postops.delivery import rules as delivery_rules
from postops.dossiers import rules

ZONES = st.sampled_from(["same_commune", "same_province", "other_province"])


@given(days=st.integers(min_value=0, max_value=10), zone=ZONES)
def test_normal_procedures_follow_the_matrix(days, zone):
    assert rules.return_leg_days(days, same_day=False, zone=zone) == days


@given(days=st.integers(min_value=0, max_value=10), zone=ZONES)
def test_same_day_procedures_are_never_slower_than_the_matrix_nor_than_j1(days, zone):
    n = rules.return_leg_days(days, same_day=True, zone=zone)
    assert n <= min(days, 1)
    assert n == (0 if zone == "same_commune" else min(days, 1))


def test_negative_days_refused():
    with pytest.raises(ValueError):
        rules.return_leg_days(-1, same_day=False, zone="same_commune")


@given(
    delivered=st.one_of(st.none(), st.dates()),
    attempted=st.one_of(st.none(), st.dates()),
)
def test_clock_stops_at_the_first_of_delivery_or_attempt(delivered, attempted):
    done = rules.return_clock_done(delivered, attempted)
    present = [d for d in (delivered, attempted) if d is not None]
    assert done == (min(present) if present else None)


def test_record_codes():
    assert rules.record_code("NK", date(2026, 1, 5), 1) == "NK-260105-0001"
    for bad in (0, 10_000):
        with pytest.raises(ValueError):
            rules.record_code("NK", date(2026, 1, 5), bad)


TODAY = date(2026, 11, 20)


@pytest.mark.parametrize(
    "service,relation,number,signed_on,problem",
    [
        ("dossier", "self", "", None, None),
        ("dossier", "family", "", None, "authorisation_missing"),
        ("dossier", "other", "12/UQ", None, "authorisation_missing"),
        ("dossier", "family", "  ", TODAY, "authorisation_missing"),
        ("dossier", "family", "12/UQ", TODAY + timedelta(days=1), "authorisation_future"),
        ("dossier", "neighbour", "12/UQ", TODAY, None),
        ("registered", "family", "", None, None),
        ("parcel", "other", "", None, None),
    ],
)
def test_proxy_authorisation(service, relation, number, signed_on, problem):
    assert (
        delivery_rules.authorisation_problem(service, relation, number, signed_on, TODAY) == problem
    )
