"""Agency API for dossiers (issue #4, item 6) and handover confirmation (item 5).

An agency's system calls with an API key tied to its agency (``create_api_key --role agency
--agency CODE``); an agency officer may use the UI session. Post staff may read dossiers and
handover records of their offices. Thin: each endpoint checks the caller, calls a service or
selector and maps business errors to ``{"code", "message", "details"}``. No personal data
goes out: dossiers are known by their Phiếu gửi code (``HS-YYMMDD-NNNNN``) and the agency's
own number.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.utils import timezone
from ninja import Router, Schema, Status

from postops.accounts.api_auth import Principal, require_roles, staff_auth
from postops.core.api_errors import ApiError
from postops.core.api_params import idempotency_key_parameter
from postops.items.api import ErrorOut, PublicRateThrottle

from . import return_selectors, rules, selectors, services
from .models import Dossier, Handover

router = Router(auth=staff_auth, tags=["dossiers"])

READ_ROLES = ("agency", "clerk", "postman", "bdvhx", "supervisor", "manager", "auditor")
IDEMPOTENCY_HEADER = idempotency_key_parameter(
    "Optional client key; the same key with the same body returns the first "
    "answer, with a different body 409 `idempotency_conflict`.",
    required=False,
)


# --- Schemas ---------------------------------------------------------------------------------


class ApplicantIn(Schema):
    name: str
    id_number: str
    phone: str = ""


class AddressIn(Schema):
    commune_code: str
    street: str = ""


class DossierIn(Schema):
    agency_number: str
    procedure_code: str
    applicant: ApplicantIn
    delivery_address: AddressIn
    filed_at: datetime | None = None
    appointment_date: date | None = None


class ResultReadyIn(Schema):
    date: date


class ClockOut(Schema):
    due: date | None
    state: str


class ClocksOut(Schema):
    post_send: ClockOut
    agency: ClockOut
    # The return leg, J+n from the collection at the agency (added; not_started before).
    post_return: ClockOut


class DossierOut(Schema):
    code: str
    status: str
    service_form: str
    channel: str
    procedure_code: str
    agency_code: str
    agency_number: str
    item_number: str | None
    received_at: datetime
    filed_at: datetime | None
    appointment_date: date | None
    result_ready_on: date | None
    clocks: ClocksOut
    late: list[str]
    return_item_number: str | None = None
    collected_at: datetime | None = None
    delivered_at: datetime | None = None
    returned_to_agency_at: datetime | None = None


class HandoverDossierIn(Schema):
    code: str
    appointment_date: date | None = None
    agency_number: str = ""


class HandoverConfirmIn(Schema):
    signed_at: datetime | None = None
    receiver_name: str = ""
    dossiers: list[HandoverDossierIn] = []


class HandoverDossierOut(Schema):
    code: str
    status: str
    item_number: str | None
    agency_number: str
    appointment_date: date | None


class HandoverOut(Schema):
    code: str
    status: str
    office_code: str
    agency_code: str
    dossier_count: int
    created_at: datetime
    signed_at: datetime | None
    confirmed_at: datetime | None
    dossiers: list[HandoverDossierOut]


def _dossier_out(dossier: Dossier) -> dict:
    clocks = selectors.dossier_clocks(dossier)
    return {
        "code": dossier.code,
        "status": dossier.status,
        "service_form": dossier.service_form,
        "channel": dossier.channel,
        "procedure_code": dossier.procedure.code,
        "agency_code": dossier.agency.code,
        "agency_number": dossier.agency_number,
        "item_number": dossier.outbound_item.number if dossier.outbound_item_id else None,
        "received_at": dossier.received_at,
        "filed_at": dossier.filed_at,
        "appointment_date": dossier.appointment_date,
        "result_ready_on": dossier.result_ready_on,
        "clocks": {
            "post_send": {"due": clocks.post_send_due, "state": str(clocks.post_send)},
            "agency": {"due": clocks.agency_due, "state": str(clocks.agency)},
            "post_return": {"due": clocks.post_return_due, "state": str(clocks.post_return)},
        },
        "late": clocks.late,
        "return_item_number": dossier.return_item.number if dossier.return_item_id else None,
        "collected_at": dossier.collected_at,
        "delivered_at": dossier.delivered_at,
        "returned_to_agency_at": dossier.returned_at,
    }


def _handover_out(handover: Handover) -> dict:
    return {
        "code": handover.code,
        "status": handover.status,
        "office_code": handover.office.code,
        "agency_code": handover.agency.code,
        "dossier_count": handover.dossier_count,
        "created_at": handover.created_at,
        "signed_at": handover.signed_at,
        "confirmed_at": handover.confirmed_at,
        "dossiers": [
            {
                "code": d.code,
                "status": d.status,
                "item_number": d.outbound_item.number if d.outbound_item_id else None,
                "agency_number": d.agency_number,
                "appointment_date": d.appointment_date,
            }
            for d in selectors.handover_dossiers(handover)
        ],
    }


def _validation_error(exc: ValidationError) -> ApiError:
    details = [
        {"field": "" if field == "__all__" else field, "message": message}
        for field, messages in exc.message_dict.items()
        for message in messages
    ]
    return ApiError(422, "validation_error", "The request is not valid.", details)


def _agency_caller(request) -> Principal:
    principal = require_roles(request, "agency")
    if principal.agency is None or not principal.agency.is_active:
        raise ApiError(403, "no_agency", "This key or account is not tied to an active agency.")
    return principal


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and timezone.is_naive(moment):
        return timezone.make_aware(moment)
    return moment


# --- Handovers (declared before /dossiers/{code} so the paths never clash) ------------------


@router.get("/dossiers/handovers/{code}", response=HandoverOut, summary="A handover record")
def handover_get(request, code: str):
    """A handover record (biên bản giao nhận) and the dossiers on it, for the agency it is
    addressed to or the post office that made it."""
    principal = require_roles(request, *READ_ROLES)
    handover = selectors.handover_for_principal(principal, code)
    if handover is None:
        raise ApiError(404, "not_found", "No such handover record.")
    return _handover_out(handover)


@router.post(
    "/dossiers/handovers/{code}/confirm",
    response={200: HandoverOut},
    summary="Confirm receipt of a handover record",
    openapi_extra={
        "responses": {
            403: {"description": "`forbidden`/`no_agency`: not the receiving agency."},
            422: {"description": "`validation_error`: signing time or appointment dates."},
        }
    },
)
def handover_confirm(request, code: str, payload: HandoverConfirmIn):
    """The receiving agency confirms it counted and signed the handover record. Its
    `signed_at` (default: now) is **the legal filing time** of every dossier on it
    (Decision 45/2016/QĐ-TTg Art. 6(5)); the agency's deadline runs from that day. Each
    dossier may carry the appointment date and the agency's own number from its appointment
    slip. Confirming again returns the record unchanged (idempotent)."""
    principal = _agency_caller(request)
    handover = selectors.handover_for_principal(principal, code)
    if handover is None:
        raise ApiError(404, "not_found", "No such handover record.")
    appointments = {
        d.code: {"appointment_date": d.appointment_date, "agency_number": d.agency_number}
        for d in payload.dossiers
    }
    try:
        result = services.handover_confirm(
            principal.actor,
            handover,
            signed_at=_aware(payload.signed_at),
            receiver_name=payload.receiver_name,
            appointments=appointments,
            request=request,
        )
    except ValidationError as exc:
        raise _validation_error(exc) from None
    except PermissionDenied:
        raise ApiError(403, "forbidden", "Only the receiving agency confirms.") from None
    return _handover_out(result.handover)


# --- Dossiers --------------------------------------------------------------------------------


@router.post(
    "/dossiers",
    response={200: DossierOut, 201: DossierOut},
    summary="Register a dossier for result return",
    openapi_extra={
        "parameters": [IDEMPOTENCY_HEADER],
        "responses": {
            409: {
                "description": "`idempotency_conflict`: the number or key was used with "
                "another body."
            },
            422: {"description": "`validation_error` with the fields at fault."},
        },
    },
)
def dossier_register(request, payload: DossierIn, response: HttpResponse):
    """Register a dossier received at the agency's own desk whose result the post will
    deliver (service form `return`). `agency_number` follows `<agency code>-YYMMDD-XXXX`
    (Circular 01/2018/TT-VPCP Art. 19) and is unique per agency: sending it again with the
    same body returns the first dossier (200, `Idempotent-Replayed: true`); with another
    body 409. Answers 201 with the Phiếu gửi code (`HS-YYMMDD-NNNNN`) otherwise."""
    principal = _agency_caller(request)
    key = request.headers.get("Idempotency-Key", "").strip()[:64]
    try:
        result = services.dossier_register(
            principal.actor,
            agency=principal.agency,
            agency_number=payload.agency_number,
            procedure_code=payload.procedure_code,
            applicant=payload.applicant.dict(),
            delivery_address=payload.delivery_address.dict(),
            filed_at=_aware(payload.filed_at),
            appointment_date=payload.appointment_date,
            idempotency_key=key,
            request=request,
        )
    except ValidationError as exc:
        raise _validation_error(exc) from None
    except services.IdempotencyConflict as exc:
        raise ApiError(
            409,
            "idempotency_conflict",
            "This agency number or key was already used with a different request.",
            [{"code": exc.dossier.code}],
        ) from None
    if not result.created:
        response["Idempotent-Replayed"] = "true"
        return Status(200, _dossier_out(result.dossier))
    return Status(201, _dossier_out(result.dossier))


@router.post(
    "/dossiers/{code}/result-ready",
    response=DossierOut,
    summary="The result of a dossier is ready",
    openapi_extra={
        "responses": {
            409: {
                "description": "`status_conflict`: not filed yet, or already ready on another day."
            },
        }
    },
)
def dossier_result_ready(request, code: str, payload: ResultReadyIn):
    """The agency says the result can be collected, with the day it was ready (it stops
    the agency's clock). Sending the same day again changes nothing."""
    principal = _agency_caller(request)
    dossier = selectors.dossier_for_principal(principal, code)
    if dossier is None:
        raise ApiError(404, "not_found", "No such dossier.")
    try:
        services.dossier_result_ready(
            principal.actor, dossier, ready_on=payload.date, request=request
        )
    except ValidationError as exc:
        raise _validation_error(exc) from None
    except services.StatusConflict:
        raise ApiError(
            409,
            "status_conflict",
            "The dossier is not filed yet, or its result was recorded on another day.",
            [{"status": dossier.status}],
        ) from None
    dossier.refresh_from_db()
    return _dossier_out(dossier)


@router.get("/dossiers/{code}", response=DossierOut, summary="A dossier and its two clocks")
def dossier_get(request, code: str):
    """Status of a dossier and both clocks: the post's leg (J+n from intake to filing,
    Circular 17/2017/TT-BTTTT Art. 7) and the agency's processing time (working days from
    the filing time). `late` names who is late: `post`, `agency`, both or nobody."""
    principal = require_roles(request, *READ_ROLES)
    dossier = selectors.dossier_for_principal(principal, code)
    if dossier is None:
        raise ApiError(404, "not_found", "No such dossier.")
    return _dossier_out(dossier)


# --- Public tracking of a dossier (issue #4 item 10) -----------------------------------------

public_router = Router(tags=["tracking"], auth=None, throttle=[PublicRateThrottle()])


class MilestoneOut(Schema):
    status: str
    text: str
    occurred_at: datetime


class DossierTrackOut(Schema):
    code: str
    status: str
    status_text: str
    procedure_name: str
    agency_name: str
    appointment_date: date | None
    result_ready_on: date | None
    item_numbers: list[str]
    milestones: list[MilestoneOut]


@public_router.get(
    "/track/dossiers/{code}",
    response={200: DossierTrackOut, 400: ErrorOut, 404: ErrorOut, 429: ErrorOut},
    summary="Track one dossier",
)
def dossier_track(request, code: str):
    """Public tracking of a dossier by the code on its Phiếu gửi (``HS-YYMMDD-NNNNN``): status,
    procedure, agency, appointment and result dates, the items of its legs and the
    milestones (received, filed at the agency, result ready, collected, delivered or
    returned to the agency). No name, ID number, address, phone or agency dossier number.
    A malformed code answers 400 ``invalid_dossier_code``; an unknown one 404
    ``dossier_not_found``."""
    normalised = (code or "").strip().upper()
    if not rules.is_dossier_code(normalised):
        raise ApiError(400, "invalid_dossier_code", "A dossier code looks like HS-YYMMDD-NNNNN.")
    tracking = return_selectors.dossier_track(normalised)
    if tracking is None:
        raise ApiError(404, "dossier_not_found", "No dossier has this code.")
    return tracking
