"""Pure payout rules (no Django import), tested with hypothesis.

Sources (summarised in the project's domain reference, §2): the Law on Social Insurance
2024 (Law 41/2024/QH15) limits an authorisation to receive pensions to 12 months and asks
that it be certified; beneficiaries aged 80 and over may be paid at home on request; a
social-assistance beneficiary who does not collect for 3 consecutive months is suspended.
The per-programme numbers are data (``Programme`` rows), never constants here.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

# --- Payroll period state machine ------------------------------------------------------------

IMPORTED = "imported"
CHECKED = "checked"
APPROVED = "approved"
PAYING = "paying"
CLOSED = "closed"
REPORTED = "reported"

PERIOD_STATUSES = (IMPORTED, CHECKED, APPROVED, PAYING, CLOSED, REPORTED)

# Allowed (from, to) moves. A checked period may go back to "imported" to take a corrected
# file; nothing moves back once approved: the approved list is a frozen snapshot and later
# changes go to the next period (issue #5, item 2).
PERIOD_TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {
        (IMPORTED, CHECKED),
        (CHECKED, IMPORTED),
        (CHECKED, APPROVED),
        (APPROVED, PAYING),
        (PAYING, CLOSED),
        (CLOSED, REPORTED),
    }
)


def period_can_move(old: str, new: str) -> bool:
    """True when a payroll period may move from ``old`` to ``new``."""
    return (old, new) in PERIOD_TRANSITIONS


_PERIOD_RE = re.compile(r"^(\d{4})-(\d{2})$")


def parse_period(text: str) -> date:
    """``"2026-03"`` → ``date(2026, 3, 1)``; ``ValueError`` on anything else."""
    match = _PERIOD_RE.match(text.strip())
    if not match:
        raise ValueError(f"period must be YYYY-MM, got {text!r}")
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12 or year < 1900:
        raise ValueError(f"period must be YYYY-MM, got {text!r}")
    return date(year, month, 1)


def format_period(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


# --- Months and ages --------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, clamped to the end of a shorter month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def age_on(birth: date, day: date) -> int:
    """Completed years of age on ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def home_payout_eligible(birth: date, day: date, min_age: int | None) -> bool:
    """True when the person may ask to be paid at home because of age.

    Law 41/2024/QH15 (pensions): 80 and over. ``min_age`` is the programme's number;
    ``None`` means the programme has no age rule (home payout only by decision).
    """
    return min_age is not None and age_on(birth, day) >= min_age


# --- Authorisations (proxies) ----------------------------------------------------------------


def authorisation_last_day(valid_from: date, max_months: int) -> date:
    """The last day an authorisation starting on ``valid_from`` may cover.

    "At most 12 months" (Law 41/2024/QH15) read as: from 15/01/2026, up to 14/01/2027.
    """
    return date.fromordinal(add_months(valid_from, max_months).toordinal() - 1)


def authorisation_period_ok(valid_from: date, valid_to: date, max_months: int) -> bool:
    """The validity window is not reversed and not longer than the programme allows."""
    return valid_from <= valid_to <= authorisation_last_day(valid_from, max_months)


def authorisation_valid_on(valid_from: date, valid_to: date, certified: bool, day: date) -> bool:
    """A proxy may collect on ``day`` only with a certified authorisation covering that day."""
    return certified and valid_from <= day <= valid_to


# --- Identity check at the counter -----------------------------------------------------------

CCCD = "cccd"
PASSPORT = "passport"
ID_DOCUMENT_TYPES = (CCCD, PASSPORT)


def normalise_document_number(number: str) -> str:
    """Compare numbers as the card prints them: no spaces, dots or dashes, upper case."""
    return re.sub(r"[\s.\-]", "", number or "").upper()


@dataclass(frozen=True)
class IdentityRecord:
    """What the payroll knows about the person who must show a document."""

    id_number: str
    passport_number: str = ""


def identity_matches(record: IdentityRecord, document_type: str, document_number: str) -> bool:
    """The document shown is of a known type and its number is the one on record.

    Decision 45/2016/QĐ-TTg and domain.md §2: the citizen ID card or a passport; a proxy
    shows their own document (checked against the authorisation's record).
    """
    presented = normalise_document_number(document_number)
    if not presented:
        return False
    if document_type == CCCD:
        expected = record.id_number
    elif document_type == PASSPORT:
        expected = record.passport_number
    else:
        return False
    return bool(expected) and normalise_document_number(expected) == presented


# --- Receipts ---------------------------------------------------------------------------------


def receipt_number(office_code: str, year: int, sequence: int) -> str:
    """``<office>-<year>-<6-digit sequence>``: numbered per office and year, without gaps."""
    if sequence < 1:
        raise ValueError("receipt sequence starts at 1")
    return f"{office_code}-{year:04d}-{sequence:06d}"


# --- Villages (for payout lists) -------------------------------------------------------------

# Words that open the name of a settlement below the commune: thôn, bản, xóm, ấp, làng,
# buôn, sóc, phum, khóm, tổ dân phố, khu phố, khu, khối, tổ (folded).
_VILLAGE_WORDS = frozenset(
    {"thon", "ban", "xom", "ap", "lang", "buon", "soc", "phum", "khom", "tdp", "to", "khu", "khoi"}
)
# Words that are also common in street names: a village only when a number follows
# ("Tổ 5", "Khu 3"), not "Tô Hiệu" or "Khu công nghiệp" (but "Tổ dân phố Hòa", "Khu phố 2").
_NUMBERED_ONLY = frozenset({"to", "khu", "khoi"})
_SECOND_WORDS = {"to": ("dan", "pho"), "khu": ("pho",)}


