"""Writes of pickup requests: each owns its transaction and audits in it."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from postops.accounts.roles import has_role
from postops.core import calendar
from postops.core.audit import audit_record
from postops.dossiers import rules as dossier_rules
from postops.dossiers import services as dossier_services
from postops.dossiers.models import Channel, Procedure
from postops.dossiers.services import actor_user_and_label
from postops.network.address import Address, AddressError, address_to_fields
from postops.network.models import Commune, Office
from postops.network.selectors import office_in_scope

from . import rules, selectors
from .models import PickupRequest, PickupStatus, Source, TimeWindow

# Ids and codes only in the audit: names, phones and addresses stay in the row.
AUDIT_FIELDS = ("code", "status", "office", "postman", "preferred_date", "time_window")


class StatusConflict(ValidationError):
    def __init__(self, pickup: PickupRequest, new: str):
        super().__init__(
            _("Yêu cầu %(code)s đang ở trạng thái “%(status)s”, không thể chuyển tiếp.")
            % {"code": pickup.code, "status": pickup.get_status_display()},
            code="status_conflict",
        )
        self.pickup = pickup
        self.new = new


@dataclass
class CreateResult:
    pickup: PickupRequest
    created: bool


def _snapshot(pickup: PickupRequest) -> dict:
    return {
        "code": pickup.code,
        "status": pickup.status,
        "office": pickup.office.code if pickup.office_id else None,
        "postman": pickup.postman_id,
        "preferred_date": str(pickup.preferred_date),
        "time_window": pickup.time_window,
    }


def _audit(actor, action: str, pickup: PickupRequest, before=None, request=None, **after):
    if actor is None:
        user, label = None, "public"  # the public web form
    else:
        user, label = actor_user_and_label(actor)
    audit_record(
        user,
        action,
        pickup,
        before=before,
        after={**_snapshot(pickup), **after},
        office=pickup.office,
        request=request,
        actor_label=label,
    )


def pickup_request_create(
    actor,
    *,
    name: str,
    phone: str,
    commune_code: str,
    street: str = "",
    procedure: Procedure,
    preferred_date,
    time_window: str,
    note: str = "",
    office: Office | None = None,
    idempotency_key: str = "",
    now=None,
    request=None,
) -> CreateResult:
    """Record a home pickup request (Decision 45/2016/QĐ-TTg Art. 6: intake at the citizen's
    address on request, by phone or online).

    ``actor`` is ``None`` for the public web form, else the clerk taking a phone call or a
    clerk-role API key (the office must then be in their scope). The request goes to the post office whose area
    covers the commune (``selectors.pickup_office_for_commune``); if none does, to
    ``office``. The preferred date must be a working day, today or later, and the window not
    over. A repeated ``idempotency_key`` returns the first request.
    """
    if idempotency_key:
        previous = PickupRequest.objects.filter(idempotency_key=idempotency_key).first()
        if previous is not None:
            return CreateResult(previous, False)
    now = timezone.localtime(now or timezone.now())
    errors: dict[str, list[str]] = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = [_("Cần nhập họ và tên.")]
    try:
        phone = dossier_rules.phone_normalize(phone)
    except dossier_rules.PhoneError as exc:
        errors["phone"] = [_(exc.message)]
    try:
        addr = Address.build(commune_code=commune_code, street=street)
        addr.validate()
    except AddressError:
        addr = None
    if addr is None or not Commune.objects.filter(code=addr.commune_code).exists():
        errors["commune"] = [_("Không tìm thấy xã/phường này. Hãy tìm và chọn lại.")]
    if selectors.procedure_for_pickup(procedure.pk) is None:
        errors["procedure"] = [_("Thủ tục này không nhận hồ sơ qua dịch vụ bưu chính công ích.")]
    if time_window not in TimeWindow.values:
        errors["time_window"] = [_("Chọn khung giờ.")]
    else:
        try:
            rules.check_preferred(preferred_date, time_window, now, calendar.is_working_day)
        except rules.WhenError as exc:
            errors["preferred_date"] = [_(exc.message) % exc.params]
    routed = selectors.pickup_office_for_commune(addr.commune_code) if addr else None
    target = routed or office
    if target is None and "commune" not in errors:
        errors["office"] = [_("Chưa có bưu cục phục vụ xã/phường này: chọn bưu cục gần nhất.")]
    if actor is not None and target is not None and not office_in_scope(actor, target):
        if office is not None and office_in_scope(actor, office):
            target = office  # the clerk's own office takes the call it was given
        else:
            errors["office"] = [_("Bưu cục phục vụ xã/phường này không thuộc đơn vị của bạn.")]
    if errors:
        raise ValidationError(errors)

    user, _label = actor_user_and_label(actor) if actor is not None else (None, "")
    source = Source.WEB if actor is None else Source.PHONE if user is not None else Source.API
    try:
        with transaction.atomic():
            for _attempt in range(5):  # a random code may collide (rarely): draw again
                code = rules.new_code()
                if not PickupRequest.objects.filter(code=code).exists():
                    break
            pickup = PickupRequest.objects.create(
                code=code,
                source=source,
                name=name[:150],
                phone=phone,
                procedure=procedure,
                office=target,
                preferred_date=preferred_date,
                time_window=time_window,
                note=(note or "").strip()[:1000],
                created_by=user,
                idempotency_key=idempotency_key,
                **address_to_fields(addr, "address"),
            )
            _audit(
                actor,
                "pickups.request",
                pickup,
                request=request,
                source=pickup.source,
                procedure=procedure.code,
                routed=routed is not None,
            )
    except IntegrityError:
        # A concurrent submission with the same token won; answer with its request.
        previous = PickupRequest.objects.filter(idempotency_key=idempotency_key).first()
        if idempotency_key and previous is not None:
            return CreateResult(previous, False)
        raise
    return CreateResult(pickup, True)


def _check_supervisor(actor, pickup: PickupRequest) -> None:
    if not (
        getattr(actor, "is_superuser", False)
        or (has_role(actor, "supervisor") and office_in_scope(actor, pickup.office))
    ):
        raise PermissionDenied(_("Bạn không điều phối bưu cục của yêu cầu này."))


def _locked(pickup: PickupRequest) -> PickupRequest:
    return PickupRequest.objects.select_for_update().select_related("office").get(pk=pickup.pk)


def _move(pickup: PickupRequest, new: str) -> None:
    if not rules.can_move(pickup.status, new):
        raise StatusConflict(pickup, new)


def pickup_assign(actor, pickup: PickupRequest, postman, *, request=None) -> PickupRequest:
    """Give the request to a postman of its office (or give it to another one: reassign;
    or send a failed request out again). Supervisors of the office only."""
    _check_supervisor(actor, pickup)
    if not selectors.postmen_for_pickup(pickup).filter(pk=postman.pk).exists():
        raise ValidationError({"postman": [_("Chọn một bưu tá của bưu cục này.")]})
    with transaction.atomic():
        pickup = _locked(pickup)
        _move(pickup, rules.ASSIGNED)
        before = _snapshot(pickup)
        action = "pickups.reassign" if pickup.status == rules.ASSIGNED else "pickups.assign"
        pickup.status = PickupStatus.ASSIGNED
        pickup.postman = postman
        pickup.reason = ""
        pickup.assigned_at = timezone.now()
        pickup.closed_at = None
        pickup.save(
            update_fields=["status", "postman", "reason", "assigned_at", "closed_at", "updated_at"]
        )
        _audit(actor, action, pickup, before=before, request=request)
    return pickup


def _reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": [_("Cần ghi lý do.")]})
    return reason[:255]


def pickup_cancel(actor, pickup: PickupRequest, *, reason: str, request=None) -> PickupRequest:
    """Cancel an open or failed request (the citizen withdrew, a duplicate...), with the
    reason. Supervisors of the office, or the clerk who recorded it."""
    reason = _reason(reason)
    if not (
        getattr(actor, "is_superuser", False)
        or (has_role(actor, "supervisor", "clerk") and office_in_scope(actor, pickup.office))
    ):
        raise PermissionDenied(_("Bạn không điều phối bưu cục của yêu cầu này."))
    with transaction.atomic():
        pickup = _locked(pickup)
        _move(pickup, rules.CANCELLED)
        before = _snapshot(pickup)
        pickup.status = PickupStatus.CANCELLED
        pickup.reason = reason
        pickup.closed_at = timezone.now()
        pickup.save(update_fields=["status", "reason", "closed_at", "updated_at"])
        _audit(actor, "pickups.cancel", pickup, before=before, request=request, reason=reason)
    return pickup


def pickup_fail(actor, pickup: PickupRequest, *, reason: str, request=None) -> PickupRequest:
    """The visit did not end with a dossier (nobody home, documents missing...): the assigned
    postman, or a supervisor of the office, records why. A supervisor may send it out again."""
    reason = _reason(reason)
    with transaction.atomic():
        pickup = _locked(pickup)
        if not (pickup.postman_id == getattr(actor, "pk", None) and has_role(actor, "postman")):
            _check_supervisor(actor, pickup)
        _move(pickup, rules.FAILED)
        before = _snapshot(pickup)
        pickup.status = PickupStatus.FAILED
        pickup.reason = reason
        pickup.closed_at = timezone.now()
        pickup.save(update_fields=["status", "reason", "closed_at", "updated_at"])
        _audit(actor, "pickups.fail", pickup, before=before, request=request, reason=reason)
    return pickup


def pickup_collect(
    actor, pickup: PickupRequest, *, request=None, **intake
) -> dossier_services.IntakeResult:
    """The postman's intake at the door: the counter intake (``dossier_intake``, channel
    ``pickup``) at the request's office, then the request is ``collected`` and linked to the
    dossier, in one transaction.

    Idempotent: the dossier's idempotency key is derived from the request, and a request
    already collected answers with its dossier, so a retry after a lost answer makes no
    second dossier. ``intake`` is ``dossier_intake``'s keyword arguments except ``office``
    and ``channel``. Only the postman the request is assigned to.
    """
    intake.pop("idempotency_key", None)
    with transaction.atomic():
        pickup = _locked(pickup)
        # Checked on the locked row: a reassignment meanwhile takes the request away.
        if pickup.postman_id != getattr(actor, "pk", None) or not has_role(actor, "postman"):
            raise PermissionDenied(_("Yêu cầu này không được giao cho bạn."))
        if pickup.dossier_id is not None:
            return dossier_services.IntakeResult(pickup.dossier, False)
        _move(pickup, rules.COLLECTED)
        before = _snapshot(pickup)
        result = dossier_services.dossier_intake(
            actor,
            office=pickup.office,
            channel=Channel.PICKUP,
            idempotency_key=f"pickup:{pickup.code}",
            request=request,
            **intake,
        )
        pickup.status = PickupStatus.COLLECTED
        pickup.dossier = result.dossier
        pickup.reason = ""
        pickup.closed_at = timezone.now()
        pickup.save(update_fields=["status", "dossier", "reason", "closed_at", "updated_at"])
        _audit(
            actor,
            "pickups.collect",
            pickup,
            before=before,
            request=request,
            dossier=result.dossier.code,
        )
    return result
