"""Complaint reads, scoped to the user's offices; the public status view without personal
data; the suggested compensation."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db.models import QuerySet

from postops.accounts.models import Role
from postops.accounts.roles import has_role
from postops.core.keyset import Page, keyset_page
from postops.items.rules import mask_name
from postops.network.selectors import office_scope_ids

from . import rules
from .models import Complaint, Incident, Status

# Who works on complaints (list, detail, answer, compensation).
STAFF_ROLES = (Role.COMPLAINTS, Role.SUPERVISOR, Role.MANAGER)
# Who needs the complainant's name and phone in clear: the officers who call back.
PERSONAL_DATA_ROLES = (Role.COMPLAINTS, Role.SUPERVISOR)
# Who records incidents found internally.
INCIDENT_ROLES = (Role.COMPLAINTS, Role.SUPERVISOR, Role.MANAGER)

PAGE_SIZE = 50
DEFAULT_SDR_RATE = 35_000


def sdr_rate_default() -> int:
    """The SDR rate offered on the compensation form (đồng per SDR): configuration
    (``POSTOPS_SDR_RATE``); the officer enters the rate of the decision day."""
    return int(getattr(settings, "POSTOPS_SDR_RATE", DEFAULT_SDR_RATE))


def complaint_list_for_user(user) -> QuerySet[Complaint]:
    qs = Complaint.objects.select_related("office")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    if not has_role(user, *STAFF_ROLES):
        return qs.none()
    return qs.filter(office_id__in=office_scope_ids(user))


def complaint_worklist(user, *, show: str = "open", cursor: str = "") -> Page:
    """Open complaints by answer deadline, the overdue ones first (keyset on
    ``(answer_due, id)``); ``show="all"`` lists every complaint, newest deadline first."""
    qs = complaint_list_for_user(user)
    if show == "open":
        qs = qs.filter(status__in=rules.OPEN_STATUSES)
        return keyset_page(qs, "answer_due", cursor, PAGE_SIZE, descending=False, kind=date)
    return keyset_page(qs, "answer_due", cursor, PAGE_SIZE, descending=True, kind=date)


def complaint_get_for_user(user, pk) -> Complaint | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return (
        complaint_list_for_user(user)
        .select_related("item", "dossier", "office")
        .filter(pk=pk)
        .first()
    )


def can_see_personal_data(user) -> bool:
    return bool(getattr(user, "is_superuser", False)) or has_role(user, *PERSONAL_DATA_ROLES)


def mask_phone(phone: str) -> str:
    """Only the last three digits: ``0912345678`` → ``*******678``."""
    return "*" * max(len(phone) - 3, 0) + phone[-3:]


def complainant_display(user, complaint: Complaint) -> dict:
    if can_see_personal_data(user):
        return {"name": complaint.complainant_name, "phone": complaint.complainant_phone}
    return {
        "name": mask_name(complaint.complainant_name),
        "phone": mask_phone(complaint.complainant_phone),
    }


def complaint_public_status(code: str) -> dict | None:
    """What the citizen sees with the complaint code: no name, phone or description."""
    complaint = (
        Complaint.objects.filter(code=(code or "").strip().upper())
        .only(
            "code",
            "subject_number",
            "kind",
            "status",
            "outcome",
            "received_on",
            "answer_due",
            "answered_on",
            "paid_on",
        )
        .first()
    )
    if complaint is None:
        return None
    return {
        "code": complaint.code,
        "subject_number": complaint.subject_number,
        "kind": complaint.get_kind_display(),
        "status": complaint.status,
        "status_text": complaint.get_status_display(),
        "outcome": complaint.get_outcome_display() if complaint.outcome else "",
        "received_on": complaint.received_on,
        "answer_due": complaint.answer_due,
        "answered_on": complaint.answered_on,
        "paid_on": complaint.paid_on,
    }


def compensation_suggestion(complaint: Complaint, sdr_rate: int | None = None):
    """The Decree 47 amount for this complaint from the tariff paid and the weight."""
    if complaint.item_id:
        tariff, weight = complaint.item.fee, complaint.item.weight_g
    else:
        tariff, weight = complaint.dossier.postal_fee, complaint.dossier.weight_g
    kind = complaint.kind
    if complaint.lost:
        kind = rules.Kind.LOSS
    elif complaint.damaged:
        kind = rules.Kind.DAMAGE
    return rules.compensation(
        kind,
        tariff=tariff,
        international=complaint.international,
        weight_g=weight,
        sdr_rate=sdr_rate if sdr_rate is not None else sdr_rate_default(),
        damage_amount=4 * tariff if kind == rules.Kind.DAMAGE else 0,
    )


def incident_list_for_user(user) -> QuerySet[Incident]:
    qs = Incident.objects.select_related("office", "item", "dossier", "complaint")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    if not has_role(user, *INCIDENT_ROLES):
        return qs.none()
    return qs.filter(office_id__in=office_scope_ids(user))


def incident_offices_for_user(user):
    from postops.network.models import Office

    return Office.objects.filter(pk__in=office_scope_ids(user), is_active=True).order_by("code")


__all__ = ["Status"]
