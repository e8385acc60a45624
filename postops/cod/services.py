"""Writes of COD money: collection, handover to the office, remittance, payment, reconciliation.

Every function owns its transaction and writes its audit entry inside it. Money only moves
forward, one step at a time (``rules.NEXT``): each step is a compare-and-set update of the
cached state plus one append-only :class:`~postops.cod.models.CodMovement` per item, unique
per (collection, step), so a retried or concurrent call never moves money twice.

``actor`` is a staff ``User``, or ``None`` for the system (jobs, commands). Acting at an
office needs the office in the actor's scope (``postops.network.selectors.office_scope_ids``).

Interface for the delivery app (postman app, end-of-day handover):

- :func:`cod_collection_record` — when a COD item is delivered, in the same transaction as
  the delivery event, with the delivery's client ``event_id``;
- :func:`cod_handover_confirm` — when the supervisor confirms a postman's COD cash.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from postops.accounts.roles import has_role
from postops.core.audit import audit_record
from postops.items.models import Item
from postops.network.models import Office
from postops.network.selectors import office_scope_ids

from . import rules
from .models import (
    BatchState,
    CodCollection,
    CodHandover,
    CodMovement,
    CodSender,
    CollectionState,
    LineKind,
    MovementKind,
    Reconciliation,
    RemittanceBatch,
    RemittanceLine,
    ReturnCharge,
)

# Who moves COD money at the office: the supervisor (chief of the post office), who also
# confirms the postmen's end-of-day cash (issue #3, items 10 and 12).
MONEY_ROLES = ("supervisor",)


class CodError(Exception):
    """A COD operation refused; ``code`` is stable (API), ``message`` Vietnamese (UI),
    ``field`` the form field it belongs to, if any."""

    def __init__(self, code: str, message: str, *, field: str | None = None, status: int = 409):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.status = status


# --- Actors, scope, audit -------------------------------------------------------------------


def _actor_user_and_label(actor):
    if actor is None:
        return None, "system"
    return actor, actor.get_username()


def _audit(actor, action: str, target=None, **kwargs):
    user, label = _actor_user_and_label(actor)
    return audit_record(user, action, target, actor_label=label, **kwargs)


def _require_scope(actor, office: Office) -> None:
    if actor is None:
        return
    if not office_scope_ids(actor).filter(pk=office.pk).exists():
        raise CodError(
            "office_out_of_scope",
            _("Bạn không có quyền thao tác tại đơn vị này."),
            status=403,
        )


def _require_money_role(actor) -> None:
    if actor is None or getattr(actor, "is_superuser", False):
        return
    if not has_role(actor, *MONEY_ROLES):
        raise CodError(
            "forbidden", _("Chỉ trưởng bưu cục được thực hiện thao tác này."), status=403
        )


# --- Senders --------------------------------------------------------------------------------


def _next_sender_code() -> str:
    last = CodSender.objects.filter(code__startswith="KH").order_by("-code").first()
    number = int(last.code[2:]) + 1 if last and last.code[2:].isdigit() else 1
    return f"KH{number:06d}"


def cod_sender_for_item(item: Item, *, create: bool = True) -> CodSender | None:
    """The COD account of the item's sender, created on first use when ``create``.

    Found by the partner API key the item came through (a key linked to one sender), else
    by the sender's phone number (:func:`rules.phone_key`). A new account is opened at the
    accepting office with the sender's name and phone and no bank details: staff complete
    it before the first transfer (a remittance can also be paid in cash at the counter).
    Call inside a transaction.
    """
    key_id = getattr(item, "sender_key_id", None)
    if key_id:
        linked = list(CodSender.objects.filter(api_keys=key_id)[:2])
        if len(linked) == 1:
            return linked[0]
    phone = rules.phone_key(item.sender_phone)
    if phone:
        sender = CodSender.objects.filter(phone=phone).first()
    else:
        # No phone: the same name at the same office is taken as the same sender.
        sender = CodSender.objects.filter(
            phone="", name=item.sender_name, office_id=item.origin_office_id
        ).first()
    if sender is not None or not create:
        return sender
    try:
        with transaction.atomic():
            sender = CodSender.objects.create(
                code=_next_sender_code(),
                name=item.sender_name,
                phone=phone,
                office_id=item.origin_office_id,
            )
    except IntegrityError:
        # Another collection opened the account (same phone, or the same next code) first.
        sender = CodSender.objects.filter(phone=phone).first() if phone else None
        if sender is None:
            with transaction.atomic():
                sender = CodSender.objects.create(
                    code=f"KH{uuid.uuid4().int % 10**10:010d}",
                    name=item.sender_name,
                    phone=phone,
                    office_id=item.origin_office_id,
                )
    _audit(
        None,
        "cod.sender_open",
        sender,
        after={"code": sender.code, "office": item.origin_office_id, "item": item.number},
    )
    return sender


SENDER_FIELDS = ("name", "phone", "bank_name", "bank_account", "account_holder", "deduct_fees")


def cod_sender_update(*, actor, sender: CodSender, request=None, **values) -> CodSender:
    """Change a sender's account details (bank account, fee deduction…); audited with the
    changed fields. The phone is stored as :func:`rules.phone_key`."""
    _require_money_role(actor)
    _require_scope(actor, sender.office)
    unknown = set(values) - set(SENDER_FIELDS)
    if unknown:
        raise TypeError(f"unknown sender fields: {sorted(unknown)}")
    if "phone" in values:
        values["phone"] = rules.phone_key(values["phone"])
        if (
            values["phone"]
            and CodSender.objects.filter(phone=values["phone"]).exclude(pk=sender.pk).exists()
        ):
            raise CodError(
                "phone_taken",
                _("Số điện thoại này đã thuộc một khách hàng khác."),
                field="phone",
            )
    with transaction.atomic():
        before = {name: getattr(sender, name) for name in values}
        for name, value in values.items():
            setattr(sender, name, value)
        sender.save(update_fields=list(values) or None)
        changed_before = {k: v for k, v in before.items() if v != values[k]}
        if changed_before:
            _audit(
                actor,
                "cod.sender_update",
                sender,
                before=changed_before,
                after={k: values[k] for k in changed_before},
                office=sender.office,
                request=request,
            )
    return sender


def cod_sender_link_key(*, actor, sender: CodSender, key, linked: bool = True, request=None):
    """Let a partner API key read ``sender``'s statements (or stop it: ``linked=False``).

    Only keys with the ``partner`` role: a business sender's own system. Audited.
    """
    _require_money_role(actor)
    _require_scope(actor, sender.office)
    if key.role != "partner":
        raise CodError(
            "not_a_partner_key",
            _("Chỉ khóa API của đối tác (khách hàng) mới được gắn với khách hàng thu hộ."),
            field="api_keys",
            status=422,
        )
    with transaction.atomic():
        if linked:
            sender.api_keys.add(key)
        else:
            sender.api_keys.remove(key)
        _audit(
            actor,
            "cod.sender_link_key" if linked else "cod.sender_unlink_key",
            sender,
            after={"api_key": key.prefix},
            office=sender.office,
            request=request,
        )
    return sender


# --- Collection (delivery app) --------------------------------------------------------------


@dataclass
class CollectionResult:
    collection: CodCollection
    created: bool


def cod_collection_record(
    item: Item | str,
    amount: int,
    postman,
    occurred_at: datetime,
    event_id: uuid.UUID | str,
    *,
    office: Office | None = None,
    request=None,
) -> CollectionResult:
    """Record that ``postman`` collected ``amount`` đồng for ``item`` from its receiver.

    Called by the delivery app when a COD item is delivered, inside the delivery's
    transaction, with the delivery's client ``event_id`` (UUID): recording it again (an
    offline phone that resends) returns the first collection (``created=False``). The
    amount must equal the item's COD amount to the đồng. ``office`` (the office that will
    hold the cash) defaults to the item's delivery office; it must be in the postman's
    scope. ``occurred_at`` is the device time.
    """
    if isinstance(item, str):
        item = Item.objects.get(number=item)
    event_id = event_id if isinstance(event_id, uuid.UUID) else uuid.UUID(str(event_id))
    previous = CodCollection.objects.filter(event_id=event_id).first()
    if previous is not None:
        if previous.item_id != item.pk or previous.amount != amount:
            raise CodError(
                "event_id_conflict",
                _("Mã thao tác này đã được dùng cho một khoản thu khác."),
            )
        return CollectionResult(previous, False)
    if item.cod_amount <= 0:
        raise CodError("no_cod", _("Bưu gửi này không có tiền thu hộ."), field="amount")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount != item.cod_amount:
        raise CodError(
            "amount_mismatch",
            _("Số tiền thu phải đúng bằng tiền thu hộ của bưu gửi: %(amount)s đồng.")
            % {"amount": f"{item.cod_amount:,}".replace(",", ".")},
            field="amount",
            status=422,
        )
    if timezone.is_naive(occurred_at):
        raise CodError("invalid_time", _("Thời điểm thu tiền phải có múi giờ."), status=422)
    office = office or item.destination_office or item.last_office or item.origin_office
    _require_scope(postman, office)
    user, label = _actor_user_and_label(postman)
    now = timezone.now()
    try:
        with transaction.atomic():
            existing = CodCollection.objects.filter(item=item).first()
            if existing is not None:
                if existing.event_id == event_id:
                    # The same collection, resent by a device while the first was being
                    # committed (read above before it was): the first one stands.
                    return CollectionResult(existing, False)
                raise CodError(
                    "already_collected", _("Tiền thu hộ của bưu gửi này đã được ghi nhận.")
                )
            sender = cod_sender_for_item(item)
            collection = CodCollection.objects.create(
                item=item,
                sender=sender,
                amount=amount,
                postman=user,
                office=office,
                collected_at=occurred_at,
                recorded_at=now,
                event_id=event_id,
                state=CollectionState.COLLECTED,
            )
            CodMovement.objects.create(
                collection=collection,
                kind=MovementKind.COLLECTED,
                amount=amount,
                office=office,
                actor=user,
                actor_label=label,
                occurred_at=occurred_at,
                recorded_at=now,
            )
            _audit(
                postman,
                "cod.collect",
                collection,
                after={"item": item.number, "amount": amount, "sender": sender.code},
                office=office,
                request=request,
            )
    except IntegrityError:
        # A concurrent call with the same event_id (or for the same item) won the insert.
        previous = CodCollection.objects.filter(event_id=event_id).first()
        if previous is not None and previous.item_id == item.pk:
            return CollectionResult(previous, False)
        raise CodError(
            "already_collected", _("Tiền thu hộ của bưu gửi này đã được ghi nhận.")
        ) from None
    return CollectionResult(collection, True)


# --- Handover to the office -----------------------------------------------------------------


@dataclass
class HandoverResult:
    handover: CodHandover
    created: bool


def cod_handover_confirm(
    *,
    actor,
    office: Office,
    postman,
    reference: str,
    counted_amount: int,
    numbers: Iterable[str] | None = None,
    variance_reason: str = "",
    confirmed_at: datetime | None = None,
    request=None,
) -> HandoverResult:
    """The supervisor confirms the COD cash ``postman`` handed over at ``office``.

    ``numbers`` are the items whose cash is handed over (all the postman still holds at
    the office when ``None``). Their collections move to ``at_office`` (office cash). The
    counted cash is compared with the collected amounts: a variance (counted − expected)
    is recorded and needs a reason; the sender is owed the collected amounts either way
    (a shortage is the postman's to settle). ``reference`` is the caller's handover id:
    confirming it again returns the first confirmation (``created=False``).
    """
    reference = (reference or "").strip()
    if not reference:
        raise CodError("reference_required", _("Cần mã biên bản bàn giao."), field="reference")
    previous = CodHandover.objects.filter(reference=reference).first()
    if previous is not None:
        return HandoverResult(previous, False)
    _require_money_role(actor)
    _require_scope(actor, office)
    if (
        isinstance(counted_amount, bool)
        or not isinstance(counted_amount, int)
        or counted_amount < 0
    ):
        raise CodError(
            "invalid_amount",
            _("Số tiền phải là số đồng nguyên, không âm."),
            field="counted_amount",
            status=422,
        )
    confirmed_at = confirmed_at or timezone.now()
    user, label = _actor_user_and_label(actor)
    try:
        with transaction.atomic():
            qs = CodCollection.objects.select_for_update().filter(
                office=office, postman=postman, state=CollectionState.COLLECTED
            )
            if numbers is not None:
                wanted = set(numbers)
                qs = qs.filter(item__number__in=wanted)
            collections = list(qs.order_by("pk"))
            if numbers is not None:
                found = {c.item.number for c in collections}
                missing = sorted(wanted - found)
                if missing:
                    raise CodError(
                        "not_held",
                        _("Các bưu gửi sau không có tiền thu hộ do bưu tá này đang giữ: %(list)s")
                        % {"list": ", ".join(missing)},
                        field="numbers",
                        status=422,
                    )
            if not collections:
                raise CodError(
                    "nothing_to_hand_over",
                    _("Bưu tá không giữ khoản thu hộ nào tại bưu cục này."),
                    status=422,
                )
            expected = sum(c.amount for c in collections)
            variance = rules.handover_variance(expected, counted_amount)
            variance_reason = (variance_reason or "").strip()
            if variance and not variance_reason:
                raise CodError(
                    "variance_reason_required",
                    _("Số tiền nộp lệch %(variance)s đồng so với số đã thu: cần ghi lý do.")
                    % {"variance": f"{variance:+,}".replace(",", ".")},
                    field="variance_reason",
                    status=422,
                )
            handover = CodHandover.objects.create(
                reference=reference,
                office=office,
                postman=postman,
                confirmed_by=user,
                confirmed_at=confirmed_at,
                items_count=len(collections),
                expected_amount=expected,
                counted_amount=counted_amount,
                variance=variance,
                variance_reason=variance_reason,
            )
            _advance(
                collections,
                CollectionState.COLLECTED,
                CollectionState.AT_OFFICE,
                MovementKind.HANDED_OVER,
                office=office,
                user=user,
                label=label,
                occurred_at=confirmed_at,
                handover=handover,
            )
            _audit(
                actor,
                "cod.handover_confirm",
                handover,
                after={
                    "reference": reference,
                    "postman": getattr(postman, "pk", None),
                    "items": len(collections),
                    "expected": expected,
                    "counted": counted_amount,
                    "variance": variance,
                },
                office=office,
                request=request,
            )
    except IntegrityError:
        previous = CodHandover.objects.filter(reference=reference).first()
        if previous is not None:
            return HandoverResult(previous, False)
        raise
    return HandoverResult(handover, True)


def _advance(
    collections: list[CodCollection],
    old: str,
    new: str,
    kind: str,
    *,
    office: Office,
    user,
    label: str,
    occurred_at: datetime,
    handover: CodHandover | None = None,
    batch: RemittanceBatch | None = None,
) -> None:
    """Move ``collections`` from ``old`` to ``new`` (compare-and-set) and append one
    movement each. Someone else moving one of them first aborts the whole step."""
    assert rules.NEXT[rules.State(old)] == rules.State(new)
    ids = [c.pk for c in collections]
    changes: dict = {"state": new}
    if handover is not None:
        changes["handover"] = handover
    if batch is not None:
        changes["batch"] = batch
    moved = CodCollection.objects.filter(pk__in=ids, state=old).update(**changes)
    if moved != len(ids):
        raise CodError("concurrent_change", _("Dữ liệu vừa được người khác thay đổi; thử lại."))
    now = timezone.now()
    CodMovement.objects.bulk_create(
        [
            CodMovement(
                collection_id=c.pk,
                kind=kind,
                amount=c.amount,
                office=office,
                actor=user,
                actor_label=label,
                occurred_at=occurred_at,
                recorded_at=now,
                handover=handover,
                batch=batch,
            )
            for c in collections
        ],
        batch_size=1000,
    )
    for c in collections:
        c.state = new


# --- Remittance -----------------------------------------------------------------------------


@dataclass
class BatchResult:
    batch: RemittanceBatch
    created: bool


def remittance_batch_create(
    *, actor, sender: CodSender, idempotency_key: str = "", request=None
) -> BatchResult:
    """Put everything the office holds for ``sender`` on one statement (bảng kê).

    Lines: each collection handed over to the office (COD amount, less the item's postage
    when the sender's contract deducts fees), then the sender's unsettled return charges,
    oldest first, as long as the net stays ≥ 0 (``rules.plan_remittance``). The collections
    move to ``batched``. ``idempotency_key`` (the form's hidden key) makes a double submit
    return the first batch. Refused when nothing is waiting.
    """
    _require_money_role(actor)
    _require_scope(actor, sender.office)
    if idempotency_key:
        previous = RemittanceBatch.objects.filter(idempotency_key=idempotency_key).first()
        if previous is not None:
            return BatchResult(previous, False)
    user, label = _actor_user_and_label(actor)
    now = timezone.now()
    try:
        with transaction.atomic():
            # One statement at a time per sender: concurrent calls queue on the sender row.
            CodSender.objects.select_for_update().filter(pk=sender.pk).first()
            collections = list(
                CodCollection.objects.filter(sender=sender, state=CollectionState.AT_OFFICE)
                .select_related("item")
                .order_by("pk")
            )
            if not collections:
                raise CodError(
                    "nothing_to_remit",
                    _("Không có khoản thu hộ nào đã nộp bưu cục đang chờ trả cho khách hàng này."),
                )
            charges = list(
                ReturnCharge.objects.filter(sender=sender, line__isnull=True, amount__gt=0)
                .select_related("item")
                .order_by("created_at", "pk")
            )
            plan = rules.plan_remittance(
                [rules.Collected(c.pk, c.amount, c.item.fee) for c in collections],
                [rules.Charge(ch.pk, ch.amount) for ch in charges],
                deduct_fees=sender.deduct_fees,
            )
            if rules.fees_exceed_cod(plan):
                raise CodError(
                    "fees_exceed_cod",
                    _("Cước cần trừ lớn hơn tiền thu hộ; lập hóa đơn cước thay vì bảng kê."),
                )
            batch = RemittanceBatch.objects.create(
                number=f"tmp-{uuid.uuid4().hex[:24]}",
                sender=sender,
                office=sender.office,
                state=BatchState.ISSUED,
                items_count=plan.items_count,
                cod_total=plan.cod_total,
                fee_total=plan.fee_total,
                charges_total=plan.charges_total,
                net_amount=plan.net,
                created_at=now,
                created_by=user,
                idempotency_key=idempotency_key,
            )
            # The number shows the paying office and a sequence that never repeats.
            batch.number = f"BK{sender.office.code}-{batch.pk:06d}"
            RemittanceBatch.objects.filter(pk=batch.pk).update(number=batch.number)
            by_collection = {c.pk: c for c in collections}
            by_charge = {ch.pk: ch for ch in charges}
            RemittanceLine.objects.bulk_create(
                [
                    RemittanceLine(
                        batch=batch,
                        kind=line.kind,
                        item_id=(
                            by_collection[line.source_id].item_id
                            if line.kind == LineKind.COLLECTION
                            else by_charge[line.source_id].item_id
                        ),
                        collection_id=line.source_id if line.kind == LineKind.COLLECTION else None,
                        return_charge_id=(
                            line.source_id if line.kind == LineKind.RETURN_CHARGE else None
                        ),
                        cod_amount=line.cod_amount,
                        fee=line.fee,
                        charge=line.charge,
                        net=line.net,
                    )
                    for line in plan.lines
                ],
                batch_size=1000,
            )
            _advance(
                collections,
                CollectionState.AT_OFFICE,
                CollectionState.BATCHED,
                MovementKind.BATCHED,
                office=sender.office,
                user=user,
                label=label,
                occurred_at=now,
                batch=batch,
            )
            _audit(
                actor,
                "cod.batch_create",
                batch,
                after={
                    "number": batch.number,
                    "sender": sender.code,
                    "items": plan.items_count,
                    "cod_total": plan.cod_total,
                    "fee_total": plan.fee_total,
                    "charges_total": plan.charges_total,
                    "net": plan.net,
                },
                office=sender.office,
                request=request,
            )
    except IntegrityError:
        if idempotency_key:
            previous = RemittanceBatch.objects.filter(idempotency_key=idempotency_key).first()
            if previous is not None:
                return BatchResult(previous, False)
        raise
    return BatchResult(batch, True)


def remittance_mark_paid(
    *,
    actor,
    batch: RemittanceBatch,
    bank_reference: str,
    paid_at: datetime | None = None,
    request=None,
) -> RemittanceBatch:
    """Record that the batch's net amount was transferred, with the bank's reference.

    Compare-and-set issued → paid; the batch's collections move to ``paid``. Marking it
    paid again with the same reference changes nothing; another reference is refused.
    """
    _require_money_role(actor)
    _require_scope(actor, batch.office)
    bank_reference = (bank_reference or "").strip()
    if not bank_reference:
        raise CodError(
            "bank_reference_required",
            _("Cần nhập mã giao dịch ngân hàng (hoặc số phiếu chi nếu trả tiền mặt)."),
            field="bank_reference",
            status=422,
        )
    paid_at = paid_at or timezone.now()
    user, label = _actor_user_and_label(actor)
    with transaction.atomic():
        won = RemittanceBatch.objects.filter(pk=batch.pk, state=BatchState.ISSUED).update(
            state=BatchState.PAID, paid_at=paid_at, paid_by=user, bank_reference=bank_reference
        )
        if not won:
            current = RemittanceBatch.objects.get(pk=batch.pk)
            if current.bank_reference == bank_reference:
                return current
            raise CodError(
                "already_paid",
                _("Bảng kê này đã được ghi nhận chuyển tiền với mã %(ref)s.")
                % {"ref": current.bank_reference},
                field="bank_reference",
            )
        collections = list(
            CodCollection.objects.filter(batch=batch, state=CollectionState.BATCHED).order_by("pk")
        )
        _advance(
            collections,
            CollectionState.BATCHED,
            CollectionState.PAID,
            MovementKind.PAID,
            office=batch.office,
            user=user,
            label=label,
            occurred_at=paid_at,
            batch=batch,
        )
        _audit(
            actor,
            "cod.batch_pay",
            batch,
            before={"state": BatchState.ISSUED},
            after={
                "state": BatchState.PAID,
                "bank_reference": bank_reference,
                "net": batch.net_amount,
            },
            office=batch.office,
            request=request,
        )
    batch.refresh_from_db()
    return batch


def remittance_reconcile(
    *,
    actor,
    batch: RemittanceBatch,
    bank_amount: int,
    bank_reference: str,
    note: str = "",
    request=None,
) -> Reconciliation:
    """Check a paid batch against the bank statement: the amounts must match to the đồng.

    Also checks the statement itself: its lines must add up to its net amount and each
    collected amount must still equal the item's COD amount. Matched → ``reconciled``;
    otherwise ``mismatch`` with the difference flagged (bank amount − net), until a later
    reconciliation matches. Every attempt is kept. A reconciled batch is final: the same
    figures again return the last reconciliation, other figures are refused.
    """
    _require_money_role(actor)
    _require_scope(actor, batch.office)
    bank_reference = (bank_reference or "").strip()
    if isinstance(bank_amount, bool) or not isinstance(bank_amount, int):
        raise CodError(
            "invalid_amount",
            _("Số tiền phải là số đồng nguyên."),
            field="bank_amount",
            status=422,
        )
    if not bank_reference:
        raise CodError(
            "bank_reference_required",
            _("Cần nhập mã giao dịch trên sao kê ngân hàng."),
            field="bank_reference",
            status=422,
        )
    user, _label = _actor_user_and_label(actor)
    with transaction.atomic():
        current = RemittanceBatch.objects.select_for_update().get(pk=batch.pk)
        if current.state == BatchState.RECONCILED:
            last = current.reconciliations.filter(matched=True).order_by("-pk").first()
            if last and last.bank_amount == bank_amount and last.bank_reference == bank_reference:
                return last
            raise CodError("already_reconciled", _("Bảng kê này đã đối soát khớp."))
        if current.state == BatchState.ISSUED:
            raise CodError(
                "not_paid", _("Bảng kê chưa được ghi nhận chuyển tiền; chưa thể đối soát.")
            )
        result = rules.reconcile(current.net_amount, bank_amount)
        problems = _statement_problems(current)
        if bank_reference != current.bank_reference:
            problems.append(
                _("Mã giao dịch trên sao kê (%(got)s) khác mã đã ghi khi chuyển tiền (%(want)s).")
                % {"got": bank_reference, "want": current.bank_reference}
            )
        matched = result.matched and not problems
        full_note = "; ".join([*([note.strip()] if note.strip() else []), *problems])[:255]
        now = timezone.now()
        reconciliation = Reconciliation.objects.create(
            batch=current,
            bank_amount=bank_amount,
            bank_reference=bank_reference,
            difference=result.difference,
            matched=matched,
            note=full_note,
            actor=user,
            reconciled_at=now,
        )
        new_state = BatchState.RECONCILED if matched else BatchState.MISMATCH
        RemittanceBatch.objects.filter(pk=current.pk, state=current.state).update(
            state=new_state, reconciled_at=now, difference=result.difference
        )
        _audit(
            actor,
            "cod.batch_reconcile",
            current,
            before={"state": current.state},
            after={
                "state": new_state,
                "bank_amount": bank_amount,
                "difference": result.difference,
                "matched": matched,
            },
            office=current.office,
            request=request,
        )
    batch.refresh_from_db()
    return reconciliation


def _statement_problems(batch: RemittanceBatch) -> list[str]:
    """Inconsistencies inside a statement (two queries)."""
    problems: list[str] = []
    lines_net = batch.lines.aggregate(total=Sum("net"))["total"] or 0
    if lines_net != batch.net_amount:
        problems.append(
            _("Tổng các dòng (%(lines)s) khác số tiền của bảng kê (%(net)s).")
            % {"lines": lines_net, "net": batch.net_amount}
        )
    wrong = list(
        batch.lines.filter(kind=LineKind.COLLECTION)
        .exclude(cod_amount=F("item__cod_amount"))
        .values_list("item__number", flat=True)[:20]
    )
    if wrong:
        problems.append(
            _("Tiền thu hộ trên bảng kê khác tiền thu hộ của bưu gửi: %(list)s")
            % {"list": ", ".join(wrong)}
        )
    return problems
