"""Writes for dossiers: agencies and officers, the procedure catalogue, counter intake,
handovers to the agencies, the agency's own registrations and results.

Every function owns its transaction and writes its audit entry inside it. ``actor`` is a
staff ``User``, an agency's ``accounts.ApiKey``, or ``None`` for the system (management
commands, the demo). Status moves go through :func:`_move` (compare-and-set on the cached
status, plus one append-only :class:`DossierEvent`).
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from postops.accounts.models import ApiKey, Role
from postops.accounts.roles import has_role
from postops.core import cccd
from postops.core.audit import audit_record
from postops.core.text import fold
from postops.items import services as item_services
from postops.network.address import SCHEME_2025, Address, AddressError, address_to_fields
from postops.network.models import Commune, Office
from postops.network.selectors import office_scope_ids, office_subtree_ids

from . import rules, selectors
from .models import (
    Agency,
    AgencyOfficer,
    Channel,
    DailySequence,
    Dossier,
    DossierDocument,
    DossierEvent,
    Handover,
    PaymentMethod,
    Procedure,
)

logger = logging.getLogger(__name__)

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


# --- Sequences and status moves --------------------------------------------------------------


def _next_sequence(name: str, day) -> int:
    """The next number of ``name`` for ``day`` (1, 2, …), inside the caller's transaction.

    The row lock serialises concurrent intakes of the day; a rolled-back intake gives its
    number back, so the codes of one day have no gaps.
    """
    row, _created = DailySequence.objects.select_for_update().get_or_create(name=name, day=day)
    DailySequence.objects.filter(pk=row.pk).update(last=F("last") + 1)
    row.refresh_from_db(fields=["last"])
    return row.last


def _event(dossier: Dossier, status: str, previous: str, actor, occurred_at, note: str = ""):
    user, label = actor_user_and_label(actor)
    return DossierEvent.objects.create(
        dossier=dossier,
        status=status,
        previous_status=previous,
        occurred_at=occurred_at,
        actor=user,
        actor_label=label,
        note=note[:255],
    )


class StatusConflict(Exception):
    """The dossier is not (or no longer) in a status that allows the move."""

    def __init__(self, dossier: Dossier, new: str):
        super().__init__(f"{dossier.code}: {dossier.status} → {new} refused")
        self.dossier = dossier
        self.new = new


def _move(dossier: Dossier, new: str, actor, occurred_at, *, note: str = "", **fields) -> None:
    """Compare-and-set the cached status (``UPDATE … WHERE status = <seen>``) and append the
    history event; :class:`StatusConflict` when the move is not allowed or someone else
    moved the dossier first."""
    old = dossier.status
    if not rules.can_move(old, new):
        raise StatusConflict(dossier, new)
    won = Dossier.objects.filter(pk=dossier.pk, status=old).update(status=new, **fields)
    if not won:
        raise StatusConflict(dossier, new)
    dossier.status = new
    for name, value in fields.items():
        setattr(dossier, name, value)
    _event(dossier, new, old, actor, occurred_at, note)


# --- Counter intake --------------------------------------------------------------------------


class DocumentsMissing(ValidationError):
    """The dossier does not meet the procedure's list; ``shortfalls`` says what is missing."""

    def __init__(self, shortfalls: list[rules.Shortfall], errors: dict | None = None):
        super().__init__(
            {
                **(errors or {}),
                "documents": [_("Hồ sơ chưa đủ giấy tờ theo danh mục của thủ tục.")],
            }
        )
        self.shortfalls = shortfalls


class IdempotencyConflict(Exception):
    """The idempotency key was used before with a different request."""

    def __init__(self, dossier: Dossier):
        super().__init__(f"idempotency key already used for {dossier.code}")
        self.dossier = dossier


@dataclass
class IntakeResult:
    dossier: Dossier
    created: bool


def _idempotency_scope(actor) -> str:
    if actor is None:
        return "system"
    if isinstance(actor, ApiKey):
        return f"key:{actor.pk}"
    return f"user:{actor.pk}"


def _request_hash(data: dict) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(scope: str, key: str, digest: str) -> Dossier | None:
    if not key:
        return None
    dossier = Dossier.objects.filter(idempotency_scope=scope, idempotency_key=key).first()
    if dossier is not None and dossier.request_hash != digest:
        raise IdempotencyConflict(dossier)
    return dossier


