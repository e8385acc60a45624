"""Writes of the result-return leg: collection at the agency, delivery, return to the agency.

Decision 45/2016/QĐ-TTg Art. 9–10 and Circular 17/2017/TT-BTTTT Art. 5(2) (domain.md §1):

1. The post collects the result at the agency, both count and sign a record
   (:func:`collection_open`, :func:`result_collect`): the dossier becomes
   ``result_collected`` and the result travels as a **return item** (S10, service
   ``dossier``) from the agency to the citizen's delivery address, promised J+n from the
   collection day (:func:`postops.dossiers.rules.return_leg_days`).
2. The return item goes on a postman's run sheet (``postops.delivery``); the recipient
   shows the citizen ID card or a passport, a proxy a written authorisation plus their own
   ID (``postops.delivery.services.delivery_record``). When the item becomes delivered the
   dossier becomes ``delivered`` in the same transaction (:func:`on_item_status_changed`,
   connected to ``postops.items.signals.item_status_changed``).
3. After two invitations two working days apart (``postops.delivery.rules``) the item is
   held for return; :func:`result_return_create` takes such results back to the agency
   with a return record: dossiers ``returned_to_agency``, items ``returned`` (the sender of
   a return item is the agency; the return is part of the service, no return charge).

Every function owns its transaction and writes its audit entry inside it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from postops.core.calendar import add_working_days
from postops.items import services as item_services
from postops.items.rules import Event as ItemEvent
from postops.items.rules import Status as ItemStatus
from postops.network.address import address_from_fields
from postops.network.models import Office
from postops.network.selectors import office_scope_ids

from . import return_selectors, rules, selectors
from .models import Agency, Dossier, ResultCollection, ResultReturn
from .services import (
    SIGNED_AT_TOLERANCE,
    StatusConflict,
    _audit,
    _move,
    _next_sequence,
    actor_user_and_label,
)

logger = logging.getLogger(__name__)

# The weight of a result envelope when the dossier does not say (used for the item only).
RESULT_WEIGHT_G = 200


def _require_scope(actor, office: Office) -> None:
    if actor is not None and office.pk not in set(office_scope_ids(actor)):
        raise PermissionDenied(_("Bạn không có quyền thao tác tại đơn vị này."))


# --- Collection at the agency ----------------------------------------------------------------


def collection_open(actor, *, office: Office, agency: Agency, request=None) -> ResultCollection:
    """Start a collection record (biên bản nhận kết quả) for one visit of ``office``'s staff
    to ``agency``; results are then scanned onto it one by one."""
    _require_scope(actor, office)
    if not agency.is_active:
        raise ValidationError({"agency": [_("Cơ quan này đã ngừng hoạt động.")]})
    now = timezone.now()
    day = timezone.localdate(now)
    with transaction.atomic():
        sequence = _next_sequence(rules.COLLECTION_CODE_PREFIX, day)
        collection = ResultCollection.objects.create(
            code=rules.record_code(rules.COLLECTION_CODE_PREFIX, day, sequence),
            office=office,
            agency=agency,
            created_by=actor_user_and_label(actor)[0],
        )
        _audit(
            actor,
            "dossiers.collection_open",
            collection,
            after={"code": collection.code, "agency": agency.code},
            office=office,
            request=request,
        )
    return collection


@dataclass
class CollectResult:
    dossier: Dossier
    created: bool  # False: the same result scanned again onto the same record


def _find(collection: ResultCollection, text: str) -> Dossier | None:
    """The dossier named by our code (``HS-…``) or the agency's own number."""
    text = (text or "").strip().upper()
    if not text:
        return None
    qs = Dossier.objects.select_related("procedure", "agency", "office", "return_item")
    if rules.is_dossier_code(text):
        return qs.filter(code=text, agency=collection.agency).first()
    return qs.filter(agency_number=text, agency=collection.agency).first()


def return_leg_due(dossier: Dossier, collected_on, *, with_slip: bool):
    """The post's deadline for the return leg: J+n from the collection day, n from the zone
    between the agency and the delivery address (``LegStandard``; the appointment-slip
    variant when a slip goes with the result), same-day procedures at once
    (:func:`rules.return_leg_days`). ``None`` when the matrix has no row."""
    destination = dossier.delivery_commune_code
    zone = selectors.commune_zone(dossier.agency.commune_id, destination) if destination else None
    if zone is None:
        return None
    matrix = selectors.leg_days(zone, destination, with_slip=with_slip)
    if matrix is None:
        return None
    days = rules.return_leg_days(matrix, same_day=dossier.procedure.same_day, zone=zone)
    return collected_on if days == 0 else add_working_days(collected_on, days)


