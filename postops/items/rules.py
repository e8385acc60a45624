"""Pure rules of postal items: statuses, canonical tracking events and their transitions.

No Django import here: the rules are plain data and functions, tested with hypothesis.

Canonical events map to UPU EMSEVT event codes (UPU standard M40 "EMSEVT" messages;
see ``docs`` and domain.md §3). Events that exist only in the domestic process (return to
sender, withdrawal, unclaimed) have no EMSEVT code and map to ``None``:

===========================  =====  ==================================================
canonical code               UPU    meaning
===========================  =====  ==================================================
accepted                     EMA    posting / collection
outward_arrival              EMB    arrival at outward office of exchange
outward_departure            EMC    departure from outward office of exchange
inward_arrival               EMD    arrival at inward office of exchange
inward_departure             EMF    departure from inward office of exchange
transit_arrival              EMJ    arrival at transit office of exchange
transit_departure            EMK    departure from transit office of exchange
sorting_in                   EDD    item into sorting centre
sorting_out                  EDE    item out of sorting centre
delivery_office_arrival      EMG    arrival at delivery office
out_for_delivery             EDG    item out for delivery
delivery_failed              EMH    attempted / unsuccessful delivery (reason + action)
delivered                    EMI    final delivery
held                         EDF    item held at delivery office
pickup_point_arrival         EDH    arrival at pick-up point
redirected                   EMH+   receiver or address changed at the sender's request
return_started               —      return to sender begins (Postal Law 49/2010)
withdrawn                    —      withdrawn by the sender before dispatch (Postal Law 49/2010)
unclaimed                    —      neither deliverable nor returnable after 6 months
===========================  =====  ==================================================

+ EMSEVT has no redirection event of its own; the default reports it as EMH with the
action "forward to the new address" (``A05`` in the loaded action list). Both are
configuration (``POSTOPS_UPU_EVENT_CODES`` overrides any event's UPU code,
``POSTOPS_REDIRECT_ACTION_CODE`` the action), because the UPU reason/action values are
unknown here (domain.md §3). See :func:`upu_code`.

The item's status is a cache of its history: each event moves it through
:data:`TRANSITIONS`. An event that happened before the item's latest event (a scanner that
synchronised late) is stored but never moves the status backwards (:func:`next_status`).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import StrEnum

from postops.core.backoff import backoff_seconds


class Status(StrEnum):
    ACCEPTED = "accepted"
    IN_TRANSIT = "in_transit"
    AT_DELIVERY_OFFICE = "at_delivery_office"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERY_FAILED = "delivery_failed"
    HELD = "held"
    AWAITING_PICKUP = "awaiting_pickup"
    DELIVERED = "delivered"
    RETURNING = "returning"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"
    UNCLAIMED = "unclaimed"


class Event(StrEnum):
    ACCEPTED = "accepted"
    OUTWARD_ARRIVAL = "outward_arrival"
    OUTWARD_DEPARTURE = "outward_departure"
    INWARD_ARRIVAL = "inward_arrival"
    INWARD_DEPARTURE = "inward_departure"
    TRANSIT_ARRIVAL = "transit_arrival"
    TRANSIT_DEPARTURE = "transit_departure"
    SORTING_IN = "sorting_in"
    SORTING_OUT = "sorting_out"
    DELIVERY_OFFICE_ARRIVAL = "delivery_office_arrival"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERY_FAILED = "delivery_failed"
    DELIVERED = "delivered"
    HELD = "held"
    PICKUP_POINT_ARRIVAL = "pickup_point_arrival"
    REDIRECTED = "redirected"
    RETURN_STARTED = "return_started"
    WITHDRAWN = "withdrawn"
    UNCLAIMED = "unclaimed"


UPU_CODES: dict[Event, str | None] = {
    Event.ACCEPTED: "EMA",
    Event.OUTWARD_ARRIVAL: "EMB",
    Event.OUTWARD_DEPARTURE: "EMC",
    Event.INWARD_ARRIVAL: "EMD",
    Event.INWARD_DEPARTURE: "EMF",
    Event.TRANSIT_ARRIVAL: "EMJ",
    Event.TRANSIT_DEPARTURE: "EMK",
    Event.SORTING_IN: "EDD",
    Event.SORTING_OUT: "EDE",
    Event.DELIVERY_OFFICE_ARRIVAL: "EMG",
    Event.OUT_FOR_DELIVERY: "EDG",
    Event.DELIVERY_FAILED: "EMH",
    Event.DELIVERED: "EMI",
    Event.HELD: "EDF",
    Event.PICKUP_POINT_ARRIVAL: "EDH",
    Event.REDIRECTED: "EMH",
    Event.RETURN_STARTED: None,
    Event.WITHDRAWN: None,
    Event.UNCLAIMED: None,
}


def upu_code(event: Event | str, overrides: Mapping[str, str | None] | None = None) -> str | None:
    """The UPU EMSEVT code reported for ``event``: ``overrides`` (configuration, keyed by
    canonical code; ``None`` or ``""`` = not reported to the UPU) else :data:`UPU_CODES`."""
    event = Event(event)
    if overrides and event.value in overrides:
        return overrides[event.value] or None
    return UPU_CODES[event]


# Events a scanner or the postman app may send (the batch API). The others are outcomes of
# services with their own checks: acceptance at the counter, a sender's return or withdrawal
# request, the 6-month unclaimed rule.
SCAN_EVENTS: frozenset[Event] = frozenset(
    {
        Event.OUTWARD_ARRIVAL,
        Event.OUTWARD_DEPARTURE,
        Event.INWARD_ARRIVAL,
        Event.INWARD_DEPARTURE,
        Event.TRANSIT_ARRIVAL,
        Event.TRANSIT_DEPARTURE,
        Event.SORTING_IN,
        Event.SORTING_OUT,
        Event.DELIVERY_OFFICE_ARRIVAL,
        Event.OUT_FOR_DELIVERY,
        Event.DELIVERY_FAILED,
        Event.DELIVERED,
        Event.HELD,
        Event.PICKUP_POINT_ARRIVAL,
    }
)

# EMH carries a non-delivery reason and the action taken (UPU EMSEVT); the code values are
# a loadable list (domain.md §3: UNKNOWN here).
EVENTS_NEEDING_REASON: frozenset[Event] = frozenset({Event.DELIVERY_FAILED})

TERMINAL: frozenset[Status] = frozenset(
    {Status.DELIVERED, Status.RETURNED, Status.WITHDRAWN, Status.UNCLAIMED}
)
# The statuses of an item not finished, as a sorted list (an index condition and the
# worklists' filters name the same list).
OPEN_STATUSES: list[str] = sorted(s.value for s in Status if s not in TERMINAL)

_TRANSPORT = (
    Event.OUTWARD_ARRIVAL,
    Event.OUTWARD_DEPARTURE,
    Event.INWARD_ARRIVAL,
    Event.INWARD_DEPARTURE,
    Event.TRANSIT_ARRIVAL,
    Event.TRANSIT_DEPARTURE,
    Event.SORTING_IN,
    Event.SORTING_OUT,
)


def _build_transitions() -> dict[tuple[Status | None, Event], Status]:
    S, E = Status, Event
    table: dict[tuple[Status | None, Event], Status] = {(None, E.ACCEPTED): S.ACCEPTED}
    # Moving between offices. From the delivery office too: a misrouted or redirected
    # item is forwarded again.
    for status in (
        S.ACCEPTED,
        S.IN_TRANSIT,
        S.AT_DELIVERY_OFFICE,
        S.DELIVERY_FAILED,
        S.HELD,
        S.AWAITING_PICKUP,
    ):
        for event in _TRANSPORT:
            table[(status, event)] = S.IN_TRANSIT
    for status in (S.ACCEPTED, S.IN_TRANSIT, S.AT_DELIVERY_OFFICE, S.DELIVERY_FAILED, S.HELD):
        table[(status, E.DELIVERY_OFFICE_ARRIVAL)] = S.AT_DELIVERY_OFFICE
    # Accepted at the delivery office itself (same commune): out for delivery at once.
    for status in (S.ACCEPTED, S.AT_DELIVERY_OFFICE, S.DELIVERY_FAILED, S.HELD):
        table[(status, E.OUT_FOR_DELIVERY)] = S.OUT_FOR_DELIVERY
    # A second attempt recorded without a fresh out-for-delivery scan is still an attempt
    # (the two-invitation rule counts them).
    for status in (S.OUT_FOR_DELIVERY, S.DELIVERY_FAILED):
        table[(status, E.DELIVERY_FAILED)] = S.DELIVERY_FAILED
    # A postman who delivers on a later round without a fresh out-for-delivery scan, or a
    # receiver who collects at the counter, still ends in delivered.
    for status in (
        S.AT_DELIVERY_OFFICE,
        S.OUT_FOR_DELIVERY,
        S.DELIVERY_FAILED,
        S.HELD,
        S.AWAITING_PICKUP,
    ):
        table[(status, E.DELIVERED)] = S.DELIVERED
    for status in (S.AT_DELIVERY_OFFICE, S.OUT_FOR_DELIVERY, S.DELIVERY_FAILED):
        table[(status, E.HELD)] = S.HELD
    for status in (S.IN_TRANSIT, S.AT_DELIVERY_OFFICE, S.DELIVERY_FAILED, S.HELD):
        table[(status, E.PICKUP_POINT_ARRIVAL)] = S.AWAITING_PICKUP
    # Return to sender (chuyển hoàn) may start from anywhere before the end.
    for status in (
        S.ACCEPTED,
        S.IN_TRANSIT,
        S.AT_DELIVERY_OFFICE,
        S.OUT_FOR_DELIVERY,
        S.DELIVERY_FAILED,
        S.HELD,
        S.AWAITING_PICKUP,
    ):
        table[(status, E.RETURN_STARTED)] = S.RETURNING
    # On the way back every movement keeps the item "returning"; the final delivery is to
    # the sender.
    for event in (
        *_TRANSPORT,
        E.DELIVERY_OFFICE_ARRIVAL,
        E.OUT_FOR_DELIVERY,
        E.DELIVERY_FAILED,
        E.HELD,
        E.PICKUP_POINT_ARRIVAL,
    ):
        table[(S.RETURNING, event)] = S.RETURNING
    table[(S.RETURNING, E.DELIVERED)] = S.RETURNED
    # Redirection (Postal Law 49/2010: the sender changes the receiver or the address before
    # delivery) is recorded where the item is and leaves its status alone; an item already
    # at the old delivery office is then forwarded with ordinary transport scans.
    for status in (
        S.ACCEPTED,
        S.IN_TRANSIT,
        S.AT_DELIVERY_OFFICE,
        S.OUT_FOR_DELIVERY,
        S.DELIVERY_FAILED,
        S.HELD,
        S.AWAITING_PICKUP,
    ):
        table[(status, E.REDIRECTED)] = status
    # Withdrawal ends the item only while it is still at the accepting office; later the
    # sender's request becomes a return to sender (Postal Law 49/2010).
    table[(S.ACCEPTED, E.WITHDRAWN)] = S.WITHDRAWN
    # Postal Law 49/2010: neither deliverable nor returnable 6 months after acceptance.
    for status in (S.DELIVERY_FAILED, S.HELD, S.AWAITING_PICKUP, S.RETURNING):
        table[(status, E.UNCLAIMED)] = S.UNCLAIMED
    return table


TRANSITIONS: dict[tuple[Status | None, Event], Status] = _build_transitions()


class TransitionRefused(ValueError):
    """The event cannot follow the item's current status."""

    def __init__(self, status: Status | None, event: Event):
        super().__init__(f"event {event} is not allowed in status {status}")
        self.status = status
        self.event = event