def _address(value, field: str, errors: dict, *, required: bool) -> Address | None:
    if value in (None, {}, ""):
        if required:
            errors.setdefault(field, []).append(_("Cần nhập địa chỉ."))
        return None
    try:
        addr = value if isinstance(value, Address) else Address.build(**value)
        addr.validate()
    except AddressError as exc:
        errors.setdefault(field, []).extend(m for ms in exc.errors.values() for m in ms)
        return None
    if addr.scheme == SCHEME_2025 and not Commune.objects.filter(code=addr.commune_code).exists():
        errors.setdefault(field, []).append(_("Không tìm thấy xã/phường này."))
        return None
    return addr


def _check_applicant(applicant: dict, errors: dict, today) -> dict:
    name = " ".join((applicant.get("name") or "").split())
    if not name:
        errors.setdefault("applicant_name", []).append(_("Cần nhập họ tên người nộp."))
    number = cccd.normalize(applicant.get("id_number") or "")
    try:
        cccd.validate(number, today=today)
    except cccd.CccdError as exc:
        errors.setdefault("applicant_id_number", []).append(_(exc.message) % exc.params)
    phone = applicant.get("phone") or ""
    if phone.strip():
        try:
            phone = rules.phone_normalize(phone)
        except rules.PhoneError as exc:
            errors.setdefault("applicant_phone", []).append(_(exc.message))
    return {"name": name[:150], "id_number": number, "phone": phone.strip()}


