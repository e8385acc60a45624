"""API of home pickup requests: a clerk's system (or a clerk's session) records a request
taken by phone or by a partner desk. Thin: checks the caller, calls the service, maps errors
to ``{"code", "message", "details"}``. The answer carries no personal data back."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from ninja import Router, Schema, Status

from postops.accounts.api_auth import require_roles, staff_auth
from postops.core.api_errors import ApiError
from postops.core.api_params import idempotency_key_parameter
from postops.network.models import Office

from . import selectors, services
from .models import PickupRequest

router = Router(auth=staff_auth, tags=["pickups"])

WRITE_ROLES = ("clerk", "supervisor")


class PickupIn(Schema):
    name: str
    phone: str
    commune_code: str
    street: str = ""
    procedure_code: str
    preferred_date: date
    time_window: str  # morning | afternoon
    note: str = ""
    office_code: str = ""


class PickupOut(Schema):
    code: str
    status: str
    office_code: str
    procedure_code: str
    preferred_date: date
    time_window: str
    dossier_code: str | None


def _out(pickup: PickupRequest) -> PickupOut:
    return PickupOut(
        code=pickup.code,
        status=pickup.status,
        office_code=pickup.office.code,
        procedure_code=pickup.procedure.code,
        preferred_date=pickup.preferred_date,
        time_window=pickup.time_window,
        dossier_code=pickup.dossier.code if pickup.dossier_id else None,
    )


@router.post(
    "/pickups",
    response={200: PickupOut, 201: PickupOut},
    summary="Record a home pickup request",
    openapi_extra={
        "parameters": [
            idempotency_key_parameter(
                "Optional client key; sending it again returns the first "
                "request (200, `Idempotent-Replayed: true`).",
                required=False,
                max_length=40,
            )
        ],
        "responses": {
            403: {"description": "`forbidden`: not a clerk or supervisor key or account."},
            422: {"description": "`validation_error` with the fields at fault."},
        },
    },
)
def pickup_create(request, payload: PickupIn, response: HttpResponse):
    """A citizen asks the post to take a dossier in at home (Decision 45/2016/QĐ-TTg Art. 6).
    The request goes to the office serving the commune (else `office_code`, which must be
    in the caller's scope); the preferred date is a working day, today or later. Answers 201
    with the request code the citizen uses on the public status page."""
    principal = require_roles(request, *WRITE_ROLES)
    procedure = selectors.procedure_for_code(payload.procedure_code)
    if procedure is None:
        raise ApiError(
            422,
            "validation_error",
            "The request is not valid.",
            [{"field": "procedure_code", "message": "No postal-allowed procedure has this code."}],
        )
    office = None
    if payload.office_code:
        office = Office.objects.filter(code=payload.office_code, is_active=True).first()
    key = request.headers.get("Idempotency-Key", "").strip()[:40]
    try:
        result = services.pickup_request_create(
            principal.actor,
            name=payload.name,
            phone=payload.phone,
            commune_code=payload.commune_code,
            street=payload.street,
            procedure=procedure,
            preferred_date=payload.preferred_date,
            time_window=payload.time_window,
            note=payload.note,
            office=office,
            # Scoped to the caller, so one client's key never meets another's.
            idempotency_key=f"{principal}:{key}" if key else "",
            request=request,
        )
    except ValidationError as exc:
        raise ApiError(
            422,
            "validation_error",
            "The request is not valid.",
            [
                {"field": "" if field == "__all__" else field, "message": message}
                for field, messages in exc.message_dict.items()
                for message in messages
            ],
        ) from None
    if not result.created:
        response["Idempotent-Replayed"] = "true"
        return Status(200, _out(result.pickup))
    return Status(201, _out(result.pickup))


@router.get("/pickups/{code}", response=PickupOut, summary="A pickup request's status")
def pickup_get(request, code: str):
    """Status of a request of the caller's offices (no personal data)."""
    require_roles(request, *WRITE_ROLES, "manager", "auditor")
    pickup = selectors.pickup_get_by_code(code)
    if pickup is None or pickup.office_id not in request.auth.office_ids:
        raise ApiError(404, "not_found", "No such pickup request.")
    return _out(pickup)
