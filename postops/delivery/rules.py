"""Pure rules of delivery: proof of delivery, failed attempts, end-of-day handover.

No Django import: plain data and functions, tested with hypothesis.

Sources:

* Postal Law 49/2010/QH12 and domain.md §3: an item is undeliverable when the address is
  missing or wrong, the receiver moved, cannot be found or refuses it, or **after two
  invitations two working days apart** the receiver did not come. Undeliverable items go
  back to the sender (on request, at the sender's cost; the returns service decides).
* Decision 45/2016/QĐ-TTg Art. 9–10 and Circular 17/2017/TT-BTTTT Art. 5(2) (domain.md §1):
  results of administrative procedures are handed over against the citizen ID card or a
  passport; a citizen who cannot be reached after at least two invitations two working days
  apart gets the result sent back to the agency.
* Issue #3 item 9: an ID number check for registered and cash-on-delivery items; the amount
  collected must be the item's COD amount (integer đồng).
* Law 91/2025/QH15 and Decree 356/2025/NĐ-CP: ID numbers are personal data, so only what the
  check needs is kept (:func:`mask_document`, a keyed hash made by the service).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Protocol

from postops.core import cccd
from postops.items.rules import Status as ItemStatus

# Items a supervisor may put on a run sheet: arrived, back after a failed attempt, or held.
ASSIGNABLE_STATUSES: frozenset[str] = frozenset(
    {ItemStatus.AT_DELIVERY_OFFICE, ItemStatus.DELIVERY_FAILED, ItemStatus.HELD}
)


class Relation(StrEnum):
    """Who took the item, relative to the receiver named on it."""

    SELF = "self"
    FAMILY = "family"
    NEIGHBOUR = "neighbour"
    OFFICE = "office"  # a reception desk or mail room of the receiver's workplace
    OTHER = "other"


class IdDocument(StrEnum):
    CCCD = "cccd"
    PASSPORT = "passport"


# Items that need the recipient's ID document checked (issue #3 item 9: registered and COD
# items; insured items and administrative results by the same reasoning: Decision 45/2016).
ID_CHECK_SERVICES: frozenset[str] = frozenset({"registered", "insured", "dossier"})


def id_check_required(service: str, cod_amount: int) -> bool:
    """Registered, insured and dossier items, and any item with cash on delivery."""
    return service in ID_CHECK_SERVICES or cod_amount > 0


_PASSPORT = re.compile(r"^[A-Z][0-9]{7,8}$")

# Services whose proxy recipient must show a written authorisation besides their own ID:
# administrative results (Decision 45/2016 Art. 10; Circular 17/2017 Art. 5(2)).
AUTHORISATION_SERVICES: frozenset[str] = frozenset({"dossier"})


def authorisation_problem(
    service: str, relation: str, number: str, signed_on: date | None, today: date
) -> str | None:
    """``None`` when the recipient may take the item as far as authorisation goes, else a
    code: ``authorisation_missing`` (a proxy — anyone but the receiver — brings no written
    authorisation number and date) or ``authorisation_future`` (dated after today)."""
    if service not in AUTHORISATION_SERVICES or relation == Relation.SELF:
        return None
    if not (number or "").strip() or signed_on is None:
        return "authorisation_missing"
    if signed_on > today:
        return "authorisation_future"
    return None


def normalise_document_number(number: str) -> str:
    """As printed, without spaces, dots or dashes, upper case."""
    return re.sub(r"[\s.\-]", "", number or "").upper()


def document_problem(document: str, number: str) -> str | None:
    """``None`` when the number is plausible for the document, else a problem code.

    A citizen ID number is checked with :func:`postops.core.cccd.validate` (12 digits, a
    legacy province code; no check digit exists). A Vietnamese passport number is one letter
    and 7 digits (8 accepted for newer series). Codes: ``unknown_document``, ``missing``,
    ``cccd_<code>`` (``cccd_length``, ``cccd_digits``, ``cccd_province``) or
    ``passport_format``.
    """
    number = normalise_document_number(number)
    if document not in {d.value for d in IdDocument}:
        return "unknown_document"
    if not number:
        return "missing"
    if document == IdDocument.CCCD:
        try:
            cccd.validate(number)
        except cccd.CccdError as exc:
            return f"cccd_{exc.code}"
        return None
    return None if _PASSPORT.fullmatch(number) else "passport_format"


def mask_document(document: str, number: str) -> str:
    """What pages and records show of an ID number: ``001*******45`` / ``C*****67``."""
    number = normalise_document_number(number)
    if document == IdDocument.CCCD:
        return cccd.mask(number)
    if len(number) <= 3:
        return "*" * len(number)
    return number[0] + "*" * (len(number) - 3) + number[-2:]


def cod_problem(expected: int, collected: int | None) -> str | None:
    """The amount collected must be exactly the item's COD amount (integer đồng).

    ``None`` when it is; ``cod_missing`` when an amount was due and none was entered;
    ``cod_not_due`` when money was entered for an item without COD; ``cod_mismatch``
    otherwise. A receiver who does not pay does not get the item: that is a failed attempt
    (reason "did not pay"), never a partial collection.
    """
    if expected <= 0:
        return None if not collected else "cod_not_due"
    if collected is None:
        return "cod_missing"
    return None if collected == expected else "cod_mismatch"


# --- Failed attempts --------------------------------------------------------------------------


class Outcome(StrEnum):
    """What happens to an item after a failed attempt."""

    RETRY = "retry"  # an invitation is left; the next attempt is scheduled
    HOLD = "hold"  # back to the delivery office, held there (EDF) for the receiver
    RETURN = "return"  # back to the delivery office, to be returned to the sender/agency


# Defaults for the starting code lists (postops/items/data/item_config.json). The code values
# are configuration (domain.md §3: the UPU values are unknown here); a deployment with other
# lists overrides these through the ``POSTOPS_DELIVERY_*`` settings read by the services.
UNDELIVERABLE_REASONS: frozenset[str] = frozenset({"R01", "R02", "R03", "R04"})
ACTION_OUTCOMES: dict[str, Outcome] = {
    "A01": Outcome.RETRY,  # next delivery attempt
    "A02": Outcome.HOLD,  # held at the office for collection
    "A03": Outcome.RETURN,  # return to sender
    "A04": Outcome.HOLD,  # ask the sender for instructions: wait at the office
    "A05": Outcome.HOLD,  # forward to a new address: a sender's change, decided at the office
}
# Where an item goes once the receiver was not reached after two spaced invitations:
# administrative results go back to the agency (Decision 45/2016 Art. 10); other items are
# held at the office, where the invitations asked the receiver to collect them.
UNREACHED_OUTCOMES: dict[str, Outcome] = {"dossier": Outcome.RETURN}
INVITATIONS_NEEDED = 2
INVITATION_SPACING_DAYS = 2


class WorkingCalendar(Protocol):
    def add_working_days(self, day: date, n: int) -> date: ...

    def working_days_between(self, start: date, end: date) -> int: ...


@dataclass(frozen=True)
class FailureDecision:
    """The result of :func:`decide_failed_attempt`.

    ``invitation`` is this attempt's invitation number (1, 2, …) when it left one, else
    ``None``; ``next_attempt_on`` is set only for :attr:`Outcome.RETRY`. ``grounds`` says
    why: ``next_attempt``, ``undeliverable_reason``, ``invitations_exhausted``,
    ``postman_action`` or ``return_too_early`` (a return asked for before the law allows it:
    another invitation is due instead).
    """

    outcome: Outcome
    invitation: int | None
    next_attempt_on: date | None
    grounds: str


def invitations_exhausted(invitations: Sequence[date], calendar: WorkingCalendar) -> bool:
    """Two invitations, the last at least two working days after the first (Postal Law
    49/2010; Circular 17/2017 Art. 5(2))."""
    days = sorted(invitations)
    return (
        len(days) >= INVITATIONS_NEEDED
        and calendar.working_days_between(days[0], days[-1]) >= INVITATION_SPACING_DAYS
    )


def decide_failed_attempt(
    *,
    day: date,
    earlier_invitations: Iterable[date],
    reason_code: str,
    action_code: str,
    service: str,
    calendar: WorkingCalendar,
    undeliverable_reasons: frozenset[str] = UNDELIVERABLE_REASONS,
    action_outcomes: Mapping[str, Outcome] = ACTION_OUTCOMES,
    unreached_outcomes: Mapping[str, Outcome] = UNREACHED_OUTCOMES,
) -> FailureDecision:
    """What follows a failed attempt on ``day`` (local date).

    1. A reason that makes the item undeliverable (wrong address, moved, not found, refused)
       sends it back at once: :attr:`Outcome.RETURN`, no invitation.
    2. The postman's action decides otherwise: hold at the office, or return — but a return
       needs the two invitations first; asked too early it becomes another attempt
       (``return_too_early``).
    3. A next attempt leaves an invitation. Once two invitations lie two working days apart
       the receiver counts as not reached: the item is held, or returned for services in
       ``unreached_outcomes`` (administrative results). Otherwise the next attempt is due
       two working days after the first invitation, and never before the next working day.
    """
    earlier = sorted(d for d in earlier_invitations if d <= day)
    if reason_code in undeliverable_reasons:
        return FailureDecision(Outcome.RETURN, None, None, "undeliverable_reason")
    wanted = action_outcomes.get(action_code, Outcome.HOLD)
    if wanted == Outcome.HOLD:
        return FailureDecision(Outcome.HOLD, None, None, "postman_action")
    if wanted == Outcome.RETURN and invitations_exhausted(earlier, calendar):
        return FailureDecision(Outcome.RETURN, None, None, "postman_action")
    invitations = [*earlier, day]
    number = len(invitations)
    if invitations_exhausted(invitations, calendar):
        final = (
            Outcome.RETURN
            if wanted == Outcome.RETURN
            else unreached_outcomes.get(service, Outcome.HOLD)
        )
        return FailureDecision(final, number, None, "invitations_exhausted")
    next_day = max(
        calendar.add_working_days(invitations[0], INVITATION_SPACING_DAYS),
        calendar.add_working_days(day, 1),
    )
    grounds = "return_too_early" if wanted == Outcome.RETURN else "next_attempt"
    return FailureDecision(Outcome.RETRY, number, next_day, grounds)


# --- End-of-day handover ----------------------------------------------------------------------


@dataclass(frozen=True)
class Variance:
    """Counted minus expected: negative means missing items or cash short."""

    items: int
    cash: int

    @property
    def any(self) -> bool:
        return bool(self.items or self.cash)


def handover_variance(
    *, expected_items: int, returned_items: int, expected_cash: int, counted_cash: int
) -> Variance:
    """The variance of a handover: undelivered items and COD cash (integer đồng).

    The postman brings back every item not delivered and all cash collected; the supervisor
    counts both. Any difference must be explained (a reason) before the day can close.
    """
    for value in (expected_items, returned_items, expected_cash, counted_cash):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError("counts and amounts are non-negative integers")
    return Variance(items=returned_items - expected_items, cash=counted_cash - expected_cash)


# --- Uploaded proof ---------------------------------------------------------------------------

MAX_SIGNATURE_BYTES = 200_000
MAX_PHOTO_BYTES = 2_000_000


def image_kind(data: bytes) -> str | None:
    """``png``, ``jpeg`` or ``webp`` by the file's magic bytes, else ``None``."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


# --- Home payouts: the identity check offline ---------------------------------------------------

# The phone checks the document number typed against a slow salted hash of the number on
# record (PBKDF2-HMAC-SHA256, as WebCrypto computes it), so that a wrong document is caught
# before the cash is handed over, without the page carrying the number itself. The server
# checks again when the payment is sent (payouts.services.payout_record).
ID_CHECK_ITERATIONS = 20_000


def identity_check_digest(document: str, number: str, salt: bytes) -> str:
    """Hex PBKDF2-HMAC-SHA256 of ``"<document>:<normalised number>"`` with ``salt``."""
    import hashlib

    text = f"{document}:{normalise_document_number(number)}".encode()
    return hashlib.pbkdf2_hmac("sha256", text, salt, ID_CHECK_ITERATIONS, dklen=32).hex()
