"""API endpoints of postal items: public tracking and batch ingest of scans.

* ``GET /track/{number}`` and ``GET /track?numbers=a,b`` — public, no credentials,
  rate-limited per client address (``POSTOPS_PUBLIC_RATE_PER_MINUTE``).
* ``POST /events/batch`` — scanners and the postman app (API key or staff session), up to
  5,000 events, one result per event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema
from pydantic import BaseModel
from pydantic_core import to_json

from postops.accounts.api_auth import require_roles, staff_auth
from postops.core import s10
from postops.core.api_errors import ApiError, error_json_response, rate_limited_response
from postops.core.ratelimit import ClientRateThrottle

from . import rules, selectors, services

# --- Public tracking -----------------------------------------------------------------------


class PublicRateThrottle(ClientRateThrottle):
    """Public tracking requests per minute per client address
    (``POSTOPS_PUBLIC_RATE_PER_MINUTE``; the page and the API share the allowance)."""

    scope = "public_tracking"
    period = 60

    def limit(self) -> int:
        return settings.POSTOPS_PUBLIC_RATE_PER_MINUTE


public_router = Router(tags=["tracking"], auth=None, throttle=[PublicRateThrottle()])

ERROR_MESSAGES = {
    "invalid_item_number": "The item number is not a valid S10 number.",
    "item_not_found": "No item has this number.",
}


# Plain pydantic models (see EventIn below): no per-object wrapping validator on the busiest
# public endpoint.
class TrackEventOut(BaseModel):
    code: str = Field(
        description="Canonical event code (each maps to a UPU EMSEVT code; see the docs).",
        examples=["delivery_office_arrival"],
    )
    text: str = Field(description="The event in the language of the request (vi or en).")
    office_code: str = Field(examples=["241000"])
    office_name: str
    occurred_at: datetime = Field(description="When it happened, local time (UTC+07:00).")


class TrackOut(BaseModel):
    number: str = Field(examples=["EB125966888VN"])
    status: str = Field(examples=["at_delivery_office"])
    status_text: str
    receiver_name: str = Field(
        description="Masked: the first letter of each word only.", examples=["T*** T** B***"]
    )
    events: list[TrackEventOut] = Field(description="Newest first.")


class TrackError(Schema):
    code: Literal["invalid_item_number", "item_not_found"]
    message: str


class TrackManyEntry(Schema):
    query: str = Field(description="The number as it was sent.")
    number: str = Field(description="The number normalised (spaces removed, upper case).")
    tracking: TrackOut | None = None
    error: TrackError | None = None


class TrackManyOut(Schema):
    results: list[TrackManyEntry]


class ErrorOut(Schema):
    code: str
    message: str
    details: list[dict] = []


def _datetime_text(value: datetime) -> str:
    """A date-time as django-ninja writes it (Django's JSON encoder: ISO 8601, milliseconds
    when there are any, truncated; the offset kept, ``Z`` for UTC), for the answers built by
    hand below; the encoder's type checks cost more than the formatting."""
    text = value.isoformat(timespec="milliseconds" if value.microsecond else "seconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _tracking_dict(tracking: selectors.Tracking) -> dict:
    return {
        "number": tracking.number,
        "status": tracking.status,
        "status_text": tracking.status_text,
        "receiver_name": tracking.receiver_name,
        "events": [
            {
                "code": e.code,
                "text": e.text,
                "office_code": e.office_code,
                "office_name": e.office_name,
                "occurred_at": _datetime_text(e.occurred_at),
            }
            for e in tracking.events
        ],
    }


def json_answer(data: dict) -> HttpResponse:
    """``data`` (already in the shape of the operation's response model) as JSON.

    The busiest endpoints answer this way instead of returning ``data`` to django-ninja,
    which validates it against the response model and serialises it again with a Python
    encoder: on public tracking that took a fifth of a lookup's CPU, on a 5,000-event
    batch more than recording the events (docs/benchmarks.md). The models stay declared
    for the OpenAPI document; the tests check the answers against them.
    """
    return HttpResponse(to_json(data), content_type="application/json; charset=utf-8")


def _check_digit_details(number: str) -> list[dict]:
    try:
        s10.validate(number)
    except s10.S10Error as exc:
        return [
            {"field": "number", "reason": exc.code, "message": gettext(exc.message) % exc.params}
        ]
    return []


@public_router.get(
    "/track/{number}",
    response={200: TrackOut, 400: ErrorOut, 404: ErrorOut, 429: ErrorOut},
    summary="Track one item",
)
def track_one(request, number: str):
    """Public tracking of one item by its S10 number: status and events, newest first.

    No phone number or address is ever returned and the receiver's name is masked. A
    malformed number or a wrong check digit answers 400 ``invalid_item_number``; a valid
    number unknown here answers 404 ``item_not_found``.
    """
    # Requests are served by track_one_view (below); this operation documents the endpoint
    # in the OpenAPI schema and answers the same if the URL is ever left to django-ninja.
    return _track_one_answer(number)


def track_one_view(request: HttpRequest, number: str) -> HttpResponse:
    """``GET /api/v1/track/{number}`` (:func:`track_one`) without django-ninja: routed in
    ``config/urls.py`` ahead of the API.

    The busiest public endpoint: django-ninja's dispatch (throttle loop, a temporary
    response, path parameters validated through a model) cost about 15 % of a lookup's CPU,
    for one string parameter (docs/benchmarks.md, fourth session). Same answers, errors,
    rate limit (with ``Retry-After``) and headers; other methods answer 405 in the API's
    error shape (``ApiResponseMiddleware``).
    """
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    throttle = PublicRateThrottle()
    if not throttle.allow_request(request):
        return rate_limited_response(throttle.wait())
    return _track_one_answer(number)


def _track_one_answer(number: str) -> HttpResponse:
    lookup = selectors.item_track(number)
    if lookup.error == "invalid_item_number":
        return error_json_response(
            400,
            "invalid_item_number",
            ERROR_MESSAGES["invalid_item_number"],
            _check_digit_details(lookup.number),
        )
    if lookup.error == "item_not_found":
        return error_json_response(404, "item_not_found", ERROR_MESSAGES["item_not_found"])
    return json_answer(_tracking_dict(lookup.tracking))


@public_router.get(
    "/track",
    response={200: TrackManyOut, 400: ErrorOut, 429: ErrorOut},
    summary="Track several items",
)
def track_many(
    request,
    numbers: str = Query(
        ...,
        description=(
            f"Up to {selectors.MAX_TRACK_NUMBERS} S10 numbers separated by commas (or semicolons)."
        ),
        examples=["EB125966888VN,RR473124829VN"],
    ),
):
    """Public tracking of up to 20 items at once; one entry per distinct number, in the order
    sent, each with ``tracking`` or an ``error`` (``invalid_item_number``/``item_not_found``)."""
    queries = selectors.split_numbers(numbers)
    if not queries:
        raise ApiError(400, "no_numbers", "Send at least one item number.")
    if len(queries) > selectors.MAX_TRACK_NUMBERS:
        raise ApiError(
            400,
            "too_many_numbers",
            f"At most {selectors.MAX_TRACK_NUMBERS} numbers per request.",
            [{"field": "numbers", "count": len(queries), "max": selectors.MAX_TRACK_NUMBERS}],
        )
    results = []
    for lookup in selectors.item_track_many(queries):
        entry = {"query": lookup.query, "number": lookup.number, "tracking": None, "error": None}
        if lookup.error:
            entry["error"] = {"code": lookup.error, "message": ERROR_MESSAGES[lookup.error]}
        else:
            entry["tracking"] = _tracking_dict(lookup.tracking)
        results.append(entry)
    return json_answer({"results": results})


# --- Batch ingest of scans -----------------------------------------------------------------

events_router = Router(tags=["tracking events"], auth=staff_auth)

# Who records scans: counter clerks and sorting staff, postmen, BĐVHX attendants and their
# supervisors (their devices use keys with these roles). Business senders (``partner``)
# send items, not scans.
SCAN_ROLES = ("clerk", "postman", "bdvhx", "supervisor")


# The per-event schemas are plain pydantic models, not ninja ``Schema``: ninja's Schema runs
# a wrapping validator (for Django model attributes) on every object, which cost about a
# tenth of a 5,000-event batch (docs/benchmarks.md). The OpenAPI schema is the same.
class EventIn(BaseModel):
    """One scan. Values are checked one by one: a wrong value rejects that event only."""

    event_id: str = Field(
        description="The device's UUID for this event: a resent event is a duplicate.",
        examples=["5f0c6b5e-3d5a-4b8e-9a57-0b9d5c1e7a10"],
    )
    number: str = Field(description="S10 item number.", examples=["EB125966888VN"])
    code: str = Field(
        description=(
            "Canonical event code, one of: " + ", ".join(sorted(e.value for e in rules.SCAN_EVENTS))
        ),
        examples=["delivery_office_arrival"],
    )
    office_code: str = Field(
        description="Code of the office where it happened.", examples=["241000"]
    )
    occurred_at: str = Field(
        description="When it happened on the device: ISO 8601 with a UTC offset.",
        examples=["2026-03-02T08:30:00+07:00"],
    )
    reason_code: str = Field("", description="Required for delivery_failed (code list).")
    action_code: str = Field("", description="Required for delivery_failed (code list).")
    latitude: float | None = None
    longitude: float | None = None
    note: str = Field("", max_length=255)


class EventBatchIn(Schema):
    events: list[EventIn] = Field(..., max_length=services.MAX_BATCH_EVENTS)


class EventResultOut(BaseModel):
    event_id: str
    result: Literal["accepted", "duplicate", "rejected"]
    reason: str | None = Field(
        None, description="Why it was rejected: " + ", ".join(sorted(services.REJECTION_TEXT))
    )
    message: str | None = None
    status: str | None = Field(None, description="The item's status after the batch.")
    details: dict | None = None


class EventBatchOut(Schema):
    accepted: int
    duplicate: int
    rejected: int
    results: list[EventResultOut] = Field(description="One per event, in the order sent.")


@events_router.post(
    "/events/batch",
    response={200: EventBatchOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Record a batch of scans",
)
def events_batch(request, payload: EventBatchIn):
    """Record up to 5,000 tracking events at once (scanners, the postman app offline queue).

    Each event gets a result: ``accepted``, ``duplicate`` (its ``event_id`` was stored
    before: replaying a batch changes nothing) or ``rejected`` with a reason. Events are
    applied per item in the order they happened; an event older than the item's latest is
    kept in the history without moving the status back. Roles: clerk, postman, bdvhx,
    supervisor, at offices in the caller's scope.
    """
    principal = require_roles(request, *SCAN_ROLES)
    try:
        results = services.events_ingest_batch(
            actor=principal.actor,
            # A validated model's field values, without copying them (``model_dump``).
            events=[vars(e) for e in payload.events],
            request=request,
        )
    except ValidationError as exc:
        raise ApiError(400, "batch_too_large", "; ".join(exc.messages)) from None
    counts = {"accepted": 0, "duplicate": 0, "rejected": 0}
    for r in results:
        counts[r.result] += 1
    return json_answer({**counts, "results": [r.as_api() for r in results]})
