"""Reads of pickup requests, scoped to the reader's offices."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from postops.accounts.models import User
from postops.accounts.roles import has_role
from postops.core.keyset import Page, keyset_page
from postops.dossiers import selectors as dossier_selectors
from postops.dossiers.models import Procedure
from postops.network.models import Office
from postops.network.selectors import office_scope_ids

from . import rules
from .models import PickupRequest

# Who may see the requests of their offices: the staff who take them (clerks), plan them
# (supervisors) and read them (managers, auditors).
STAFF_READERS = ("clerk", "supervisor", "manager", "auditor")


def procedures_for_pickup(q: str = "", limit: int = 20) -> QuerySet[Procedure]:
    """Active procedures that may be filed through the postal service (diacritics-insensitive
    search, the same as the counter's)."""
    return dossier_selectors.procedure_search(q, postal_only=True, limit=limit)


def procedure_for_pickup(pk) -> Procedure | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return dossier_selectors.procedure_search("", postal_only=True).filter(pk=pk).first()


def procedure_for_code(code: str) -> Procedure | None:
    return dossier_selectors.procedure_search("", postal_only=True).filter(code=code).first()


def pickup_offices() -> QuerySet[Office]:
    """Post offices a citizen may choose when routing finds none for their commune."""
    return Office.objects.filter(kind=Office.Kind.POST_OFFICE, is_active=True).order_by("code")


def pickup_office_for_commune(commune_code: str) -> Office | None:
    """The post office whose area covers the commune.

    The network keeps no area polygon; an office's area is the communes of its active
    delivery routes (``delivery.Route.commune_codes``), else the commune it stands in.
    Several candidates: the lowest office code, so the answer is stable.
    """
    from postops.delivery.models import Route

    offices = pickup_offices()
    # JSON "contains" is not available on SQLite; routes are few per province.
    route_office_ids = {
        office_id
        for office_id, codes in Route.objects.filter(
            is_active=True, office__in=offices
        ).values_list("office_id", "commune_codes")
        if commune_code in (codes or [])
    }
    if route_office_ids:
        return offices.filter(pk__in=route_office_ids).first()
    return offices.filter(commune_id=commune_code).first()


def pickup_get_by_code(code: str) -> PickupRequest | None:
    code = rules.normalize_code(code)
    if not rules.is_code(code):
        return None
    return PickupRequest.objects.select_related("procedure", "office").filter(code=code).first()


def staff_offices_for_user(user) -> QuerySet[Office]:
    """Post offices in the user's scope (where a clerk may record a request)."""
    return Office.objects.filter(
        id__in=office_scope_ids(user), kind=Office.Kind.POST_OFFICE, is_active=True
    ).order_by("code")


def pickup_list_for_user(user) -> QuerySet[PickupRequest]:
    """Requests the user may see: those of offices in their scope (staff), or those assigned
    to them (a postman)."""
    qs = PickupRequest.objects.select_related("procedure", "office", "postman", "dossier")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_superuser or has_role(user, *STAFF_READERS):
        return qs.filter(office_id__in=office_scope_ids(user))
    if has_role(user, "postman"):
        return qs.filter(postman=user)
    return qs.none()


def pickup_get_for_user(user, pk) -> PickupRequest | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return pickup_list_for_user(user).filter(pk=pk).first()


def pickup_queue(
    user,
    *,
    day: date | None = None,
    window: str = "",
    status: str = "open",
    office: Office | None = None,
    cursor: str = "",
    limit: int = 50,
) -> Page:
    """The supervisor's queue: requests of their offices, earliest preferred date first,
    keyset-paginated on (preferred date, id)."""
    qs = pickup_list_for_user(user)
    if status == "open":
        qs = qs.filter(status__in=rules.OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if day is not None:
        qs = qs.filter(preferred_date=day)
    if window:
        qs = qs.filter(time_window=window)
    if office is not None:
        qs = qs.filter(office=office)
    return keyset_page(qs, "preferred_date", cursor, limit, descending=False, kind=date)


def postmen_for_pickup(pickup: PickupRequest) -> QuerySet[User]:
    """The postmen of the request's office (assigned to it or to an office above it)."""
    from postops.delivery.selectors import postmen_for_office

    return postmen_for_office(pickup.office)


def pickups_for_postman(user, today: date) -> list[PickupRequest]:
    """The postman's pickups still to do: assigned to them for today or earlier."""
    rows = PickupRequest.objects.select_related("procedure", "office").filter(
        postman=user, status=rules.ASSIGNED, preferred_date__lte=today
    )
    windows = list(rules.WINDOWS)  # morning before afternoon, not alphabetical
    return sorted(rows, key=lambda p: (p.preferred_date, windows.index(p.time_window), p.pk))
