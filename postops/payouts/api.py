"""Payouts API: record a payout, import a payroll file, follow an import job.

Thin: each endpoint checks the caller's role, calls a service or a selector and maps
business errors to the API's error body ``{"code", "message", "details"}``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpResponse
from django.utils import timezone
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from postops.accounts.api_auth import Principal, require_roles, staff_auth
from postops.core.api_errors import ApiError
from postops.network.models import Office

from . import rules, selectors, services
from .errors import PayoutsError
from .models import Programme
from .schemas import ImportJobOut

router = Router(auth=staff_auth, tags=["payouts"])

PAYING_ROLES = ("teller", "bdvhx", "supervisor", "postman")
IMPORTING_ROLES = ("supervisor", "manager", "admin", "agency", "partner")
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def _api_error(exc: PayoutsError) -> ApiError:
    return ApiError(exc.status, exc.code, exc.message, [exc.details] if exc.details else [])


class IdDocumentIn(Schema):
    type: Literal["cccd", "passport"]
    number: str


class PayoutIn(Schema):
    line_id: int
    receiver: Literal["self", "proxy"] = "self"
    proxy_id: int | None = None
    id_document: IdDocumentIn
    paid_at: datetime | None = None
    office_code: str | None = None


class PayoutOut(Schema):
    id: int
    line_id: int
    receipt_number: str
    amount: int
    receiver: str
    proxy_id: int | None
    office_code: str
    paid_at: datetime
    recorded_at: datetime


class ImportQueuedOut(Schema):
    job_id: int
    status: str
    url: str


def _payout_out(payout) -> dict:
    return {
        "id": payout.pk,
        "line_id": payout.line_id,
        "receipt_number": payout.receipt_number,
        "amount": payout.amount,
        "receiver": payout.receiver,
        "proxy_id": payout.proxy_id,
        "office_code": payout.office.code,
        "paid_at": payout.paid_at,
        "recorded_at": payout.recorded_at,
    }


@router.post(
    "/payouts",
    response={201: PayoutOut},
    summary="Record a payout",
    openapi_extra={
        "parameters": [
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": True,
                "schema": {"type": "string", "maxLength": 64},
                "description": "A client key per payout attempt; a replay returns the first "
                "payout.",
            }
        ],
        "responses": {
            409: {"description": "`already_paid`: the line was paid (another key)."},
            422: {"description": "`identity_mismatch`, `authorisation_invalid`, ..."},
        },
    },
)
def payout_create(request, payload: PayoutIn, response: HttpResponse):
    """Pay one payroll line after checking the ID document (exactly once per line).

    The same `Idempotency-Key` sent again returns the first payout (201, header
    `Idempotent-Replayed: true`); another key for a paid line answers 409
    `{"code": "already_paid"}`; a document that does not match the record answers 422
    `{"code": "identity_mismatch"}`.
    """
    principal: Principal = require_roles(request, *PAYING_ROLES)
    if principal.kind != "user":
        raise ApiError(403, "staff_only", "A payout must be recorded by a staff user.")
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        raise ApiError(
            400, "idempotency_key_required", "Send an Idempotency-Key header (max 64 chars)."
        )
    office = None
    if payload.office_code:
        office = Office.objects.filter(code=payload.office_code, is_active=True).first()
        if office is None:
            raise ApiError(422, "unknown_office", "Unknown office code.")
    paid_at = payload.paid_at
    if paid_at is not None and timezone.is_naive(paid_at):
        paid_at = timezone.make_aware(paid_at)
    try:
        payout, created = services.payout_record(
            principal.user,
            line_id=payload.line_id,
            idempotency_key=key,
            receiver=payload.receiver,
            proxy_id=payload.proxy_id,
            id_document_type=payload.id_document.type,
            id_document_number=payload.id_document.number,
            office=office,
            paid_at=paid_at,
            request=request,
        )
    except PayoutsError as exc:
        raise _api_error(exc) from None
    if not created:
        response["Idempotent-Replayed"] = "true"
    return Status(201, _payout_out(payout))


@router.post(
    "/payrolls/{programme}/{period}/imports",
    response={202: ImportQueuedOut},
    summary="Import a payroll file",
)
def payroll_import_create(
    request,
    programme: str,
    period: str,
    file: File[UploadedFile],
    valid_only: Form[bool] = False,
):
    """Queue the import of a CSV or XLSX payroll file into a programme's month (`YYYY-MM`).

    Answers 202 with the job; follow it at `GET /api/v1/imports/{job_id}`. A file with
    errors imports nothing unless `valid_only` is true; the same file sent again changes
    nothing (status `duplicate`).
    """
    principal: Principal = require_roles(request, *IMPORTING_ROLES)
    programme_obj = Programme.objects.filter(code=programme, is_active=True).first()
    if programme_obj is None:
        raise ApiError(404, "not_found", "Unknown programme.")
    try:
        month = rules.parse_period(period)
    except ValueError:
        raise ApiError(422, "invalid_period", "The period must be YYYY-MM.") from None
    if file.size > MAX_UPLOAD_BYTES:
        raise ApiError(413, "file_too_large", "The file is larger than 50 MB.")
    actor = principal.user or principal.key
    period_obj = services.payroll_period_get_or_create(actor, programme_obj, month)
    job = services.payroll_import_enqueue(
        actor, period_obj, file, valid_only=valid_only, actor_label=principal.audit_label
    )
    return Status(202, {"job_id": job.pk, "status": job.status, "url": f"/api/v1/imports/{job.pk}"})


@router.get("/imports/{job_id}", response=ImportJobOut, summary="An import job's report")
def import_job_detail(request, job_id: int):
    """Status and counters of a payroll import, with every row error
    (`row`, `column`, `code`, `message`)."""
    require_roles(request, *IMPORTING_ROLES)
    job = selectors.import_job_get(job_id)
    if job is None:
        raise ApiError(404, "not_found", "No such import job.")
    return job.report()
