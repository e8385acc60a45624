"""Items API for business senders (issue #3, item 4), under ``/api/v1/``.

* ``POST /items`` and ``POST /items/batch`` (up to 1,000 items, one result each) need an
  ``Idempotency-Key`` header: the same key and body again returns the first answer (same
  status and body, header ``Idempotent-Replayed: true``); the key with another body or on
  the other endpoint answers 422 ``idempotency_key_reused`` (Stripe's rules).
* ``GET /items/{number}`` and ``GET /items/{number}/label.pdf``: a partner key sees the
  items sent through it; staff see items of their offices.

Partner keys (role ``partner``) act at their offices: ``office_code`` in the body, or the
key's only office. Status changes of the items sent through a key are pushed to its webhook
(``postops.items.webhooks``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.db.models import Q
from django.http import HttpResponse
from django.urls import reverse
from ninja import Field, Router, Schema, Status

from postops.accounts.api_auth import Principal, require_roles, staff_auth
from postops.core import s10
from postops.core.api_errors import ApiError
from postops.core.api_params import idempotency_key_parameter
from postops.core.audit import audit_record

from . import documents, partner, selectors
from .models import EventCode, Item, ItemStatus, TrackingEvent, upu_code

router = Router(tags=["items"], auth=staff_auth)

# Personal data printed on the label.
LABEL_FIELDS = (
    "sender_name",
    "sender_phone",
    "sender_address",
    "receiver_name",
    "receiver_phone",
    "receiver_address",
)
# Business senders' systems, and staff who may accept items.
SUBMIT_ROLES = ("partner", "clerk", "bdvhx", "supervisor")
READ_ROLES = SUBMIT_ROLES

IDEMPOTENCY_PARAMETER = idempotency_key_parameter(
    "A unique key per request (a UUID): a retry with the same key and body "
    "returns the first answer; the same key with another body answers 422 "
    "`idempotency_key_reused`.",
    required=True,
    max_length=partner.MAX_KEY_LENGTH,
)


class AddressIn(Schema):
    commune_code: str = Field(
        description="5-digit commune code in its scheme (2025: 3,321 communes).",
        examples=["06187"],
    )
    street: str = Field("", max_length=255, examples=["12 Lê Lợi"])
    scheme: Literal["2025", "legacy"] = Field(
        "2025",
        description="`legacy`: a commune code of before 1 July 2025, converted offline; a "
        "commune that was split answers 422 `address_needs_confirmation` with the candidates.",
    )
    raw: str = Field("", max_length=500, description="The address as the customer wrote it.")


class SenderIn(Schema):
    name: str = Field("", max_length=150, examples=["Cửa hàng Hoa Mai"])
    phone: str = Field("", max_length=20, examples=["0912345678"])
    address: AddressIn | None = None


class ReceiverIn(Schema):
    name: str = Field("", max_length=150, examples=["Trần Thị Bình"])
    phone: str = Field("", max_length=20, examples=["0987654321"])
    address: AddressIn | None = None


class ItemIn(Schema):
    reference: str = Field(
        "", max_length=64, description="Your order number, echoed in answers and webhooks."
    )
    office_code: str = Field(
        "",
        description="The accepting office; may be left out when the key has exactly one.",
        examples=["240100"],
    )
    service_prefix: str = Field(
        "",
        description="S10 service indicator (e.g. EB for EMS): PostOps allocates the number.",
        examples=["EB"],
    )
    number: str = Field(
        "", description="A pre-printed S10 number instead of service_prefix.", examples=[""]
    )
    sender: SenderIn
    receiver: ReceiverIn
    weight_g: int = Field(..., description="Grams.", examples=[1250])
    contents: str = Field("", max_length=255)
    cod_amount: int = Field(0, ge=0, description="Cash to collect on delivery (đồng).")
    declared_value: int = Field(0, ge=0, description="Insured value (đồng).")
    advice_of_delivery: bool = False


class ItemBatchIn(Schema):
    items: list[ItemIn] = Field(..., min_length=1, max_length=partner.MAX_BATCH_ITEMS)


class ItemOut(Schema):
    number: str = Field(examples=["EB125966888VN"])
    reference: str
    status: str = Field(examples=["accepted"])
    office_code: str
    accepted_at: datetime
    fee: int = Field(description="Postage in đồng, VAT included.", examples=[45000])
    promised_date: date | None = Field(description="Promised delivery date (J+n working days).")
    cod_amount: int
    label_url: str = Field(description="The A6 label (PDF), with the same credentials.")


class ErrorOut(Schema):
    code: str
    message: str
    details: list[dict] = []


class BatchResultOut(Schema):
    index: int = Field(description="Position in the request, from 0.")
    result: Literal["created", "rejected"]
    item: ItemOut | None = None
    error: ErrorOut | None = None


class ItemBatchOut(Schema):
    created: int
    rejected: int
    results: list[BatchResultOut]


class ItemEventOut(Schema):
    code: str
    upu_code: str | None
    text: str
    office_code: str
    occurred_at: datetime


class ItemDetailOut(ItemOut):
    status_text: str
    weight_g: int
    declared_value: int
    receiver_name: str
    events: list[ItemEventOut] = Field(description="Newest first.")


def _key(request) -> str:
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key or len(key) > partner.MAX_KEY_LENGTH or not key.isprintable():
        raise ApiError(
            400,
            "idempotency_key_required",
            f"Send an Idempotency-Key header (1 to {partner.MAX_KEY_LENGTH} printable "
            "characters, e.g. a UUID).",
        )
    return key


def _item_out(request, item: Item) -> dict:
    path = reverse("api-v1:item_label", kwargs={"number": item.number})
    return {
        "number": item.number,
        "reference": item.sender_reference,
        "status": item.status,
        "office_code": item.origin_office.code,
        "accepted_at": item.accepted_at.isoformat(),
        "fee": item.fee,
        "promised_date": item.promised_date.isoformat() if item.promised_date else None,
        "cod_amount": item.cod_amount,
        "label_url": request.build_absolute_uri(path),
    }


def _run_idempotent(request, response, principal: Principal, endpoint: str, payload, run):
    try:
        status, body, replayed = partner.idempotent_call(
            actor=principal.actor,
            key=_key(request),
            endpoint=endpoint,
            body=payload.model_dump(mode="json"),
            run=run,
        )
    except partner.IdempotencyKeyReused as exc:
        raise ApiError(
            422,
            "idempotency_key_reused",
            "This Idempotency-Key was used for another request; use a new key.",
            [{"endpoint": exc.record.endpoint}],
        ) from None
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return Status(status, body)


@router.post(
    "/items",
    response={201: ItemOut, 400: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Send an item",
    url_name="item_create",
    openapi_extra={"parameters": [IDEMPOTENCY_PARAMETER]},
)
def item_create(request, payload: ItemIn, response: HttpResponse):
    """Accept one item: PostOps gives it a number (or checks your pre-printed one), prices
    it with the tariff in force and promises a delivery date (J+n working days by zone).

    Answers 201 with the number, fee, promised date and label URL. A retry with the same
    `Idempotency-Key` and body answers the same (header `Idempotent-Replayed: true`).
    Errors: 422 `validation_error` (details per field), `address_needs_confirmation`
    (a split legacy commune, with candidates), `unknown_office`, `office_required`; 403
    `office_out_of_scope`.
    """
    principal = require_roles(request, *SUBMIT_ROLES)

    def run():
        try:
            item = partner.item_submit(
                actor=principal.actor, data=payload.model_dump(), request=request
            )
        except partner.SubmitError as exc:
            raise ApiError(exc.status, exc.code, exc.message, exc.details) from None
        return 201, _item_out(request, item)

    return _run_idempotent(request, response, principal, "POST /items", payload, run)


@router.post(
    "/items/batch",
    response={200: ItemBatchOut, 400: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Send up to 1,000 items",
    url_name="item_batch",
    openapi_extra={"parameters": [IDEMPOTENCY_PARAMETER]},
)
def item_batch(request, payload: ItemBatchIn, response: HttpResponse):
    """Accept up to 1,000 items; one result per item, in the order sent: `created` with the
    item, or `rejected` with the error (as `POST /items` would answer it). A refused item
    does not stop the others. The whole answer is kept under the `Idempotency-Key`.
    """
    principal = require_roles(request, *SUBMIT_ROLES)

    def run():
        outcomes = partner.items_submit_batch(
            actor=principal.actor, items=[i.model_dump() for i in payload.items], request=request
        )
        results = []
        for index, (item, error) in enumerate(outcomes):
            if item is not None:
                results.append(
                    {"index": index, "result": "created", "item": _item_out(request, item)}
                )
            else:
                results.append({"index": index, "result": "rejected", "error": error.as_dict()})
        created = sum(1 for r in results if r["result"] == "created")
        return 200, {"created": created, "rejected": len(results) - created, "results": results}

    return _run_idempotent(request, response, principal, "POST /items/batch", payload, run)


def _item_for(principal: Principal, number: str) -> Item:
    number = s10.normalize(number)
    if not s10.is_valid(number):
        raise ApiError(400, "invalid_item_number", "The item number is not a valid S10 number.")
    if principal.kind == "key":
        # A partner sees the items sent through its key (and staff keys their offices).
        scope = Q(sender_key=principal.key)
        if principal.key.role != "partner":
            scope |= Q(origin_office_id__in=principal.office_scope)
        item = (
            Item.objects.select_related("origin_office", "tariff_version", "state")
            .filter(scope, number=number)
            .first()
        )
    else:
        item = selectors.item_get_for_user(principal.user, number)
    if item is None:
        raise ApiError(404, "item_not_found", "No item with this number is visible to you.")
    return item


def _audit_read(request, principal: Principal, item: Item, fields) -> None:
    audit_record(
        principal.actor if principal.kind == "user" else None,
        "items.item.read",
        item,
        after={"fields": sorted(fields)},
        actor_label=principal.audit_label,
        request=request,
    )


@router.get(
    "/items/{number}",
    response={200: ItemDetailOut, 400: ErrorOut, 404: ErrorOut},
    summary="Get an item",
    url_name="item_detail",
)
def item_get(request, number: str):
    """An item sent through your key: status, fee, promised date, label URL and its tracking
    events, newest first."""
    principal = require_roles(request, *READ_ROLES)
    item = _item_for(principal, number)
    _audit_read(request, principal, item, ["receiver_name"])
    events = (
        TrackingEvent.objects.filter(item=item)
        .select_related("office")
        .order_by("-occurred_at", "-pk")
    )
    return {
        **_item_out(request, item),
        "status_text": str(ItemStatus(item.status).label),
        "weight_g": item.weight_g,
        "declared_value": item.declared_value,
        "receiver_name": item.receiver_name,
        "events": [
            {
                "code": e.code,
                "upu_code": upu_code(e.code),
                "text": str(EventCode(e.code).label),
                "office_code": e.office.code,
                "occurred_at": e.occurred_at,
            }
            for e in events
        ],
    }


@router.get(
    "/items/{number}/label.pdf",
    response={200: None, 400: ErrorOut, 404: ErrorOut},
    summary="Get an item's label (PDF)",
    url_name="item_label",
    openapi_extra={
        "responses": {
            200: {
                "description": "The A6 label: Code 128 barcode of the number, sender, "
                "receiver, COD amount, promised date.",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def item_label(request, number: str):
    """The item's A6 label as a PDF, to print on the sender's own printer."""
    principal = require_roles(request, *READ_ROLES)
    item = _item_for(principal, number)
    _audit_read(request, principal, item, LABEL_FIELDS)
    response = HttpResponse(documents.label_pdf(item), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{item.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
