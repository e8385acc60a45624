"""The layout rule of the staff start page (postops.public.layouts)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postops.public.layouts import layout_for_roles, layout_template

ROLES = [
    "clerk",
    "postman",
    "teller",
    "bdvhx",
    "supervisor",
    "manager",
    "agency",
    "complaints",
    "auditor",
    "admin",
    "partner",
]


@pytest.mark.parametrize(
    ("role", "layout"),
    [
        ("clerk", "counter"),
        ("postman", "mobile"),
        ("teller", "mobile"),
        ("bdvhx", "mobile"),
        ("supervisor", "counter"),
        ("manager", "dashboard"),
        ("agency", "counter"),
        ("complaints", "counter"),
        ("auditor", "counter"),
        ("admin", "counter"),
        ("partner", "counter"),
    ],
)
def test_each_role_alone(role, layout):
    assert layout_for_roles([role]) == layout


def test_no_role_gets_the_counter():
    assert layout_for_roles([]) == "counter"


def test_a_field_role_wins_over_management_and_desk_roles():
    assert layout_for_roles({"manager", "teller"}) == "mobile"
    assert layout_for_roles({"clerk", "postman"}) == "mobile"


def test_management_wins_over_desk_roles():
    assert layout_for_roles({"manager", "auditor", "admin"}) == "dashboard"


def test_template_paths():
    assert layout_template(["postman"]) == "layouts/mobile.html"
    assert layout_template(["manager"]) == "layouts/dashboard.html"
    assert layout_template(["clerk"]) == "layouts/counter.html"


@given(st.sets(st.sampled_from(ROLES)))
def test_rule_for_any_combination(roles):
    expected = (
        "mobile"
        if roles & {"postman", "teller", "bdvhx"}
        else "dashboard"
        if "manager" in roles
        else "counter"
    )
    assert layout_for_roles(roles) == expected
    assert layout_template(roles) == f"layouts/{expected}.html"
