"""Writes for postal items: number blocks, acceptance, tracking events.

Every function here owns its transaction and writes its audit entry inside it. ``actor`` is
a staff ``User``, a partner's ``accounts.ApiKey``, or ``None`` for the system itself
(management commands, scheduled jobs); a user or key may only act at offices in its scope
(``postops.network.selectors.office_scope_ids``).
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic_core import to_json

from postops.core import s10
from postops.core.audit import audit_record
from postops.network.address import Address, AddressError, address_to_fields
from postops.network.models import Office
from postops.network.selectors import office_scope_ids

from . import rules, selectors, signals, tariffs, webhooks
from .models import (
    CodeList,
    CodeListEntry,
    DeliveryStandard,
    Item,
    ItemState,
    NumberBlock,
    ServiceIndicator,
    TrackingEvent,
)
from .routing import delivery_office_for_address

# A batch of scans from one device or partner system (issue #3, item 6).
MAX_BATCH_EVENTS = 5000
# Device clocks drift; an event "in the future" beyond this is a wrong clock, not a scan.
FUTURE_TOLERANCE = timedelta(minutes=10)
_CAS_ATTEMPTS = 50


# --- Actors and scope ----------------------------------------------------------------------


def _actor_user_and_label(actor) -> tuple[Any, str]:
    """(user for foreign keys or None, label for the record)."""
    from postops.accounts.models import ApiKey

    if actor is None:
        return None, "system"
    if isinstance(actor, ApiKey):
        return None, f"api-key:{actor.prefix}"
    return actor, actor.get_username()


def _audit(actor, action: str, target=None, **kwargs):
    user, label = _actor_user_and_label(actor)
    return audit_record(user, action, target, actor_label=label, **kwargs)


def _scope_ids(actor) -> frozenset[int] | None:
    """Ids of the offices ``actor`` may act at; ``None`` means everywhere (the system)."""
    if actor is None:
        return None
    return selectors.cached(
        ("scope", type(actor).__name__, actor.pk), lambda: frozenset(office_scope_ids(actor))
    )


def _require_office_in_scope(actor, office: Office) -> None:
    scope = _scope_ids(actor)
    if scope is not None and office.pk not in scope:
        raise PermissionDenied(_("Bạn không có quyền thao tác tại đơn vị này."))


def _reuse_months() -> int:
    return int(getattr(settings, "POSTOPS_S10_REUSE_MONTHS", 12))


# --- Configuration -------------------------------------------------------------------------

DEFAULT_CONFIG_FILE = Path(__file__).resolve().parent / "data" / "item_config.json"


@dataclass
class ConfigCounts:
    indicators: int = 0
    reasons: int = 0
    actions: int = 0
    delivery_standards: int = 0


def item_config_load(*, actor=None, data: dict | None = None, request=None) -> ConfigCounts:
    """Upsert S10 service indicators, the reason/action code lists and the delivery
    standards (J+n per zone) from ``data``.

    ``data`` has the shape of ``postops/items/data/item_config.json`` (the default). Rows
    are created or updated by their key; rows missing from ``data`` are left alone
    (deactivate them in the admin). Idempotent; one transaction; one audit entry.
    """
    if data is None:
        data = json.loads(DEFAULT_CONFIG_FILE.read_text(encoding="utf-8"))
    counts = ConfigCounts()
    with transaction.atomic():
        for row in data.get("service_indicators", []):
            indicator = ServiceIndicator(
                prefix=row["prefix"],
                service=row["service"],
                name=row.get("name", ""),
                is_active=row.get("is_active", True),
            )
            indicator.full_clean(validate_unique=False)
            ServiceIndicator.objects.update_or_create(
                prefix=indicator.prefix,
                defaults={
                    "service": indicator.service,
                    "name": indicator.name,
                    "is_active": indicator.is_active,
                },
            )
            counts.indicators += 1
        for list_name, key in (
            (CodeList.REASON, "reason_codes"),
            (CodeList.ACTION, "action_codes"),
        ):
            for row in data.get(key, []):
                CodeListEntry.objects.update_or_create(
                    list=list_name,
                    code=row["code"],
                    defaults={
                        "label": row["label"],
                        "label_en": row.get("label_en", ""),
                        "is_active": row.get("is_active", True),
                    },
                )
                if list_name == CodeList.REASON:
                    counts.reasons += 1
                else:
                    counts.actions += 1
        for row in data.get("delivery_standards", []):
            standard = DeliveryStandard(
                service=row.get("service", ""), zone=row["zone"], working_days=row["working_days"]
            )
            standard.full_clean(validate_unique=False, validate_constraints=False)
            DeliveryStandard.objects.update_or_create(
                service=standard.service,
                zone=standard.zone,
                defaults={"working_days": standard.working_days},
            )
            counts.delivery_standards += 1
        _audit(
            actor,
            "items.config_load",
            None,
            after=vars(counts),
            request=request,
            target_type="items.config",
        )
    return counts


# --- Number blocks -------------------------------------------------------------------------


def number_block_create(
    *,
    actor,
    office: Office,
    prefix: str,
    first_serial: int,
    last_serial: int,
    request=None,
) -> NumberBlock:
    """Give ``office`` the serials ``first_serial``–``last_serial`` of service ``prefix``.

    Refused when the range overlaps a block of the same prefix that is still open or handed
    out a number within the last ``POSTOPS_S10_REUSE_MONTHS`` (12; UPU S10: no reuse within
    12 months), or when an item with a number in the range is still on record (numbers are
    unique in the item table; old items must be archived before their numbers come back).
    """
    errors: dict[str, list[str]] = {}
    if not (0 <= first_serial <= last_serial <= 99_999_999):
        errors["last_serial"] = [_("Dải số không hợp lệ: 0 ≤ số đầu ≤ số cuối ≤ 99.999.999.")]
        raise ValidationError(errors)
    _require_office_in_scope(actor, office)
    with transaction.atomic():
        # Lock the prefix row so that two blocks of one prefix are never created at once.
        indicator = ServiceIndicator.objects.select_for_update().filter(prefix=prefix).first()
        if indicator is None or not indicator.is_active:
            raise ValidationError(
                {"prefix": [_("Mã dịch vụ %(prefix)s chưa được cấu hình.") % {"prefix": prefix}]}
            )
        now = timezone.now()
        months = _reuse_months()
        for block in NumberBlock.objects.filter(
            indicator=indicator,
            first_serial__lte=last_serial,
            last_serial__gte=first_serial,
        ):
            still_open = block.closed_at is None and block.next_serial <= block.last_serial
            if still_open or not rules.range_reusable(block.last_used_at, now, months):
                raise ValidationError(
                    {
                        "first_serial": [
                            _(
                                "Dải số trùng với dải %(block)s của %(office)s, đã dùng trong "
                                "vòng %(months)d tháng hoặc còn đang dùng."
                            )
                            % {"block": str(block), "office": block.office.code, "months": months}
                        ]
                    }
                )
        low = s10.build(prefix, first_serial)[:10]
        high = s10.build(prefix, last_serial)[:10]
        if Item.objects.filter(number__gte=low, number__lte=high + "9ZZ").exists():
            raise ValidationError(
                {"first_serial": [_("Trong dải số còn bưu gửi đang lưu; không thể cấp lại.")]}
            )
        block = NumberBlock.objects.create(
            office=office,
            indicator=indicator,
            first_serial=first_serial,
            last_serial=last_serial,
            next_serial=first_serial,
            created_by=_actor_user_and_label(actor)[0],
        )
        _audit(
            actor,
            "items.number_block_create",
            block,
            after={
                "office": office.code,
                "prefix": prefix,
                "first_serial": first_serial,
                "last_serial": last_serial,
            },
            office=office,
            request=request,
        )
    return block


def number_allocate(*, office: Office, prefix: str, count: int = 1) -> list[str]:
    """Hand out ``count`` S10 numbers of ``prefix`` from ``office``'s open blocks, in order.

    Safe under concurrency without long locks: each step is a compare-and-set on the
    block's ``next_serial`` (``UPDATE … WHERE next_serial = <seen>``); a caller that loses
    the race reads again. Call it inside the transaction that stores the items, so that a
    rolled-back acceptance gives its numbers back. Raises ``ValidationError`` on the
    ``prefix`` field when the office has no numbers left.
    """
    if count < 1:
        return []
    numbers: list[str] = []
    with transaction.atomic():
        for _attempt in range(_CAS_ATTEMPTS + count):
            block = (
                NumberBlock.objects.filter(
                    office=office, indicator_id=prefix, closed_at__isnull=True
                )
                .order_by("first_serial", "pk")
                .only("pk", "next_serial", "last_serial")
                .first()
            )
            if block is None:
                raise ValidationError(
                    {
                        "prefix": [
                            _("Bưu cục %(office)s đã hết số hiệu %(prefix)s; cần cấp dải số mới.")
                            % {"office": office.code, "prefix": prefix}
                        ]
                    },
                    code="no_numbers",
                )
            seen = block.next_serial
            take = min(count - len(numbers), block.last_serial + 1 - seen)
            now = timezone.now()
            new_next = seen + take
            won = NumberBlock.objects.filter(pk=block.pk, next_serial=seen).update(
                next_serial=new_next,
                last_used_at=now,
                closed_at=now if new_next > block.last_serial else None,
            )
            if won:
                numbers.extend(s10.build(prefix, serial) for serial in range(seen, new_next))
                if len(numbers) == count:
                    return numbers
        raise RuntimeError("number allocation kept losing the race; try again")


# --- Acceptance ----------------------------------------------------------------------------


class IdempotencyConflict(Exception):
    """The idempotency key was used before with a different request."""

    def __init__(self, item: Item):
        super().__init__(f"idempotency key already used for {item.number}")
        self.item = item


def _request_hash(data: dict) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _address(prefix: str, value: Address | dict | None, *, required: bool) -> dict[str, str]:
    if value is None or value == {}:
        if required:
            raise ValidationError({f"{prefix}_commune_code": [_("Cần nhập địa chỉ.")]})
        return {}
    try:
        addr = value if isinstance(value, Address) else Address.build(**value)
        addr.validate()
    except AddressError as exc:
        raise ValidationError(
            {f"{prefix}_{name}": messages for name, messages in exc.errors.items()}
        ) from None
    return address_to_fields(addr, prefix)


@dataclass
class AcceptResult:
    item: Item
    created: bool


def item_accept(
    *,
    actor,
    office: Office,
    sender_name: str,
    receiver_name: str,
    receiver_address: Address | dict,
    weight_g: int,
    prefix: str = "",
    number: str = "",
    sender_phone: str = "",
    sender_address: Address | dict | None = None,
    receiver_phone: str = "",
    contents: str = "",
    cod_amount: int = 0,
    declared_value: int = 0,
    fee: int | None = None,
    tariff_version=None,
    promised_date: date | None = None,
    destination_office: Office | None = None,
    accepted_at: datetime | None = None,
    idempotency_key: str = "",
    request=None,
    advice_of_delivery: bool = False,
    sender_key=None,
    sender_reference: str = "",
) -> AcceptResult:
    """Accept an item at ``office``: give it a number, store it, record the EMA event.

    The number is either pre-printed on the label (``number``, checked against S10 and the
    configured prefixes) or taken from the office's block for ``prefix``. With an
    ``idempotency_key`` a retry returns the first item (``created=False``); the same key
    with a different request raises :class:`IdempotencyConflict` (Stripe's rules).
    Amounts are integer đồng.

    Price and promise (issue #3, items 2–3), when the caller does not give them:

    - ``fee`` (``None``): priced with the tariff version in force on the acceptance day
      (``selectors.tariff_quote``: service of the prefix × zone from the office to the
      receiver's commune × weight, with the COD, insured-value and advice-of-delivery
      add-ons) and ``tariff_version`` recorded. With no tariff version in force at all the
      item is accepted unpriced (fee 0, no version: an installation that prices outside
      PostOps); a tariff that cannot price this item (no rate, too heavy, add-on not
      offered, receiver address still in the legacy scheme) refuses the acceptance.
    - ``promised_date`` (``None``): J+n working days from the acceptance day, n from the
      zone table (``DeliveryStandard``); left empty when no row applies or the zone is
      unknown (legacy address).

    ``sender_key`` is the partner API key the item was sent through (its status webhooks);
    ``sender_reference`` the partner's own order number for it.
    """
    payload = {
        "office": office.pk,
        "sender_name": sender_name,
        "sender_phone": sender_phone,
        "sender_address": sender_address,
        "receiver_name": receiver_name,
        "receiver_phone": receiver_phone,
        "receiver_address": receiver_address,
        "weight_g": weight_g,
        "prefix": prefix,
        "number": number,
        "contents": contents,
        "cod_amount": cod_amount,
        "declared_value": declared_value,
        # "Price it for me" hashes as 0, as it did before fees were computed here: stored
        # idempotency hashes (and the demo's fixed keys) stay valid.
        "fee": 0 if fee is None else fee,
        "tariff_version": getattr(tariff_version, "pk", None),
        "promised_date": promised_date,
        "destination_office": getattr(destination_office, "pk", None),
    }
    # Arguments added later enter the hash only when used, for the same reason.
    if advice_of_delivery:
        payload["advice_of_delivery"] = True
    if sender_key is not None:
        payload["sender_key"] = sender_key.pk
    if sender_reference:
        payload["sender_reference"] = sender_reference
    scope = _idempotency_scope(actor)
    digest = _request_hash(payload)
    if idempotency_key:
        previous = _idempotent_replay(scope, idempotency_key, digest)
        if previous is not None:
            return AcceptResult(previous, False)
    _require_office_in_scope(actor, office)

    errors: dict[str, list[str]] = {}

    def add(name, message):
        errors.setdefault(name, []).append(message)

    if not _is_int(weight_g) or weight_g <= 0:
        add("weight_g", _("Khối lượng phải là số gam lớn hơn 0."))
    for name, value in (
        ("cod_amount", cod_amount),
        ("declared_value", declared_value),
        ("fee", 0 if fee is None else fee),
    ):
        if not _is_int(value) or value < 0:
            add(name, _("Số tiền phải là số đồng nguyên, không âm."))
    if not sender_name.strip():
        add("sender_name", _("Cần nhập tên người gửi."))
    if not receiver_name.strip():
        add("receiver_name", _("Cần nhập tên người nhận."))
    address_fields: dict[str, str] = {}
    for key, value, required in (
        ("sender", sender_address, False),
        ("receiver", receiver_address, True),
    ):
        try:
            address_fields.update(_address(key, value, required=required))
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(name, []).extend(messages)

    indicator = None
    if number:
        number = s10.normalize(number)
        try:
            s10.validate(number)
        except s10.S10Error as exc:
            add("number", _(exc.message) % exc.params)
        else:
            prefix = number[:2]
    if "number" in errors:
        pass  # the number's own message says what is wrong
    elif not prefix:
        add("prefix", _("Cần chọn dịch vụ (mã S10) hoặc nhập số hiệu in sẵn."))
    else:
        indicator = selectors.service_indicator_active(prefix)
        if indicator is None:
            add("prefix", _("Mã dịch vụ %(prefix)s chưa được cấu hình.") % {"prefix": prefix})
    accepted_at = accepted_at or timezone.now()
    if not errors:
        fee, tariff_version, promised_date = _price_and_promise(
            office=office,
            service=indicator.service,
            address_fields=address_fields,
            weight_g=weight_g,
            cod_amount=cod_amount,
            declared_value=declared_value,
            advice_of_delivery=advice_of_delivery,
            accepted_on=timezone.localdate(accepted_at),
            fee=fee,
            tariff_version=tariff_version,
            promised_date=promised_date,
            add=add,
        )
    if errors:
        raise ValidationError(errors)

    user, label = _actor_user_and_label(actor)
    try:
        with transaction.atomic():
            if number:
                if Item.objects.filter(number=number).exists():
                    raise ValidationError({"number": [_("Số hiệu này đã được dùng.")]})
            else:
                number = number_allocate(office=office, prefix=prefix)[0]
            item = Item(
                number=number,
                service=indicator.service,
                sender_name=sender_name.strip(),
                sender_phone=sender_phone.strip(),
                receiver_name=receiver_name.strip(),
                receiver_phone=receiver_phone.strip(),
                contents=contents.strip(),
                weight_g=weight_g,
                cod_amount=cod_amount,
                declared_value=declared_value,
                advice_of_delivery=advice_of_delivery,
                fee=fee,
                tariff_version=tariff_version,
                promised_date=promised_date,
                sender_key=sender_key,
                sender_reference=sender_reference.strip()[:64],
                origin_office=office,
                # Routing by the receiver's commune when the caller names no office.
                destination_office=destination_office
                or delivery_office_for_address(
                    address_fields.get("receiver_scheme", ""),
                    address_fields.get("receiver_commune_code", ""),
                ),
                accepted_at=accepted_at,
                accepted_by=user,
                idempotency_scope=scope if idempotency_key else "",
                idempotency_key=idempotency_key,
                request_hash=digest if idempotency_key else "",
                **address_fields,
            )
            item.save(force_insert=True)
            item.state = ItemState.objects.create(
                item=item,
                status=rules.Status.ACCEPTED,
                last_office=office,
                last_event_at=accepted_at,
                last_event_code=rules.Event.ACCEPTED,
            )
            TrackingEvent.objects.create(
                event_id=uuid.uuid4(),
                item=item,
                code=rules.Event.ACCEPTED,
                office=office,
                actor=user,
                actor_label=label,
                occurred_at=accepted_at,
                recorded_at=timezone.now(),
            )
            # Ids and amounts only: names, phones and addresses stay in the item row.
            _audit(
                actor,
                "items.accept",
                item,
                after={
                    "number": item.number,
                    "service": item.service,
                    "weight_g": weight_g,
                    "cod_amount": cod_amount,
                    "declared_value": declared_value,
                    "fee": fee,
                    "origin_office": office.code,
                },
                office=office,
                request=request,
            )
    except IntegrityError:
        # A concurrent request with the same key won; answer with its item.
        if idempotency_key:
            previous = _idempotent_replay(scope, idempotency_key, digest)
            if previous is not None:
                return AcceptResult(previous, False)
        if Item.objects.filter(number=number).exists():
            raise ValidationError({"number": [_("Số hiệu này đã được dùng.")]}) from None
        raise
    return AcceptResult(item, True)


# Why a tariff cannot price an item (``tariffs.TariffError.code``), for the person at the
# counter or the partner's developer.
TARIFF_ERROR_TEXT = {
    "no_rate": gettext_lazy("Bảng cước không có giá cho dịch vụ này ở vùng này."),
    "too_heavy": gettext_lazy("Bưu gửi nặng quá mức cân cao nhất của bảng cước."),
    "no_cod": gettext_lazy("Bảng cước hiện hành không có dịch vụ thu hộ (COD)."),
    "no_insured": gettext_lazy("Bảng cước hiện hành không nhận khai giá."),
    "no_advice_of_delivery": gettext_lazy("Bảng cước hiện hành không có dịch vụ báo phát."),
    "weight": gettext_lazy("Khối lượng phải là số gam lớn hơn 0."),
    "no_tariff": gettext_lazy("Chưa có bảng cước áp dụng cho ngày này."),
    "legacy_address": gettext_lazy(
        "Địa chỉ người nhận theo địa giới cũ: cần chuyển sang xã/phường mới trước khi tính cước."
    ),
    "unknown_commune": gettext_lazy("Không tìm thấy xã/phường của người nhận."),
}
# The field a tariff error belongs to.
TARIFF_ERROR_FIELD = {
    "no_cod": "cod_amount",
    "no_insured": "declared_value",
    "no_advice_of_delivery": "advice_of_delivery",
    "too_heavy": "weight_g",
    "weight": "weight_g",
    "legacy_address": "receiver_commune_code",
    "unknown_commune": "receiver_commune_code",
}


def _receiver_zone(office: Office, address_fields: dict[str, str]) -> tuple[str | None, str]:
    """(zone, "") or (None, error code) for the receiver address about to be stored."""
    from postops.network.address import SCHEME_2025

    if address_fields.get("receiver_scheme") != SCHEME_2025:
        return None, "legacy_address"
    zone = selectors.tariff_zone(office, address_fields["receiver_commune_code"])
    if zone is None:
        return None, "unknown_commune"
    return str(zone), ""


def _price_and_promise(
    *,
    office,
    service,
    address_fields,
    weight_g,
    cod_amount,
    declared_value,
    advice_of_delivery,
    accepted_on,
    fee,
    tariff_version,
    promised_date,
    add,
):
    """Fill in the fee (with its tariff version) and the promised date the caller left out
    (see :func:`item_accept`); report what cannot be priced through ``add(field, msg)``."""
    if fee is not None and promised_date is not None:
        return fee, tariff_version, promised_date
    zone, zone_error = _receiver_zone(office, address_fields)
    if fee is None:
        if selectors.tariff_version_on(accepted_on) is None:
            fee, tariff_version = 0, None  # priced outside PostOps
        elif zone is None:
            add(TARIFF_ERROR_FIELD[zone_error], str(TARIFF_ERROR_TEXT[zone_error]))
        else:
            try:
                priced = selectors.tariff_quote(
                    service=service,
                    zone=zone,
                    weight_g=weight_g,
                    cod_amount=cod_amount,
                    declared_value=declared_value,
                    advice_of_delivery=advice_of_delivery,
                    on=accepted_on,
                )
            except tariffs.TariffError as exc:
                add(
                    TARIFF_ERROR_FIELD.get(exc.code, "fee"),
                    str(TARIFF_ERROR_TEXT.get(exc.code, exc)),
                )
            else:
                fee, tariff_version = priced.quote.total, priced.version
    if promised_date is None and zone is not None:
        promised_date = selectors.item_promised_date(
            service=service, zone=zone, accepted_on=accepted_on
        )
    return fee, tariff_version, promised_date


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _idempotency_scope(actor) -> str:
    from postops.accounts.models import ApiKey

    if actor is None:
        return "system"
    if isinstance(actor, ApiKey):
        return f"key:{actor.pk}"
    return f"user:{actor.pk}"


def _idempotent_replay(scope: str, key: str, digest: str) -> Item | None:
    item = Item.objects.filter(idempotency_scope=scope, idempotency_key=key).first()
    if item is not None and item.request_hash != digest:
        raise IdempotencyConflict(item)
    return item


# --- Tracking events -----------------------------------------------------------------------


class Outcome:
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


# Reasons an event is rejected (stable codes for the API; texts in REJECTION_TEXT).
REJECTION_TEXT = {
    "invalid_event_id": "event_id must be a UUID.",
    "invalid_item_number": "The item number is not a valid S10 number.",
    "item_not_found": "No item has this number.",
    "unknown_code": "Unknown event code.",
    "code_not_allowed": "This event code cannot be sent here.",
    "unknown_office": "No office has this code.",
    "office_out_of_scope": "The caller may not record events at this office.",
    "invalid_time": "occurred_at must be a date-time with a time zone.",
    "occurred_in_future": "occurred_at is in the future.",
    "reason_required": "A failed delivery needs a reason code and an action code.",
    "unknown_reason_code": "Unknown or inactive reason code.",
    "unknown_action_code": "Unknown or inactive action code.",
    "invalid_position": "latitude and longitude must be given together and be in range.",
    "event_id_conflict": "This event_id was already used for a different event.",
    "invalid_transition": "This event cannot follow the item's current status.",
}


@dataclass
class EventResult:
    event_id: str
    result: str
    reason: str | None = None
    status: str | None = None  # the item's status after the batch (accepted/duplicate)
    details: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        """The short form (the postman app's sync answers): the fields that have a value."""
        return {k: v for k, v in self.as_api().items() if v is not None}

    def as_api(self) -> dict:
        """The API's ``EventResultOut``: every field present, ``null`` when empty."""
        return {
            "event_id": self.event_id,
            "result": self.result,
            "reason": self.reason,
            "message": REJECTION_TEXT.get(self.reason, "") if self.reason else None,
            "status": self.status,
            "details": self.details or None,
        }


@dataclass(slots=True)
class _Pending:
    index: int
    event_id: str  # canonical text form (lower-case, hyphenated)
    number: str
    code: str
    office_code: str
    occurred_at: datetime
    reason_code: str
    action_code: str
    latitude: Decimal | None
    longitude: Decimal | None
    note: str
    office: Office | None = None
    item: _LockedItem | None = None


class _LockedItem:
    """The columns of an item the batch reads and writes, as locked by the batch.

    Plain attributes, not a model instance: building 5,000 ``Item`` instances cost more
    than the query that locked them (docs/benchmarks.md). The receivers of
    ``signals.item_status_changed`` and the status webhooks read ``pk``, ``number``,
    ``service`` and ``sender_key_id`` from it.
    """

    # The order of the lock query's columns (``_items_lock``).
    __slots__ = (
        "pk",
        "number",
        "service",
        "status",
        "last_event_at",
        "last_event_code",
        "last_office_id",
        "sender_key_id",
        "ctid",  # PostgreSQL: where the state's row version is (``_items_status_write``)
    )

    def __init__(self, row, ctid=None):
        (
            self.pk,
            self.number,
            self.service,
            self.status,
            self.last_event_at,
            self.last_event_code,
            self.last_office_id,
            self.sender_key_id,
        ) = row
        self.ctid = ctid


# The model fields the lock reads after the key (not ``ctid``), in the slots' order.
_LOCKED_FIELDS = tuple(
    f if f in ("number", "service", "sender_key_id") else f"state__{f}"
    for f in _LockedItem.__slots__[1:-1]
)


class _LostRace(Exception):
    """An insert was skipped by ON CONFLICT: another batch stored the same event_id first."""


class _CheckStored(Exception):
    """The first, optimistic pass met an event id already stored, or refused an event that
    may be a resent one: start again, reading the stored ids first."""


_EVENT_CODES = frozenset(e.value for e in rules.Event)


_UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _event_id_text(value) -> str | None:
    """The canonical text of a UUID (``str(uuid.UUID(value))``), or ``None``.

    The canonical form is checked with a regular expression first: ``uuid.UUID`` costs
    about as much as the rest of an event's checks, and devices send the canonical form.
    """
    if isinstance(value, str):
        text = value.lower()
        if _UUID_RE.fullmatch(text):
            return text
    elif isinstance(value, uuid.UUID):
        return str(value)
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, AttributeError, TypeError):
        return None


def _text(value) -> str:
    """A scanner's text field: ``None`` and empty as ``""``, anything else as stripped text."""
    if not value:
        return ""
    return (value if type(value) is str else str(value)).strip()


def _parse_event(index: int, raw: dict, latest: datetime, allowed: frozenset[str]):
    """A :class:`_Pending` or a rejection (reason, details) for one raw event.

    ``latest``: the server time plus the clock tolerance; an event after it is refused.
    Runs 5,000 times per batch: plain checks first, the rare fields only when present.
    """
    get = raw.get
    event_id = _event_id_text(get("event_id"))
    if event_id is None:
        return None, ("invalid_event_id", {})
    number = get("number")
    if type(number) is not str or not (number.isalnum() and number.isupper()):
        number = s10.normalize(str(number or ""))  # spaces, lower case: rare
    if not s10.is_valid(number):
        return event_id, ("invalid_item_number", {})
    code = get("code")
    if type(code) is not str:
        code = str(code or "")
    if code not in _EVENT_CODES:
        return event_id, ("unknown_code", {})
    if code not in allowed:
        return event_id, ("code_not_allowed", {})
    occurred_at = get("occurred_at")
    if type(occurred_at) is str:
        try:
            occurred_at = datetime.fromisoformat(occurred_at)
        except ValueError:
            occurred_at = None
    if not isinstance(occurred_at, datetime) or occurred_at.utcoffset() is None:
        return event_id, ("invalid_time", {})
    if occurred_at > latest:
        return event_id, ("occurred_in_future", {})
    reason_code = _text(get("reason_code"))
    action_code = _text(get("action_code"))
    if code in rules.EVENTS_NEEDING_REASON and not (reason_code and action_code):
        return event_id, ("reason_required", {})
    lat, lon = get("latitude"), get("longitude")
    if lat is not None or lon is not None:
        if lat is None or lon is None:
            return event_id, ("invalid_position", {})
        try:
            lat = Decimal(str(lat)).quantize(Decimal("0.000001"))
            lon = Decimal(str(lon)).quantize(Decimal("0.000001"))
        except (InvalidOperation, ValueError):
            return event_id, ("invalid_position", {})
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return event_id, ("invalid_position", {})
    note = get("note")
    return (
        _Pending(
            index,
            event_id,
            number,
            code,
            _text(get("office_code")),
            occurred_at,
            reason_code,
            action_code,
            lat,
            lon,
            str(note)[:255] if note else "",
        ),
        None,
    )


def events_ingest_batch(*, actor, events: list[dict], request=None) -> list[EventResult]:
    """Record up to 5,000 scans at once; one result per event, in the order given.

    Each event is ``{"event_id", "number", "code", "office_code", "occurred_at",
    "reason_code", "action_code", "latitude", "longitude", "note"}``. The result is
    ``accepted`` (stored), ``duplicate`` (this ``event_id`` was stored before: replaying a
    batch changes nothing) or ``rejected`` with a reason code (:data:`REJECTION_TEXT`).

    Bulk path, not one query per event: the items are locked in one query, the known
    event ids read in one, the events inserted with ``ON CONFLICT DO NOTHING`` in chunks,
    and the changed items written with one bulk update per chunk. Per item the new events
    are applied in the order they happened; an event older than the item's latest is stored
    without moving the status (``rules.next_status``).
    """
    if len(events) > MAX_BATCH_EVENTS:
        raise ValidationError(
            {"events": [_("Tối đa %(max)d sự kiện mỗi lần gửi.") % {"max": MAX_BATCH_EVENTS}]}
        )
    return _ingest(
        actor, events, allowed=_SCAN_CODES, request=request, audit_action="items.events_ingest"
    )


_SCAN_CODES = frozenset(e.value for e in rules.SCAN_EVENTS)
_ALL_CODES = frozenset(e.value for e in rules.Event if e != rules.Event.ACCEPTED)


class EventRejected(ValidationError):
    """``event_record`` could not store the event; ``reason`` is a REJECTION_TEXT code."""

    def __init__(self, result: EventResult):
        super().__init__(REJECTION_TEXT.get(result.reason, result.reason), code=result.reason)
        self.result = result
        self.reason = result.reason


def event_record(
    *,
    actor,
    item: Item | str,
    code: str,
    office: Office,
    occurred_at: datetime | None = None,
    event_id: uuid.UUID | str | None = None,
    reason_code: str = "",
    action_code: str = "",
    latitude=None,
    longitude=None,
    note: str = "",
    request=None,
) -> EventResult:
    """Record one tracking event (any code but the acceptance itself).

    The same path as :func:`events_ingest_batch`, with one event; also open to the codes
    that services decide (return to sender, withdrawal, unclaimed). Raises
    :class:`EventRejected` when the event is refused; a duplicate ``event_id`` returns the
    ``duplicate`` result without storing anything.
    """
    number = item.number if isinstance(item, Item) else item
    raw = {
        "event_id": event_id or uuid.uuid4(),
        "number": number,
        "code": code,
        "office_code": office.code,
        "occurred_at": occurred_at or timezone.now(),
        "reason_code": reason_code,
        "action_code": action_code,
        "latitude": latitude,
        "longitude": longitude,
        "note": note,
    }
    (result,) = _ingest(
        actor, [raw], allowed=_ALL_CODES, request=request, audit_action="items.event_record"
    )
    if result.result == Outcome.REJECTED:
        raise EventRejected(result)
    return result


_EVENT_INSERT_SQL = """
    INSERT INTO items_trackingevent (event_id, item_id, code, office_id, occurred_at,
        reason_code, action_code, latitude, longitude, note, actor_id, actor_label, recorded_at)
    SELECT v.*, %s::bigint, %s, %s::timestamptz
    FROM json_to_recordset(%s::json) AS v(event_id uuid, item_id bigint, code varchar,
        office_id bigint, occurred_at timestamptz, reason_code varchar, action_code varchar,
        latitude numeric, longitude numeric, note varchar)
"""


def _events_insert(
    to_insert: list[_Pending], *, user, label: str, now: datetime, skip_stored: bool = True
) -> set[str]:
    """Insert the events; return the ids stored now.

    ``skip_stored``: an event id already stored is skipped (and missing from the answer).
    Without it the insert is plain and a stored id raises :class:`_CheckStored` (the caller's
    transaction is then rolled back): the optimistic pass of :func:`_ingest`, for which
    ``ON CONFLICT`` and ``RETURNING`` cost a fifth of the insert.

    On PostgreSQL one ``INSERT … SELECT FROM json_to_recordset(<the batch as one JSON
    array>)``: one round trip, one parameter (the JSON is built by pydantic-core's
    serialiser, in Rust, datetimes and decimals included: three times as fast as ``json``
    with ``isoformat``; per-value adaptation of 5,000-element arrays cost about as much as
    the insert), instead of five 1,000-row INSERTs, a model instance per event and a
    read-back (docs/benchmarks.md). Elsewhere (SQLite) the ORM's ``bulk_create``.
    """
    if connection.vendor == "postgresql":
        rows = to_json(
            [
                {
                    "event_id": p.event_id,
                    "item_id": p.item.pk,
                    "code": p.code,
                    "office_id": p.office.pk,
                    "occurred_at": p.occurred_at,
                    "reason_code": p.reason_code,
                    "action_code": p.action_code,
                    "latitude": p.latitude,
                    "longitude": p.longitude,
                    "note": p.note,
                }
                for p in to_insert
            ]
        ).decode()
        params = [getattr(user, "pk", None), label, now, rows]
        with connection.cursor() as cursor:
            if skip_stored:
                cursor.execute(
                    _EVENT_INSERT_SQL
                    + " ON CONFLICT (event_id) DO NOTHING RETURNING event_id::text",
                    params,
                )
                return {row[0] for row in cursor.fetchall()}
            with _stored_id_means_check():
                cursor.execute(_EVENT_INSERT_SQL, params)
            return {p.event_id for p in to_insert}
    objects = [
        TrackingEvent(
            event_id=p.event_id,
            item_id=p.item.pk,
            code=p.code,
            office_id=p.office.pk,
            actor=user,
            actor_label=label,
            occurred_at=p.occurred_at,
            recorded_at=now,
            reason_code=p.reason_code,
            action_code=p.action_code,
            latitude=p.latitude,
            longitude=p.longitude,
            note=p.note,
        )
        for p in to_insert
    ]
    if not skip_stored:
        with _stored_id_means_check():
            TrackingEvent.objects.bulk_create(objects, batch_size=1000)
        return {p.event_id for p in to_insert}
    TrackingEvent.objects.bulk_create(objects, batch_size=1000, ignore_conflicts=True)
    return {
        str(event_id)
        for event_id in TrackingEvent.objects.filter(
            event_id__in=[p.event_id for p in to_insert], recorded_at=now
        ).values_list("event_id", flat=True)
    }


@contextmanager
def _stored_id_means_check():
    """In the plain insert, a unique violation is an event id already stored: the pass
    starts again, checking (the other constraints were checked before the insert; the
    foreign keys are checked at commit)."""
    try:
        yield
    except IntegrityError:
        raise _CheckStored() from None


def _items_lock(numbers: set[str]) -> dict[str, _LockedItem]:
    """Lock the items with these numbers (``SELECT … FOR UPDATE``) in a fixed order.

    The order (by key) makes concurrent batches touching the same items wait for each other
    instead of deadlocking. On PostgreSQL the numbers travel as one text parameter
    (``= ANY(string_to_array(…))``): an ``IN`` list of 5,000 placeholders cost more to build
    and to parse than the query (docs/benchmarks.md). S10 numbers hold no comma.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT i.id, i.number, i.service, s.status, s.last_event_at, "
                "s.last_event_code, s.last_office_id, i.sender_key_id, s.ctid::text "
                "FROM items_item i JOIN items_itemstate s ON s.item_id = i.id "
                "WHERE i.number = ANY(string_to_array(%s, ',')) ORDER BY i.id FOR UPDATE OF i",
                [",".join(numbers)],
            )
            return {row[1]: _LockedItem(row[:8], row[8]) for row in cursor.fetchall()}
    rows = (
        Item.objects.select_for_update()
        .filter(number__in=numbers)
        .order_by("pk")
        .values_list("pk", *_LOCKED_FIELDS)
    )
    return {row[1]: _LockedItem(row) for row in rows}


def _events_stored(event_ids: list[str]) -> dict[str, tuple]:
    """Of these event ids, those already stored: ``{id: (item_id, code, occurred_at)}``."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT event_id::text, item_id, code, occurred_at FROM items_trackingevent "
                "WHERE event_id = ANY(string_to_array(%s, ',')::uuid[])",
                [",".join(event_ids)],
            )
            rows = cursor.fetchall()
    else:
        rows = TrackingEvent.objects.filter(event_id__in=event_ids).values_list(
            "event_id", "item_id", "code", "occurred_at"
        )
    return {str(row[0]): row[1:] for row in rows}


_STATUS_WRITE_SQL = """
    UPDATE items_itemstate AS s
    SET status = v.status, last_event_at = v.last_event_at,
        last_event_code = v.last_event_code, last_office_id = v.last_office_id
    FROM json_to_recordset(%s::json) AS v(ctid tid, id bigint, status varchar,
        last_event_at timestamptz, last_event_code varchar, last_office_id bigint)
    WHERE {match}
"""


def _items_status_write(changed: list) -> None:
    """Write the state (:class:`ItemState`) of the changed items, whose rows this
    transaction has locked.

    On PostgreSQL one ``UPDATE … FROM json_to_recordset(…)`` for all of them. Django's
    ``bulk_update`` builds a ``CASE WHEN`` per row and column: compiling it for 5,000 items
    took most of a batch's time (docs/benchmarks.md). Items locked by ``_items_lock`` carry
    their state row's ``ctid``: the update finds each row by it (a TID scan) instead of
    descending the primary key 5,000 times. Whoever writes a state holds its item's row
    lock, so the state row stays where it was read until the transaction ends;
    ``s.item_id = v.id`` is checked too, and should fewer rows match (they should not), the
    update runs again by key. Elsewhere (SQLite) ``bulk_update``.
    """
    if connection.vendor == "postgresql":
        rows = to_json(
            [
                {
                    "ctid": getattr(i, "ctid", None),
                    "id": i.pk,
                    "status": i.status,
                    "last_event_at": i.last_event_at,
                    "last_event_code": i.last_event_code,
                    "last_office_id": i.last_office_id,
                }
                for i in changed
            ]
        ).decode()
        with connection.cursor() as cursor:
            if all(getattr(i, "ctid", None) for i in changed):
                cursor.execute(
                    _STATUS_WRITE_SQL.format(match="s.ctid = v.ctid AND s.item_id = v.id"),
                    [rows],
                )
                if cursor.rowcount == len(changed):
                    return
            cursor.execute(_STATUS_WRITE_SQL.format(match="s.item_id = v.id"), [rows])
        return
    columns = ("status", "last_event_at", "last_event_code", "last_office_id")
    ItemState.objects.bulk_update(
        [ItemState(item_id=i.pk, **{c: getattr(i, c) for c in columns}) for i in changed],
        columns,
        batch_size=500,
    )


def _ingest(actor, events, *, allowed, request, audit_action) -> list[EventResult]:
    """Run the batch, optimistically first: no read of the stored event ids (new scans are
    the rule; resent ones the exception). When that pass meets a stored id (the insert skips
    it) or refuses an event that may be a resent one, it is rolled back and the batch runs
    again reading the stored ids first; a resent batch costs two passes."""
    attempts = 0
    check_stored = False
    while True:
        attempts += 1
        try:
            return _ingest_once(
                actor,
                events,
                allowed=allowed,
                request=request,
                audit_action=audit_action,
                check_stored=check_stored,
            )
        except _CheckStored:
            check_stored = True
        except _LostRace:
            if attempts >= 3:
                raise


def _ingest_once(
    actor, events, *, allowed, request, audit_action, check_stored: bool
) -> list[EventResult]:
    now = timezone.now()
    results: list[EventResult | None] = [None] * len(events)
    pending: list[_Pending] = []
    seen_ids: set[str] = set()

    def reject(p_index: int, event_id, reason: str, **details):
        results[p_index] = EventResult(event_id or "", Outcome.REJECTED, reason, details=details)

    latest = now + FUTURE_TOLERANCE
    for index, raw in enumerate(events):
        parsed, problem = _parse_event(index, raw if isinstance(raw, dict) else {}, latest, allowed)
        if problem:
            reject(index, parsed, problem[0], **problem[1])
            continue
        if parsed.event_id in seen_ids:
            # The same event twice in one batch: keep the first, call the second a duplicate.
            results[index] = EventResult(parsed.event_id, Outcome.DUPLICATE)
            continue
        seen_ids.add(parsed.event_id)
        pending.append(parsed)

    # Offices by code, and the caller's scope: two queries for the whole batch.
    office_codes = {p.office_code for p in pending}
    offices = (
        {o.code: o for o in Office.objects.filter(code__in=office_codes)} if office_codes else {}
    )
    scope = _scope_ids(actor) if pending else None
    reason_codes = {p.reason_code for p in pending if p.reason_code}
    action_codes = {p.action_code for p in pending if p.action_code}
    known_codes: set[tuple[str, str]] = set()
    if reason_codes or action_codes:
        known_codes = set(
            CodeListEntry.objects.filter(
                is_active=True, code__in=reason_codes | action_codes
            ).values_list("list", "code")
        )
    still: list[_Pending] = []
    for p in pending:
        office = offices.get(p.office_code)
        if office is None:
            reject(p.index, p.event_id, "unknown_office")
        elif scope is not None and office.pk not in scope:
            reject(p.index, p.event_id, "office_out_of_scope")
        elif p.reason_code and (CodeList.REASON, p.reason_code) not in known_codes:
            reject(p.index, p.event_id, "unknown_reason_code")
        elif p.action_code and (CodeList.ACTION, p.action_code) not in known_codes:
            reject(p.index, p.event_id, "unknown_action_code")
        else:
            p.office = office
            still.append(p)
    pending = still

    user, label = _actor_user_and_label(actor)
    counts = {Outcome.ACCEPTED: 0, Outcome.DUPLICATE: 0, Outcome.REJECTED: 0}
    with transaction.atomic():
        items: dict[str, _LockedItem] = {}
        known: dict[str, tuple] = {}
        if pending:
            items = _items_lock({p.number for p in pending})
            if check_stored:
                known = _events_stored([p.event_id for p in pending])
        by_item: dict[int, list[_Pending]] = defaultdict(list)
        for p in pending:
            item = items.get(p.number)
            if item is None:
                reject(p.index, p.event_id, "item_not_found")
                continue
            p.item = item
            previous = known.get(p.event_id)
            if previous is not None:
                if previous == (item.pk, p.code, p.occurred_at):
                    results[p.index] = EventResult(p.event_id, Outcome.DUPLICATE)
                else:
                    reject(p.index, p.event_id, "event_id_conflict")
                continue
            by_item[item.pk].append(p)

        # Late events are judged against the status of their own time: read the stored
        # history of the items that have one (one query).
        late_items = [
            group[0].item.pk
            for group in by_item.values()
            if any(rules.is_late(p.occurred_at, group[0].item.last_event_at) for p in group)
        ]
        history: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
        if late_items:
            for item_id, occurred_at, code in (
                TrackingEvent.objects.filter(item_id__in=late_items)
                .order_by("occurred_at", "pk")
                .values_list("item_id", "occurred_at", "code")
            ):
                history[item_id].append((occurred_at, code))

        to_insert: list[_Pending] = []
        changed: list[_LockedItem] = []
        # (item, event, old status, new status) for the partners' status webhooks.
        transitions: list[tuple[_LockedItem, _Pending, str, str]] = []
        for group in by_item.values():
            item = group[0].item
            before = (item.status, item.last_event_at)
            if len(group) > 1:
                group.sort(key=lambda x: (x.occurred_at, x.index))
            for p in group:
                try:
                    then = item.status
                    new_status = rules.next_status(
                        item.status, item.last_event_at, p.code, p.occurred_at
                    )
                    if new_status is None:
                        # Late: stored if it fits the status the item had at its own time.
                        then = rules.status_at(history[item.pk], p.occurred_at)
                        rules.transition(then, p.code)
                except rules.TransitionRefused:
                    if not check_stored:
                        # It may be a resent event (then it is a duplicate, not an error).
                        raise _CheckStored() from None
                    reject(p.index, p.event_id, "invalid_transition", status=then, code=p.code)
                    continue
                if late_items:
                    history[item.pk].append((p.occurred_at, p.code))
                to_insert.append(p)
                if new_status is not None:
                    if new_status != item.status:
                        transitions.append((item, p, item.status, new_status.value))
                    item.status = new_status.value
                    item.last_event_at = p.occurred_at
                    item.last_event_code = p.code
                    item.last_office_id = p.office.pk
            if (item.status, item.last_event_at) != before:
                changed.append(item)

        if to_insert:
            # Without the check, a stored id (a resent event) raises _CheckStored.
            stored = _events_insert(
                to_insert, user=user, label=label, now=now, skip_stored=check_stored
            )
            if len(stored) != len(to_insert):
                # Another batch stored one of these ids between our check and our insert.
                # Start again: the check will see it.
                raise _LostRace()
        if changed:
            _items_status_write(changed)
        if transitions:
            # The outbox row is written with the event: stored together or not at all.
            webhooks.status_changes_enqueue(transitions)
            signals.item_status_changed.send(sender=Item, transitions=transitions)
        for p in to_insert:
            results[p.index] = EventResult(p.event_id, Outcome.ACCEPTED)
        for r in results:
            counts[r.result] += 1
        if to_insert:
            # One audit entry per call: the events themselves are the detailed record.
            touched = {p.item.pk for p in to_insert}
            _audit(
                actor,
                audit_action,
                None,
                after={**counts, "items": len(touched), "items_changed": len(changed)},
                office=to_insert[0].office,
                request=request,
                target_type="items.item",
                target_id=str(to_insert[0].item.pk) if len(touched) == 1 else "",
            )
    # Report each item's status after the batch on accepted and duplicate events.
    for p in pending:
        r = results[p.index]
        if r is not None and r.result != Outcome.REJECTED:
            item = items.get(p.number)
            r.status = item.status if item is not None else None
    return results