def dossier_intake(
    actor,
    *,
    office: Office,
    procedure: Procedure,
    service_form: str,
    applicant: dict,
    documents: dict[int, str] | None = None,
    delivery_address: Address | dict | None = None,
    seal_number: str = "",
    weight_g: int = 0,
    payment_method: str = PaymentMethod.CASH,
    agency_number: str = "",
    appointment_date=None,
    manual_postal_fees: tuple[int, int] | None = None,
    idempotency_key: str = "",
    received_at=None,
    channel: str = Channel.COUNTER,
    request=None,
) -> IntakeResult:
    """Take a dossier in at the counter (Decision 45/2016/QĐ-TTg Art. 6; Circular
    17/2017/TT-BTTTT Art. 5): check the documents against the procedure's list, record the
    applicant (citizen ID number checked), the service form and the result delivery
    address, the fees (postal tariff of each leg plus the agency's fee collected on its
    behalf), the seal number, and accept the outbound item with its S10 number.

    ``applicant`` is ``{"name", "id_number", "phone", "address"}`` (address: an ``Address``
    or its fields). ``documents`` maps each requirement id of the procedure to the kind
    received (``original``/``copy``); any shortfall raises :class:`DocumentsMissing`.
    A return-only dossier (``service_form="return"``, filed by the citizen at the agency)
    carries no documents, no seal and no outbound item, but the agency's dossier number.
    ``manual_postal_fees`` (send, return) is used only when the tariff cannot price the
    legs. With ``idempotency_key`` a resubmitted form returns the first dossier.
    ``channel`` is ``pickup`` when a postman takes the dossier in at the citizen's address
    (Decision 45/2016/QĐ-TTg Art. 6: intake at a service point or at the address).
    """
    if channel not in (Channel.COUNTER, Channel.PICKUP):
        raise ValueError(f"unexpected intake channel {channel!r}")
    documents = documents or {}
    received_at = received_at or timezone.now()
    today = timezone.localdate(received_at)
    scope = _idempotency_scope(actor)
    payload = {
        "office": office.pk,
        "procedure": procedure.pk,
        "service_form": service_form,
        "applicant": {k: str(v) for k, v in applicant.items()},
        "documents": {str(k): v for k, v in sorted(documents.items())},
        "delivery_address": str(delivery_address),
        "seal_number": seal_number,
        "weight_g": weight_g,
        "payment_method": payment_method,
        "agency_number": agency_number,
        "appointment_date": str(appointment_date or ""),
        "manual_postal_fees": manual_postal_fees,
    }
    digest = _request_hash(payload)
    previous = _replay(scope, idempotency_key, digest)
    if previous is not None:
        return IntakeResult(previous, False)

    user, _label = actor_user_and_label(actor)
    if actor is not None and office.pk not in set(office_scope_ids(actor)):
        raise PermissionDenied(_("Bạn không có quyền nhận hồ sơ tại đơn vị này."))

    errors: dict[str, list[str]] = {}
    if service_form not in {form.value for form in rules.ServiceForm}:
        errors["service_form"] = [_("Chọn hình thức: gửi hồ sơ, nhận kết quả hoặc cả hai.")]
        raise ValidationError(errors)
    if not (procedure.is_active and procedure.postal_allowed and procedure.agency.is_active):
        raise ValidationError(
            {"procedure": [_("Thủ tục này không nhận hồ sơ qua dịch vụ bưu chính công ích.")]}
        )
    person = _check_applicant(applicant, errors, today)
    applicant_addr = _address(applicant.get("address"), "applicant_address", errors, required=True)
    sends = rules.carries_dossier(service_form)
    returns = rules.returns_result(service_form)
    delivery = _address(delivery_address, "delivery_address", errors, required=returns)
    seal_number = (seal_number or "").strip()
    requirements = list(procedure.documents.order_by("position"))
    filed_on = None
    if sends:
        if not seal_number:
            errors.setdefault("seal_number", []).append(
                _("Cần ghi số niêm phong túi hồ sơ (niêm phong trước mặt người nộp).")
            )
        if not isinstance(weight_g, int) or isinstance(weight_g, bool) or weight_g <= 0:
            errors.setdefault("weight_g", []).append(_("Khối lượng phải là số gam lớn hơn 0."))
        shortfalls = rules.document_shortfalls(
            [rules.Requirement(r.pk, r.name, r.kind, r.count) for r in requirements], documents
        )
        if shortfalls:
            raise DocumentsMissing(shortfalls, errors)
    else:
        agency_number = (agency_number or "").strip().upper()
        try:
            filed_on = rules.agency_number_check(agency_number, procedure.agency.code)
        except rules.NumberError as exc:
            errors.setdefault("agency_number", []).append(_(exc.message) % exc.params)
        if not weight_g:
            weight_g = 200  # a result envelope; only used to price the return leg
    if payment_method not in PaymentMethod.values:
        errors.setdefault("payment_method", []).append(_("Chọn hình thức thanh toán."))
    if errors:
        raise ValidationError(errors)

    quote = selectors.dossier_fee_quote(
        procedure=procedure,
        office=office,
        service_form=service_form,
        delivery_commune_code=delivery.commune_code if delivery else "",
        weight_g=weight_g,
        on=today,
    )
    fees, tariff_version = quote.fees, quote.tariff_version
    if fees is None:
        if manual_postal_fees is None:
            raise ValidationError(
                {
                    "postal_fee_send": [
                        _("Bảng cước chưa tính được cước hồ sơ: nhập cước theo bảng giá niêm yết.")
                    ]
                },
                code=quote.problem,
            )
        try:
            fees = rules.Fees(
                postal_send=manual_postal_fees[0] if sends else 0,
                postal_return=manual_postal_fees[1] if returns else 0,
                agency=procedure.agency_fee,
            )
        except ValueError:
            raise ValidationError(
                {"postal_fee_send": [_("Số tiền phải là số đồng nguyên, không âm.")]}
            ) from None
        tariff_version = None
    prefix = selectors.dossier_prefix() if sends else None
    if sends and prefix is None:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    _("Chưa cấu hình mã dịch vụ S10 cho bưu gửi hồ sơ (dịch vụ “dossier”).")
                ]
            }
        )

    try:
        with transaction.atomic():
            code = rules.dossier_code(today, _next_sequence(rules.DOSSIER_CODE_PREFIX, today))
            dossier = Dossier(
                code=code,
                procedure=procedure,
                agency=procedure.agency,
                service_form=service_form,
                channel=channel,
                status=rules.initial_status(service_form),
                office=office,
                intake_by=user,
                received_at=received_at,
                applicant_name=person["name"],
                applicant_id_number=person["id_number"],
                applicant_phone=person["phone"],
                seal_number=seal_number[:40] if sends else "",
                weight_g=weight_g,
                postal_fee_send=fees.postal_send,
                postal_fee_return=fees.postal_return,
                agency_fee=fees.agency,
                payment_method=payment_method,
                tariff_version=tariff_version,
                agency_number="" if sends else agency_number,
                appointment_date=appointment_date,
                post_send_due=selectors.send_leg_due(office, procedure.agency, received_at)
                if sends
                else None,
                agency_due=selectors.agency_due_for(procedure, filed_on),
                idempotency_scope=scope if idempotency_key else "",
                idempotency_key=idempotency_key,
                request_hash=digest if idempotency_key else "",
                **address_to_fields(applicant_addr, "applicant"),
                **(address_to_fields(delivery, "delivery") if delivery else {}),
            )
            dossier.save(force_insert=True)
            by_id = {r.pk: r for r in requirements}
            if sends:
                DossierDocument.objects.bulk_create(
                    [
                        DossierDocument(
                            dossier=dossier,
                            requirement=by_id[key],
                            position=by_id[key].position,
                            name=by_id[key].name,
                            kind=kind,
                            count=by_id[key].count,
                        )
                        for key, kind in sorted(
                            ((k, v) for k, v in documents.items() if k in by_id),
                            key=lambda kv: by_id[kv[0]].position,
                        )
                    ]
                )
            _event(dossier, dossier.status, "", actor, received_at)
            if sends:
                agency = procedure.agency
                accepted = item_services.item_accept(
                    actor=actor,
                    office=office,
                    prefix=prefix,
                    sender_name=person["name"],
                    sender_phone=person["phone"],
                    sender_address=applicant_addr,
                    receiver_name=agency.name[:150],
                    receiver_phone=agency.phone,
                    receiver_address={"commune_code": agency.commune_id, "street": agency.street},
                    weight_g=weight_g,
                    contents=f"Hồ sơ TTHC {dossier.code}",
                    fee=fees.postal_send,
                    tariff_version=tariff_version,
                    promised_date=dossier.post_send_due,
                    accepted_at=received_at,
                    idempotency_key=f"dossier:{dossier.code}",
                    request=request,
                )
                dossier.outbound_item = accepted.item
                Dossier.objects.filter(pk=dossier.pk).update(outbound_item=accepted.item)
            # Ids, codes and amounts only: names, ID numbers and addresses stay in the row.
            _audit(
                actor,
                "dossiers.intake",
                dossier,
                after={
                    "code": dossier.code,
                    "procedure": procedure.code,
                    "agency": procedure.agency.code,
                    "service_form": service_form,
                    "item": dossier.outbound_item.number if dossier.outbound_item else None,
                    "postal_fee": fees.postal,
                    "agency_fee": fees.agency,
                    "seal_number": dossier.seal_number,
                },
                office=office,
                request=request,
            )
    except IntegrityError:
        # A concurrent submission with the same key won; answer with its dossier.
        previous = _replay(scope, idempotency_key, digest)
        if previous is not None:
            return IntakeResult(previous, False)
        raise
    return IntakeResult(dossier, True)


