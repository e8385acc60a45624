"""Writes for returns and changes: return to sender, withdrawal, redirection, unclaimed.

Postal Law 49/2010/QH12 (domain.md §3; the rules themselves are in
:mod:`postops.items.return_rules`):

- :func:`item_return_to_sender` — chuyển hoàn: on the sender's request at the sender's cost
  (the fee from the tariff), or because the item could not be delivered (automatic and free
  for basic letters up to 500 g; any other item needs the sender's agreement, since the
  sender pays). Writes the ``return_started`` event and a ``cod.ReturnCharge`` with the fee.
- :func:`item_withdraw` — the sender takes the item back before delivery: ``withdrawn`` while
  it is still at the accepting office, else a return to sender at the sender's cost.
- :func:`item_redirect` — the sender changes the receiver or the address before delivery.
- :func:`items_mark_unclaimed` — 6 months after acceptance an item neither deliverable nor
  returnable becomes unclaimed (``unclaimed`` event). Run daily by the ``django.tasks`` job
  :data:`items_mark_unclaimed_task` or ``manage.py mark_unclaimed_items``; idempotent.

Each function owns its transaction; events go through ``services.event_record`` (same
validation, transition table and status cache as scans) and an audit entry is written in
the same transaction. ``actor`` is a staff ``User`` or ``None`` (the system).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from postops.network.address import Address, AddressError, address_to_fields
from postops.network.models import Office
from postops.network.selectors import office_scope_ids

from . import return_rules, rules, tariffs
from .models import Item
from .services import EventRejected, _actor_user_and_label, _audit, event_record

Cause = return_rules.Cause

# Fixed namespace for the ids of the events the unclaimed job writes: the same item always
# gets the same event id, so a job that runs twice (or twice at once) stores one event.
UNCLAIMED_NAMESPACE = uuid.UUID("5b0f7f0e-3c1e-4a55-9d0e-6f1c2b7a9e11")


def free_return_services() -> frozenset[str]:
    """Services treated as basic letters for the free return (``POSTOPS_FREE_RETURN_SERVICES``)."""
    return frozenset(getattr(settings, "POSTOPS_FREE_RETURN_SERVICES", ("registered",)))


REFUSAL_TEXT = {
    "delivered": "Bưu gửi đã phát thành công: không thể thay đổi, rút lại hay chuyển hoàn.",
    "already_returning": "Bưu gửi đang được chuyển hoàn cho người gửi.",
    "finished": "Bưu gửi đã kết thúc hành trình (đã chuyển hoàn, đã rút lại hoặc vô thừa nhận).",
    "not_allowed": "Không thể thực hiện yêu cầu này ở trạng thái hiện tại của bưu gửi.",
}


def _refused(exc: return_rules.ChangeRefused) -> ValidationError:
    return ValidationError(_(REFUSAL_TEXT[exc.code]), code=exc.code)


def _require_item_in_scope(actor, item: Item) -> None:
    """A user acts on items that start, end or now are at an office in their scope."""
    if actor is None or getattr(actor, "is_superuser", False):
        return
    offices = {item.origin_office_id, item.destination_office_id, item.last_office_id} - {None}
    if not office_scope_ids(actor).filter(pk__in=offices).exists():
        raise PermissionDenied(_("Bưu gửi này không thuộc phạm vi đơn vị của bạn."))


def _require_office_in_scope(actor, office: Office) -> None:
    if actor is None or getattr(actor, "is_superuser", False):
        return
    if not office_scope_ids(actor).filter(pk=office.pk).exists():
        raise PermissionDenied(_("Bạn không có quyền thao tác tại đơn vị này."))


def _item(item: Item | str) -> Item:
    if isinstance(item, Item):
        return Item.objects.select_related("origin_office__commune", "state").get(pk=item.pk)
    found = (
        Item.objects.select_related("origin_office__commune", "state").filter(number=item).first()
    )
    if found is None:
        raise ValidationError({"number": [_("Không tìm thấy bưu gửi có số hiệu này.")]})
    return found


def decision_time(item: Item, occurred_at: datetime | None = None) -> datetime:
    """Now (or ``occurred_at``), but never before the item's latest event: a decision taken
    now (a return, a redirection, a hand-over at the counter) must move the status, and a
    slightly fast scanner clock must not make it "late"."""
    moment = occurred_at or timezone.now()
    if item.last_event_at and moment <= item.last_event_at:
        moment = item.last_event_at + timedelta(microseconds=1)
    return moment


# --- Return to sender -----------------------------------------------------------------------


@dataclass
class ReturnQuote:
    fee: int
    free: bool
    tariff_version: object | None  # items.TariffVersion


def return_quote(item: Item, cause: Cause | str, *, on=None) -> ReturnQuote:
    """The sender's cost of returning ``item`` for ``cause``, from the tariff in force.

    Free for a basic letter up to 500 g that could not be delivered. Otherwise the price of
    the same service, weight and zone as the way out (``tariff_quote`` base price, VAT
    included, no add-ons). Raises ``ValidationError`` (field ``fee``) when the tariff cannot
    price it (no version in force, no rate, a legacy receiver address): the clerk then enters
    the fee by hand.
    """
    from .selectors import tariff_quote, tariff_zone

    if return_rules.is_free_return(cause, item.service, item.weight_g, free_return_services()):
        return ReturnQuote(fee=0, free=True, tariff_version=None)
    zone = tariff_zone(item.origin_office, item.receiver_commune_code)
    if zone is None:
        raise ValidationError(
            {"fee": [_("Không xác định được vùng cước của bưu gửi; nhập cước chuyển hoàn.")]}
        )
    try:
        priced = tariff_quote(service=item.service, zone=zone, weight_g=item.weight_g, on=on)
    except tariffs.TariffError:
        raise ValidationError(
            {"fee": [_("Bảng cước hiện hành không tính được cước chuyển hoàn; nhập cước.")]}
        ) from None
    fee = return_rules.return_fee(
        cause, item.service, item.weight_g, priced.quote.base, free_return_services()
    )
    return ReturnQuote(fee=fee, free=False, tariff_version=priced.version)


@dataclass
class ReturnResult:
    item: Item
    charge: object  # cod.ReturnCharge
    created: bool


def item_return_to_sender(
    *,
    actor,
    item: Item | str,
    office: Office,
    cause: Cause | str = Cause.SENDER_REQUEST,
    sender_consented: bool = False,
    fee: int | None = None,
    note: str = "",
    occurred_at: datetime | None = None,
    event_id: uuid.UUID | str | None = None,
    request=None,
) -> ReturnResult:
    """Start the return of ``item`` to its sender (chuyển hoàn), recorded at ``office``.

    ``cause``: the sender asked (``sender_request``), withdrew it after it left the
    accepting office (``withdrawal``), or it could not be delivered (``undeliverable``).
    An undeliverable item goes back on its own only when the return is free (a basic letter
    ≤ 500 g); otherwise the sender pays, so ``sender_consented`` must say the sender agreed.
    The fee is the tariff's (:func:`return_quote`) unless ``fee`` is given (the clerk's
    figure when the tariff cannot price it). Refused once delivered, returning or finished.
    With ``event_id`` a retry returns the first result (``created=False``).
    """
    from postops.cod.models import ReturnCharge
    from postops.cod.services import cod_sender_for_item

    cause = Cause(cause)
    event_id = uuid.UUID(str(event_id)) if event_id else uuid.uuid4()
    previous = ReturnCharge.objects.filter(event_id=event_id).select_related("item").first()
    if previous is not None:
        return ReturnResult(previous.item, previous, False)
    item = _item(item)
    _require_office_in_scope(actor, office)
    _require_item_in_scope(actor, item)
    try:
        return_rules.check_return(item.status)
    except return_rules.ChangeRefused as exc:
        raise _refused(exc) from None
    free_services = free_return_services()
    if (
        cause == Cause.UNDELIVERABLE
        and return_rules.needs_sender_consent(cause, item.service, item.weight_g, free_services)
        and not sender_consented
    ):
        raise ValidationError(
            {
                "sender_consented": [
                    _(
                        "Chuyển hoàn bưu gửi này do người gửi trả cước: cần người gửi đồng ý "
                        "trước khi chuyển hoàn."
                    )
                ]
            },
            code="sender_consent_required",
        )
    if return_rules.is_free_return(cause, item.service, item.weight_g, free_services):
        quote = ReturnQuote(fee=0, free=True, tariff_version=None)
    elif fee is not None:
        if isinstance(fee, bool) or not isinstance(fee, int) or fee < 0:
            raise ValidationError({"fee": [_("Cước phải là số đồng nguyên, không âm.")]})
        quote = ReturnQuote(fee=fee, free=False, tariff_version=None)
    else:
        quote = return_quote(item, cause)
    moment = decision_time(item, occurred_at)
    user, label = _actor_user_and_label(actor)
    with transaction.atomic():
        try:
            result = event_record(
                actor=actor,
                item=item,
                code=rules.Event.RETURN_STARTED,
                office=office,
                occurred_at=moment,
                event_id=event_id,
                note=note,
                request=request,
            )
        except EventRejected as exc:
            raise _event_refusal(exc) from None
        if result.status != rules.Status.RETURNING:
            raise ValidationError(_(REFUSAL_TEXT["not_allowed"]), code="not_allowed")
        charge = ReturnCharge.objects.create(
            item=item,
            sender=cod_sender_for_item(item, create=False),
            cause=cause,
            amount=quote.fee,
            free_reason="basic_letter" if quote.free else "",
            tariff_version=quote.tariff_version,
            event_id=event_id,
            office=office,
            actor=user,
            actor_label=label,
            note=note[:255],
            created_at=moment,
        )
        _audit(
            actor,
            "items.return_start",
            item,
            before={"status": item.status},
            after={
                "status": rules.Status.RETURNING,
                "cause": cause,
                "fee": quote.fee,
                "free": quote.free,
                "sender_consented": sender_consented,
            },
            office=office,
            request=request,
        )
    item.refresh_from_db()
    return ReturnResult(item, charge, True)


def _event_refusal(exc: EventRejected) -> ValidationError:
    if exc.reason == "invalid_transition":
        return ValidationError(
            _("Trạng thái bưu gửi vừa thay đổi; tải lại trang và thử lại."),
            code="invalid_transition",
        )
    if exc.reason == "office_out_of_scope":
        return ValidationError(_("Bạn không có quyền thao tác tại đơn vị này."), code=exc.reason)
    return ValidationError(exc.messages, code=exc.reason)


# --- Withdrawal -----------------------------------------------------------------------------


@dataclass
class WithdrawResult:
    item: Item
    event: str  # "withdrawn" or "return_started"
    charge: object | None  # cod.ReturnCharge when it became a return


def item_withdraw(
    *,
    actor,
    item: Item | str,
    office: Office,
    note: str = "",
    fee: int | None = None,
    occurred_at: datetime | None = None,
    event_id: uuid.UUID | str | None = None,
    request=None,
) -> WithdrawResult:
    """The sender withdraws ``item`` before delivery (Postal Law 49/2010).

    Still at the accepting office (``accepted``): the item is simply withdrawn. Once it has
    left, the withdrawal becomes a return to sender at the sender's cost
    (:func:`item_return_to_sender` with cause ``withdrawal``). Refused once delivered.
    """
    item = _item(item)
    try:
        event = return_rules.withdrawal_event(item.status)
    except return_rules.ChangeRefused as exc:
        raise _refused(exc) from None
    if event == rules.Event.RETURN_STARTED:
        result = item_return_to_sender(
            actor=actor,
            item=item,
            office=office,
            cause=Cause.WITHDRAWAL,
            fee=fee,
            note=note,
            occurred_at=occurred_at,
            event_id=event_id,
            request=request,
        )
        return WithdrawResult(result.item, event, result.charge)
    _require_office_in_scope(actor, office)
    _require_item_in_scope(actor, item)
    moment = decision_time(item, occurred_at)
    with transaction.atomic():
        try:
            result = event_record(
                actor=actor,
                item=item,
                code=rules.Event.WITHDRAWN,
                office=office,
                occurred_at=moment,
                event_id=event_id or uuid.uuid4(),
                note=note,
                request=request,
            )
        except EventRejected as exc:
            raise _event_refusal(exc) from None
        if result.result == "accepted":
            _audit(
                actor,
                "items.withdraw",
                item,
                before={"status": item.status},
                after={"status": rules.Status.WITHDRAWN},
                office=office,
                request=request,
            )
    item.refresh_from_db()
    return WithdrawResult(item, event, None)


# --- Redirection ----------------------------------------------------------------------------

REDIRECT_FIELDS = (
    "receiver_name",
    "receiver_phone",
    "receiver_scheme",
    "receiver_commune_code",
    "receiver_street",
    "receiver_raw",
    "destination_office_id",
)


def item_redirect(
    *,
    actor,
    item: Item | str,
    office: Office,
    receiver_name: str | None = None,
    receiver_phone: str | None = None,
    receiver_address: Address | dict | None = None,
    destination_office: Office | None = None,
    note: str = "",
    request=None,
) -> Item:
    """Change the receiver and/or the address of ``item`` at the sender's request, before
    delivery (Postal Law 49/2010). Only the given values change.

    Refused once delivered, finished, or on the way back to the sender. The change is a
    compare-and-set on the status the request was checked against: if a scan moved the
    item meanwhile (say, delivered), nothing changes. The audit entry keeps the old and the
    new values (the record of what the sender asked). Any extra postage for a farther
    address is not computed here (Vietnam Post's rule is not public).
    """
    item = _item(item)
    _require_office_in_scope(actor, office)
    _require_item_in_scope(actor, item)
    try:
        return_rules.check_redirect(item.status)
    except return_rules.ChangeRefused as exc:
        raise _refused(exc) from None
    changes: dict = {}
    errors: dict[str, list[str]] = {}
    if receiver_name is not None:
        if not receiver_name.strip():
            errors["receiver_name"] = [_("Cần nhập tên người nhận.")]
        changes["receiver_name"] = receiver_name.strip()
    if receiver_phone is not None:
        changes["receiver_phone"] = receiver_phone.strip()
    if receiver_address is not None:
        try:
            addr = (
                receiver_address
                if isinstance(receiver_address, Address)
                else Address.build(**receiver_address)
            )
            addr.validate()
        except AddressError as exc:
            for name, messages in exc.errors.items():
                errors[f"receiver_{name}"] = list(messages)
        else:
            if _commune_exists(addr):
                changes.update(address_to_fields(addr, "receiver"))
            else:
                errors["receiver_commune_code"] = [_("Không có xã/phường nào mang mã này.")]
    if destination_office is not None:
        changes["destination_office_id"] = destination_office.pk
    if errors:
        raise ValidationError(errors)
    changes = {k: v for k, v in changes.items() if getattr(item, k) != v}
    if not changes:
        raise ValidationError(_("Không có thông tin nào thay đổi."), code="no_change")
    if (
        destination_office is None
        and "receiver_commune_code" in changes
        and changes.get("receiver_scheme", item.receiver_scheme) == "2025"
    ):
        # A new commune may be served by another office (routing by commune); none found
        # leaves the item without one, for the supervisor's "no delivery office" list.
        from .routing import delivery_office_for_commune

        routed = delivery_office_for_commune(changes["receiver_commune_code"])
        new_destination = routed.pk if routed else None
        if new_destination != item.destination_office_id:
            changes["destination_office_id"] = new_destination
    before = {k: getattr(item, k) for k in changes}
    moment = decision_time(item)
    with transaction.atomic():
        won = Item.objects.filter(pk=item.pk, state__status=item.status).update(**changes)
        if not won:
            raise ValidationError(
                _("Trạng thái bưu gửi vừa thay đổi; tải lại trang và thử lại."),
                code="invalid_transition",
            )
        # The redirection is a tracking event (its code and office only: public tracking
        # never shows the new receiver or address; the note stays internal).
        try:
            event_record(
                actor=actor,
                item=item,
                code=rules.Event.REDIRECTED,
                office=office,
                occurred_at=moment,
                action_code=_redirect_action_code(),
                request=request,
            )
        except EventRejected as exc:
            raise _event_refusal(exc) from None
        _audit(
            actor,
            "items.redirect",
            item,
            before=before,
            after={**changes, **({"note": note} if note else {})},
            office=office,
            request=request,
        )
    item.refresh_from_db()
    return item


def _redirect_action_code() -> str:
    """The action code a redirection event carries (``POSTOPS_REDIRECT_ACTION_CODE``,
    default ``A05`` "forward to the new address"), when that code is in the loaded action
    list; otherwise none (the UPU action values are configuration, domain.md §3)."""
    from .models import CodeList, CodeListEntry

    code = getattr(settings, "POSTOPS_REDIRECT_ACTION_CODE", "A05")
    if (
        code
        and CodeListEntry.objects.filter(list=CodeList.ACTION, code=code, is_active=True).exists()
    ):
        return code
    return ""


def _commune_exists(addr: Address) -> bool:
    from postops.network.models import Commune, LegacyCommune

    model = LegacyCommune if addr.is_legacy else Commune
    return model.objects.filter(code=addr.commune_code).exists()


# --- Unclaimed ------------------------------------------------------------------------------


@dataclass
class UnclaimedRun:
    checked: int = 0
    marked: int = 0
    skipped: int = 0


def items_mark_unclaimed(*, now: datetime | None = None, batch_size: int = 500) -> UnclaimedRun:
    """Mark as unclaimed every item accepted 6 months ago or more that is still neither
    delivered nor returned (held, failed, awaiting pick-up, or on its way back).

    Idempotent: each item's event id is derived from its number, so a second run (or two
    runs at once) stores nothing new, and an item once unclaimed is no longer selected.
    The event is recorded by the system at the office that has the item. One audit entry
    per run besides the events' own.
    """
    now = now or timezone.now()
    cutoff = rules.months_before(now, return_rules.UNCLAIMED_AFTER_MONTHS)
    run = UnclaimedRun()
    last_pk = 0
    statuses = [s.value for s in return_rules.UNCLAIMABLE]
    while True:
        chunk = list(
            Item.objects.filter(pk__gt=last_pk, state__status__in=statuses, accepted_at__lte=cutoff)
            .select_related("state__last_office", "destination_office", "origin_office")
            .order_by("pk")[:batch_size]
        )
        if not chunk:
            break
        last_pk = chunk[-1].pk
        for item in chunk:
            run.checked += 1
            if not return_rules.unclaimed_due(item.accepted_at, item.status, now):
                run.skipped += 1
                continue
            office = item.last_office or item.destination_office or item.origin_office
            try:
                result = event_record(
                    actor=None,
                    item=item,
                    code=rules.Event.UNCLAIMED,
                    office=office,
                    occurred_at=decision_time(item, now),
                    event_id=uuid.uuid5(UNCLAIMED_NAMESPACE, item.number),
                    note=_("Quá 6 tháng kể từ ngày nhận gửi (Luật Bưu chính 2010)."),
                )
            except EventRejected:
                run.skipped += 1  # a scan moved it meanwhile: judged again next run
                continue
            if result.result == "accepted":
                run.marked += 1
            else:
                run.skipped += 1
    if run.marked:
        _audit(
            None,
            "items.unclaimed_run",
            None,
            after={"checked": run.checked, "marked": run.marked, "cutoff": cutoff.isoformat()},
            target_type="items.item",
        )
    return run


@task()
def items_mark_unclaimed_task() -> dict:
    """The daily job (``django.tasks``; the ``django-tasks-db`` worker runs it)."""
    run = items_mark_unclaimed()
    return {"checked": run.checked, "marked": run.marked, "skipped": run.skipped}
