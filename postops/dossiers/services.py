"""Writes for dossiers: agencies and officers, the procedure catalogue, counter intake,
handovers to the agencies, the agency's own registrations and results.

Every function owns its transaction and writes its audit entry inside it. ``actor`` is a
staff ``User``, an agency's ``accounts.ApiKey``, or ``None`` for the system (management
commands, the demo). Status moves go through :func:`_move` (compare-and-set on the cached
status, plus one append-only :class:`DossierEvent`).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from postops.accounts.models import ApiKey, Role
from postops.accounts.roles import has_role
from postops.core.audit import audit_record
from postops.core.text import fold

from .models import Agency, AgencyOfficer

# --- Actors ----------------------------------------------------------------------------------


def actor_user_and_label(actor):
    """(user for foreign keys or None, label for records) of a user, an API key or the system."""
    if actor is None:
        return None, "system"
    if isinstance(actor, ApiKey):
        return None, f"api-key:{actor.prefix}"
    return actor, actor.get_username()


def _audit(actor, action: str, target=None, **kwargs):
    user, label = actor_user_and_label(actor)
    return audit_record(user, action, target, actor_label=label, **kwargs)


# --- Agencies --------------------------------------------------------------------------------

AGENCY_FIELDS = ("code", "name", "kind", "commune", "street", "phone", "email", "parent")


def _agency_snapshot(agency: Agency) -> dict:
    return {
        "code": agency.code,
        "name": agency.name,
        "kind": agency.kind,
        "commune": agency.commune_id,
        "street": agency.street,
        "phone": agency.phone,
        "email": agency.email,
        "parent": agency.parent_id,
        "is_active": agency.is_active,
    }


def _agency_save(agency: Agency) -> None:
    agency.code = (agency.code or "").strip().upper()
    agency.name = " ".join((agency.name or "").split())
    agency.search_name = fold(f"{agency.code} {agency.name}")
    if agency_parent_loops(agency.pk, agency.parent):
        raise ValidationError({"parent": [_("Cơ quan cấp trên tạo thành vòng lặp.")]})
    agency.full_clean()
    agency.save()


def agency_parent_loops(agency_pk, parent: Agency | None) -> bool:
    """True when making ``parent`` the parent of agency ``agency_pk`` closes a loop."""
    seen = {agency_pk} if agency_pk else set()
    while parent is not None:
        if parent.pk in seen:
            return True
        seen.add(parent.pk)
        parent = parent.parent
    return False


def agency_create(actor, *, request=None, **fields) -> Agency:
    """Create an agency (one-stop desk, service centre, department, commune committee)."""
    unknown = set(fields) - set(AGENCY_FIELDS) - {"is_active"}
    if unknown:
        raise TypeError(f"unknown agency fields: {sorted(unknown)}")
    with transaction.atomic():
        agency = Agency(**fields)
        _agency_save(agency)
        _audit(
            actor, "dossiers.agency_create", agency, after=_agency_snapshot(agency), request=request
        )
    return agency


def agency_update(actor, agency: Agency, *, request=None, **fields) -> Agency:
    """Change an agency's fields; the audit entry keeps the changed values only."""
    unknown = set(fields) - set(AGENCY_FIELDS) - {"is_active"}
    if unknown:
        raise TypeError(f"unknown agency fields: {sorted(unknown)}")
    with transaction.atomic():
        before = _agency_snapshot(Agency.objects.select_for_update().get(pk=agency.pk))
        for name, value in fields.items():
            setattr(agency, name, value)
        _agency_save(agency)
        after = _agency_snapshot(agency)
        changed = {k: after[k] for k in after if before[k] != after[k]}
        if changed:
            _audit(
                actor,
                "dossiers.agency_update",
                agency,
                before={k: before[k] for k in changed},
                after=changed,
                request=request,
            )
    return agency


def agency_officer_set(actor, user, agency: Agency | None, *, request=None) -> None:
    """Link ``user`` (who must hold the ``agency`` role) to ``agency``; ``None`` unlinks.

    An officer works for exactly one agency: linking again moves them.
    """
    with transaction.atomic():
        current = AgencyOfficer.objects.select_for_update().filter(user=user).first()
        before = current.agency.code if current else None
        if agency is None:
            if current is not None:
                current.delete()
        else:
            if not has_role(user, Role.AGENCY):
                raise ValidationError(
                    {"user": [_("Chỉ người dùng có vai trò cán bộ cơ quan mới gắn với cơ quan.")]}
                )
            if not agency.is_active:
                raise ValidationError({"agency": [_("Cơ quan này đã ngừng hoạt động.")]})
            if current is None:
                AgencyOfficer.objects.create(user=user, agency=agency)
            elif current.agency_id != agency.pk:
                current.agency = agency
                current.save(update_fields=["agency"])
        after = agency.code if agency else None
        if before != after:
            _audit(
                actor,
                "dossiers.agency_officer_set",
                user,
                before={"agency": before},
                after={"agency": after},
                request=request,
            )
