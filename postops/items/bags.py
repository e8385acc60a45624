"""Services for bags between offices (issue #3, item 7): close a bag with its item list at
one office, receive it with one scan at the next, report missing and extra items.

Each function owns its transaction and writes its audit entry inside it. The items' tracking
events go through ``services.events_ingest_batch`` (the same checks as any scan: office
scope, transition table, late events) with event ids derived from the bag code and the item
number, so that a repeated close or receipt can never record an item twice.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from postops.core import s10
from postops.network.models import Office

from . import rules, services
from .models import Bag, BagItem, BagItemState, BagState, Item

# A bag holds what one person can carry; more than this is a wrong scan list.
MAX_BAG_ITEMS = 2000
_NAMESPACE = uuid.UUID("3f5d3b0e-8a41-4f5c-9a4e-6a0f7e2b9c11")


def _event_id(bag_code: str, step: str, number: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{bag_code}:{step}:{number}"))


def parse_numbers(raw) -> tuple[list[str], list[str]]:
    """(valid S10 numbers in order without repeats, invalid entries) from scanned text or a
    list: one number per line (a scanner ends each scan with Enter), or comma-separated."""
    if isinstance(raw, str):
        # Spaces stay inside a number: labels print "EB 125 966 888 VN".
        parts = raw.replace(",", "\n").replace(";", "\n").splitlines()
    else:
        parts = list(raw or [])
    valid: dict[str, None] = {}
    invalid: list[str] = []
    for part in parts:
        text = str(part).strip()
        if not text:
            continue
        number = s10.normalize(text)
        if s10.is_valid(number):
            valid.setdefault(number, None)
        else:
            invalid.append(text)
    return list(valid), invalid


class BagIdempotencyConflict(Exception):
    def __init__(self, bag: Bag):
        super().__init__(f"idempotency key already used for bag {bag.code}")
        self.bag = bag


def _digest(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _rejections(results, numbers) -> dict[str, str]:
    """number → reason code of the events the ingest refused."""
    return {
        number: r.reason
        for number, r in zip(numbers, results, strict=True)
        if r.result == services.Outcome.REJECTED
    }


@dataclass
class CloseResult:
    bag: Bag
    created: bool


def bag_close(
    *,
    actor,
    origin_office: Office,
    destination_office: Office,
    numbers,
    seal_number: str = "",
    idempotency_key: str = "",
    closed_at: datetime | None = None,
    request=None,
) -> CloseResult:
    """Close a bag at ``origin_office`` for ``destination_office`` with the items
    ``numbers`` (a list, or scanned text with one number per line).

    Every item must exist, not be in another bag still on its way, and be allowed to leave
    the office (the transition table): otherwise nothing is stored and the
    ``ValidationError`` on ``numbers`` names each refused number. Each item gets a
    "left the sorting office" event (EDE) at the bag's closing time. With an
    ``idempotency_key`` a resent form returns the first bag.
    """
    valid, invalid = parse_numbers(numbers)
    scope_key = services._idempotency_scope(actor)
    digest = _digest(
        {
            "origin": origin_office.pk,
            "destination": destination_office.pk,
            "numbers": valid,
            "invalid": invalid,
            "seal": seal_number.strip(),
        }
    )
    if idempotency_key:
        previous = Bag.objects.filter(
            idempotency_scope=scope_key, idempotency_key=idempotency_key
        ).first()
        if previous is not None:
            if previous.request_hash != digest:
                raise BagIdempotencyConflict(previous)
            return CloseResult(previous, False)
    services._require_office_in_scope(actor, origin_office)
    errors: list[str] = [
        _("%(text)s: không phải số hiệu S10 hợp lệ.") % {"text": t} for t in invalid
    ]
    if destination_office.pk == origin_office.pk:
        raise ValidationError(
            {"destination_office": [_("Bưu cục nhận phải khác bưu cục đóng túi.")]}
        )
    if not valid and not errors:
        errors.append(_("Túi chưa có bưu gửi nào."))
    if len(valid) > MAX_BAG_ITEMS:
        errors.append(_("Tối đa %(max)d bưu gửi mỗi túi.") % {"max": MAX_BAG_ITEMS})
    if errors:
        raise ValidationError({"numbers": errors})

    closed_at = closed_at or timezone.now()
    user, label = services._actor_user_and_label(actor)
    with transaction.atomic():
        items = {
            i.number: i
            # The item's row is the lock whoever changes an item's state takes.
            for i in Item.objects.select_for_update(of=("self",))
            .select_related("state")
            .filter(number__in=valid)
            .only("pk", "number", "state__status")
            .order_by("pk")
        }
        errors = [
            _("%(number)s: không có bưu gửi này.") % {"number": n} for n in valid if n not in items
        ]
        busy = dict(
            BagItem.objects.filter(
                item__in=list(items.values()), bag__state=BagState.CLOSED, listed=True
            ).values_list("item__number", "bag__code")
        )
        errors += [
            _("%(number)s: đang trong túi %(bag)s chưa được nhận.") % {"number": n, "bag": b}
            for n, b in busy.items()
        ]
        if errors:
            raise ValidationError({"numbers": errors})
        bag = _bag_create(
            origin_office=origin_office,
            destination_office=destination_office,
            closed_at=closed_at,
            user=user,
            label=label,
            count=len(valid),
            seal_number=seal_number.strip()[:40],
            idempotency=(scope_key, idempotency_key, digest),
        )
        BagItem.objects.bulk_create(BagItem(bag=bag, item=items[n]) for n in valid)
        results = services.events_ingest_batch(
            actor=actor,
            events=[
                {
                    "event_id": _event_id(bag.code, "close", n),
                    "number": n,
                    "code": rules.BAG_CLOSE_EVENT,
                    "office_code": origin_office.code,
                    "occurred_at": closed_at,
                    "note": bag.code,
                }
                for n in valid
            ],
            request=request,
        )
        refused = _rejections(results, valid)
        if refused:
            raise ValidationError(
                {
                    "numbers": [
                        _("%(number)s: không thể rời bưu cục (%(reason)s).")
                        % {
                            "number": n,
                            "reason": services.REJECTION_TEXT.get(reason, reason),
                        }
                        for n, reason in refused.items()
                    ]
                }
            )
        services._audit(
            actor,
            "items.bag_close",
            bag,
            after={
                "code": bag.code,
                "destination": destination_office.code,
                "items": len(valid),
                "seal_number": bag.seal_number,
            },
            office=origin_office,
            request=request,
        )
    return CloseResult(bag, True)


def _bag_create(
    *, origin_office, destination_office, closed_at, user, label, count, seal_number, idempotency
) -> Bag:
    scope_key, key, digest = idempotency
    day = timezone.localdate(closed_at)
    prefix = rules.bag_code(origin_office.code, destination_office.code, day, 0)[:-4]
    sequence = Bag.objects.filter(code__startswith=prefix).count() + 1
    for _attempt in range(20):
        try:
            with transaction.atomic():
                return Bag.objects.create(
                    code=rules.bag_code(origin_office.code, destination_office.code, day, sequence),
                    origin_office=origin_office,
                    destination_office=destination_office,
                    closed_at=closed_at,
                    closed_by=user,
                    closed_by_label=label,
                    item_count=count,
                    seal_number=seal_number,
                    idempotency_scope=scope_key if key else "",
                    idempotency_key=key,
                    request_hash=digest if key else "",
                )
        except IntegrityError:
            if (
                key
                and Bag.objects.filter(idempotency_scope=scope_key, idempotency_key=key).exists()
            ):
                raise
            sequence += 1  # another clerk closed a bag on the same route at the same time
    raise RuntimeError("could not number the bag")


@dataclass
class BagReceipt:
    """What a receipt found: numbers per outcome (sorted) and whether it was a repeat."""

    bag: Bag
    arrived: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # scanned, valid, not in the system
    invalid: list[str] = field(default_factory=list)  # scanned, not an S10 number
    rejected: dict[str, str] = field(default_factory=dict)  # number → reason code
    replayed: bool = False


def bag_receipt_report(bag: Bag) -> BagReceipt:
    """The stored outcome of a received bag (what a repeated scan answers)."""
    receipt = BagReceipt(bag=bag, replayed=True)
    for number, state, note in bag.lines.values_list("item__number", "state", "note").order_by(
        "item__number"
    ):
        if state == BagItemState.ARRIVED:
            receipt.arrived.append(number)
        elif state == BagItemState.MISSING:
            receipt.missing.append(number)
        elif state == BagItemState.EXTRA:
            receipt.extra.append(number)
        elif state == BagItemState.REJECTED:
            receipt.rejected[number] = note
    return receipt


def bag_receive(
    *,
    actor,
    code: str,
    office: Office,
    found=None,
    received_at: datetime | None = None,
    request=None,
) -> BagReceipt:
    """Receive the bag ``code`` at ``office`` (its destination): one scan records the
    arrival of every item in it.

    ``found`` (a list or scanned text, optional) are the items taken out of the bag: then
    listed items not found are ``missing`` (no arrival recorded), found items not listed are
    ``extra`` (their arrival is recorded: they are here). An item whose arrival the
    transition table refuses is ``rejected`` with the reason. A bag already received
    answers its stored outcome and changes nothing.
    """
    code = (code or "").strip().upper()
    services._require_office_in_scope(actor, office)
    found_numbers, invalid = (None, []) if found is None else parse_numbers(found)
    received_at = received_at or timezone.now()
    user, label = services._actor_user_and_label(actor)
    with transaction.atomic():
        bag = Bag.objects.select_for_update().filter(code=code).first()
        if bag is None:
            raise ValidationError({"code": [_("Không có túi mang mã %(code)s.") % {"code": code}]})
        if bag.destination_office_id != office.pk:
            raise ValidationError(
                {
                    "code": [
                        _("Túi %(code)s gửi đến bưu cục %(office)s, không phải bưu cục này.")
                        % {"code": code, "office": bag.destination_office.code}
                    ]
                }
            )
        if bag.state == BagState.RECEIVED:
            return bag_receipt_report(bag)
        lines = {
            line.item.number: line for line in bag.lines.select_related("item").filter(listed=True)
        }
        arrived, missing, extra = rules.bag_compare(lines, found_numbers)
        extra_items = {
            i.number: i
            for i in Item.objects.filter(number__in=extra).only(
                "pk", "number", "destination_office_id", "receiver_scheme", "receiver_commune_code"
            )
        }
        receipt = BagReceipt(
            bag=bag,
            missing=missing,
            extra=sorted(extra_items),
            unknown=[n for n in extra if n not in extra_items],
            invalid=invalid,
        )
        to_record = [(n, lines[n].item) for n in arrived] + [
            (n, extra_items[n]) for n in receipt.extra
        ]
        results = services.events_ingest_batch(
            actor=actor,
            events=[
                {
                    "event_id": _event_id(bag.code, "arrive", n),
                    "number": n,
                    "code": _arrival_code(item, office),
                    "office_code": office.code,
                    "occurred_at": received_at,
                    "note": bag.code,
                }
                for n, item in to_record
            ],
            request=request,
        )
        receipt.rejected = _rejections(results, [n for n, _item in to_record])
        receipt.arrived = [n for n in arrived if n not in receipt.rejected]
        for number in arrived:
            line = lines[number]
            if number in receipt.rejected:
                line.state, line.note = BagItemState.REJECTED, receipt.rejected[number]
            else:
                line.state = BagItemState.ARRIVED
        for number in missing:
            lines[number].state = BagItemState.MISSING
        BagItem.objects.bulk_update(lines.values(), ["state", "note"])
        BagItem.objects.bulk_create(
            BagItem(
                bag=bag,
                item=extra_items[n],
                listed=False,
                state=BagItemState.EXTRA,
                note=receipt.rejected.get(n, ""),
            )
            for n in receipt.extra
        )
        bag.state = BagState.RECEIVED
        bag.received_at = received_at
        bag.received_by = user
        bag.received_by_label = label
        bag.save(update_fields=["state", "received_at", "received_by", "received_by_label"])
        services._audit(
            actor,
            "items.bag_receive",
            bag,
            after={
                "code": bag.code,
                "arrived": len(receipt.arrived),
                "missing": len(receipt.missing),
                "extra": len(receipt.extra),
                "unknown": len(receipt.unknown),
                "rejected": len(receipt.rejected),
                "checked": found is not None,
            },
            office=office,
            request=request,
        )
    return receipt


def _arrival_code(item: Item, office: Office) -> str:
    """EMG at the item's delivery office, EDD elsewhere. An item without a delivery office
    (accepted before routing, or its commune has none) is routed by its receiver's commune
    now (:mod:`postops.items.routing`)."""
    from .routing import delivery_office_for_address

    destination = item.destination_office_id
    if destination is None:
        routed = delivery_office_for_address(item.receiver_scheme, item.receiver_commune_code)
        destination = routed.pk if routed else None
    return str(rules.bag_arrival_event(destination, office.pk))