# --- Handover to the agency ------------------------------------------------------------------

# A device clock may run a little ahead; a signing time further in the future is a typo.
SIGNED_AT_TOLERANCE = timedelta(minutes=10)


def _item_event(item, code: str, office: Office, occurred_at, note: str) -> None:
    """Track the outbound item with the handover (no blocking: the legal record is the
    dossier's; an item scanned elsewhere in between keeps its own history)."""
    if item is None:
        return
    try:
        item_services.event_record(
            actor=None, item=item, code=code, office=office, occurred_at=occurred_at, note=note
        )
    except item_services.EventRejected as exc:
        logger.warning("dossier item %s: %s refused (%s)", item.number, code, exc.reason)


def handover_create(actor, *, office: Office, agency: Agency, request=None) -> Handover:
    """Put every dossier for ``agency`` that was taken in at ``office`` or an office under
    it, and is still waiting at the post (``received``), on one new handover record
    (Decision 45/2016/QĐ-TTg Art. 6(5)). The outbound items go out for delivery."""
    if actor is not None and office.pk not in set(office_scope_ids(actor)):
        raise PermissionDenied(_("Bạn không có quyền thao tác tại đơn vị này."))
    now = timezone.now()
    with transaction.atomic():
        dossiers = list(
            Dossier.objects.select_for_update(of=("self",))
            .filter(
                agency=agency,
                status=rules.Status.RECEIVED,
                office_id__in=office_subtree_ids(office),
            )
            .select_related("outbound_item__state")
            .order_by("code")
        )
        if not dossiers:
            raise ValidationError(
                {"agency": [_("Không có hồ sơ nào đang chờ giao cho cơ quan này.")]}
            )
        day = timezone.localdate(now)
        handover = Handover.objects.create(
            code=f"BB-{day:%y%m%d}-{_next_sequence('BB', day):04d}",
            office=office,
            agency=agency,
            dossier_count=len(dossiers),
            created_by=actor_user_and_label(actor)[0],
        )
        for dossier in dossiers:
            _move(
                dossier, rules.Status.IN_HANDOVER, actor, now, note=handover.code, handover=handover
            )
            item = dossier.outbound_item
            if item is not None and item.status == "in_transit":
                _item_event(item, "delivery_office_arrival", office, now, handover.code)
            _item_event(item, "out_for_delivery", office, now, handover.code)
        _audit(
            actor,
            "dossiers.handover_create",
            handover,
            after={
                "code": handover.code,
                "agency": agency.code,
                "dossiers": [d.code for d in dossiers],
            },
            office=office,
            request=request,
        )
    return handover


