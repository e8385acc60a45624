"""Payouts API: record a payout, import a payroll file, follow an import job.

Thin: each endpoint checks the caller's role, calls a service or a selector and maps
business errors to the API's error body ``{"code", "message", "details"}``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.http import HttpResponse
from django.utils import timezone
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field as PydanticField

from postops.accounts.api_auth import (
    Principal,
    office_scope_ids_for,
    require_roles,
    staff_auth,
)
from postops.core.api_errors import ApiError
from postops.core.api_params import idempotency_key_parameter
from postops.network.models import Office

from . import rules, selectors, services
from .errors import PayoutsError
from .models import (
    PayoutSchedule,
    PayoutScheduleException,
    PayrollLine,
    PayrollPeriod,
    Programme,
)
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
            idempotency_key_parameter(
                "A client key per payout attempt; a replay returns the first payout.",
                required=True,
            )
        ],
        "responses": {
            409: {"description": "`already_paid`: the line was paid (another key)."},
            422: {
                "description": "`identity_mismatch`, `authorisation_invalid`, "
                "`outside_schedule` (the day is outside the line's point schedule and no "
                "supervisor opened it), ..."
            },
        },
    },
)
def payout_create(request, payload: PayoutIn, response: HttpResponse):
    """Pay one payroll line after checking the ID document (exactly once per line).

    The same `Idempotency-Key` sent again returns the first payout (201, header
    `Idempotent-Replayed: true`); another key for a paid line answers 409
    `{"code": "already_paid"}`; a document that does not match the record answers 422
    `{"code": "identity_mismatch"}`; a day outside the schedule of the line's payout point
    (see `GET /payout-points/{code}/schedule`) answers 422 `{"code": "outside_schedule"}`.
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
    (`row`, `column`, `code`, `message`); while it runs, `processed` rows and `percent`
    done (the same figures as the page's progress bar)."""
    require_roles(request, *IMPORTING_ROLES)
    job = selectors.import_job_get(job_id)
    if job is None:
        raise ApiError(404, "not_found", "No such import job.")
    return job.progress_report()


# --- Payout schedules ---------------------------------------------------------------------------

SCHEDULE_READ_ROLES = ("supervisor", "manager", "admin", "teller", "bdvhx", "postman")
SCHEDULE_WRITE_ROLES = ("supervisor", "manager")


class ScheduleEntryOut(Schema):
    programme: str
    period: str
    period_status: str
    first_day: date
    last_day: date
    note: str


class ScheduleExceptionOut(Schema):
    day: date
    reason: str


class PointScheduleOut(Schema):
    point: str
    name: str
    schedules: list[ScheduleEntryOut]
    exceptions: list[ScheduleExceptionOut]


class ScheduleIn(Schema):
    programme: str
    period: str = PydanticField(description="YYYY-MM")
    first_day: date
    last_day: date
    note: str = ""


def _point_for(principal: Principal, code: str) -> Office:
    point = Office.objects.filter(code=code, is_active=True).first()
    if point is None or point.pk not in set(office_scope_ids_for(principal.actor)):
        raise ApiError(404, "not_found", "No such payout point in your offices.")
    return point


def _period_for(programme: str, period: str, *, create: bool = False, actor=None):
    programme_obj = Programme.objects.filter(code=programme, is_active=True).first()
    if programme_obj is None:
        raise ApiError(404, "not_found", "Unknown programme.", [{"field": "programme"}])
    try:
        month = rules.parse_period(period)
    except ValueError:
        raise ApiError(
            422, "invalid_period", "The period must be YYYY-MM.", [{"field": "period"}]
        ) from None
    if create:
        return services.payroll_period_get_or_create(actor, programme_obj, month)
    found = PayrollPeriod.objects.filter(programme=programme_obj, month=month).first()
    if found is None:
        raise ApiError(404, "not_found", "No payroll for this programme and period.")
    return found


def _point_schedule(point: Office, month=None) -> dict:
    schedules = PayoutSchedule.objects.filter(point=point).select_related(
        "period", "period__programme"
    )
    exceptions = PayoutScheduleException.objects.filter(point=point)
    if month is not None:
        schedules = schedules.filter(period__month=month)
        exceptions = exceptions.filter(day__year=month.year, day__month=month.month)
    else:
        schedules = schedules.exclude(period__status__in=(rules.CLOSED, rules.REPORTED))
        exceptions = exceptions.filter(day__gte=timezone.localdate())
    return {
        "point": point.code,
        "name": point.name,
        "schedules": [
            {
                "programme": s.period.programme.code,
                "period": rules.format_period(s.period.month),
                "period_status": s.period.status,
                "first_day": s.first_day,
                "last_day": s.last_day,
                "note": s.note,
            }
            for s in schedules.order_by("period__month", "period__programme__code")
        ],
        "exceptions": [{"day": e.day, "reason": e.reason} for e in exceptions.order_by("day")],
    }


@router.get(
    "/payout-points/{code}/schedule",
    response=PointScheduleOut,
    summary="A payout point's schedule",
)
def point_schedule_get(request, code: str, period: str | None = None):
    """The days a point pays each period (`period=YYYY-MM` for one month; otherwise the
    periods not yet closed), and the days a supervisor opened outside them. A point pays
    only on these days (`POST /payouts` answers 422 `outside_schedule` otherwise)."""
    principal: Principal = require_roles(request, *SCHEDULE_READ_ROLES)
    point = _point_for(principal, code)
    month = None
    if period:
        try:
            month = rules.parse_period(period)
        except ValueError:
            raise ApiError(
                422, "invalid_period", "The period must be YYYY-MM.", [{"field": "period"}]
            ) from None
    return _point_schedule(point, month)


@router.put(
    "/payout-points/{code}/schedule",
    response=PointScheduleOut,
    summary="Set a payout point's days for a period",
)
def point_schedule_set(request, code: str, payload: ScheduleIn):
    """Set the first and last day the point pays a programme's period (both in its month).
    For a supervisor or manager (a staff session or a supervisor's API key) whose offices
    hold the point. Setting the same days again changes nothing (idempotent)."""
    principal: Principal = require_roles(request, *SCHEDULE_WRITE_ROLES)
    point = _point_for(principal, code)
    period_obj = _period_for(payload.programme, payload.period)
    try:
        services.payout_schedule_set(
            principal.actor,
            period_obj,
            point,
            payload.first_day,
            payload.last_day,
            payload.note,
            actor_label=principal.audit_label,
        )
    except PayoutsError as exc:
        raise _api_error(exc) from None
    return _point_schedule(point, period_obj.month)


# --- Cash books ----------------------------------------------------------------------------------

CASH_ROLES = ("teller", "bdvhx", "supervisor", "postman")


class CashMovementOut(Schema):
    id: int
    kind: str
    amount: int
    note: str
    actor: str
    recorded_at: datetime


class CashBookOut(Schema):
    office: str
    day: date
    teller: str | None
    status: str
    advanced: int
    paid_out: int
    returned: int
    counted: int | None
    expected: int
    variance: int | None
    variance_signed_off: int | None
    movements: list[CashMovementOut]


class CashMovementIn(Schema):
    kind: Literal["advance", "return", "count"]
    amount: int = PydanticField(ge=0, description="Whole đồng.")
    note: str = ""
    book: Literal["mine", "point"] = PydanticField(
        "mine", description="`mine`: the caller's own book at the point; `point`: the point's."
    )


def _staff(request, *roles) -> Principal:
    principal: Principal = require_roles(request, *roles)
    if principal.kind != "user":
        raise ApiError(403, "staff_only", "Cash books are kept by staff users.")
    return principal


def _parse_day(day: str):
    from django.utils.dateparse import parse_date

    try:
        parsed = parse_date(day)
    except ValueError:
        parsed = None
    if parsed is None:
        raise ApiError(422, "invalid_day", "The day must be YYYY-MM-DD.", [{"field": "day"}])
    return parsed


def _cash_book_out(book) -> dict:
    from .models import CashMovement

    figures = selectors.cash_day_figures(book)
    movements = CashMovement.objects.filter(cash_day=book).select_related("actor")
    return {
        "office": book.office.code,
        "day": book.day,
        "teller": book.teller.get_username() if book.teller_id else None,
        "status": book.status,
        "advanced": figures.advanced,
        "paid_out": figures.paid_out,
        "returned": figures.returned,
        "counted": figures.counted,
        "expected": figures.expected,
        "variance": figures.variance,
        "variance_signed_off": selectors.cash_day_signed_variance(book),
        "movements": [
            {
                "id": m.pk,
                "kind": m.kind,
                "amount": m.amount,
                "note": m.note,
                "actor": m.actor.get_username(),
                "recorded_at": m.recorded_at,
            }
            for m in movements.order_by("recorded_at", "pk")
        ],
    }


@router.get(
    "/cash-books/{office_code}/{day}",
    response=CashBookOut,
    summary="A day's cash book",
)
def cash_book_get(request, office_code: str, day: str, teller: str | None = None):
    """Cash advanced, paid out (from the payouts), returned and counted at a point on a
    day (`YYYY-MM-DD`): the point's own book, or one teller's with `teller=<username>`.
    A teller reads their own book or the point's; a supervisor any in their offices."""
    from postops.accounts.models import User
    from postops.accounts.roles import has_role

    from .models import CashDay

    principal = _staff(request, *CASH_ROLES)
    point = _point_for(principal, office_code)
    book_day = _parse_day(day)
    books = CashDay.objects.select_related("office", "teller").filter(office=point, day=book_day)
    if teller:
        owner = User.objects.filter(username=teller).first()
        if owner is None or (
            owner.pk != principal.user.pk and not has_role(principal.user, "supervisor")
        ):
            raise ApiError(404, "not_found", "No such cash book.", [{"field": "teller"}])
        book = books.filter(teller=owner).first()
    else:
        book = books.filter(teller__isnull=True).first()
    if book is None:
        raise ApiError(404, "not_found", "No cash book for this point and day.")
    return _cash_book_out(book)


@router.post(
    "/cash-books/{office_code}/{day}/movements",
    response={201: CashBookOut},
    summary="Record cash advanced, returned or counted",
    openapi_extra={
        "parameters": [
            idempotency_key_parameter(
                "One key per movement; a replay records nothing and answers "
                "the book as it is (header `Idempotent-Replayed: true`).",
                required=True,
            )
        ],
    },
)
def cash_movement_create(
    request, office_code: str, day: str, payload: CashMovementIn, response: HttpResponse
):
    """Append one movement to the book of a point and day (opened if missing): cash
    advanced, handed back, or the count at the end of the day. 409 `cash_day_closed` once
    the book is closed; 409 `idempotency_key_reused` for a key sent with another movement."""
    principal = _staff(request, *CASH_ROLES)
    point = _point_for(principal, office_code)
    book_day = _parse_day(day)
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key or len(key) > 64:
        raise ApiError(
            400,
            "idempotency_key_required",
            "Send an Idempotency-Key header (max 64 chars).",
            [{"field": "Idempotency-Key"}],
        )
    teller = principal.user if payload.book == "mine" else None
    try:
        book = services.cash_day_open(principal.user, point, book_day, teller=teller)
        movement = services.cash_movement_record(
            principal.user, book, payload.kind, payload.amount, payload.note, idempotency_key=key
        )
    except PayoutsError as exc:
        raise _api_error(exc) from None
    if movement.replayed:
        response["Idempotent-Replayed"] = "true"
    book.refresh_from_db()
    return Status(201, _cash_book_out(book))


# --- Month end ----------------------------------------------------------------------------------

MONTH_END_ROLES = ("supervisor", "manager", "admin")


class PointTotalsOut(Schema):
    code: str
    name: str
    paid_lines: int
    paid_amount: int
    unpaid_lines: int
    unpaid_amount: int


class ReportLinksOut(Schema):
    xlsx: str
    pdf: str


class ReportedOut(Schema):
    by: str | None
    at: datetime
    reference: str
    sha256: str


class PeriodReportOut(Schema):
    programme: str
    period: str
    status: str
    paid_lines: int
    paid_amount: int
    unpaid_lines: int
    unpaid_amount: int
    carried_lines: int
    points: list[PointTotalsOut]
    sha256: str = PydanticField(description="SHA-256 of the report's content.")
    links: ReportLinksOut
    reported: ReportedOut | None


class CloseOut(Schema):
    programme: str
    period: str
    status: str
    carried: int
    report: str


class ReportedIn(Schema):
    reference: str = PydanticField(min_length=1, max_length=100)
    delivered_at: datetime | None = None


def _month_end_user(request) -> Principal:
    principal: Principal = require_roles(request, *MONTH_END_ROLES)
    if principal.kind != "user":
        raise ApiError(403, "staff_only", "Month end is done by a staff user.")
    return principal


def _report_out(request, period_obj) -> dict:
    from postops.core.audit import audit_record

    report = selectors.period_report(period_obj)
    audit_record(
        request.auth.actor,
        "payouts.report.read",
        period_obj,
        after={
            "format": "json",
            "paid": report["paid_lines"],
            "unpaid": report["unpaid_lines"],
        },
        actor_label=request.auth.audit_label,
        request=request,
    )
    base = f"/payouts/periods/{period_obj.pk}/report"
    reported = None
    if period_obj.status == rules.REPORTED:
        reported = {
            "by": period_obj.reported_by.get_username() if period_obj.reported_by_id else None,
            "at": period_obj.reported_at,
            "reference": period_obj.report_reference,
            "sha256": period_obj.report_sha256,
        }
    return {
        "programme": period_obj.programme.code,
        "period": rules.format_period(period_obj.month),
        "status": period_obj.status,
        "paid_lines": report["paid_lines"],
        "paid_amount": report["paid_amount"],
        "unpaid_lines": report["unpaid_lines"],
        "unpaid_amount": report["unpaid_amount"],
        "carried_lines": sum(1 for row in report["unpaid"] if row[6]),
        "points": report["points"],
        "sha256": selectors.period_report_checksum(report),
        "links": {"xlsx": f"{base}.xlsx", "pdf": f"{base}.pdf"},
        "reported": reported,
    }


@router.post(
    "/payrolls/{programme}/{period}/close",
    response=CloseOut,
    summary="Close a payroll month",
)
def payroll_close(request, programme: str, period: str):
    """Month end: a paying period closes, its unpaid lines carry to the next month and
    people uncollected for the programme's months are flagged. Repeating it on a closed
    period changes nothing and answers the same way (idempotent)."""
    principal = _month_end_user(request)
    period_obj = _period_for(programme, period)
    carried = 0
    if period_obj.status not in (rules.CLOSED, rules.REPORTED):
        try:
            period_obj = services.payroll_period_transition(
                principal.user, period_obj, rules.CLOSED
            )
        except PayoutsError as exc:
            raise _api_error(exc) from None
    carried = PayrollLine.objects.filter(carried_from__period=period_obj).count()
    return {
        "programme": period_obj.programme.code,
        "period": rules.format_period(period_obj.month),
        "status": period_obj.status,
        "carried": carried,
        "report": f"/api/v1/payrolls/{programme}/{period}/report",
    }


@router.get(
    "/payrolls/{programme}/{period}/report",
    response=PeriodReportOut,
    summary="The month-end report's totals",
)
def payroll_report(request, programme: str, period: str):
    """Paid and unpaid people and money of a closed period, in total and per point, with
    the SHA-256 of the report's content and links to the XLSX and PDF files (staff
    pages). 409 `period_not_open` before the period is closed."""
    require_roles(request, *MONTH_END_ROLES)
    period_obj = _period_for(programme, period)
    if period_obj.status not in (rules.CLOSED, rules.REPORTED):
        raise ApiError(
            409,
            "period_not_open",
            "The report exists once the period is closed.",
            [{"status": period_obj.status}],
        )
    return _report_out(request, period_obj)


@router.post(
    "/payrolls/{programme}/{period}/reported",
    response=PeriodReportOut,
    summary="Record the report's delivery to the paying agency",
)
def payroll_reported(request, programme: str, period: str, payload: ReportedIn):
    """The closed period's report was sent to (or received by) the paying agency: records
    who, when (`delivered_at`, default now), the agency's `reference` and the report's
    SHA-256, and moves the period to `reported`."""
    principal = _month_end_user(request)
    period_obj = _period_for(programme, period)
    delivered_at = payload.delivered_at
    if delivered_at is not None and timezone.is_naive(delivered_at):
        delivered_at = timezone.make_aware(delivered_at)
    try:
        period_obj = services.period_mark_reported(
            principal.user, period_obj, reference=payload.reference, delivered_at=delivered_at
        )
    except PayoutsError as exc:
        raise _api_error(exc) from None
    return _report_out(request, period_obj)
