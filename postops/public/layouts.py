"""Which page layout a staff member's start page uses (issue #2, item 8). Pure: no Django.

Three layouts, one per way of working:

- ``mobile`` — phone-sized, large touch targets, actions in a bottom bar: for staff who work
  on their feet with a smartphone (postmen on rounds, payout tellers and BĐVHX attendants
  at commune points and at beneficiaries' homes).
- ``dashboard`` — cards and figures for the provincial management.
- ``counter`` — dense, keyboard-first desktop pages for everyone else (counter clerks,
  supervisors, complaints, auditors, agency officers, administrators).

A person with several roles gets the first layout that matches, in the order above: a
field role decides, because that work happens away from a desk where a desktop page cannot
be used; the management role comes next.
"""

from collections.abc import Iterable

MOBILE_ROLES = frozenset({"postman", "teller", "bdvhx"})
DASHBOARD_ROLES = frozenset({"manager"})

LAYOUT_TEMPLATES = {
    "counter": "layouts/counter.html",
    "mobile": "layouts/mobile.html",
    "dashboard": "layouts/dashboard.html",
}


def layout_for_roles(roles: Iterable[str]) -> str:
    """The layout name (``mobile``, ``dashboard`` or ``counter``) for a set of role slugs."""
    held = frozenset(roles)
    if held & MOBILE_ROLES:
        return "mobile"
    if held & DASHBOARD_ROLES:
        return "dashboard"
    return "counter"


def layout_template(roles: Iterable[str]) -> str:
    """The template path of :func:`layout_for_roles`, for ``{% extends layout %}``."""
    return LAYOUT_TEMPLATES[layout_for_roles(roles)]
