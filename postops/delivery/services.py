"""Writes of delivery: run sheets, attempts with proof, the postman's action batch, handover.

Every function owns its transaction and writes its audit entry inside it. Tracking events go
through ``postops.items.services`` (``event_record``, ``events_ingest_batch``), so the item's
status moves only through the items transition table, in the same transaction as the
delivery record that caused it.

Actions from the postman's phone carry the phone's UUID (``event_id``) and the phone's
time; they may arrive late, twice or out of order (offline queue). An action whose
``event_id`` is already stored is answered ``duplicate`` and changes nothing; one that
cannot be stored is ``rejected`` with a reason code (:data:`REJECTION_TEXT`) and, for form
problems, a message per field.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from postops.accounts.roles import has_role
from postops.cod.services import CodError, cod_collection_record, cod_handover_confirm
from postops.core import s10
from postops.core.audit import audit_record
from postops.core.calendar import get_calendar
from postops.items import rules as item_rules
from postops.items.bag_selectors import DEPARTURE_EVENTS
from postops.items.models import CodeList, CodeListEntry, Item
from postops.items.return_rules import Cause, is_free_return
from postops.items.returns import decision_time, free_return_services, item_return_to_sender
from postops.items.services import EventRejected, Outcome, event_record, events_ingest_batch
from postops.network.models import Office
from postops.network.selectors import office_scope_ids

from . import rules
from .models import (
    CounterDelivery,
    DeliveryAttempt,
    EntryOutcome,
    Handover,
    HomePayoutAssignment,
    Route,
    RunSheet,
    RunSheetEntry,
)
from .rules import ASSIGNABLE_STATUSES
from .selectors import handover_figures

# Ids of the returns started at a handover: the same item on the same round, the same id.
_RETURN_NAMESPACE = uuid.UUID("0c7d3f5e-51a4-4b8e-9a57-2f8e4c1d6b30")
# A postman's batch: enough for a day's round, small enough for one request with photos.
MAX_BATCH_ACTIONS = 100
# Device clocks drift; the page corrects for the offset it measured, this is the slack left.
FUTURE_TOLERANCE = timedelta(minutes=10)

# Stable reason codes of rejected actions (for the phone; the message is shown to the user).
REJECTION_TEXT = {
    "invalid_action": gettext_lazy("Thao tác không hợp lệ."),
    "invalid_event_id": gettext_lazy("Mã thao tác không hợp lệ."),
    "invalid_form": gettext_lazy("Thông tin chưa đúng, xem từng mục."),
    "invalid_item_number": gettext_lazy("Số hiệu bưu gửi không hợp lệ."),
    "not_on_run_sheet": gettext_lazy("Bưu gửi không có trong bảng kê phát của bạn."),
    "run_sheet_closed": gettext_lazy("Bảng kê đã được xác nhận bàn giao; báo trưởng bưu cục."),
    "event_id_conflict": gettext_lazy("Mã thao tác đã dùng cho một thao tác khác."),
    "occurred_in_future": gettext_lazy("Giờ trên điện thoại sai (ở tương lai); chỉnh lại giờ máy."),
    "not_assigned": gettext_lazy("Người này không nằm trong danh sách chi tại nhà của bạn."),
    "invalid_transition": gettext_lazy(
        "Trạng thái bưu gửi không cho phép thao tác này (có thể đã phát)."
    ),
}


class ActionRejected(Exception):
    """An action that cannot be stored: ``reason`` (a :data:`REJECTION_TEXT` code) and, for
    form problems, ``details`` as ``{field: [messages]}``."""

    def __init__(self, reason: str, details: dict | None = None, message: str | None = None):
        self.reason = reason
        self.details = details or {}
        self.message = message or str(REJECTION_TEXT.get(reason, reason))
        super().__init__(self.message)


@dataclass
class ActionResult:
    event_id: str
    result: str  # accepted | duplicate | rejected
    reason: str | None = None
    message: str = ""
    details: dict = field(default_factory=dict)
    outcome: str | None = None  # delivered / retry / hold / return
    next_attempt_on: str | None = None

    def as_dict(self) -> dict:
        data: dict = {"event_id": self.event_id, "result": self.result}
        for key in ("reason", "outcome", "next_attempt_on"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        if self.message:
            data["message"] = self.message
        if self.details:
            data["details"] = self.details
        return data


# --- Settings -------------------------------------------------------------------------------


def _undeliverable_reasons() -> frozenset[str]:
    return frozenset(
        getattr(settings, "POSTOPS_DELIVERY_UNDELIVERABLE_REASONS", rules.UNDELIVERABLE_REASONS)
    )


def _action_outcomes() -> dict[str, rules.Outcome]:
    configured = getattr(settings, "POSTOPS_DELIVERY_ACTION_OUTCOMES", None)
    if configured is None:
        return dict(rules.ACTION_OUTCOMES)
    return {code: rules.Outcome(value) for code, value in configured.items()}


# --- Scope ----------------------------------------------------------------------------------


def _require_scope(actor, office: Office) -> None:
    if not office_scope_ids(actor).filter(pk=office.pk).exists():
        raise PermissionDenied(_("Bạn không có quyền thao tác tại đơn vị này."))


def _require_supervisor(actor, office: Office) -> None:
    if not (has_role(actor, "supervisor") or getattr(actor, "is_superuser", False)):
        raise PermissionDenied(_("Chỉ trưởng bưu cục được thực hiện việc này."))
    _require_scope(actor, office)


def postman_works_at(postman, office: Office) -> bool:
    """A postman may be put on a run sheet of ``office`` when it is in their scope."""
    return (
        postman is not None
        and postman.is_active
        and has_role(postman, "postman")
        and office_scope_ids(postman).filter(pk=office.pk).exists()
    )


# --- Run sheets -----------------------------------------------------------------------------


@dataclass
class AssignResult:
    run_sheet: RunSheet
    added: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # number → message


def run_sheet_assign(
    *, actor, office: Office, postman, numbers: list[str], request=None, now=None
) -> AssignResult:
    """Put items waiting at ``office`` on ``postman``'s run sheet for today (EDG event).

    Each item must be at the office (arrived, back after a failed attempt, or held), not
    on another round still open, and delivered by this office: an item whose delivery office
    (routing by commune, ``Item.destination_office``) is another one is refused, naming that
    office, since it travels on in a bag. An item with no delivery office (unrouted) is
    accepted: the supervisor who typed or scanned it has checked the address
    (:func:`postops.delivery.selectors.items_waiting_at_office`). The out-for-delivery events are recorded in one batch
    (``events_ingest_batch``), whose item locks make two supervisors assigning one item at
    the same time end with one run sheet entry: the second event does not fit the new
    status and is refused. Refusals are reported per number; the others are assigned.
    """
    _require_supervisor(actor, office)
    if not postman_works_at(postman, office):
        raise ValidationError({"postman": [_("Người này không phải bưu tá của bưu cục.")]})
    now = now or timezone.now()
    day = timezone.localdate(now)
    wanted = list(dict.fromkeys(n.strip().upper() for n in numbers if n.strip()))
    if not wanted:
        raise ValidationError({"numbers": [_("Chọn ít nhất một bưu gửi.")]})
    result = None
    with transaction.atomic():
        sheet, _created = RunSheet.objects.get_or_create(
            office=office, postman=postman, day=day, defaults={"created_by": actor}
        )
        sheet = RunSheet.objects.select_for_update().get(pk=sheet.pk)
        result = AssignResult(run_sheet=sheet)
        if sheet.status != RunSheet.Status.OPEN:
            raise ValidationError(
                {"postman": [_("Bảng kê hôm nay của bưu tá này đã bàn giao; không thêm được.")]}
            )
        items = {
            i.number: i
            for i in Item.objects.filter(number__in=wanted).select_related(
                "destination_office", "state"
            )
        }
        busy = set(
            RunSheetEntry.objects.open()
            .filter(item__number__in=wanted)
            .values_list("item__number", flat=True)
        )
        events = []
        for number in wanted:
            item = items.get(number)
            if item is None:
                result.refused[number] = _("Không có bưu gửi số hiệu này.")
            elif number in busy:
                result.refused[number] = _("Bưu gửi đang ở bảng kê khác chưa bàn giao.")
            elif item.last_office_id != office.pk or item.status not in ASSIGNABLE_STATUSES:
                result.refused[number] = _("Bưu gửi không nằm chờ phát tại bưu cục này.")
            elif item.destination_office_id not in (None, office.pk):
                destination = item.destination_office
                result.refused[number] = _(
                    "Bưu gửi do bưu cục %(office)s phát: chuyển tiếp bằng túi đến bưu cục đó, "
                    "không giao phát tại đây."
                ) % {"office": f"{destination.code} {destination.name}"}
            else:
                events.append(
                    {
                        "event_id": uuid.uuid4(),
                        "number": number,
                        "code": item_rules.Event.OUT_FOR_DELIVERY,
                        "office_code": office.code,
                        "occurred_at": now,
                    }
                )
        outcomes = events_ingest_batch(actor=actor, events=events, request=request)
        position = sheet.entries.count()
        entries = []
        for event, outcome in zip(events, outcomes, strict=True):
            if outcome.result != Outcome.ACCEPTED:
                result.refused[event["number"]] = _("Trạng thái bưu gửi không cho phép giao phát.")
                continue
            position += 1
            entries.append(
                RunSheetEntry(
                    run_sheet=sheet,
                    item=items[event["number"]],
                    position=position,
                    assigned_at=now,
                    assigned_by=actor,
                )
            )
            result.added.append(event["number"])
        RunSheetEntry.objects.bulk_create(entries)
        if entries:
            audit_record(
                actor,
                "delivery.run_sheet_assign",
                sheet,
                after={"postman": postman.pk, "items": result.added, "day": day.isoformat()},
                office=office,
                request=request,
            )
    return result


def items_for_route(route: Route) -> list[str]:
    """Numbers of the items waiting at the route's office for the route's communes that
    the office delivers, or that have no delivery office (the route names their commune:
    a post office's route often covers communes with no office of their own). Items another
    office delivers travel on in a bag instead."""
    return list(
        Item.objects.filter(
            Q(destination_office=route.office) | Q(destination_office__isnull=True),
            state__last_office=route.office,
            state__status__in=ASSIGNABLE_STATUSES,
            receiver_commune_code__in=route.commune_codes,
        )
        .exclude(run_sheet_entries__in=RunSheetEntry.objects.open())
        .order_by("receiver_commune_code", "number")
        .values_list("number", flat=True)
    )


def run_sheet_assign_route(*, actor, route: Route, postman=None, request=None, now=None):
    """Assign every item waiting for ``route`` to ``postman`` (the route's usual postman by
    default); see :func:`run_sheet_assign`."""
    postman = postman or route.default_postman
    if postman is None:
        raise ValidationError({"postman": [_("Chọn bưu tá cho tuyến.")]})
    numbers = items_for_route(route)
    if not numbers:
        raise ValidationError({"route": [_("Tuyến này không có bưu gửi chờ phát.")]})
    return run_sheet_assign(
        actor=actor,
        office=route.office,
        postman=postman,
        numbers=numbers,
        request=request,
        now=now,
    )


# --- Attempts -------------------------------------------------------------------------------


def _entry_for(postman, number: str, day) -> RunSheetEntry:
    """The postman's latest run sheet entry of the item up to ``day`` (local date)."""
    entry = (
        RunSheetEntry.objects.select_related("run_sheet__office", "item__state")
        .filter(run_sheet__postman=postman, item__number=number, run_sheet__day__lte=day)
        .order_by("-run_sheet__day", "-pk")
        .first()
    )
    if entry is None:
        raise ActionRejected("not_on_run_sheet")
    if entry.run_sheet.status == RunSheet.Status.CONFIRMED:
        raise ActionRejected("run_sheet_closed")
    return entry


def _replay(event_id: uuid.UUID, number: str, kind: str) -> ActionResult | None:
    previous = (
        DeliveryAttempt.objects.filter(event_id=event_id)
        .select_related("item")
        .only("item__number", "kind", "outcome", "next_attempt_on")
        .first()
    )
    if previous is None:
        return None
    if previous.item.number != number or previous.kind != kind:
        raise ActionRejected("event_id_conflict")
    return ActionResult(
        str(event_id),
        Outcome.DUPLICATE,
        outcome=previous.outcome,
        next_attempt_on=previous.next_attempt_on.isoformat() if previous.next_attempt_on else None,
    )


def _event_time(device_time: datetime, entry: RunSheetEntry) -> datetime:
    """The attempt's time in the tracking history.

    The phone's time, except that an attempt cannot have happened before the item went out
    on this round: a phone clock behind the server's would otherwise file the delivery
    before the out-for-delivery scan, where it leaves the status alone (a late event). The
    phone's own time is kept on the attempt (``device_time``).
    """
    if timezone.is_naive(device_time):
        raise ActionRejected("invalid_form", {"occurred_at": [_("Thiếu múi giờ.")]})
    if device_time > timezone.now() + FUTURE_TOLERANCE:
        raise ActionRejected("occurred_in_future")
    earliest = entry.assigned_at + timedelta(microseconds=1)
    return max(device_time, earliest)


def _id_digest(document: str, number: str) -> str:
    """A keyed hash (HMAC-SHA256 with the site secret) of the document shown: enough to
    confirm later that a given card was the one shown, useless to rebuild the number."""
    return salted_hmac(
        "postops.delivery.id_document", f"{document}:{number}", algorithm="sha256"
    ).hexdigest()


def _save_file(event_id: uuid.UUID, name: str, data: bytes, kind: str) -> str:
    ext = {"png": "png", "jpeg": "jpg", "webp": "webp"}[kind]
    today = timezone.localdate()
    path = f"delivery/proof/{today:%Y/%m}/{event_id}-{name}.{ext}"
    return default_storage.save(path, ContentFile(data))


def _check_image(data: bytes | None, *, field_name: str, max_bytes: int, kinds: set[str]):
    if data is None:
        return None, None
    kind = rules.image_kind(data)
    if kind not in kinds:
        return None, {field_name: [_("Tệp không phải ảnh hợp lệ.")]}
    if len(data) > max_bytes:
        return None, {
            field_name: [_("Ảnh quá lớn (tối đa %(kb)d KB).") % {"kb": max_bytes // 1000}]
        }
    return kind, None


def _record_event(actor, entry, *, code, occurred_at, event_id, request, **extra):
    try:
        result = event_record(
            actor=actor,
            item=entry.item,
            code=code,
            office=entry.run_sheet.office,
            occurred_at=occurred_at,
            event_id=event_id,
            request=request,
            **extra,
        )
    except EventRejected as exc:
        reason = exc.reason if exc.reason in REJECTION_TEXT else "invalid_transition"
        raise ActionRejected(reason) from None
    if result.result != Outcome.ACCEPTED:
        # The tracking event exists without a delivery record: the id came from elsewhere.
        raise ActionRejected("event_id_conflict")


def delivery_record(
    *,
    actor,
    event_id: uuid.UUID,
    number: str,
    device_time: datetime,
    recipient_name: str,
    relation: str,
    signature: bytes | None,
    id_document: str = "",
    id_number: str = "",
    cod_collected: int | None = None,
    photo: bytes | None = None,
    note: str = "",
    authorisation_number: str = "",
    authorisation_date=None,
    request=None,
) -> ActionResult:
    """Record a delivery with its proof (EMI), from the postman's phone.

    An administrative result handed to a proxy also needs the written authorisation's
    number and date (:func:`rules.authorisation_problem`, Decision 45/2016 Art. 10); the
    proxy's own ID is the one checked.

    Proof (issue #3 item 9): the recipient's name and relation to the receiver, a signature
    drawn on the screen (PNG, stored as a file), an optional photo. For registered, insured,
    dossier and COD items (:func:`rules.id_check_required`) the recipient's ID document is
    checked (:func:`rules.document_problem`) and kept only masked plus a keyed hash. The
    cash collected must be the item's COD amount exactly (:func:`rules.cod_problem`).
    Raises :class:`ActionRejected`; a replayed ``event_id`` answers ``duplicate``.
    """
    replay = _replay(event_id, number, DeliveryAttempt.Kind.DELIVERED)
    if replay:
        return replay
    entry = _entry_for(actor, number, timezone.localdate(device_time))
    item = entry.item
    if item.status in item_rules.TERMINAL:
        # Already delivered (or returned…): say so before asking to fix the form.
        raise ActionRejected("invalid_transition")
    checked = _recipient_checked(
        item, recipient_name, relation, id_document, id_number, cod_collected, cod_due=True
    )
    errors = checked.errors
    recipient_name, id_document = checked.name, checked.id_document
    id_masked, id_digest = checked.id_masked, checked.id_digest
    authorisation_number = " ".join((authorisation_number or "").split())
    problem = rules.authorisation_problem(
        item.service,
        relation,
        authorisation_number,
        authorisation_date,
        timezone.localdate(),
    )
    if problem == "authorisation_missing":
        errors["authorisation_number"] = [
            _("Người nhận thay phải xuất trình giấy ủy quyền: nhập số và ngày giấy ủy quyền.")
        ]
    elif problem == "authorisation_future":
        errors["authorisation_date"] = [_("Ngày giấy ủy quyền không được ở tương lai.")]
    if not signature:
        errors["signature"] = [_("Người nhận hàng cần ký trên màn hình.")]
    sig_kind, problem = _check_image(
        signature or None,
        field_name="signature",
        max_bytes=rules.MAX_SIGNATURE_BYTES,
        kinds={"png"},
    )
    if problem:
        errors.update(problem)
    photo_kind, problem = _check_image(
        photo or None,
        field_name="photo",
        max_bytes=rules.MAX_PHOTO_BYTES,
        kinds={"png", "jpeg", "webp"},
    )
    if problem:
        errors.update(problem)
    if errors:
        raise ActionRejected("invalid_form", errors)
    occurred_at = _event_time(device_time, entry)

    saved: list[str] = []
    try:
        signature_name = _save_file(event_id, "signature", signature, sig_kind)
        saved.append(signature_name)
        photo_name = ""
        if photo:
            photo_name = _save_file(event_id, "photo", photo, photo_kind)
            saved.append(photo_name)
        with transaction.atomic():
            _record_event(
                actor,
                entry,
                code=item_rules.Event.DELIVERED,
                occurred_at=occurred_at,
                event_id=event_id,
                request=request,
                note=note[:255],
            )
            attempt = DeliveryAttempt(
                event_id=event_id,
                entry=entry,
                item=item,
                office=entry.run_sheet.office,
                postman=actor,
                kind=DeliveryAttempt.Kind.DELIVERED,
                occurred_at=occurred_at,
                device_time=device_time,
                recipient_name=recipient_name[:150],
                relation=relation,
                id_document=id_document,
                id_number_masked=id_masked,
                id_number_digest=id_digest,
                signature=signature_name,
                photo=photo_name,
                cod_collected=item.cod_amount if item.cod_amount else 0,
                outcome=EntryOutcome.DELIVERED,
                note=note[:255],
            )
            attempt.save()
            if item.cod_amount:
                # The COD ledger takes the money on to the sender (postops.cod).
                try:
                    cod_collection_record(
                        item,
                        item.cod_amount,
                        actor,
                        occurred_at,
                        event_id,
                        office=entry.run_sheet.office,
                        request=request,
                    )
                except CodError as exc:
                    raise ActionRejected("invalid_form", {"cod_collected": [exc.message]}) from None
            RunSheetEntry.objects.filter(pk=entry.pk).update(outcome=EntryOutcome.DELIVERED)
            if item.service in rules.AUTHORISATION_SERVICES:
                from postops.dossiers.returns import dossier_delivery_proof

                dossier_delivery_proof(
                    item,
                    relation=relation,
                    authorisation_number=authorisation_number,
                    authorisation_date=authorisation_date,
                )
            audit_record(
                actor,
                "delivery.deliver",
                attempt,
                after={
                    "number": item.number,
                    "relation": relation,
                    "id_document": attempt.id_document,
                    "cod_collected": attempt.cod_collected,
                    "photo": bool(photo_name),
                    "occurred_at": occurred_at,
                    "device_time": device_time,
                },
                office=entry.run_sheet.office,
                request=request,
            )
    except BaseException:
        for name in saved:
            default_storage.delete(name)
        raise
    return ActionResult(str(event_id), Outcome.ACCEPTED, outcome=EntryOutcome.DELIVERED)


@dataclass
class _Recipient:
    """The recipient's details as checked: field errors, the name tidied, and the ID
    document kept as little as the check needs (type, masked number, keyed hash)."""

    errors: dict[str, list[str]]
    name: str
    id_document: str = ""
    id_masked: str = ""
    id_digest: str = ""


def _recipient_checked(
    item, name, relation, id_document, id_number, cod_collected, *, cod_due: bool
) -> _Recipient:
    """Check who takes ``item`` (at the door or at the counter): a name, the relation to the
    receiver, the ID document for registered, insured, dossier and COD items
    (:func:`rules.id_check_required`) and, when ``cod_due``, the COD amount collected, which
    must be the item's exactly (:func:`rules.cod_problem`). An item going back to its sender
    collects nothing (``cod_due=False``: refused or failed items return without collection)."""
    errors: dict[str, list[str]] = {}
    checked = _Recipient(errors, " ".join((name or "").split()))
    if not checked.name:
        errors["recipient_name"] = [_("Nhập họ tên người nhận hàng.")]
    if relation not in {r.value for r in rules.Relation}:
        errors["relation"] = [_("Chọn quan hệ của người nhận hàng với người nhận.")]
    cod_amount = item.cod_amount if cod_due else 0
    if rules.id_check_required(item.service, cod_amount):
        problem = rules.document_problem(id_document, id_number)
        if problem == "unknown_document":
            errors["id_document"] = [_("Chọn loại giấy tờ người nhận xuất trình.")]
        elif problem == "missing":
            errors["id_number"] = [_("Bưu gửi này phải kiểm tra giấy tờ: nhập số giấy tờ.")]
        elif problem == "passport_format":
            errors["id_number"] = [_("Số hộ chiếu gồm 1 chữ cái và 7 chữ số.")]
        elif problem:
            errors["id_number"] = [_("Số định danh cá nhân không hợp lệ (12 chữ số).")]
        else:
            normalised = rules.normalise_document_number(id_number)
            checked.id_document = id_document
            checked.id_masked = rules.mask_document(id_document, normalised)
            checked.id_digest = _id_digest(id_document, normalised)
    cod = rules.cod_problem(cod_amount, cod_collected)
    if cod == "cod_missing":
        errors["cod_collected"] = [_("Nhập số tiền thu hộ đã thu.")]
    elif cod == "cod_mismatch":
        errors["cod_collected"] = [
            _("Số tiền thu phải đúng %(amount)s đồng.")
            % {"amount": f"{item.cod_amount:,}".replace(",", ".")}
        ]
    elif cod == "cod_not_due":
        errors["cod_collected"] = [
            _("Bưu gửi này không có tiền thu hộ.")
            if cod_due
            else _("Bưu gửi chuyển hoàn không thu tiền thu hộ của người gửi.")
        ]
    return checked


def _active_code(list_name: str, code: str) -> bool:
    return CodeListEntry.objects.filter(list=list_name, code=code, is_active=True).exists()


def delivery_fail(
    *,
    actor,
    event_id: uuid.UUID,
    number: str,
    device_time: datetime,
    reason_code: str,
    action_code: str,
    note: str = "",
    request=None,
) -> ActionResult:
    """Record a failed attempt (EMH) with a reason and an action from the code lists.

    What follows is decided by :func:`rules.decide_failed_attempt` (Postal Law 49/2010: two
    invitations two working days apart): the next attempt's date, or the item is to be
    held at the office or returned. The item goes back to the office with the postman; the
    hold (EDF) is recorded when the supervisor confirms the handover.
    """
    replay = _replay(event_id, number, DeliveryAttempt.Kind.FAILED)
    if replay:
        return replay
    entry = _entry_for(actor, number, timezone.localdate(device_time))
    item = entry.item
    errors: dict[str, list[str]] = {}
    if not reason_code or not _active_code(CodeList.REASON, reason_code):
        errors["reason_code"] = [_("Chọn lý do phát không thành công.")]
    if not action_code or not _active_code(CodeList.ACTION, action_code):
        errors["action_code"] = [_("Chọn biện pháp xử lý.")]
    if errors:
        raise ActionRejected("invalid_form", errors)
    occurred_at = _event_time(device_time, entry)
    with transaction.atomic():
        # Lock the item first: two attempts of one item are decided one after the other.
        Item.objects.select_for_update().filter(pk=item.pk).first()
        earlier = [
            timezone.localdate(t)
            for t in DeliveryAttempt.objects.filter(
                item=item,
                office=entry.run_sheet.office,
                kind=DeliveryAttempt.Kind.FAILED,
                invitation__isnull=False,
                occurred_at__lt=occurred_at,
            ).values_list("occurred_at", flat=True)
        ]
        decision = rules.decide_failed_attempt(
            day=timezone.localdate(occurred_at),
            earlier_invitations=earlier,
            reason_code=reason_code,
            action_code=action_code,
            service=item.service,
            calendar=get_calendar(),
            undeliverable_reasons=_undeliverable_reasons(),
            action_outcomes=_action_outcomes(),
        )
        _record_event(
            actor,
            entry,
            code=item_rules.Event.DELIVERY_FAILED,
            occurred_at=occurred_at,
            event_id=event_id,
            request=request,
            reason_code=reason_code,
            action_code=action_code,
            note=note[:255],
        )
        attempt = DeliveryAttempt(
            event_id=event_id,
            entry=entry,
            item=item,
            office=entry.run_sheet.office,
            postman=actor,
            kind=DeliveryAttempt.Kind.FAILED,
            occurred_at=occurred_at,
            device_time=device_time,
            reason_code=reason_code,
            action_code=action_code,
            outcome=decision.outcome.value,
            invitation=decision.invitation,
            next_attempt_on=decision.next_attempt_on,
            grounds=decision.grounds,
            note=note[:255],
        )
        attempt.save()
        # A later delivery on the same round wins over an earlier failure.
        RunSheetEntry.objects.filter(pk=entry.pk).exclude(outcome=EntryOutcome.DELIVERED).update(
            outcome=decision.outcome.value
        )
        audit_record(
            actor,
            "delivery.fail",
            attempt,
            after={
                "number": item.number,
                "reason_code": reason_code,
                "action_code": action_code,
                "outcome": decision.outcome.value,
                "invitation": decision.invitation,
                "next_attempt_on": decision.next_attempt_on,
                "grounds": decision.grounds,
                "occurred_at": occurred_at,
            },
            office=entry.run_sheet.office,
            request=request,
        )
    return ActionResult(
        str(event_id),
        Outcome.ACCEPTED,
        outcome=decision.outcome.value,
        next_attempt_on=decision.next_attempt_on.isoformat() if decision.next_attempt_on else None,
    )


# --- The phone's batch ----------------------------------------------------------------------


def _parse_time(value) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _parse_date(value):
    """An ISO date from the phone (``YYYY-MM-DD``), or ``None`` when absent or malformed
    (then the authorisation check asks for it)."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _parse_amount(value) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    text = str(value).replace(".", "").replace(" ", "").replace("\u00a0", "")
    if not text.isdigit():
        raise ValueError
    return int(text)


def delivery_action_apply(*, actor, action: dict, files: dict, request=None) -> ActionResult:
    """One action from the phone's queue: ``{"event_id", "kind": "deliver"|"fail",
    "number", "occurred_at", …}`` with its files (``signature``, ``photo``: bytes)."""
    try:
        event_id = uuid.UUID(str(action.get("event_id")))
    except (TypeError, ValueError, AttributeError):
        raise ActionRejected("invalid_event_id") from None
    kind = action.get("kind")
    number = s10.normalize(str(action.get("number") or ""))
    if not s10.is_valid(number):
        raise ActionRejected("invalid_item_number")
    device_time = _parse_time(action.get("occurred_at"))
    if device_time is None or timezone.is_naive(device_time):
        raise ActionRejected("invalid_form", {"occurred_at": [_("Thời điểm không hợp lệ.")]})
    note = str(action.get("note") or "")
    if kind == "deliver":
        try:
            cod = _parse_amount(action.get("cod_collected"))
        except ValueError:
            raise ActionRejected(
                "invalid_form", {"cod_collected": [_("Số tiền là số đồng nguyên.")]}
            ) from None
        return delivery_record(
            actor=actor,
            event_id=event_id,
            number=number,
            device_time=device_time,
            recipient_name=str(action.get("recipient_name") or ""),
            relation=str(action.get("relation") or ""),
            id_document=str(action.get("id_document") or ""),
            id_number=str(action.get("id_number") or ""),
            cod_collected=cod,
            signature=files.get("signature"),
            photo=files.get("photo"),
            note=note,
            authorisation_number=str(action.get("authorisation_number") or ""),
            authorisation_date=_parse_date(action.get("authorisation_date")),
            request=request,
        )
    if kind == "fail":
        return delivery_fail(
            actor=actor,
            event_id=event_id,
            number=number,
            device_time=device_time,
            reason_code=str(action.get("reason_code") or ""),
            action_code=str(action.get("action_code") or ""),
            note=note,
            request=request,
        )
    raise ActionRejected("invalid_action")


def delivery_actions_ingest(
    *, actor, actions: list, files: dict[str, dict[str, bytes]], request=None
) -> list[ActionResult]:
    """Apply the phone's queued actions in order; one result per action.

    Same answers as the scanners' batch (``events_ingest_batch``): ``accepted``,
    ``duplicate`` (this ``event_id`` was stored before: a resent batch changes nothing) or
    ``rejected`` with a reason. Each action is its own transaction, so one bad action never
    holds back the others. ``files`` maps an ``event_id`` to its files.
    """
    if not isinstance(actions, list) or len(actions) > MAX_BATCH_ACTIONS:
        raise ValidationError(
            {"actions": [_("Tối đa %(max)d thao tác mỗi lần gửi.") % {"max": MAX_BATCH_ACTIONS}]}
        )
    results = []
    for action in actions:
        event_id = str(action.get("event_id") if isinstance(action, dict) else "")
        try:
            if not isinstance(action, dict):
                raise ActionRejected("invalid_action")
            results.append(
                delivery_action_apply(
                    actor=actor, action=action, files=files.get(event_id, {}), request=request
                )
            )
        except ActionRejected as exc:
            results.append(
                ActionResult(
                    event_id, Outcome.REJECTED, exc.reason, message=exc.message, details=exc.details
                )
            )
    return results


def actions_from_request_data(raw: str) -> list:
    """The ``actions`` form field of a sync request: a JSON list (``[]`` when unreadable)."""
    try:
        data = json.loads(raw or "[]")
    except ValueError:
        return []
    return data if isinstance(data, list) else []


# --- End of the day -------------------------------------------------------------------------


def handover_submit(*, actor, run_sheet: RunSheet, declared_cash: int, request=None) -> RunSheet:
    """The postman hands back the undelivered items and the cash and says how much.

    Compare-and-set from ``open`` to ``submitted``; the supervisor then counts and confirms.
    """
    if run_sheet.postman_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Đây không phải bảng kê của bạn."))
    if not isinstance(declared_cash, int) or isinstance(declared_cash, bool) or declared_cash < 0:
        raise ValidationError({"declared_cash": [_("Số tiền là số đồng nguyên, không âm.")]})
    now = timezone.now()
    with transaction.atomic():
        moved = RunSheet.objects.filter(pk=run_sheet.pk, status=RunSheet.Status.OPEN).update(
            status=RunSheet.Status.SUBMITTED, submitted_at=now, declared_cash=declared_cash
        )
        if not moved:
            raise ValidationError({"declared_cash": [_("Bảng kê này đã bàn giao rồi.")]})
        audit_record(
            actor,
            "delivery.handover_submit",
            run_sheet,
            before={"status": RunSheet.Status.OPEN},
            after={"status": RunSheet.Status.SUBMITTED, "declared_cash": declared_cash},
            office=run_sheet.office,
            request=request,
        )
    run_sheet.refresh_from_db()
    return run_sheet


def handover_confirm(
    *,
    actor,
    run_sheet: RunSheet,
    returned_numbers: list[str],
    counted_cash: int,
    variance_reason: str = "",
    request=None,
    now=None,
) -> Handover:
    """The supervisor counts what came back and confirms: the round's deliveries are final.

    ``returned_numbers`` are the undelivered items physically handed back (any other number
    is an error); ``counted_cash`` the COD cash counted, in đồng. A difference from what the
    records expect (:func:`rules.handover_variance`) needs ``variance_reason``. The postman
    cannot confirm their own round. Items handed back that are not out for another attempt
    are recorded held at the office (EDF): never attempted, or to be held or returned.
    Compare-and-set on the run sheet's status: a second confirmation is refused.
    """
    _require_supervisor(actor, run_sheet.office)
    if run_sheet.postman_id == actor.pk:
        raise PermissionDenied(_("Bưu tá không tự xác nhận bàn giao của mình."))
    errors: dict[str, list[str]] = {}
    if not isinstance(counted_cash, int) or isinstance(counted_cash, bool) or counted_cash < 0:
        errors["counted_cash"] = [_("Số tiền là số đồng nguyên, không âm.")]
    reason = (variance_reason or "").strip()
    now = now or timezone.now()
    with transaction.atomic():
        sheet = RunSheet.objects.select_for_update().get(pk=run_sheet.pk)
        if sheet.status == RunSheet.Status.CONFIRMED:
            raise ValidationError({"__all__": [_("Bảng kê này đã được xác nhận.")]})
        figures = handover_figures(sheet)
        expected = {e.item.number: e for e in figures.undelivered}
        returned = list(dict.fromkeys(n.strip().upper() for n in returned_numbers if n.strip()))
        unknown = [n for n in returned if n not in expected]
        if unknown:
            errors["returned"] = [
                _("Không thuộc các bưu gửi phải trả lại: %(numbers)s")
                % {"numbers": ", ".join(unknown)}
            ]
        if errors:
            raise ValidationError(errors)
        variance = rules.handover_variance(
            expected_items=figures.expected_items,
            returned_items=len(returned),
            expected_cash=figures.expected_cash,
            counted_cash=counted_cash,
        )
        if variance.any and not reason:
            raise ValidationError(
                {"variance_reason": [_("Có chênh lệch: phải ghi lý do trước khi xác nhận.")]}
            )
        moved = RunSheet.objects.filter(
            pk=sheet.pk, status__in=[RunSheet.Status.OPEN, RunSheet.Status.SUBMITTED]
        ).update(status=RunSheet.Status.CONFIRMED)
        if not moved:
            raise ValidationError({"__all__": [_("Bảng kê này đã được xác nhận.")]})
        handover = Handover(
            run_sheet=sheet,
            expected_items=figures.expected_items,
            returned_items=len(returned),
            missing_numbers=[n for n in expected if n not in returned],
            expected_cash=figures.expected_cash,
            declared_cash=sheet.declared_cash,
            counted_cash=counted_cash,
            items_variance=variance.items,
            cash_variance=variance.cash,
            variance_reason=reason if variance.any else "",
            confirmed_by=actor,
            confirmed_at=now,
        )
        handover.save()
        cod_numbers = list(
            DeliveryAttempt.objects.filter(
                entry__run_sheet=sheet, kind=DeliveryAttempt.Kind.DELIVERED, cod_collected__gt=0
            ).values_list("item__number", flat=True)
        )
        if cod_numbers:
            # The cash moves to the office in the COD ledger, with the same count.
            try:
                cod_handover_confirm(
                    actor=actor,
                    office=sheet.office,
                    postman=sheet.postman,
                    reference=f"delivery-run-sheet-{sheet.pk}",
                    counted_amount=counted_cash,
                    numbers=cod_numbers,
                    variance_reason=reason[:255],
                    confirmed_at=now,
                    request=request,
                )
            except CodError as exc:
                raise ValidationError({exc.field or "counted_cash": [exc.message]}) from None
        to_hold = [n for n in returned if expected[n].outcome != EntryOutcome.RETRY]
        if to_hold:
            events_ingest_batch(
                actor=actor,
                events=[
                    {
                        "event_id": uuid.uuid4(),
                        "number": n,
                        "code": item_rules.Event.HELD,
                        "office_code": sheet.office.code,
                        "occurred_at": now,
                        "note": str(expected[n].outcome),
                    }
                    for n in to_hold
                ],
                request=request,
            )
        auto_returned = []
        for number in returned:
            entry = expected[number]
            if entry.outcome == EntryOutcome.RETURN and is_free_return(
                Cause.UNDELIVERABLE, entry.item.service, entry.item.weight_g, free_return_services()
            ):
                # Postal Law 49/2010: an undeliverable basic letter goes back on its own,
                # free; other returns need the sender's agreement (postops.items.returns).
                item_return_to_sender(
                    actor=actor,
                    item=entry.item,
                    office=sheet.office,
                    cause=Cause.UNDELIVERABLE,
                    occurred_at=now,
                    event_id=uuid.uuid5(_RETURN_NAMESPACE, f"{sheet.pk}:{entry.item.pk}"),
                    request=request,
                )
                auto_returned.append(number)
        audit_record(
            actor,
            "delivery.handover_confirm",
            sheet,
            before={"status": sheet.status},
            after={
                "status": RunSheet.Status.CONFIRMED,
                "delivered": figures.delivered,
                "expected_items": figures.expected_items,
                "returned_items": len(returned),
                "expected_cash": figures.expected_cash,
                "counted_cash": counted_cash,
                "items_variance": variance.items,
                "cash_variance": variance.cash,
                "returned_to_sender": auto_returned,
            },
            office=sheet.office,
            request=request,
        )
    run_sheet.refresh_from_db()
    return handover


def route_save(
    *,
    actor,
    office: Office,
    code: str,
    name: str,
    commune_codes: list[str],
    default_postman=None,
    route: Route | None = None,
    request=None,
) -> Route:
    """Create or change a delivery route of ``office`` (supervisors, in scope)."""
    _require_supervisor(actor, office)
    codes = sorted({c.strip() for c in commune_codes if c.strip()})
    bad = [c for c in codes if not (len(c) == 5 and c.isdigit())]
    if bad:
        raise ValidationError({"commune_codes": [_("Mã xã/phường gồm 5 chữ số.")]})
    if default_postman is not None and not postman_works_at(default_postman, office):
        raise ValidationError({"default_postman": [_("Người này không phải bưu tá của bưu cục.")]})
    with transaction.atomic():
        before = {}
        if route is None:
            route = Route(office=office)
        else:
            before = {"code": route.code, "name": route.name, "communes": route.commune_codes}
        route.code = code.strip()
        route.name = name.strip()
        route.commune_codes = codes
        route.default_postman = default_postman
        route.full_clean()
        route.save()
        audit_record(
            actor,
            "delivery.route_save",
            route,
            before=before,
            after={"code": route.code, "name": route.name, "communes": codes},
            office=office,
            request=request,
        )
    return route


# --- Home payouts (issue #5 item 7) ------------------------------------------------------------

# Staff who pay at home on their round: postmen, payout tellers, BĐVHX attendants.
HOME_PAYOUT_ROLES = ("postman", "teller", "bdvhx")


def home_payout_assign(*, actor, line_ids: list[int], staff, request=None, now=None) -> list[int]:
    """Give home-payout lines to ``staff``; returns the ids assigned (or re-assigned).

    A line qualifies when it is marked for payment at home, its period is paying, it is not
    paid yet, and its payout point is in the scope of both the supervisor and the staff
    member. Others are skipped.
    """
    from postops.payouts import rules as payout_rules
    from postops.payouts.models import Payout, PayrollLine

    if not (has_role(actor, "supervisor") or getattr(actor, "is_superuser", False)):
        raise PermissionDenied(_("Chỉ trưởng bưu cục được thực hiện việc này."))
    if staff is None or not staff.is_active or not has_role(staff, *HOME_PAYOUT_ROLES):
        raise ValidationError({"staff": [_("Người này không đi chi trả tại nhà được.")]})
    now = now or timezone.now()
    lines = list(
        PayrollLine.objects.filter(
            pk__in=line_ids,
            home_payout=True,
            period__status=payout_rules.PAYING,
            payout_point_id__in=office_scope_ids(actor),
        )
        .filter(payout_point_id__in=office_scope_ids(staff))
        .exclude(pk__in=Payout.objects.values("line_id"))
        .order_by("pk")
    )
    if not lines:
        raise ValidationError({"lines": [_("Không có người nào hợp lệ để giao.")]})
    with transaction.atomic():
        for line in lines:
            HomePayoutAssignment.objects.update_or_create(
                line=line,
                defaults={"staff": staff, "assigned_by": actor, "assigned_at": now},
            )
        audit_record(
            actor,
            "delivery.home_payout_assign",
            None,
            after={"staff": staff.pk, "lines": [line.pk for line in lines]},
            request=request,
            target_type="payouts.payrollline",
        )
    return [line.pk for line in lines]


def home_payout_apply(*, actor, action: dict, request=None) -> ActionResult:
    """One home payment from the phone: ``{"event_id", "occurred_at", "line_id",
    "receiver": "self"|"proxy", "proxy_id", "id_document_type", "id_document_number"}``.

    The checks are those of ``payouts.services.payout_record`` (identity against the
    record, a valid certified authorisation for a proxy, exactly one payout per line), with
    the phone's UUID as the idempotency key: a resend answers ``duplicate``.
    """
    from postops.payouts.errors import PayoutsError
    from postops.payouts.services import payout_record

    try:
        event_id = uuid.UUID(str(action.get("event_id")))
    except (TypeError, ValueError, AttributeError):
        raise ActionRejected("invalid_event_id") from None
    paid_at = _parse_time(action.get("occurred_at"))
    if paid_at is None or timezone.is_naive(paid_at):
        raise ActionRejected("invalid_form", {"occurred_at": [_("Thời điểm không hợp lệ.")]})
    try:
        line_id = int(action.get("line_id"))
    except (TypeError, ValueError):
        raise ActionRejected("invalid_action") from None
    assignment = HomePayoutAssignment.objects.filter(line_id=line_id).first()
    if assignment is None or assignment.staff_id != actor.pk:
        raise ActionRejected("not_assigned")
    receiver = str(action.get("receiver") or "")
    proxy_id = action.get("proxy_id") or None
    try:
        proxy_id = int(proxy_id) if proxy_id is not None else None
    except (TypeError, ValueError):
        raise ActionRejected("invalid_action") from None
    try:
        _payout, created = payout_record(
            actor,
            line_id=line_id,
            idempotency_key=str(event_id),
            receiver=receiver,
            proxy_id=proxy_id,
            id_document_type=str(action.get("id_document_type") or ""),
            id_document_number=str(action.get("id_document_number") or ""),
            paid_at=paid_at,
            request=request,
        )
    except PayoutsError as exc:
        raise ActionRejected(exc.code, message=exc.message) from None
    return ActionResult(str(event_id), Outcome.ACCEPTED if created else Outcome.DUPLICATE)


def home_payout_actions_ingest(*, actor, actions: list, request=None) -> list[ActionResult]:
    """The phone's queued home payments, in order; one result per action (see
    :func:`delivery_actions_ingest`)."""
    if not isinstance(actions, list) or len(actions) > MAX_BATCH_ACTIONS:
        raise ValidationError(
            {"actions": [_("Tối đa %(max)d thao tác mỗi lần gửi.") % {"max": MAX_BATCH_ACTIONS}]}
        )
    results = []
    for action in actions:
        event_id = str(action.get("event_id") if isinstance(action, dict) else "")
        try:
            if not isinstance(action, dict) or action.get("kind") != "home_payout":
                raise ActionRejected("invalid_action")
            results.append(home_payout_apply(actor=actor, action=action, request=request))
        except ActionRejected as exc:
            results.append(
                ActionResult(
                    event_id, Outcome.REJECTED, exc.reason, message=exc.message, details=exc.details
                )
            )
    return results


# --- At the counter -----------------------------------------------------------------------------

# The receiver may collect an item at the counter of the office that has it once it arrived
# there: told it came, invited after failed attempts, held, or waiting at a pick-up point.
COUNTER_RECEIVER_STATUSES = frozenset(
    {
        item_rules.Status.AT_DELIVERY_OFFICE,
        item_rules.Status.DELIVERY_FAILED,
        item_rules.Status.HELD,
        item_rules.Status.AWAITING_PICKUP,
    }
)


def counter_delivery_kind(item: Item, office: Office) -> str | None:
    """What the counter of ``office`` may hand over of ``item``: to its receiver, back to its
    sender, or nothing (``None``).

    The item must be at the office (its latest event there, not a departure). Back to the
    sender: an item being returned (chuyển hoàn), at the office that accepted it, where the
    sender handed it in. To the receiver: an item in :data:`COUNTER_RECEIVER_STATUSES`;
    not a dossier result, whose proxy rules and record the dossier pages keep.
    """
    if item.last_office_id != office.pk or item.last_event_code in DEPARTURE_EVENTS:
        return None
    if item.status == item_rules.Status.RETURNING:
        return CounterDelivery.Kind.SENDER if item.origin_office_id == office.pk else None
    if (
        item.status in COUNTER_RECEIVER_STATUSES
        and item.service not in rules.AUTHORISATION_SERVICES
    ):
        return CounterDelivery.Kind.RECEIVER
    return None


def counter_cod_due(item: Item, kind: str) -> int:
    """The COD the counter collects: the item's amount from its receiver, nothing from a
    sender taking a returned item back (refused or failed items return without it)."""
    return item.cod_amount if kind == CounterDelivery.Kind.RECEIVER else 0


def counter_delivery_record(
    *,
    actor,
    item: Item,
    office: Office,
    event_id: uuid.UUID,
    recipient_name: str,
    relation: str,
    id_document: str = "",
    id_number: str = "",
    cod_collected: int | None = None,
    note: str = "",
    request=None,
) -> CounterDelivery:
    """Hand ``item`` over at the counter of ``office`` (:class:`CounterDelivery`): to its
    receiver, who pays the COD, or back to its sender, who pays nothing
    (:func:`counter_delivery_kind` decides which). Records the EMI event (the item becomes
    ``delivered`` or ``returned``), the COD collected into the office's cash (held by the
    clerk, handed over like a postman's: ``postops.cod``) and an audit entry, together.

    The recipient is checked as at the door (:func:`_recipient_checked`: name, relation, ID
    document for registered, insured and COD items, the exact COD amount). Not while the
    item is on a postman's round still open. Idempotent: the page's ``event_id`` sent again
    returns the first record. Raises ``ValidationError`` (``{field: [messages]}`` for the
    form) or ``PermissionDenied`` (an office outside the clerk's scope).
    """
    previous = CounterDelivery.objects.filter(event_id=event_id).first()
    if previous is not None:
        if previous.item_id != item.pk:
            raise ValidationError(_("Mã thao tác này đã dùng cho bưu gửi khác."), code="conflict")
        return previous
    _require_scope(actor, office)
    kind = counter_delivery_kind(item, office)
    if kind is None:
        raise ValidationError(
            _("Bưu gửi không chờ giao tại quầy của bưu cục này (trạng thái: %(status)s).")
            % {"status": item.get_status_display()},
            code="invalid_transition",
        )
    if RunSheetEntry.objects.open().filter(item=item).exists():
        raise ValidationError(
            _("Bưu gửi đang ở bảng kê của bưu tá chưa bàn giao: nhận lại từ bưu tá trước."),
            code="on_round",
        )
    checked = _recipient_checked(
        item,
        recipient_name,
        relation,
        id_document,
        id_number,
        cod_collected,
        cod_due=kind == CounterDelivery.Kind.RECEIVER,
    )
    if checked.errors:
        raise ValidationError(checked.errors)
    occurred_at = decision_time(item)  # never before the item's latest event
    cod = counter_cod_due(item, kind)
    try:
        with transaction.atomic():
            result = event_record(
                actor=actor,
                item=item,
                code=item_rules.Event.DELIVERED,
                office=office,
                occurred_at=occurred_at,
                event_id=event_id,
                note=note[:255],
                request=request,
            )
            if result.result != Outcome.ACCEPTED:
                raise IntegrityError("event id already stored")  # the other submit won
            record = CounterDelivery.objects.create(
                event_id=event_id,
                item=item,
                office=office,
                clerk=actor,
                kind=kind,
                occurred_at=occurred_at,
                recipient_name=checked.name[:150],
                relation=relation,
                id_document=checked.id_document,
                id_number_masked=checked.id_masked,
                id_number_digest=checked.id_digest,
                cod_collected=cod,
                note=note[:255],
            )
            if cod:
                try:
                    cod_collection_record(
                        item, cod, actor, occurred_at, event_id, office=office, request=request
                    )
                except CodError as exc:
                    raise ValidationError({"cod_collected": [exc.message]}) from None
            audit_record(
                actor,
                "delivery.counter_deliver",
                record,
                after={
                    "number": item.number,
                    "kind": kind,
                    "relation": relation,
                    "id_document": record.id_document,
                    "cod_collected": cod,
                },
                office=office,
                request=request,
            )
    except EventRejected as exc:
        raise ValidationError(
            _("Trạng thái bưu gửi vừa thay đổi; tải lại trang và thử lại."),
            code=exc.result.reason or "invalid_transition",
        ) from None
    except IntegrityError:
        # Two submits of the same form at once: the first one stored it.
        previous = CounterDelivery.objects.filter(event_id=event_id, item=item).first()
        if previous is None:
            raise
        return previous
    return record