@dataclass
class ConfirmResult:
    handover: Handover
    confirmed: bool  # False: it was confirmed before (a replay changes nothing)


def _check_actor_agency(actor, agency: Agency) -> None:
    if actor is None:
        return
    if selectors.agency_for_actor(actor) != agency:
        raise PermissionDenied(_("Chỉ cơ quan nhận hồ sơ mới xác nhận được biên bản này."))


def handover_confirm(
    actor,
    handover: Handover,
    *,
    signed_at=None,
    receiver_name: str = "",
    appointments: dict[str, dict] | None = None,
    request=None,
) -> ConfirmResult:
    """The agency signs the handover record: every dossier on it is ``filed`` at
    ``signed_at``, **the legal filing time** (Decision 45/2016/QĐ-TTg Art. 6(5)); the
    agency's deadline runs from that day. ``appointments`` maps a dossier code to
    ``{"appointment_date", "agency_number"}`` from the appointment slip (giấy hẹn).

    ``signed_at`` is the time written on the paper (default: now); it may not be in the
    future nor before the record was made. Confirming again returns the first result.
    """
    _check_actor_agency(actor, handover.agency)
    appointments = appointments or {}
    now = timezone.now()
    signed_at = signed_at or now
    if timezone.is_naive(signed_at):
        signed_at = timezone.make_aware(signed_at)
    if handover.status == Handover.Status.CONFIRMED:
        return ConfirmResult(handover, False)
    errors: dict[str, list[str]] = {}
    if signed_at > now + SIGNED_AT_TOLERANCE:
        errors["signed_at"] = [_("Thời điểm ký không được ở tương lai.")]
    elif signed_at < handover.created_at.replace(second=0, microsecond=0):
        # Paper records are signed to the minute: the minute the record was made is fine.
        errors["signed_at"] = [_("Thời điểm ký không được trước khi lập biên bản.")]
    codes = set(handover.dossiers.values_list("code", flat=True))
    unknown = sorted(set(appointments) - codes)
    if unknown:
        errors["dossiers"] = [
            _("Hồ sơ không có trong biên bản: %(codes)s.") % {"codes": ", ".join(unknown)}
        ]
    signed_on = timezone.localdate(signed_at)
    numbers: dict[str, str] = {}
    for code, values in sorted(appointments.items()):
        appointment = values.get("appointment_date")
        if appointment is not None and appointment < signed_on:
            errors.setdefault("appointment_date", []).append(
                _("Ngày hẹn của hồ sơ %(code)s trước ngày tiếp nhận.") % {"code": code}
            )
        number = (values.get("agency_number") or "").strip().upper()
        if number:
            try:
                rules.agency_number_check(number, handover.agency.code)
            except rules.NumberError as exc:
                errors.setdefault("agency_number", []).append(
                    f"{code}: {_(exc.message) % exc.params}"
                )
            numbers[code] = number
    if (
        len(set(numbers.values())) != len(numbers)
        or Dossier.objects.filter(agency=handover.agency, agency_number__in=numbers.values())
        .exclude(code__in=numbers)
        .exists()
    ):
        errors.setdefault("agency_number", []).append(_("Số hồ sơ của cơ quan bị trùng."))
    if errors:
        raise ValidationError(errors)

    user, label = actor_user_and_label(actor)
    with transaction.atomic():
        won = Handover.objects.filter(pk=handover.pk, status=Handover.Status.OPEN).update(
            status=Handover.Status.CONFIRMED,
            signed_at=signed_at,
            confirmed_at=now,
            confirmed_by=user,
            confirmed_by_label=label,
            receiver_name=" ".join(receiver_name.split())[:150],
        )
        if not won:
            handover.refresh_from_db()
            return ConfirmResult(handover, False)
        handover.refresh_from_db()
        dossiers = list(
            handover.dossiers.select_for_update(of=("self",))
            .select_related("procedure", "outbound_item")
            .order_by("code")
        )
        for dossier in dossiers:
            values = appointments.get(dossier.code, {})
            fields = {
                "filed_at": signed_at,
                "agency_due": selectors.agency_due_for(dossier.procedure, signed_on),
            }
            if values.get("appointment_date"):
                fields["appointment_date"] = values["appointment_date"]
            if dossier.code in numbers:
                fields["agency_number"] = numbers[dossier.code]
            _move(dossier, rules.Status.FILED, actor, signed_at, note=handover.code, **fields)
            _item_event(
                dossier.outbound_item, "delivered", handover.office, signed_at, handover.code
            )
        _audit(
            actor,
            "dossiers.handover_confirm",
            handover,
            after={
                "code": handover.code,
                "signed_at": signed_at.isoformat(),
                "dossiers": [d.code for d in dossiers],
                "appointments": {
                    c: str(v.get("appointment_date") or "") for c, v in sorted(appointments.items())
                },
            },
            office=handover.office,
            request=request,
        )
    return ConfirmResult(handover, True)


