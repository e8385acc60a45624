"""Pure rules of COD money (phát hàng thu tiền). No Django import; tested with hypothesis.

domain.md §3: the postman collects the COD amount from the receiver at delivery; the cash
is handed over at the office; the sender is paid (remittance) and the statement is
reconciled. Refused or failed items return without collection. COD limits and remittance
times are not public (UNKNOWN): they are configuration, not rules here.

All amounts are integer đồng (never floats).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class State(StrEnum):
    """Where the money of one collected item is (``CodCollection.state``)."""

    COLLECTED = "collected"  # in the postman's hands
    AT_OFFICE = "at_office"  # handed over, confirmed by the supervisor
    BATCHED = "batched"  # on a sender's statement, not yet transferred
    PAID = "paid"  # transferred to the sender


# Each state has one successor: money only moves forward, one step at a time.
NEXT: dict[State, State] = {
    State.COLLECTED: State.AT_OFFICE,
    State.AT_OFFICE: State.BATCHED,
    State.BATCHED: State.PAID,
}


class BatchState(StrEnum):
    ISSUED = "issued"
    PAID = "paid"
    RECONCILED = "reconciled"
    MISMATCH = "mismatch"


_NON_DIGITS = re.compile(r"\D")


def phone_key(phone: str) -> str:
    """A phone number reduced to the digits that identify it: ``"+84 912 345 678"``,
    ``"84912345678"`` and ``"0912.345.678"`` all give ``"0912345678"``.

    Vietnamese numbers are written with a leading 0 at home and +84 abroad (ITU-T E.164,
    country code 84); spaces, dots and dashes are decoration. Empty text gives ``""``.
    """
    digits = _NON_DIGITS.sub("", phone or "")
    if digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    return digits


@dataclass(frozen=True)
class Collected:
    """A collection waiting at the office: its id, the COD amount, the item's fee."""

    id: int
    cod_amount: int
    fee: int


@dataclass(frozen=True)
class Charge:
    """A return charge waiting to be deducted: its id and amount (oldest first)."""

    id: int
    amount: int


@dataclass(frozen=True)
class Line:
    kind: str  # "collection" or "return_charge"
    source_id: int
    cod_amount: int
    fee: int
    charge: int

    @property
    def net(self) -> int:
        return self.cod_amount - self.fee - self.charge


@dataclass(frozen=True)
class Plan:
    lines: tuple[Line, ...] = field(default_factory=tuple)

    @property
    def cod_total(self) -> int:
        return sum(line.cod_amount for line in self.lines)

    @property
    def fee_total(self) -> int:
        return sum(line.fee for line in self.lines)

    @property
    def charges_total(self) -> int:
        return sum(line.charge for line in self.lines)

    @property
    def net(self) -> int:
        return self.cod_total - self.fee_total - self.charges_total

    @property
    def items_count(self) -> int:
        return len(self.lines)


def plan_remittance(
    collected: Iterable[Collected], charges: Iterable[Charge], *, deduct_fees: bool
) -> Plan:
    """The lines of a sender's next statement.

    Every collection at the office goes on it: its COD amount, less the item's postage when
    the sender's contract says fees are deducted (``deduct_fees``). Return charges (the
    sender's cost of returns, Postal Law 49/2010) are then deducted oldest first, each only
    if the net stays at or above zero: a remittance never asks the sender for money; a
    charge that does not fit waits for the next statement. Deterministic: the same input
    gives the same lines in the same order.
    """
    lines = [
        Line("collection", c.id, c.cod_amount, c.fee if deduct_fees else 0, 0)
        for c in sorted(collected, key=lambda c: c.id)
    ]
    net = sum(line.net for line in lines)
    for charge in charges:
        if charge.amount <= net:
            lines.append(Line("return_charge", charge.id, 0, 0, charge.amount))
            net -= charge.amount
    return Plan(tuple(lines))


def fees_exceed_cod(plan: Plan) -> bool:
    """Deducted postage larger than the money collected: the statement would ask the
    sender for money, which a remittance never does (the fees are invoiced instead)."""
    return plan.net < 0


@dataclass(frozen=True)
class Reconciled:
    difference: int  # bank amount − expected; negative: the bank moved less
    matched: bool


def reconcile(expected: int, bank_amount: int) -> Reconciled:
    """Compare what the statement says was paid with what the bank statement shows.

    Amounts must match to the đồng; any difference is flagged for a person to resolve.
    """
    difference = bank_amount - expected
    return Reconciled(difference=difference, matched=difference == 0)


def handover_variance(expected: int, counted: int) -> int:
    """Counted cash − the COD the postman collected: negative when cash is short."""
    return counted - expected
