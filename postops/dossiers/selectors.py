"""Reads for dossiers: agencies, the procedure catalogue, dossiers and handovers.

Scoping (issue #2, item 5; issue #4): post staff see the dossiers and handovers of the
offices in their scope (``postops.network.selectors.office_scope_ids``); an agency officer
or an agency's API key sees those of its own agency only. Views and API endpoints never
build their own querysets: they call the ``*_for_user`` functions here.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from postops.accounts.models import ApiKey, Role
from postops.accounts.roles import has_role
from postops.core.text import fold
from postops.network.selectors import office_scope_ids

from .models import Agency, AgencyOfficer, Procedure, ProcedureDocument

# Roles of the post that work with dossiers at an office.
POST_ROLES = (Role.CLERK, Role.POSTMAN, Role.BDVHX, Role.SUPERVISOR, Role.MANAGER)
# Roles that may read the catalogue (public information, but behind the staff login here).
CATALOGUE_ROLES = (
    Role.CLERK,
    Role.POSTMAN,
    Role.BDVHX,
    Role.SUPERVISOR,
    Role.MANAGER,
    Role.AGENCY,
    Role.COMPLAINTS,
    Role.AUDITOR,
    Role.ADMIN,
)
# Roles that maintain the catalogue (import files).
CATALOGUE_EDIT_ROLES = (Role.ADMIN, Role.MANAGER)


# --- Agencies --------------------------------------------------------------------------------


def agency_for_actor(actor) -> Agency | None:
    """The agency an agency officer (user) or an agency's API key acts for, else ``None``.

    A user must still hold the ``agency`` role; a revoked key or an inactive agency acts for
    nobody.
    """
    if actor is None:
        return None
    if isinstance(actor, ApiKey):
        agency = actor.agency if actor.revoked_at is None and actor.role == Role.AGENCY else None
    else:
        if not getattr(actor, "is_active", False) or not has_role(actor, Role.AGENCY):
            return None
        link = AgencyOfficer.objects.select_related("agency").filter(user=actor).first()
        agency = link.agency if link else None
    return agency if agency is not None and agency.is_active else None


def agency_list(q: str = "", *, active_only: bool = True) -> QuerySet[Agency]:
    qs = Agency.objects.select_related("commune__province", "parent")
    if active_only:
        qs = qs.filter(is_active=True)
    for word in fold(q).split():
        qs = qs.filter(search_name__contains=word)
    return qs.order_by("code")


# --- Procedures ------------------------------------------------------------------------------


def procedure_search(
    q: str = "",
    *,
    agency: Agency | None = None,
    postal_only: bool = False,
    active_only: bool = True,
    limit: int | None = None,
) -> QuerySet[Procedure]:
    """Procedures matching ``q`` without diacritics: every word must occur in the code or
    the name ("ly lich tu phap" finds "Cấp Phiếu lý lịch tư pháp"), ordered by code (the
    same on every database, unlike Vietnamese collation of names).

    A query that is a procedure code (or its start) also matches. ``postal_only`` keeps the
    procedures that may be filed through the postal service (the counter's list).
    """
    qs = Procedure.objects.select_related("agency")
    if active_only:
        qs = qs.filter(is_active=True, agency__is_active=True)
    if postal_only:
        qs = qs.filter(postal_allowed=True)
    if agency is not None:
        qs = qs.filter(agency=agency)
    text = (q or "").strip()
    if text:
        condition = Q(code__istartswith=text)
        words = Q()
        for word in fold(text).split():
            words &= Q(search_name__contains=word)
        qs = qs.filter(condition | words)
    qs = qs.order_by("code")
    return qs[:limit] if limit else qs


def procedure_get(pk, *, postal_only: bool = False) -> Procedure | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    qs = Procedure.objects.select_related("agency__commune__province").prefetch_related(
        Prefetch("documents", queryset=ProcedureDocument.objects.order_by("position"))
    )
    if postal_only:
        qs = qs.filter(postal_allowed=True, is_active=True, agency__is_active=True)
    return qs.filter(pk=pk).first()


def procedure_by_code(code: str) -> Procedure | None:
    return (
        Procedure.objects.select_related("agency")
        .prefetch_related("documents")
        .filter(code=(code or "").strip())
        .first()
    )


def _scope(actor) -> QuerySet:
    return office_scope_ids(actor)