# --- The agency's own registrations and results ----------------------------------------------


def dossier_register(
    actor,
    *,
    agency: Agency,
    agency_number: str,
    procedure_code: str,
    applicant: dict,
    delivery_address: Address | dict,
    filed_at=None,
    appointment_date=None,
    idempotency_key: str = "",
    request=None,
) -> IntakeResult:
    """Register a dossier the citizen filed at the agency's own desk for the post to return
    its result (service form ``return``; issue #4, item 6).

    ``agency_number`` must follow ``<agency code>-YYMMDD-XXXX`` (Circular 01/2018/TT-VPCP
    Art. 19); it is unique per agency, so registering the same number again returns the
    first dossier when the request is the same and refuses it (:class:`IdempotencyConflict`)
    when it differs. The agency's deadline runs from ``filed_at`` (default: the number's
    day).
    """
    _check_actor_agency(actor, agency)
    agency_number = (agency_number or "").strip().upper()
    now = timezone.now()
    scope = _idempotency_scope(actor)
    payload = {
        "agency": agency.pk,
        "agency_number": agency_number,
        "procedure": procedure_code,
        "applicant": {k: str(v) for k, v in sorted(applicant.items())},
        "delivery_address": str(delivery_address),
        "filed_at": filed_at.isoformat() if filed_at else "",
        "appointment_date": str(appointment_date or ""),
    }
    digest = _request_hash(payload)
    previous = _replay(scope, idempotency_key, digest)
    if previous is not None:
        return IntakeResult(previous, False)
    existing = Dossier.objects.filter(agency=agency, agency_number=agency_number).first()
    if agency_number and existing is not None:
        if existing.request_hash != digest:
            raise IdempotencyConflict(existing)
        return IntakeResult(existing, False)

    errors: dict[str, list[str]] = {}
    filed_on = None
    try:
        filed_on = rules.agency_number_check(agency_number, agency.code)
    except rules.NumberError as exc:
        errors["agency_number"] = [_(exc.message) % exc.params]
    procedure = (
        Procedure.objects.select_related("agency")
        .filter(code=(procedure_code or "").strip(), is_active=True)
        .first()
    )
    if procedure is None:
        errors["procedure_code"] = [_("Không có thủ tục đang áp dụng với mã này.")]
    elif not procedure.postal_allowed:
        errors["procedure_code"] = [_("Thủ tục này không trả kết quả qua bưu chính.")]
    today = timezone.localdate(now)
    person = _check_applicant(applicant, errors, today)
    delivery = _address(delivery_address, "delivery_address", errors, required=True)
    if filed_at is not None:
        if timezone.is_naive(filed_at):
            filed_at = timezone.make_aware(filed_at)
        if filed_at > now + SIGNED_AT_TOLERANCE:
            errors.setdefault("filed_at", []).append(
                _("Thời điểm tiếp nhận không được ở tương lai.")
            )
        else:
            filed_on = timezone.localdate(filed_at)
    if appointment_date is not None and filed_on is not None and appointment_date < filed_on:
        errors.setdefault("appointment_date", []).append(_("Ngày hẹn trước ngày tiếp nhận."))
    if errors:
        raise ValidationError(errors)

    quote = selectors.dossier_fee_quote(
        procedure=procedure,
        office=None,
        service_form=rules.ServiceForm.RETURN,
        delivery_commune_code=delivery.commune_code,
        weight_g=200,
        on=today,
    )
    user, _label = actor_user_and_label(actor)
    try:
        with transaction.atomic():
            code = rules.dossier_code(today, _next_sequence(rules.DOSSIER_CODE_PREFIX, today))
            dossier = Dossier(
                code=code,
                procedure=procedure,
                agency=agency,
                service_form=rules.ServiceForm.RETURN,
                channel=Channel.AGENCY,
                status=rules.Status.REGISTERED,
                intake_by=user,
                received_at=now,
                applicant_name=person["name"],
                applicant_id_number=person["id_number"],
                applicant_phone=person["phone"],
                weight_g=200,
                postal_fee_return=quote.fees.postal_return if quote.fees else 0,
                tariff_version=quote.tariff_version if quote.fees else None,
                agency_number=agency_number,
                filed_at=filed_at,
                appointment_date=appointment_date,
                agency_due=selectors.agency_due_for(procedure, filed_on),
                idempotency_scope=scope if idempotency_key else "",
                idempotency_key=idempotency_key,
                request_hash=digest,
                **address_to_fields(delivery, "delivery"),
            )
            dossier.save(force_insert=True)
            _event(dossier, dossier.status, "", actor, now)
            _audit(
                actor,
                "dossiers.register",
                dossier,
                after={
                    "code": code,
                    "agency": agency.code,
                    "agency_number": agency_number,
                    "procedure": procedure.code,
                },
                request=request,
            )
    except IntegrityError:
        previous = (
            _replay(scope, idempotency_key, digest)
            or Dossier.objects.filter(agency=agency, agency_number=agency_number).first()
        )
        if previous is not None:
            if previous.request_hash != digest:
                raise IdempotencyConflict(previous) from None
            return IntakeResult(previous, False)
        raise
    return IntakeResult(dossier, True)


def dossier_result_ready(actor, dossier: Dossier, *, ready_on, request=None) -> bool:
    """The agency says the result is ready (issue #4, item 6). Returns ``False`` when it was
    recorded before with the same day (a replay); a different day is refused."""
    _check_actor_agency(actor, dossier.agency)
    if dossier.status == rules.Status.RESULT_READY:
        if dossier.result_ready_on == ready_on:
            return False
        raise StatusConflict(dossier, rules.Status.RESULT_READY)
    today = timezone.localdate()
    errors = {}
    if ready_on > today:
        errors["date"] = [_("Ngày có kết quả không được ở tương lai.")]
    filed_on = timezone.localdate(dossier.filed_at) if dossier.filed_at else None
    if filed_on and ready_on < filed_on:
        errors["date"] = [_("Ngày có kết quả không được trước ngày tiếp nhận.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _move(
            dossier,
            rules.Status.RESULT_READY,
            actor,
            timezone.now(),
            result_ready_on=ready_on,
        )
        _audit(
            actor,
            "dossiers.result_ready",
            dossier,
            after={"code": dossier.code, "result_ready_on": ready_on.isoformat()},
            request=request,
        )
    return True