def result_collect(
    actor,
    collection: ResultCollection,
    *,
    code: str,
    with_slip: bool = False,
    collected_at=None,
    request=None,
) -> CollectResult:
    """Take the result of dossier ``code`` (our ``HS-…`` code or the agency's number) at the
    agency onto ``collection`` (Decision 45/2016 Art. 9(1)).

    The dossier must be ``result_ready`` and its service form must include the return. It
    becomes ``result_collected``; a return item is accepted at the collecting office
    (receiver: the applicant at the delivery address; sender: the agency) and arrives at
    that office at once, ready for a run sheet. The collecting office delivers: it is the
    office whose staff fetch results at this agency. Scanning the same result again onto the
    same record changes nothing (``created=False``); onto another record it is refused.
    ``collected_at`` is the time written on the paper record (default: now); it may not be
    in the future nor before the day the result was ready.
    """
    _require_scope(actor, collection.office)
    dossier = _find(collection, code)
    if dossier is None:
        raise ValidationError(
            {"code": [_("Không tìm thấy hồ sơ của cơ quan này với số phiếu/số hồ sơ đã nhập.")]}
        )
    if dossier.collection_id == collection.pk:
        return CollectResult(dossier, False)
    if dossier.collection_id is not None:
        raise ValidationError(
            {
                "code": [
                    _("Kết quả hồ sơ %(code)s đã được nhận theo biên bản %(record)s.")
                    % {"code": dossier.code, "record": dossier.collection.code}
                ]
            }
        )
    if not rules.returns_result(dossier.service_form):
        raise ValidationError(
            {
                "code": [
                    _("Hồ sơ %(code)s không đăng ký nhận kết quả qua bưu điện.")
                    % {"code": dossier.code}
                ]
            }
        )
    if dossier.status != rules.Status.RESULT_READY:
        raise ValidationError(
            {"code": [_("Hồ sơ %(code)s chưa có kết quả.") % {"code": dossier.code}]}
        )
    if (
        actor is not None
        and dossier.office_id is not None
        and dossier.office_id not in set(office_scope_ids(actor))
    ):
        raise PermissionDenied(_("Hồ sơ này do đơn vị khác tiếp nhận."))
    delivery = address_from_fields(dossier, "delivery")
    if delivery is None:
        raise ValidationError({"code": [_("Hồ sơ chưa có địa chỉ nhận kết quả.")]})
    prefix = selectors.dossier_prefix()
    if prefix is None:
        raise ValidationError(
            {"code": [_("Chưa cấu hình mã dịch vụ S10 cho bưu gửi hồ sơ (dịch vụ “dossier”).")]}
        )
    now = collected_at or timezone.now()
    if timezone.is_naive(now):
        now = timezone.make_aware(now)
    collected_on = timezone.localdate(now)
    if now > timezone.now() + SIGNED_AT_TOLERANCE:
        raise ValidationError({"collected_at": [_("Thời điểm nhận không được ở tương lai.")]})
    if dossier.result_ready_on and collected_on < dossier.result_ready_on:
        raise ValidationError(
            {"collected_at": [_("Thời điểm nhận không được trước ngày có kết quả.")]}
        )
    due = return_leg_due(dossier, collected_on, with_slip=with_slip)
    office = collection.office
    agency = dossier.agency
    with transaction.atomic():
        locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
        if locked.status != rules.Status.RESULT_READY:
            # Someone else collected it between our read and our lock.
            raise StatusConflict(locked, rules.Status.RESULT_COLLECTED)
        accepted = item_services.item_accept(
            actor=actor,
            office=office,
            prefix=prefix,
            sender_name=agency.name[:150],
            sender_phone=agency.phone,
            sender_address={"commune_code": agency.commune_id, "street": agency.street},
            receiver_name=dossier.applicant_name,
            receiver_phone=dossier.applicant_phone,
            receiver_address=delivery,
            weight_g=dossier.weight_g or RESULT_WEIGHT_G,
            contents=f"Kết quả TTHC {dossier.code}",
            # Paid at intake (or by the agency's arrangement): the item carries no new charge.
            fee=dossier.postal_fee_return,
            tariff_version=dossier.tariff_version,
            promised_date=due,
            accepted_at=now,
            idempotency_key=f"dossier-return:{dossier.code}",
            request=request,
        )
        item = accepted.item
        if item.destination_office_id in (None, office.pk):
            # The collecting office delivers in the citizen's commune (or no office is
            # known to): the result is there, ready for a run sheet (EMG). A microsecond
            # later so that it follows the acceptance.
            item_services.event_record(
                actor=actor,
                item=item,
                code=ItemEvent.DELIVERY_OFFICE_ARRIVAL,
                office=office,
                occurred_at=now + timedelta(microseconds=1),
                note=collection.code,
                request=request,
            )
        # Otherwise the item, routed by the citizen's commune (items.routing), travels to
        # its delivering office in a bag like any other item.
        _move(
            dossier,
            rules.Status.RESULT_COLLECTED,
            actor,
            now,
            note=collection.code,
            collection=collection,
            collected_at=now,
            return_item=item,
            return_with_slip=with_slip,
            post_return_due=due,
            # A dossier the agency registered had no post office yet: the collecting one
            # now answers for it (and sees it in its lists).
            office=dossier.office or office,
        )
        _audit(
            actor,
            "dossiers.result_collect",
            dossier,
            after={
                "code": dossier.code,
                "collection": collection.code,
                "item": item.number,
                "post_return_due": due.isoformat() if due else None,
                "with_slip": with_slip,
            },
            office=office,
            request=request,
        )
    return CollectResult(dossier, True)


