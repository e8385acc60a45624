"""Bags API for scanners (issue #3, item 7), under ``/api/v1/``.

* ``POST /bags`` closes a bag with its item list (``Idempotency-Key`` required, as for
  items: a retry answers the first bag).
* ``POST /bags/{code}/receive`` receives it at its destination: with no ``found`` list, one
  scan records every item's arrival; with one, missing and extra items are reported. A bag
  already received answers its stored outcome (``replayed: true``) and changes nothing.
* ``GET /bags/{code}`` the bag and its lines.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.urls import reverse
from ninja import Field, Router, Schema, Status

from postops.accounts.api_auth import Principal, require_roles, staff_auth
from postops.core.api_errors import ApiError
from postops.network.models import Office

from . import bag_selectors, bags, partner
from .api_partner import IDEMPOTENCY_PARAMETER, ErrorOut, _run_idempotent
from .models import Bag

router = Router(tags=["bags"], auth=staff_auth)

BAG_ROLES = ("clerk", "bdvhx", "supervisor")


class BagCloseIn(Schema):
    origin_office_code: str = Field(
        "", description="Where the bag is closed; may be left out with exactly one office."
    )
    destination_office_code: str = Field(..., examples=["241000"])
    numbers: list[str] = Field(
        ..., min_length=1, max_length=bags.MAX_BAG_ITEMS, examples=[["EB125966888VN"]]
    )
    seal_number: str = Field("", max_length=40)


class BagLineOut(Schema):
    number: str
    listed: bool
    state: Literal["listed", "arrived", "missing", "extra", "rejected"]
    note: str


class BagOut(Schema):
    code: str = Field(examples=["240000-241000-260302-0001"])
    origin_office_code: str
    destination_office_code: str
    state: Literal["closed", "received"]
    item_count: int
    seal_number: str
    closed_at: datetime
    received_at: datetime | None
    label_url: str


class BagDetailOut(BagOut):
    lines: list[BagLineOut]


class BagReceiveIn(Schema):
    office_code: str = Field("", description="The receiving office (the bag's destination).")
    found: list[str] | None = Field(
        None,
        description="The items taken out of the bag. Leave out for the one-scan receipt "
        "(every listed item arrived).",
    )


class BagReceiptOut(Schema):
    code: str
    arrived: list[str]
    missing: list[str] = Field(description="Listed, not found: no arrival recorded.")
    extra: list[str] = Field(description="Found, not listed: their arrival is recorded.")
    unknown: list[str] = Field(description="Found, valid S10, not in the system.")
    invalid: list[str] = Field(description="Found, not an S10 number.")
    rejected: dict[str, str] = Field(description="Number → why its arrival was refused.")
    replayed: bool = Field(description="True when the bag had been received before.")


def _bag_out(request, bag: Bag) -> dict:
    return {
        "code": bag.code,
        "origin_office_code": bag.origin_office.code,
        "destination_office_code": bag.destination_office.code,
        "state": bag.state,
        "item_count": bag.item_count,
        "seal_number": bag.seal_number,
        "closed_at": bag.closed_at.isoformat(),
        "received_at": bag.received_at.isoformat() if bag.received_at else None,
        "label_url": request.build_absolute_uri(reverse("items:bag_label", args=[bag.code])),
    }


def _office(code: str, field: str) -> Office:
    office = Office.objects.filter(code=code, is_active=True).first()
    if office is None:
        raise ApiError(422, "unknown_office", "No active office has this code.", [{"field": field}])
    return office


def _validation(exc: ValidationError) -> ApiError:
    return ApiError(
        422,
        "validation_error",
        "The bag is not valid.",
        [
            {"field": name, "message": message}
            for name, messages in exc.message_dict.items()
            for message in messages
        ],
    )


@router.post(
    "/bags",
    response={201: BagOut, 400: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Close a bag",
    openapi_extra={"parameters": [IDEMPOTENCY_PARAMETER]},
)
def bag_create(request, payload: BagCloseIn, response: HttpResponse):
    """Close a bag with its items: each item gets a "left the sorting office" event (EDE).
    The whole bag is refused (422, one detail per number) when an item is unknown, already
    in a bag on its way, or may not leave the office."""
    principal: Principal = require_roles(request, *BAG_ROLES)

    def run():
        if payload.origin_office_code:
            origin = _office(payload.origin_office_code, "origin_office_code")
        else:
            try:
                origin = partner.resolve_office(principal.actor, "")
            except partner.SubmitError as exc:
                raise ApiError(exc.status, exc.code, exc.message, exc.details) from None
        destination = _office(payload.destination_office_code, "destination_office_code")
        try:
            result = bags.bag_close(
                actor=principal.actor,
                origin_office=origin,
                destination_office=destination,
                numbers=payload.numbers,
                seal_number=payload.seal_number,
                request=request,
            )
        except PermissionDenied:
            raise ApiError(403, "office_out_of_scope", "Not allowed at this office.") from None
        except ValidationError as exc:
            raise _validation(exc) from None
        return 201, _bag_out(request, result.bag)

    return _run_idempotent(request, response, principal, "POST /bags", payload, run)


@router.post(
    "/bags/{code}/receive",
    response={200: BagReceiptOut, 403: ErrorOut, 422: ErrorOut},
    summary="Receive a bag",
)
def bag_receive(request, code: str, payload: BagReceiveIn):
    """One scan of the bag at its destination records the arrival of all its items (EMG
    at their delivery office, EDD elsewhere); with `found`, missing and extra items are
    reported. Receiving the same bag again answers the first outcome."""
    principal: Principal = require_roles(request, *BAG_ROLES)
    bag = bag_selectors.bag_get_for_user(principal.actor, code)
    if bag is None:
        raise ApiError(422, "validation_error", "The bag is not valid.", [{"field": "code"}])
    office = (
        _office(payload.office_code, "office_code")
        if payload.office_code
        else bag.destination_office
    )
    try:
        receipt = bags.bag_receive(
            actor=principal.actor,
            code=bag.code,
            office=office,
            found=payload.found,
            request=request,
        )
    except PermissionDenied:
        raise ApiError(403, "office_out_of_scope", "Not allowed at this office.") from None
    except ValidationError as exc:
        raise _validation(exc) from None
    return Status(
        200,
        {
            "code": bag.code,
            "arrived": receipt.arrived,
            "missing": receipt.missing,
            "extra": receipt.extra,
            "unknown": receipt.unknown,
            "invalid": receipt.invalid,
            "rejected": receipt.rejected,
            "replayed": receipt.replayed,
        },
    )


@router.get("/bags/{code}", response={200: BagDetailOut, 404: ErrorOut}, summary="Get a bag")
def bag_get(request, code: str):
    """A bag sent from or to your offices, with its lines."""
    principal: Principal = require_roles(request, *BAG_ROLES)
    bag = bag_selectors.bag_get_for_user(principal.actor, code)
    if bag is None:
        raise ApiError(404, "bag_not_found", "No bag with this code is visible to you.")
    return {
        **_bag_out(request, bag),
        "lines": [
            {
                "number": line.item.number,
                "listed": line.listed,
                "state": line.state,
                "note": line.note,
            }
            for line in bag_selectors.bag_lines(bag)
        ],
    }
