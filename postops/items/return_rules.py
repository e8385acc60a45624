"""Pure rules of returns and changes a sender may ask for. No Django import.

Postal Law 49/2010/QH12 (domain.md §3):

- An item that cannot be delivered (no or wrong address, receiver moved, not found,
  refused, or did not come after 2 invitations 2 working days apart) is returned to the
  sender (chuyển hoàn) **at the sender's cost**; **basic letters up to 500 g are returned
  automatically and free**.
- Before delivery the sender may **change the receiver or the address** (redirection) or
  **withdraw** the item. Once delivered, nothing can be changed.
- An item neither deliverable nor returnable **6 months after acceptance** becomes "no
  recipient" (bưu gửi vô thừa nhận, unclaimed).

Which services count as basic letters is configuration (``POSTOPS_FREE_RETURN_SERVICES``):
ordinary letters carry no S10 number, so PostOps holds none of them; the setting names the
services treated like them.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from enum import StrEnum

from . import rules
from .rules import Event, Status

# Postal Law 49/2010: basic letters up to this weight go back free of charge.
FREE_RETURN_MAX_WEIGHT_G = 500
# Postal Law 49/2010: unclaimed ("vô thừa nhận") this many months after acceptance.
UNCLAIMED_AFTER_MONTHS = 6


class Cause(StrEnum):
    """Why an item goes back to its sender."""

    SENDER_REQUEST = "sender_request"  # the sender asked for it back
    WITHDRAWAL = "withdrawal"  # the sender withdrew it after it left the accepting office
    UNDELIVERABLE = "undeliverable"  # it could not be delivered


class ChangeRefused(ValueError):
    """The request cannot be carried out in the item's status; ``code`` says why."""

    def __init__(self, code: str, status: str | None = None):
        super().__init__(code)
        self.code = code
        self.status = status


def is_free_return(
    cause: Cause | str, service: str, weight_g: int, free_services: Collection[str]
) -> bool:
    """A return is free for a basic letter up to 500 g that could not be delivered.

    A sender who recalls such a letter (request, withdrawal) pays like any other sender: the
    free return is for letters the post could not deliver.
    """
    return (
        Cause(cause) == Cause.UNDELIVERABLE
        and service in free_services
        and 0 < weight_g <= FREE_RETURN_MAX_WEIGHT_G
    )


def return_fee(
    cause: Cause | str,
    service: str,
    weight_g: int,
    tariff_price: int | None,
    free_services: Collection[str],
) -> int:
    """The sender's cost of a return: 0 when free, else the tariff's price of the way back.

    The way back is priced like the way out (same service, weight and zone, no add-ons).
    Raises ``ValueError`` when a fee is due but the tariff gave no price.
    """
    if is_free_return(cause, service, weight_g, free_services):
        return 0
    if tariff_price is None or tariff_price < 0:
        raise ValueError("no tariff price for this return")
    return tariff_price


def needs_sender_consent(
    cause: Cause | str, service: str, weight_g: int, free_services: Collection[str]
) -> bool:
    """An undeliverable item goes back on its own only when the return is free (a basic
    letter ≤ 500 g); any other return is at the sender's cost, so the sender must ask."""
    return not is_free_return(cause, service, weight_g, free_services)


# Statuses from which a return may start: the transition table decides (rules.TRANSITIONS).
RETURNABLE: frozenset[Status] = frozenset(
    status
    for (status, event) in rules.TRANSITIONS
    if event == Event.RETURN_STARTED and status is not None
)
# Statuses from which an item may become unclaimed (held, failed, awaiting pick-up, or
# on its way back): again the transition table's word.
UNCLAIMABLE: frozenset[Status] = frozenset(
    status for (status, event) in rules.TRANSITIONS if event == Event.UNCLAIMED and status
)


def check_return(status: Status | str) -> None:
    """Refuse a return that cannot start: ``delivered`` (too late), ``already_returning``,
    ``finished`` (returned, withdrawn, unclaimed)."""
    status = Status(status)
    if status in RETURNABLE:
        return
    raise ChangeRefused(_refusal(status), status)


def withdrawal_event(status: Status | str) -> Event:
    """What a withdrawal becomes in ``status``.

    While the item is still at the accepting office it is simply withdrawn (``withdrawn``);
    once it has left, the sender's request becomes a return to sender at the sender's cost
    (``return_started``). Refused once delivered or finished, and when already returning.
    """
    status = Status(status)
    if (status, Event.WITHDRAWN) in rules.TRANSITIONS:
        return Event.WITHDRAWN
    if status in RETURNABLE:
        return Event.RETURN_STARTED
    raise ChangeRefused(_refusal(status), status)


def check_redirect(status: Status | str) -> None:
    """Receiver or address may change before delivery, while the item still goes to a
    receiver (not once it is on its way back to the sender, nor after the end)."""
    status = Status(status)
    if status in rules.TERMINAL or status == Status.RETURNING:
        raise ChangeRefused(_refusal(status), status)


def _refusal(status: Status) -> str:
    if status == Status.DELIVERED:
        return "delivered"
    if status == Status.RETURNING:
        return "already_returning"
    if status in rules.TERMINAL:
        return "finished"
    return "not_allowed"


def unclaimed_due(
    accepted_at: datetime, status: Status | str, now: datetime, months: int = UNCLAIMED_AFTER_MONTHS
) -> bool:
    """Has the item become unclaimed at ``now``? Accepted at least ``months`` calendar
    months ago (6 by law) and in a status from which it is neither being delivered nor
    finished (:data:`UNCLAIMABLE`)."""
    return Status(status) in UNCLAIMABLE and accepted_at <= rules.months_before(now, months)