# --- Delivery (hooked to the item's status) --------------------------------------------------


def on_item_status_changed(sender, transitions, **kwargs) -> None:
    """A return item delivered → its dossier ``delivered``; its first failed attempt is
    remembered for the post's clock. Runs inside the items transaction."""
    wanted = {ItemStatus.DELIVERED.value, ItemStatus.DELIVERY_FAILED.value}
    relevant = [
        t for t in transitions if t[3] in wanted and getattr(t[0], "service", "") == "dossier"
    ]
    if not relevant:
        return
    dossiers = {
        d.return_item_id: d
        for d in Dossier.objects.select_for_update(of=("self",)).filter(
            return_item_id__in={t[0].pk for t in relevant}
        )
    }
    for item, event, _previous, new in relevant:
        dossier = dossiers.get(item.pk)
        if dossier is None:
            continue
        if new == ItemStatus.DELIVERED and dossier.status == rules.Status.RESULT_COLLECTED:
            _move(
                dossier,
                rules.Status.DELIVERED,
                None,
                event.occurred_at,
                note=item.number,
                delivered_at=event.occurred_at,
            )
            _audit(
                None,
                "dossiers.delivered",
                dossier,
                after={"code": dossier.code, "item": item.number},
            )
        elif new == ItemStatus.DELIVERY_FAILED and dossier.first_attempt_on is None:
            day = timezone.localdate(event.occurred_at)
            Dossier.objects.filter(pk=dossier.pk, first_attempt_on__isnull=True).update(
                first_attempt_on=day
            )
            dossier.first_attempt_on = day


def dossier_delivery_proof(item, *, relation: str, authorisation_number: str, authorisation_date):
    """Keep on the dossier who took the result (the citizen or a proxy) and the proxy's
    written authorisation (Decision 45/2016 Art. 10). Called by the delivery service in the
    transaction of the delivery; the proxy's ID stays masked on the delivery attempt."""
    Dossier.objects.filter(return_item=item).update(
        recipient_relation=relation[:10],
        authorisation_number=(authorisation_number or "")[:50],
        authorisation_date=authorisation_date,
    )


# --- Back to the agency ----------------------------------------------------------------------


def result_return_create(
    actor,
    *,
    office: Office,
    agency: Agency,
    codes: list[str] | None = None,
    receiver_name: str = "",
    request=None,
) -> ResultReturn:
    """Take back to ``agency`` the results ``office`` could not deliver after two invitations
    two working days apart (Decision 45/2016 Art. 10): one return record (biên bản trả lại
    kết quả) listing them; each dossier becomes ``returned_to_agency`` and its item
    ``returned`` (return started, then delivered to its sender, the agency). ``codes``
    limits the record to some of the waiting dossiers (default: all of them)."""
    _require_scope(actor, office)
    now = timezone.now()
    with transaction.atomic():
        qs = return_selectors.results_to_take_back(office=office, agency=agency).select_for_update(
            of=("self",)
        )
        if codes:
            qs = qs.filter(code__in=[c.strip().upper() for c in codes])
        dossiers = list(qs.order_by("code"))
        if not dossiers:
            raise ValidationError({"agency": [_("Không có kết quả nào phải trả lại cơ quan này.")]})
        day = timezone.localdate(now)
        record = ResultReturn.objects.create(
            code=rules.record_code(
                rules.RETURN_RECORD_PREFIX, day, _next_sequence(rules.RETURN_RECORD_PREFIX, day)
            ),
            office=office,
            agency=agency,
            created_by=actor_user_and_label(actor)[0],
            receiver_name=" ".join(receiver_name.split())[:150],
        )
        for dossier in dossiers:
            item = dossier.return_item
            item_services.event_record(
                actor=actor,
                item=item,
                code=ItemEvent.RETURN_STARTED,
                office=office,
                occurred_at=now,
                note=record.code,
                request=request,
            )
            item_services.event_record(
                actor=actor,
                item=item,
                code=ItemEvent.DELIVERED,
                office=office,
                occurred_at=now + timedelta(microseconds=1),
                note=record.code,
                request=request,
            )
            _move(
                dossier,
                rules.Status.RETURNED_TO_AGENCY,
                actor,
                now,
                note=record.code,
                result_return=record,
                returned_at=now,
            )
        _audit(
            actor,
            "dossiers.result_return",
            record,
            after={
                "code": record.code,
                "agency": agency.code,
                "dossiers": [d.code for d in dossiers],
            },
            office=office,
            request=request,
        )
    return record