def village_from_address(address: str, fold) -> str:
    """The village part of an address ("Số 5, Thôn Nà Làng, xã Tân An" → "Thôn Nà Làng").

    Payout lists are read village by village, but payroll files seldom have a village
    column: take the first comma-separated part whose first word names a settlement below
    the commune. ``fold`` is ``postops.core.text.fold`` (passed in: this module imports no
    project code). "" when no part matches.
    """
    for part in (address or "").split(","):
        words = fold(part).split()
        if len(words) < 2 or words[0] not in _VILLAGE_WORDS:
            continue
        first = words[0]
        if first in _NUMBERED_ONLY:
            second = _SECOND_WORDS.get(first, ())
            named = tuple(words[1 : 1 + len(second)]) == second and len(words) > 1 + len(second)
            if not (named or words[1][:1].isdigit()):
                continue
        return " ".join(part.split())
    return ""


def natural_key(text: str) -> tuple:
    """Sort "Thôn 2" before "Thôn 10": digit runs compare as numbers."""
    return tuple(
        (0, int(chunk), "") if chunk.isdigit() else (1, 0, chunk)
        for chunk in re.split(r"(\d+)", text)
        if chunk
    )


def payout_list_key(village: str, full_name: str, fold) -> tuple:
    """Order of a payout list: village, then given name (the last word, as Vietnamese lists
    are sorted), then the full name; all without diacritics."""
    folded = fold(full_name)
    given = folded.rsplit(" ", 1)[-1]
    return (natural_key(fold(village)), given, folded)


# --- Payout schedule --------------------------------------------------------------------------


def schedule_days(month: date, first: int, last: int) -> tuple[date, date]:
    """Days ``first``–``last`` of the period's month as dates ("days 2–10").

    ``ValueError`` when the range is reversed or a day does not exist in that month
    (a period's payouts happen within its month; domain reference §2).
    """
    length = calendar.monthrange(month.year, month.month)[1]
    if not 1 <= first <= last <= length:
        raise ValueError("days out of the month or reversed")
    return month.replace(day=first), month.replace(day=last)


def schedule_range_ok(month: date, first_day: date, last_day: date) -> bool:
    """Both days in the period's month, in order."""
    same_month = (first_day.year, first_day.month) == (last_day.year, last_day.month)
    return same_month and first_day <= last_day and first_day.replace(day=1) == month


def schedule_allows(day: date, schedule: tuple[date, date] | None, exception: bool) -> bool:
    """May a point pay on ``day``? Only within its scheduled range for the period, or on a
    day a supervisor opened as an exception for that point.

    Domain reference §2 (issue #5, item 5): payouts happen on dates set per payout point
    (e.g. commune points days 2–10 of the month, post offices 11–25), published so that
    people know when to come and cash is advanced for those days only. A point with no
    schedule for the period has no payout days: it pays only on an exception day.
    """
    if exception:
        return True
    if schedule is None:
        return False
    first_day, last_day = schedule
    return first_day <= day <= last_day


# --- Cash per point or teller per day ----------------------------------------------------------


@dataclass(frozen=True)
class CashFigures:
    """One day's cash book in đồng. ``counted`` is ``None`` until the cash is counted."""

    advanced: int
    paid_out: int
    returned: int
    counted: int | None

    @property
    def expected(self) -> int:
        """What should be in hand: advanced, minus paid out, minus handed back."""
        return self.advanced - self.paid_out - self.returned

    @property
    def variance(self) -> int | None:
        """Counted minus expected: negative is a shortage, positive a surplus."""
        return None if self.counted is None else self.counted - self.expected


def cash_day_can_close(figures: CashFigures, signed_variance: int | None) -> tuple[bool, str]:
    """``(True, "")`` or ``(False, reason code)``: the cash must have been counted, and a
    variance needs a supervisor's sign-off of exactly that amount (issue #5, item 8: a day
    cannot close with an unexplained variance)."""
    if figures.counted is None:
        return False, "not_counted"
    if figures.variance != 0 and signed_variance != figures.variance:
        return False, "variance_unexplained"
    return True, ""


# --- Month end ------------------------------------------------------------------------------


def months_back(month: date, count: int) -> list[date]:
    """The ``count`` months ending with ``month`` (first days), oldest first."""
    return [add_months(month, -offset) for offset in range(count - 1, -1, -1)]


def uncollected_for(
    months: int | None,
    listed: list[set[int]],
    collected: list[set[int]],
) -> set[int]:
    """People listed in every one of the last ``months`` periods who collected nothing in
    any of them (``listed``/``collected`` hold one set of person ids per period, oldest
    first). Social assistance: 3 consecutive months uncollected → suspension (domain
    reference §2). No rule (``None``) or fewer periods than months: nobody."""
    if not months or len(listed) < months or len(collected) < months:
        return set()
    listed, collected = listed[-months:], collected[-months:]
    people = set.intersection(*listed)
    for paid in collected:
        people -= paid
    return people
