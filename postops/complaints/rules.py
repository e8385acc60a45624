"""Complaint rules: admissibility, answer deadlines, status moves, compensation.

Sources:

* Postal Law 49/2010/QH12 Art. 38–39 (complaints on postal items): a complaint in writing
  within **6 months** for loss or delay, counted from the end of the published end-to-end
  time, and **1 month** for damage or short contents, counted from delivery; the answer is due
  within **2 months** (domestic) or **3 months** (international) from receipt.
* Decision 45/2016/QĐ-TTg Art. 11 (administrative-procedure dossiers via the public postal
  service): a complaint within **6 months** after the end-to-end time; answer within **5
  working days** (same province) or **7 working days** (between provinces).
* Decree 47/2011/NĐ-CP Art. 24–27 (compensation): domestic loss at least **4 × the tariff
  paid** (the tariff refund included); partial loss or damage by the actual damage but never
  more than the loss amount; a missed end-to-end time with proof gives the **tariff refund**;
  international (air) **9 SDR per kg, at least 30 SDR**, plus the tariff refund; payment
  within **30 days** of the liability decision.

The SDR rate (đồng per SDR) is configuration entered with each decision, never a constant.
Pure module: no Django import; working days come in as a function (``core.calendar``).
"""

from __future__ import annotations

import calendar as _calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from fractions import Fraction


class Subject(StrEnum):
    ITEM = "item"
    DOSSIER = "dossier"


class Kind(StrEnum):
    LOSS = "loss"
    DELAY = "delay"
    DAMAGE = "damage"  # damage or short contents
    DOSSIER_SERVICE = "dossier_service"
    OTHER = "other"


class Status(StrEnum):
    RECEIVED = "received"
    INVESTIGATING = "investigating"
    ANSWERED = "answered"
    COMPENSATED = "compensated"
    CLOSED = "closed"


class Outcome(StrEnum):
    UPHELD = "upheld"
    REJECTED = "rejected"


# Every allowed move; anything else is refused. "answered" carries the outcome; only an
# upheld answer can lead to a compensation payment.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.RECEIVED: frozenset({Status.INVESTIGATING, Status.ANSWERED}),
    Status.INVESTIGATING: frozenset({Status.ANSWERED}),
    Status.ANSWERED: frozenset({Status.COMPENSATED, Status.CLOSED}),
    Status.COMPENSATED: frozenset({Status.CLOSED}),
    Status.CLOSED: frozenset(),
}

OPEN_STATUSES = frozenset({Status.RECEIVED, Status.INVESTIGATING})


class TransitionError(ValueError):
    def __init__(self, old: str, new: str):
        super().__init__(f"{old} -> {new}")
        self.old, self.new = old, new


def can_move(old: str, new: str) -> bool:
    return Status(new) in TRANSITIONS.get(Status(old), frozenset())


def transition(old: str, new: str) -> Status:
    if not can_move(old, new):
        raise TransitionError(old, new)
    return Status(new)


# --- Dates -----------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later; the month's last day when it is shorter
    (31 August + 6 months = 28 or 29 February): a time limit "in months" ends on the
    corresponding day of the last month (Civil Code 91/2015/QH13 Art. 147)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = _calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def admissible_until(
    subject: str,
    kind: str,
    *,
    end_to_end_on: date | None,
    delivered_on: date | None = None,
) -> date | None:
    """The last day a complaint may be lodged, or ``None`` when the law sets no limit or the
    starting day is not known yet (the complaint is then taken as admissible).

    Items: loss and delay 6 months from the end of the published end-to-end time; damage or
    short contents 1 month from delivery (Postal Law Art. 38). Dossiers: 6 months after the
    end-to-end time (Decision 45/2016 Art. 11), whatever the kind.
    """
    if Subject(subject) is Subject.DOSSIER:
        return None if end_to_end_on is None else add_months(end_to_end_on, 6)
    kind = Kind(kind)
    if kind in (Kind.LOSS, Kind.DELAY):
        return None if end_to_end_on is None else add_months(end_to_end_on, 6)
    if kind is Kind.DAMAGE:
        return None if delivered_on is None else add_months(delivered_on, 1)
    return None


