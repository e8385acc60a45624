"""Pure rules of administrative-procedure dossiers via the public postal service (BCCI).

No Django import: plain data and functions, tested with hypothesis. Sources: Decision
45/2016/QĐ-TTg (Art. 6 intake, Art. 9–10 return), Circular 17/2017/TT-BTTTT (Art. 5 process,
Art. 6–7 quality), Decree 61/2018/NĐ-CP (amended by Decree 107/2021/NĐ-CP) and Decree
118/2025/NĐ-CP on one-stop desks, Circular 01/2018/TT-VPCP Art. 19 (dossier numbers).

Messages are Vietnamese, marked with :func:`gettext_noop`; a Django caller translates
``error.message`` with ``gettext`` and formats it with ``error.params``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum


def gettext_noop(message: str) -> str:
    """Mark ``message`` for translation; the Django caller translates it at display time."""
    return message


# --- Service forms and statuses --------------------------------------------------------------


class ServiceForm(StrEnum):
    """Decision 45/2016 Art. 4: the citizen asks the post to send the dossier (``send``),
    to return the result (``return``), or both (``both``)."""

    SEND = "send"
    RETURN = "return"
    BOTH = "both"


def carries_dossier(form: str) -> bool:
    """The post carries the dossier to the agency (a send leg exists)."""
    return form in (ServiceForm.SEND, ServiceForm.BOTH)


def returns_result(form: str) -> bool:
    """The post carries the result back to the citizen (a return leg exists)."""
    return form in (ServiceForm.RETURN, ServiceForm.BOTH)


class Status(StrEnum):
    """Where a dossier is. The status on the dossier row caches its append-only history.

    ``received``: taken from the citizen and sealed, its outbound item accepted (send, both).
    ``registered``: a return-only dossier (filed at the agency's own desk) waiting for the
    result. ``in_handover``: listed on an unsigned handover record. ``filed``: the agency
    signed the handover record; that moment is the legal filing time (Decision 45 Art. 6(5)).
    ``result_ready``: the agency says the result can be collected. ``result_collected``: the
    post took the result at the agency (Decision 45 Art. 9(1)); it travels as the return item.
    ``delivered``: handed to the citizen or an authorised proxy after the ID check
    (Art. 10). ``returned_to_agency``: the citizen could not be reached after 2 invitations
    2 working days apart, so the result went back to the agency with a record (Art. 10).
    """

    RECEIVED = "received"
    REGISTERED = "registered"
    IN_HANDOVER = "in_handover"
    FILED = "filed"
    RESULT_READY = "result_ready"
    RESULT_COLLECTED = "result_collected"
    DELIVERED = "delivered"
    RETURNED_TO_AGENCY = "returned_to_agency"


# The allowed moves; everything else is refused. One compare-and-set update per move.
TRANSITIONS: frozenset[tuple[Status, Status]] = frozenset(
    {
        (Status.RECEIVED, Status.IN_HANDOVER),
        (Status.IN_HANDOVER, Status.FILED),
        (Status.FILED, Status.RESULT_READY),
        (Status.REGISTERED, Status.RESULT_READY),
        (Status.RESULT_READY, Status.RESULT_COLLECTED),
        (Status.RESULT_COLLECTED, Status.DELIVERED),
        (Status.RESULT_COLLECTED, Status.RETURNED_TO_AGENCY),
    }
)


class TransitionRefused(ValueError):
    def __init__(self, old: str, new: str):
        super().__init__(f"dossier cannot move from {old} to {new}")
        self.old = old
        self.new = new


def can_move(old: str, new: str) -> bool:
    return (old, new) in TRANSITIONS


def transition(old: str, new: str) -> Status:
    """``new`` as a :class:`Status` if the move is allowed, else :class:`TransitionRefused`."""
    if not can_move(old, new):
        raise TransitionRefused(old, new)
    return Status(new)


def initial_status(form: str) -> Status:
    """A dossier taken at the counter starts ``received``; a return-only one ``registered``."""
    return Status.RECEIVED if carries_dossier(form) else Status.REGISTERED


# --- Documents -------------------------------------------------------------------------------


class DocumentKind(StrEnum):
    """How a document must be handed in: bản chính, bản sao, or either."""

    ORIGINAL = "original"
    COPY = "copy"
    EITHER = "either"


@dataclass(frozen=True)
class Requirement:
    """One line of the procedure's published document list."""

    key: int
    name: str
    kind: str  # DocumentKind
    count: int = 1


@dataclass(frozen=True)
class Shortfall:
    """A requirement the dossier does not meet; ``reason`` is ``missing`` or ``needs_original``."""

    requirement: Requirement
    reason: str


def document_shortfalls(
    requirements: Iterable[Requirement], received: Mapping[int, str]
) -> list[Shortfall]:
    """What is missing, in the list's order (Decision 45/2016 Art. 6(1); Circular 17 Art. 5).

    ``received`` maps a requirement key to the kind handed in (``original`` or ``copy``). An
    ``original`` requirement needs the original; a ``copy`` requirement accepts a copy or the
    original (the agency receives more, not less); ``either`` accepts both. The published
    list is the agency's and prevails, so nothing outside it is asked for.
    """
    problems: list[Shortfall] = []
    for req in requirements:
        got = received.get(req.key)
        if got not in (DocumentKind.ORIGINAL, DocumentKind.COPY):
            problems.append(Shortfall(req, "missing"))
        elif req.kind == DocumentKind.ORIGINAL and got != DocumentKind.ORIGINAL:
            problems.append(Shortfall(req, "needs_original"))
    return problems


# --- Numbers ---------------------------------------------------------------------------------

# Agency codes go into dossier numbers "<agency code>-YYMMDD-XXXX", so no "-" inside.
AGENCY_CODE_RE = re.compile(r"[A-Z0-9][A-Z0-9._]{0,29}")
_AGENCY_NUMBER_RE = re.compile(
    r"(?P<agency>[A-Z0-9][A-Z0-9._]{0,29})-(?P<ymd>[0-9]{6})-(?P<seq>[0-9]{4})"
)
DOSSIER_CODE_PREFIX = "HS"
_DOSSIER_CODE_RE = re.compile(r"HS-(?P<ymd>[0-9]{6})-(?P<seq>[0-9]{5})")
MAX_DAILY_SEQUENCE = 99_999


class NumberError(ValueError):
    """An invalid agency dossier number. ``code``: ``format``, ``agency``, ``date``."""

    MESSAGES = {
        "format": gettext_noop(
            "Số hồ sơ phải có dạng <mã cơ quan>-YYMMDD-XXXX, ví dụ %(example)s."
        ),
        "agency": gettext_noop("Số hồ sơ phải bắt đầu bằng mã cơ quan %(agency)s."),
        "date": gettext_noop("Phần ngày %(ymd)s trong số hồ sơ không phải ngày hợp lệ."),
    }

    def __init__(self, code: str, /, **params):
        self.code = code
        self.params = params
        self.message = self.MESSAGES[code]
        super().__init__(self.message % params if params else self.message)


def agency_number_check(number: str, agency_code: str) -> date:
    """The receiving day encoded in an agency dossier number, or :class:`NumberError`.

    Circular 01/2018/TT-VPCP Art. 19: ``<agency code>-YYMMDD-XXXX`` (YYMMDD the day it was
    received, XXXX the day's sequence). Two-digit years are read as 2000–2099.
    """
    example = f"{agency_code}-250701-0001"
    match = _AGENCY_NUMBER_RE.fullmatch(number or "")
    if match is None:
        raise NumberError("format", example=example)
    if match["agency"] != agency_code:
        raise NumberError("agency", agency=agency_code)
    ymd = match["ymd"]
    try:
        return date(2000 + int(ymd[:2]), int(ymd[2:4]), int(ymd[4:]))
    except ValueError:
        raise NumberError("date", ymd=ymd) from None


def dossier_code(day: date, sequence: int) -> str:
    """The post's own dossier code, printed on the Phiếu gửi: ``HS-YYMMDD-NNNNN``.

    ``sequence`` is the day's running number (1–99,999) over the whole installation, so the
    code is unique without naming the office, and a citizen can read it out on the phone.
    """
    if not 1 <= sequence <= MAX_DAILY_SEQUENCE:
        raise ValueError("sequence must be 1–99999")
    if not 2000 <= day.year <= 2099:
        raise ValueError("year must be 2000–2099")
    return f"{DOSSIER_CODE_PREFIX}-{day:%y%m%d}-{sequence:05d}"


def is_dossier_code(text: str) -> bool:
    return _DOSSIER_CODE_RE.fullmatch(text or "") is not None


# --- Phones ----------------------------------------------------------------------------------

_PHONE_NOISE = str.maketrans("", "", " .-()\u00a0")


class PhoneError(ValueError):
    MESSAGES = {
        "format": gettext_noop(
            "Số điện thoại gồm 10 hoặc 11 chữ số, bắt đầu bằng 0 (hoặc +84), ví dụ 0912 345 678."
        ),
    }

    def __init__(self, code: str = "format"):
        self.code = code
        self.params: dict = {}
        self.message = self.MESSAGES[code]
        super().__init__(self.message)


def phone_normalize(text: str) -> str:
    """``"+84 912.345.678"`` → ``"0912345678"``; :class:`PhoneError` if not a Vietnamese number.

    Mobile numbers have 10 digits (0 + 9), landlines 11 (0 + 3-digit area code + 7/8 digits
    since the 2017 area-code change); ``+84``/``84`` stands for the leading ``0``.
    """
    digits = (text or "").translate(_PHONE_NOISE)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    if not (digits.isascii() and digits.isdigit() and digits.startswith("0")):
        raise PhoneError()
    if len(digits) not in (10, 11) or digits[1] == "0":
        raise PhoneError()
    return digits


# --- Fees ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fees:
    """What the citizen pays at intake, integer đồng: the postal tariff of each leg the post
    carries, and the agency's fee collected on its behalf (Decision 45/2016 Art. 6(4))."""

    postal_send: int = 0
    postal_return: int = 0
    agency: int = 0

    def __post_init__(self):
        for value in (self.postal_send, self.postal_return, self.agency):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError("fees are non-negative integer đồng")

    @property
    def postal(self) -> int:
        return self.postal_send + self.postal_return

    @property
    def total(self) -> int:
        return self.postal + self.agency


# --- The two clocks --------------------------------------------------------------------------


class ClockState(StrEnum):
    NOT_STARTED = "not_started"  # nothing to time yet (no filing, no leg)
    RUNNING = "running"  # due in the future (or today), not done
    DONE = "done"  # done on or before the due date
    LATE = "late"  # done after the due date, or still open past it


def clock_state(due: date | None, done: date | None, today: date) -> ClockState:
    """One clock: on time, running or late. A clock with no due date has not started."""
    if due is None:
        return ClockState.NOT_STARTED
    if done is not None:
        return ClockState.DONE if done <= due else ClockState.LATE
    return ClockState.LATE if today > due else ClockState.RUNNING


def agency_due(filed_on: date | None, processing_days: int, same_day: bool, add_working_days):
    """The agency's deadline: ``processing_days`` working days counted from the filing day
    (the published processing time of the procedure; the filing time is when the handover
    record is signed, Decision 45/2016 Art. 6), the filing day itself for same-day
    procedures. ``add_working_days(day, n)`` is the calendar
    (J+n, holidays included)."""
    if filed_on is None:
        return None
    if same_day or processing_days <= 0:
        return filed_on
    return add_working_days(filed_on, processing_days)


# --- The return leg (Decision 45/2016 Art. 9–10; Circular 17/2017 Art. 5(2), Art. 7) -----------

COLLECTION_CODE_PREFIX = "NK"  # biên bản nhận kết quả tại cơ quan
RETURN_RECORD_PREFIX = "TL"  # biên bản trả lại kết quả cho cơ quan
SAME_COMMUNE_ZONE = "same_commune"


def return_leg_days(matrix_days: int, *, same_day: bool, zone: str) -> int:
    """The n of J+n for carrying a result from the agency to the citizen, J the day the
    post collects it at the agency (Circular 17/2017 Art. 7).

    ``matrix_days`` is the configured figure of the zone (``LegStandard``, the
    appointment-slip variant when a slip goes with the result). Same-day procedures are
    fetched and delivered at once (Decision 45/2016 Art. 10; domain.md §1): J+0 within the
    agency's own commune, where the postman who fetched the result can deliver it on the
    same round, and J+1 further away (never more than the matrix allows) — this project's
    reading, since no source gives a figure.
    """
    if matrix_days < 0:
        raise ValueError("days must be non-negative")
    if not same_day:
        return matrix_days
    return 0 if zone == SAME_COMMUNE_ZONE else min(1, matrix_days)


def return_clock_done(delivered_on: date | None, first_attempt_on: date | None) -> date | None:
    """When the post's return leg counts as done: the delivery, or the first attempt at the
    citizen's address if that came first (a citizen who is away does not make the post late;
    the invitations that follow are the law's own procedure, Decision 45/2016 Art. 10)."""
    days = [d for d in (delivered_on, first_attempt_on) if d is not None]
    return min(days) if days else None


def record_code(prefix: str, day: date, sequence: int) -> str:
    """A collection or return record number: ``NK-YYMMDD-NNNN`` / ``TL-YYMMDD-NNNN``."""
    if not 1 <= sequence <= 9999:
        raise ValueError("sequence must be 1–9999")
    return f"{prefix}-{day:%y%m%d}-{sequence:04d}"


# Milestones shown on public tracking, in order; each is a status reached (no personal data).
PUBLIC_MILESTONES: tuple[Status, ...] = (
    Status.RECEIVED,
    Status.REGISTERED,
    Status.FILED,
    Status.RESULT_READY,
    Status.RESULT_COLLECTED,
    Status.DELIVERED,
    Status.RETURNED_TO_AGENCY,
)


# --- One-stop cut-off time (the 15:00 rule) --------------------------------------------------


def send_leg_start(received: datetime, cutoff: time, add_working_days) -> date:
    """The day J from which the send leg is timed, given the local intake time.

    One-stop rules (Decree 61/2018/NĐ-CP as amended by Decree 107/2021/NĐ-CP; Decree
    118/2025/NĐ-CP): a paper dossier received after the cut-off (15:00) moves to the deciding agency at the start
    of the next working day, otherwise the same day. So a dossier taken in after ``cutoff``
    (strictly: 15:00:00 itself is still the same day) counts from the next working day;
    ``add_working_days(day, 1)`` is that day (the calendar, holidays included). ``received``
    is local (Asia/Ho_Chi_Minh) wall-clock time.
    """
    day = received.date()
    if received.time().replace(tzinfo=None) > cutoff:
        return add_working_days(day, 1)
    return day


def parse_cutoff(text: str) -> time:
    """``"15:00"`` → ``time(15, 0)``; ``ValueError`` for anything else than ``HH:MM``."""
    hours, _, minutes = (text or "").strip().partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2 and len(hours) <= 2):
        raise ValueError(f"cut-off must be HH:MM, got {text!r}")
    return time(int(hours), int(minutes))