def transition(status: Status | str | None, event: Event | str) -> Status:
    """The status after ``event`` happens to an item in ``status``.

    Raises :class:`TransitionRefused` when the pair is not in :data:`TRANSITIONS`.
    """
    key = (Status(status) if status else None, Event(event))
    try:
        return TRANSITIONS[key]
    except KeyError:
        raise TransitionRefused(key[0], key[1]) from None


def is_late(occurred_at: datetime, last_event_at: datetime | None) -> bool:
    """An event is late when it happened strictly before the item's latest event.

    Late events are kept in the history but do not change the status: the device time is
    when it happened, the upload time is irrelevant (architecture: append-only history).
    """
    return last_event_at is not None and occurred_at < last_event_at


def next_status(
    status: Status | str | None,
    last_event_at: datetime | None,
    event: Event | str,
    occurred_at: datetime,
) -> Status | None:
    """The new status, or ``None`` when the event is late and leaves the status alone.

    Raises :class:`TransitionRefused` for an on-time event the table does not allow. A late
    event is checked separately against the status of its own time (:func:`status_at`).
    """
    if is_late(occurred_at, last_event_at):
        return None
    return transition(status, event)


def status_at(history: Iterable[tuple[datetime, Event | str]], moment: datetime) -> Status | None:
    """The status an item had just after ``moment``, from its history of (time, event).

    Events are applied in the order they happened (ties keep the order given, i.e. the
    order they were stored); one that does not fit where it falls is skipped, as the
    status cache skipped it. Used to check a late event against the status the item had
    *when it happened*, so that a late scan is judged as it would have been on time.
    """
    status: Status | None = None
    for occurred_at, event in sorted(history, key=lambda pair: pair[0]):
        if occurred_at > moment:
            break
        try:
            status = transition(status, event)
        except TransitionRefused:
            continue
    return status