def is_admissible(received_on: date, until: date | None) -> bool:
    return until is None or received_on <= until


def answer_due(
    subject: str,
    received_on: date,
    *,
    international: bool = False,
    between_provinces: bool = False,
    add_working_days: Callable[[date, int], date],
) -> date:
    """When the answer is due.

    Items: 2 months from receipt, 3 for international items (Postal Law Art. 39).
    Dossiers: 5 working days (same province) or 7 (between provinces) after receipt
    (Decision 45/2016 Art. 11), counted like J+n.
    """
    if Subject(subject) is Subject.DOSSIER:
        return add_working_days(received_on, 7 if between_provinces else 5)
    return add_months(received_on, 3 if international else 2)


def is_overdue(due: date, answered_on: date | None, today: date) -> bool:
    """Late when answered after the due day, or still unanswered after it."""
    return (answered_on or today) > due


# --- Compensation ----------------------------------------------------------------------------

PAYMENT_DAYS = 30
DOMESTIC_LOSS_MULTIPLE = 4
SDR_PER_KG = 9
SDR_MINIMUM = 30


class Basis(StrEnum):
    DOMESTIC_LOSS = "domestic_loss"
    DOMESTIC_DAMAGE = "domestic_damage"
    DELAY_REFUND = "delay_refund"
    INTERNATIONAL_LOSS = "international_loss"


@dataclass(frozen=True)
class Compensation:
    basis: Basis
    amount: int  # đồng, tariff refund included
    refund: int  # the part that is the tariff refund


def _round_half_up(value: Fraction) -> int:
    return int(value + Fraction(1, 2)) if value >= 0 else -int(-value + Fraction(1, 2))


def compensation(
    kind: str,
    *,
    tariff: int,
    international: bool = False,
    weight_g: int = 0,
    sdr_rate: int = 0,
    damage_amount: int = 0,
    delay_proven: bool = True,
) -> Compensation | None:
    """The amount owed under Decree 47/2011 Art. 24–27, in đồng, or ``None`` when nothing
    is owed (a delay without proof, a kind the decree does not compensate).

    * domestic loss: 4 × the tariff paid (refund included), the decree's minimum;
    * domestic damage or short contents: the actual damage assessed, at most the loss
      amount (4 × the tariff);
    * delay (missed end-to-end time) with proof: the tariff refund;
    * international loss: max(9 SDR × kg, 30 SDR) at ``sdr_rate`` đồng per SDR (rounded
      half up to the đồng) plus the tariff refund; damage: the actual damage within that.
    """
    if tariff < 0 or weight_g < 0 or sdr_rate < 0 or damage_amount < 0:
        raise ValueError("amounts must be >= 0")
    kind = Kind(kind)
    if kind is Kind.DELAY:
        if not delay_proven:
            return None
        return Compensation(Basis.DELAY_REFUND, tariff, tariff)
    if kind not in (Kind.LOSS, Kind.DAMAGE):
        return None
    if international:
        sdr = max(Fraction(SDR_PER_KG * weight_g, 1000), Fraction(SDR_MINIMUM))
        amount = _round_half_up(sdr * sdr_rate)
        if kind is Kind.DAMAGE and damage_amount:
            amount = min(amount, damage_amount)
        return Compensation(Basis.INTERNATIONAL_LOSS, amount + tariff, tariff)
    cap = DOMESTIC_LOSS_MULTIPLE * tariff
    if kind is Kind.DAMAGE:
        return Compensation(Basis.DOMESTIC_DAMAGE, min(damage_amount, cap), 0)
    return Compensation(Basis.DOMESTIC_LOSS, cap, tariff)


def payment_due(decided_on: date) -> date:
    """Decree 47/2011 Art. 27: pay within 30 days of the liability decision."""
    return decided_on + timedelta(days=PAYMENT_DAYS)


def payment_late(decided_on: date, paid_on: date | None, today: date) -> bool:
    return (paid_on or today) > payment_due(decided_on)