# --- Retention -------------------------------------------------------------------------------

# Circular 17/2017/TT-BTTTT Art. 5: records of the service are kept at least 1 year on paper
# and at least 5 years electronically.
MIN_RETENTION_YEARS = 5

# Dossiers that are finished: nothing more will happen to them, so their personal data can
# go once the retention period has passed. A send-only dossier is finished when filed (the
# post's part ends at the agency) or, if the agency reports its result, then.
CLOSED_STATUSES = {
    ServiceForm.SEND: (Status.FILED, Status.RESULT_READY),
    ServiceForm.RETURN: (Status.DELIVERED, Status.RETURNED_TO_AGENCY),
    ServiceForm.BOTH: (Status.DELIVERED, Status.RETURNED_TO_AGENCY),
}


def retention_years_check(years: int) -> int:
    """``years`` if it is a lawful retention period, else ``ValueError`` (below 5 years)."""
    if isinstance(years, bool) or not isinstance(years, int) or years < MIN_RETENTION_YEARS:
        raise ValueError(
            f"dossier retention must be at least {MIN_RETENTION_YEARS} years, got {years!r}"
        )
    return years


def retention_cutoff(today: date, years: int) -> date:
    """The first day still kept: records last touched before it may be anonymised.

    ``today`` minus ``years`` calendar years (29 February falls back to 28 February).
    """
    retention_years_check(years)
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


# --- Worklists -------------------------------------------------------------------------------


def overdue_threshold(today: date, days: int, add_working_days, *, limit: int = 400) -> date:
    """The latest day ``d`` with ``d`` + ``days`` working days before ``today``.

    A result reported ready on ``d`` and still not collected is overdue once J+``days`` has
    passed; turning that into one date bound makes the worklist a range scan on
    ``result_ready_on``. ``limit`` bounds the walk back (a year of holidays cannot need more).
    """
    day = today - timedelta(days=1)
    for _step in range(limit):
        if add_working_days(day, days) < today:
            return day
        day -= timedelta(days=1)
    return day
