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
from dataclasses import dataclass

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
from postops.network.selectors import office_scope_ids

from . import rules, selectors
from .models import (
    Agency,
    AgencyOfficer,
    Channel,
    DailySequence,
    Dossier,
    DossierDocument,
    DossierEvent,
    PaymentMethod,
    Procedure,
)

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
    """
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
                channel=Channel.COUNTER,
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
                post_send_due=selectors.send_leg_due(office, procedure.agency, today)
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
                            documents.items(), key=lambda kv: by_id[kv[0]].position
                        )
                        if key in by_id
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
