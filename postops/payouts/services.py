"""Writes for payouts. Each service owns its transaction and audits inside it.

Names follow ``<entity>_<verb>``. Rules that need no database live in ``rules.py``.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from postops.core.audit import audit_record

from . import rules
from .errors import AuthorisationInvalid, FourEyesViolation, InvalidTransition
from .models import Beneficiary, PayrollLine, PayrollPeriod, Programme, Proxy

# --- Payroll periods --------------------------------------------------------------------------


def payroll_period_get_or_create(actor, programme: Programme, month: date) -> PayrollPeriod:
    """The period of ``programme`` for ``month`` (first day), created as "imported"."""
    month = month.replace(day=1)
    with transaction.atomic():
        period, created = PayrollPeriod.objects.get_or_create(
            programme=programme, month=month, defaults={"imported_by": actor}
        )
        if created:
            audit_record(
                actor,
                "payouts.period_create",
                period,
                after={"programme": programme.code, "month": rules.format_period(month)},
            )
    return period


def payroll_period_transition(actor, period: PayrollPeriod, new_status: str) -> PayrollPeriod:
    """Move a period along ``rules.PERIOD_TRANSITIONS`` with one compare-and-set update.

    Approving freezes a snapshot (line count and total) and needs a different person from
    the importer (four-eyes rule). The update matches the old status, so two people acting
    at once cannot both move it: the loser gets ``InvalidTransition``.
    """
    old_status = period.status
    if not rules.period_can_move(old_status, new_status):
        raise InvalidTransition(old=old_status, new=new_status)
    changes: dict = {"status": new_status, "updated_at": timezone.now()}
    with transaction.atomic():
        if new_status == rules.CHECKED:
            changes["checked_by"] = actor
        elif new_status == rules.APPROVED:
            if period.imported_by_id is not None and period.imported_by_id == actor.pk:
                raise FourEyesViolation()
            snapshot = PayrollLine.objects.filter(period=period).aggregate(
                count=Count("id"), amount=Sum("amount"), arrears=Sum("arrears")
            )
            changes.update(
                approved_by=actor,
                approved_at=timezone.now(),
                approved_line_count=snapshot["count"],
                approved_total=(snapshot["amount"] or 0) + (snapshot["arrears"] or 0),
            )
        elif new_status == rules.IMPORTED:
            changes["checked_by"] = None
        updated = PayrollPeriod.objects.filter(pk=period.pk, status=old_status).update(**changes)
        if updated != 1:
            raise InvalidTransition(old=old_status, new=new_status)
        after = {"status": new_status}
        if new_status == rules.APPROVED:
            after.update(line_count=changes["approved_line_count"], total=changes["approved_total"])
        audit_record(
            actor,
            f"payouts.period_{new_status}",
            period,
            before={"status": old_status},
            after=after,
        )
    period.refresh_from_db()
    return period


# --- Proxies ----------------------------------------------------------------------------------


def proxy_create(
    actor,
    beneficiary: Beneficiary,
    *,
    full_name: str,
    id_number: str,
    authorisation_number: str,
    valid_from: date,
    valid_to: date,
    certified: bool,
    id_document_type: str = rules.CCCD,
) -> Proxy:
    """Record a written authorisation to collect ``beneficiary``'s payments.

    Law 41/2024/QH15: at most the programme's ``max_authorisation_months`` (12 for
    pensions); the certification is checked at payout time, so an uncertified
    authorisation may be recorded but cannot be used.
    """
    limit = beneficiary.programme.max_authorisation_months
    if not rules.authorisation_period_ok(valid_from, valid_to, limit):
        raise AuthorisationInvalid(
            field="valid_to",
            last_allowed=rules.authorisation_last_day(valid_from, limit).isoformat(),
        )
    if id_document_type not in rules.ID_DOCUMENT_TYPES:
        raise AuthorisationInvalid(field="id_document_type")
    with transaction.atomic():
        proxy = Proxy.objects.create(
            beneficiary=beneficiary,
            full_name=full_name.strip(),
            id_document_type=id_document_type,
            id_number=rules.normalise_document_number(id_number),
            authorisation_number=authorisation_number.strip(),
            valid_from=valid_from,
            valid_to=valid_to,
            certified=certified,
            created_by=actor,
        )
        audit_record(
            actor,
            "payouts.proxy_create",
            proxy,
            after={
                "beneficiary": beneficiary.pk,
                "valid_from": valid_from.isoformat(),
                "valid_to": valid_to.isoformat(),
                "certified": certified,
            },
        )
    return proxy