# --- Numbering ------------------------------------------------------------------------------


def months_before(moment: datetime, months: int) -> datetime:
    """``moment`` shifted back by whole calendar months, the day clamped to the month's end
    (31 March − 1 month → 28/29 February)."""
    index = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    # Days in the target month: the day before the first of the next month.
    next_index = index + 1
    ny, nm = divmod(next_index, 12)
    last_day = (datetime(ny, nm + 1, 1) - datetime(year, month, 1)).days
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def range_reusable(last_used_at: datetime | None, now: datetime, months: int = 12) -> bool:
    """May serials last handed out at ``last_used_at`` be handed out again at ``now``?

    UPU S10: an item identifier must not be reused within 12 months of its use (24
    recommended). A range never used at all is free.
    """
    return last_used_at is None or last_used_at <= months_before(now, months)


def ranges_overlap(first_a: int, last_a: int, first_b: int, last_b: int) -> bool:
    """Do the closed ranges [first_a, last_a] and [first_b, last_b] share a serial?"""
    return first_a <= last_b and first_b <= last_a


# --- Promised delivery date ---------------------------------------------------------------


def delivery_days(standards: Mapping[tuple[str, str], int], service: str, zone: str) -> int | None:
    """The n of J+n for ``service`` in ``zone``: the service's own row, else the row for
    every service (``""``), else ``None`` (no promise can be made).

    ``standards`` maps (service or ``""``, zone) to working days; the figures are
    configuration (``models.DeliveryStandard``), never code.
    """
    for key in ((str(service), str(zone)), ("", str(zone))):
        if key in standards:
            return standards[key]
    return None


