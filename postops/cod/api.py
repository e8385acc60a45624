"""COD statements through the API (issue #3, item 12): what a business sender is paid.

``GET /api/v1/cod/statements`` lists statements newest first (keyset cursor, no OFFSET);
``GET /api/v1/cod/statements/{id}`` gives one with its lines; ``…/statement.pdf`` and
``…/statement.xlsx`` the files. A partner key sees only the statements of the senders it
is linked to (``CodSender.api_keys``, set by the post office); staff keys and sessions with
a COD role (supervisor, manager, auditor) see those of their offices.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema

from postops.accounts.api_auth import require_roles, staff_auth
from postops.core.api_errors import ApiError
from postops.core.keyset import keyset_page

from . import selectors, statements
from .models import BatchState

router = Router(tags=["COD statements"], auth=staff_auth)

STATEMENT_ROLES = ("partner", *selectors.COD_VIEW_ROLES)


class ErrorOut(Schema):
    code: str
    message: str
    details: list[dict] = []


class StatementOut(Schema):
    id: int
    number: str = Field(description="Statement number (số bảng kê).")
    sender_code: str
    sender_name: str
    office_code: str = Field(description="The office that pays the sender.")
    state: Literal["issued", "paid", "reconciled", "mismatch"] = Field(
        description=(
            "issued: statement made; paid: transferred (bank_reference); reconciled: the bank "
            "statement matched; mismatch: a difference was found and is being resolved."
        )
    )
    items_count: int = Field(description="Number of lines.")
    cod_total: int = Field(description="COD collected, integer đồng.")
    fee_total: int = Field(description="Postage deducted (when the contract says so), đồng.")
    charges_total: int = Field(description="Return-to-sender charges deducted, đồng.")
    net_amount: int = Field(description="Paid to the sender: cod − fees − charges, đồng.")
    created_at: datetime
    paid_at: datetime | None = None
    bank_reference: str = ""
    reconciled_at: datetime | None = None
    difference: int | None = Field(None, description="Bank amount − net at the last check.")


class StatementLineOut(Schema):
    number: str = Field(description="S10 item number.")
    kind: Literal["collection", "return_charge"]
    collected_at: datetime | None = None
    cod_amount: int
    fee: int
    charge: int
    net: int


class StatementDetailOut(StatementOut):
    lines: list[StatementLineOut]


class StatementPageOut(Schema):
    results: list[StatementOut]
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` to get the next (older) page; null on the last."
    )


def _out(batch) -> dict:
    return {
        "id": batch.pk,
        "number": batch.number,
        "sender_code": batch.sender.code,
        "sender_name": batch.sender.name,
        "office_code": batch.office.code,
        "state": batch.state,
        "items_count": batch.items_count,
        "cod_total": batch.cod_total,
        "fee_total": batch.fee_total,
        "charges_total": batch.charges_total,
        "net_amount": batch.net_amount,
        "created_at": batch.created_at,
        "paid_at": batch.paid_at,
        "bank_reference": batch.bank_reference,
        "reconciled_at": batch.reconciled_at,
        "difference": batch.difference,
    }


def _batches(request):
    principal = require_roles(request, *STATEMENT_ROLES)
    return selectors.batches_for_principal(principal).select_related("sender", "office")


def _batch_or_404(request, statement_id: int):
    batch = _batches(request).filter(pk=statement_id).first()
    if batch is None:
        raise ApiError(404, "statement_not_found", "No statement with this id is visible to you.")
    return batch


@router.get(
    "/cod/statements",
    response={200: StatementPageOut, 401: ErrorOut, 403: ErrorOut},
    summary="List COD statements",
)
def statement_list(
    request,
    cursor: str = Query("", description="From `next_cursor` of the previous page."),
    limit: int = Query(50, ge=1, le=200),
    state: Literal["issued", "paid", "reconciled", "mismatch"] | None = None,
):
    """Statements newest first. Partner keys: their senders' statements only."""
    qs = _batches(request)
    if state:
        qs = qs.filter(state=BatchState(state))
    page = keyset_page(qs, "created_at", cursor, limit, descending=True)
    return {"results": [_out(b) for b in page.rows], "next_cursor": page.next_cursor}


@router.get(
    "/cod/statements/{statement_id}",
    response={200: StatementDetailOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="One COD statement with its lines",
)
def statement_detail(request, statement_id: int):
    """Items, amounts, fees, charges and net of one statement."""
    batch = _batch_or_404(request, statement_id)
    lines = [
        {
            "number": row.number,
            "kind": row.kind,
            "collected_at": row.collected_at,
            "cod_amount": row.cod_amount,
            "fee": row.fee,
            "charge": row.charge,
            "net": row.net,
        }
        for row in statements.statement_rows(batch)
    ]
    return {**_out(batch), "lines": lines}


def _file(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@router.get(
    "/cod/statements/{statement_id}/statement.pdf",
    response={200: None, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="A COD statement as PDF",
)
def statement_pdf(request, statement_id: int):
    batch = _batch_or_404(request, statement_id)
    return _file(
        statements.statement_pdf(batch),
        "application/pdf",
        statements.statement_filename(batch, "pdf"),
    )


@router.get(
    "/cod/statements/{statement_id}/statement.xlsx",
    response={200: None, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="A COD statement as a spreadsheet (XLSX)",
)
def statement_xlsx(request, statement_id: int):
    batch = _batch_or_404(request, statement_id)
    return _file(
        statements.statement_xlsx(batch),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        statements.statement_filename(batch, "xlsx"),
    )
