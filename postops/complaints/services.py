"""Complaint writes: file, investigate, answer, decide and pay compensation, close; incidents.

Each service owns its transaction and writes an audit entry in it. Status moves are a
compare-and-set on the old status (``rules.TRANSITIONS``): a second click, or a colleague who
got there first, changes nothing and gets :class:`ComplaintError` ``"conflict"``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from postops.core import s10
from postops.core.audit import audit_record
from postops.core.calendar import add_working_days
from postops.dossiers import rules as dossier_rules
from postops.dossiers.models import Dossier
from postops.items.models import Item, ItemStatus

from . import rules
from .models import Complaint, Incident, IncidentKind, Outcome, Status

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out on the phone


class ComplaintError(Exception):
    MESSAGES = {
        "not_found": _("Không tìm thấy bưu gửi hoặc hồ sơ có số hiệu này."),
        "number_format": _(
            "Nhập số hiệu bưu gửi (ví dụ EB125966888VN) hoặc số phiếu gửi hồ sơ "
            "(ví dụ HS-260105-00001)."
        ),
        "conflict": _("Khiếu nại đã được người khác cập nhật. Vui lòng tải lại trang."),
        "not_upheld": _("Chỉ bồi thường khi khiếu nại được kết luận là đúng."),
        "no_decision": _("Chưa có quyết định bồi thường."),
        "paid_before_decision": _("Ngày chi trả không được trước ngày quyết định bồi thường."),
    }

    def __init__(self, code: str):
        self.code = code
        self.message = self.MESSAGES[code]
        super().__init__(str(self.message))


@dataclass(frozen=True)
class SubjectFacts:
    """What the rules need to know about the thing complained about."""

    subject: str
    item: Item | None
    dossier: Dossier | None
    office_id: int
    end_to_end_on: date | None
    delivered_on: date | None
    between_provinces: bool
    tariff: int
    weight_g: int


def subject_resolve(number: str) -> SubjectFacts:
    """The item (S10 number) or dossier (``HS-…`` code) named by ``number``."""
    text = s10.normalize(number or "")
    if dossier_rules.is_dossier_code(text):
        dossier = (
            Dossier.objects.select_related("office__commune", "agency__commune")
            .filter(code=text)
            .first()
        )
        if dossier is None:
            raise ComplaintError("not_found")
        office_province = getattr(dossier.office.commune, "province_id", None)
        agency_province = getattr(dossier.agency.commune, "province_id", None)
        return SubjectFacts(
            subject=rules.Subject.DOSSIER,
            item=None,
            dossier=dossier,
            office_id=dossier.office_id,
            end_to_end_on=dossier.post_send_due,
            delivered_on=None,
            between_provinces=bool(
                office_province and agency_province and office_province != agency_province
            ),
            tariff=dossier.postal_fee,
            weight_g=dossier.weight_g,
        )
    if not s10.is_valid(text):
        raise ComplaintError("number_format")
    item = Item.objects.filter(number=text).select_related("state").first()
    if item is None:
        raise ComplaintError("not_found")
    delivered_on = None
    if item.status == ItemStatus.DELIVERED and item.last_event_at is not None:
        delivered_on = timezone.localdate(item.last_event_at)
    return SubjectFacts(
        subject=rules.Subject.ITEM,
        item=item,
        dossier=None,
        office_id=item.origin_office_id,
        end_to_end_on=item.promised_date,
        delivered_on=delivered_on,
        between_provinces=False,
        tariff=item.fee,
        weight_g=item.weight_g,
    )


def _new_code() -> str:
    return "KN" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def complaint_file(
    *,
    actor,
    number: str,
    kind: str,
    channel: str,
    complainant_name: str,
    complainant_phone: str,
    description: str = "",
    international: bool = False,
    received_on: date | None = None,
    submit_token: str = "",
    request=None,
) -> Complaint:
    """Register a complaint with its time limit and answer deadline.

    ``submit_token`` (the public form's one-time token) makes a repeated submission return
    the first complaint instead of a second one. A complaint lodged late is still registered
    (the answer says it is out of time); ``admissible`` records it.
    """
    if submit_token:
        existing = Complaint.objects.filter(submit_token=submit_token).first()
        if existing is not None:
            return existing
    facts = subject_resolve(number)
    received_on = received_on or timezone.localdate()
    if facts.subject == rules.Subject.DOSSIER:
        international = False
    until = rules.admissible_until(
        facts.subject,
        kind,
        end_to_end_on=facts.end_to_end_on,
        delivered_on=facts.delivered_on,
    )
    due = rules.answer_due(
        facts.subject,
        received_on,
        international=international,
        between_provinces=facts.between_provinces,
        add_working_days=add_working_days,
    )
    user = actor if getattr(actor, "is_authenticated", False) else None
    fields = {
        "subject": facts.subject,
        "subject_number": (facts.item.number if facts.item else facts.dossier.code),
        "item": facts.item,
        "dossier": facts.dossier,
        "office_id": facts.office_id,
        "channel": channel,
        "kind": kind,
        "complainant_name": complainant_name.strip(),
        "complainant_phone": complainant_phone,
        "description": description.strip(),
        "international": international,
        "between_provinces": facts.between_provinces,
        "received_on": received_on,
        "admissible_until": until,
        "admissible": rules.is_admissible(received_on, until),
        "answer_due": due,
        "submit_token": submit_token,
        "created_by": user,
    }
    for _attempt in range(5):
        try:
            with transaction.atomic():
                complaint = Complaint.objects.create(code=_new_code(), **fields)
                audit_record(
                    actor,
                    "complaints.file",
                    complaint,
                    after={
                        "code": complaint.code,
                        "subject": complaint.subject,
                        "subject_number": complaint.subject_number,
                        "kind": kind,
                        "channel": channel,
                        "answer_due": due,
                        "admissible": complaint.admissible,
                    },
                    request=request,
                    actor_label="" if user else "public",
                )
                return complaint
        except IntegrityError:
            if submit_token:
                existing = Complaint.objects.filter(submit_token=submit_token).first()
                if existing is not None:
                    return existing
            # otherwise a code collision: draw another one
    raise RuntimeError("could not allocate a complaint code")


def _move(actor, complaint: Complaint, new: str, action: str, request=None, **changes) -> Complaint:
    old = complaint.status
    try:
        rules.transition(old, new)
    except rules.TransitionError:
        raise ComplaintError("conflict") from None
    with transaction.atomic():
        updated = Complaint.objects.filter(pk=complaint.pk, status=old).update(
            status=new, updated_at=timezone.now(), **changes
        )
        if not updated:
            raise ComplaintError("conflict")
        audit_record(
            actor,
            action,
            complaint,
            before={"status": old},
            after={"status": new, **changes},
            request=request,
        )
        if new == Status.ANSWERED and changes.get("outcome") == Outcome.UPHELD:
            _incidents_from(actor, complaint, changes, request)
    complaint.refresh_from_db()
    return complaint


def _incidents_from(actor, complaint: Complaint, changes: dict, request) -> None:
    """An upheld complaint that establishes a loss or damage becomes an incident, so the
    report counts each loss once whether a citizen or the post found it."""
    for flag, kind in (("lost", IncidentKind.LOSS), ("damaged", IncidentKind.DAMAGE)):
        if changes.get(flag):
            incident = Incident.objects.create(
                office_id=complaint.office_id,
                kind=kind,
                item_id=complaint.item_id,
                dossier_id=complaint.dossier_id,
                complaint=complaint,
                found_on=changes["answered_on"],
                description=complaint.code,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            audit_record(
                actor,
                "complaints.incident_record",
                incident,
                after={"kind": kind, "complaint": complaint.code},
                request=request,
            )


def complaint_investigate(actor, complaint: Complaint, request=None) -> Complaint:
    return _move(actor, complaint, Status.INVESTIGATING, "complaints.investigate", request)


def complaint_answer(
    actor,
    complaint: Complaint,
    *,
    outcome: str,
    answer_text: str,
    lost: bool = False,
    damaged: bool = False,
    answered_on: date | None = None,
    request=None,
) -> Complaint:
    """Record the answer; an upheld one that finds a loss or damage records the incident."""
    upheld = outcome == Outcome.UPHELD
    return _move(
        actor,
        complaint,
        Status.ANSWERED,
        "complaints.answer",
        request,
        outcome=outcome,
        answer_text=answer_text.strip(),
        answered_on=answered_on or timezone.localdate(),
        lost=lost and upheld,
        damaged=damaged and upheld,
    )


def complaint_compensation_decide(
    actor,
    complaint: Complaint,
    *,
    amount: int,
    basis: str,
    decided_on: date,
    sdr_rate: int = 0,
    request=None,
) -> Complaint:
    """Record the compensation decision (Decree 47/2011 Art. 24–27); payment is due within
    30 days of ``decided_on``. Only for an upheld, answered complaint."""
    if complaint.status != Status.ANSWERED:
        raise ComplaintError("conflict")
    if complaint.outcome != Outcome.UPHELD:
        raise ComplaintError("not_upheld")
    before = {
        "compensation_amount": complaint.compensation_amount,
        "compensation_basis": complaint.compensation_basis,
        "decided_on": complaint.decided_on,
    }
    changes = {
        "compensation_amount": amount,
        "compensation_basis": basis,
        "decided_on": decided_on,
        "sdr_rate": sdr_rate,
    }
    with transaction.atomic():
        updated = Complaint.objects.filter(pk=complaint.pk, status=Status.ANSWERED).update(
            updated_at=timezone.now(), **changes
        )
        if not updated:
            raise ComplaintError("conflict")
        audit_record(
            actor,
            "complaints.compensation_decide",
            complaint,
            before=before,
            after=changes,
            request=request,
        )
    complaint.refresh_from_db()
    return complaint


def complaint_compensation_pay(
    actor, complaint: Complaint, *, paid_on: date, request=None
) -> Complaint:
    """Record the payment; ``payment_late`` flags one made more than 30 days after the
    decision (Decree 47/2011 Art. 27)."""
    if complaint.decided_on is None:
        raise ComplaintError("no_decision")
    if paid_on < complaint.decided_on:
        raise ComplaintError("paid_before_decision")
    return _move(
        actor,
        complaint,
        Status.COMPENSATED,
        "complaints.compensation_pay",
        request,
        paid_on=paid_on,
    )


def complaint_close(actor, complaint: Complaint, request=None) -> Complaint:
    return _move(actor, complaint, Status.CLOSED, "complaints.close", request)


def incident_record(
    actor,
    *,
    office,
    kind: str,
    number: str = "",
    found_on: date,
    description: str = "",
    request=None,
) -> Incident:
    """An incident found internally (loss, damage, safety), optionally on one item/dossier."""
    item = dossier = None
    if number:
        facts = subject_resolve(number)
        item, dossier = facts.item, facts.dossier
    with transaction.atomic():
        incident = Incident.objects.create(
            office=office,
            kind=kind,
            item=item,
            dossier=dossier,
            found_on=found_on,
            description=description.strip(),
            created_by=actor,
        )
        audit_record(
            actor,
            "complaints.incident_record",
            incident,
            after={"kind": kind, "number": number, "found_on": found_on},
            office=office,
            request=request,
        )
    return incident