# --- Public tracking ------------------------------------------------------------------------


def mask_name(name: str) -> str:
    """Show only the first letter of each word: ``"Trần Thị Bình"`` → ``"T*** T** B***"``.

    Public tracking shows no phone or address and only a masked receiver name (issue #3,
    item 8; Law 91/2025/QH15 on personal data: minimisation). The length of each word is kept
    so that the receiver can still recognise the pattern of their name.
    """
    return " ".join(word[0] + "*" * (len(word) - 1) for word in name.split())


# --- Status webhooks ------------------------------------------------------------------------


def webhook_signature(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-PostOps-Signature`` header of a webhook: ``t=<timestamp>,v1=<hex>``.

    ``v1`` is HMAC-SHA256 (RFC 2104, FIPS 180-4) keyed with the endpoint's secret over
    ``"<timestamp>.<body>"``, the scheme Stripe documents for its webhooks: the receiver
    recomputes it over the raw body, compares in constant time and refuses a timestamp too
    far from its clock (a replayed old request).
    """
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def webhook_signature_valid(
    secret: str, header: str, body: bytes, now: int, tolerance: int = 300
) -> bool:
    """Check a signature header as a receiver should (used by the tests and documented for
    partners): the right HMAC and a timestamp within ``tolerance`` seconds of ``now``."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = webhook_signature(secret, timestamp, body)
    return hmac.compare_digest(expected, f"t={timestamp},v1={parts.get('v1', '')}")


def webhook_backoff_seconds(attempt: int, base: int = 60, cap: int = 6 * 3600) -> int:
    """Seconds to wait after failed attempt number ``attempt`` (1, 2, …): exponential,
    ``base × 2^(attempt − 1)``, never more than ``cap`` (1 min, 2, 4, … up to 6 h).
    The shared rule of every outbox (``postops.core.backoff``)."""
    return backoff_seconds(attempt, base, cap)


# --- Bags between offices ------------------------------------------------------------------

# Closing a bag: each item leaves the sorting office (UPU EMSEVT EDE, "item out of sorting
# centre"); the bag's scan at the next office: arrival at the item's delivery office (EMG)
# or, on the way, into that office's sorting (EDD).
BAG_CLOSE_EVENT = Event.SORTING_OUT
BAG_ARRIVAL_AT_DESTINATION = Event.DELIVERY_OFFICE_ARRIVAL
BAG_ARRIVAL_IN_TRANSIT = Event.SORTING_IN


def bag_code(origin_code: str, destination_code: str, day, sequence: int) -> str:
    """``<origin>-<destination>-<YYMMDD>-<nnnn>``: readable on the label, unique per origin
    office and day, and Code 128 encodes it as printed."""
    return f"{origin_code}-{destination_code}-{day:%y%m%d}-{sequence:04d}"


def bag_arrival_event(item_destination_id: int | None, receiving_office_id: int) -> Event:
    """The arrival event of an item taken out of a bag at ``receiving_office_id``."""
    if item_destination_id == receiving_office_id:
        return BAG_ARRIVAL_AT_DESTINATION
    return BAG_ARRIVAL_IN_TRANSIT


def bag_compare(listed: Iterable[str], found: Iterable[str] | None):
    """(arrived, missing, extra) numbers of a bag's receipt, each sorted.

    ``found`` ``None`` is the one-scan receipt: everything listed arrived. Otherwise the
    items scanned out of the bag are compared with its list: listed and found arrived,
    listed but not found are missing, found but not listed are extra.
    """
    listed_set = set(listed)
    if found is None:
        return sorted(listed_set), [], []
    found_set = set(found)
    return (
        sorted(listed_set & found_set),
        sorted(listed_set - found_set),
        sorted(found_set - listed_set),
    )


# --- Routing: which office delivers to a commune ------------------------------------------

# Kinds of office that deliver, most preferred first: a post office (bưu cục phát, with its
# postmen) before a commune post office. Provincial offices sort, BĐVHX and payout points
# do not deliver. Configurable through ``POSTOPS_DELIVERY_OFFICE_KINDS``.
DELIVERY_OFFICE_KINDS: tuple[str, ...] = ("post_office", "commune_post")


def delivery_office_pick(
    candidates: Iterable[tuple[int, str, str]], kinds: Iterable[str] = DELIVERY_OFFICE_KINDS
) -> int | None:
    """The delivery office among ``candidates`` (id, kind, code) of the receiver's commune:
    the first kind in ``kinds`` order, then the lowest office code (a stable choice when a
    commune has two); ``None`` when no candidate delivers."""
    order = {kind: rank for rank, kind in enumerate(kinds)}
    ranked = sorted((order[kind], code, pk) for pk, kind, code in candidates if kind in order)
    return ranked[0][2] if ranked else None


def webhook_url_problem(url: str, allow_loopback_http: bool = False) -> str | None:
    """Why ``url`` may not receive signed webhooks, or ``None`` when it may.

    HTTPS only: the body carries the partner's order data and the signature proves who sent
    it, not that nobody read it (OWASP: sensitive data only over TLS). Plain HTTP is allowed
    only to a loopback host (``localhost``, ``127.0.0.0/8``, ``::1``) when
    ``allow_loopback_http`` (development). Codes: ``invalid_url``, ``https_required``.
    """
    from ipaddress import ip_address
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return "invalid_url"
    if parts.scheme not in ("http", "https") or not host or parts.username or parts.password:
        return "invalid_url"
    if parts.scheme == "https":
        return None
    try:
        loopback = host == "localhost" or ip_address(host).is_loopback
    except ValueError:
        loopback = False
    return None if (allow_loopback_http and loopback) else "https_required"
