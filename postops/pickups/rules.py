"""Pure rules of home pickup requests (no Django import).

Decision 45/2016/QĐ-TTg Art. 6 and Circular 17/2017/TT-BTTTT Art. 5: a dossier may be taken
in at a postal service point or at the citizen's address on request (by phone or online).
The post office's pickup hours are not fixed by law (**UNKNOWN**): the windows below are the
usual office hours and only label what the citizen prefers.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, time


def gettext_noop(message: str) -> str:
    """Marks a message for translation (makemessages looks for this name); the caller
    translates it."""
    return message


# requested → assigned → collected | failed | cancelled; a supervisor may reassign an
# assigned request, or send a failed one out again (the citizen asks for another visit).
REQUESTED = "requested"
ASSIGNED = "assigned"
COLLECTED = "collected"
FAILED = "failed"
CANCELLED = "cancelled"

OPEN_STATUSES = frozenset({REQUESTED, ASSIGNED})
FINAL_STATUSES = frozenset({COLLECTED, CANCELLED})

TRANSITIONS: dict[str, frozenset[str]] = {
    REQUESTED: frozenset({ASSIGNED, CANCELLED}),
    ASSIGNED: frozenset({ASSIGNED, COLLECTED, FAILED, CANCELLED}),
    FAILED: frozenset({ASSIGNED, CANCELLED}),
    COLLECTED: frozenset(),
    CANCELLED: frozenset(),
}


def can_move(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())


# Time windows the citizen may choose: (start, end) local time.
WINDOWS: dict[str, tuple[time, time]] = {
    "morning": (time(7, 30), time(11, 30)),
    "afternoon": (time(13, 30), time(17, 0)),
}

# How far ahead a citizen may book (days); beyond that plans change too often.
MAX_DAYS_AHEAD = 30


class WhenError(ValueError):
    MESSAGES = {
        "past": gettext_noop("Ngày hẹn đã qua: chọn hôm nay hoặc một ngày sau."),
        "window_over": gettext_noop(
            "Khung giờ này hôm nay đã qua: chọn khung giờ khác hoặc ngày khác."
        ),
        "not_working_day": gettext_noop(
            "Ngày hẹn là ngày nghỉ: chọn một ngày làm việc (thứ Hai đến thứ Sáu)."
        ),
        "too_far": gettext_noop("Chỉ hẹn trước tối đa %(days)d ngày."),
        "window": gettext_noop("Chọn khung giờ."),
    }

    def __init__(self, code: str):
        self.code = code
        self.params = {"days": MAX_DAYS_AHEAD} if code == "too_far" else {}
        self.message = self.MESSAGES[code]
        super().__init__(self.message)


def check_preferred(day: date, window: str, now: datetime, is_working_day) -> None:
    """Raise :class:`WhenError` unless ``day``/``window`` is a future slot on a working day.

    ``now`` is local time; ``is_working_day`` is the calendar's predicate (public holidays
    and make-up days come from configuration, ``core.calendar``).
    """
    if window not in WINDOWS:
        raise WhenError("window")
    today = now.date()
    if day < today:
        raise WhenError("past")
    if (day - today).days > MAX_DAYS_AHEAD:
        raise WhenError("too_far")
    if not is_working_day(day):
        raise WhenError("not_working_day")
    if day == today and now.time() >= WINDOWS[window][1]:
        raise WhenError("window_over")


# Request codes are random, not sequential: the public status page is opened by code alone,
# so a guessable code would let anyone walk other people's requests. 32 symbols without the
# look-alikes 0/O and 1/I/L; 8 of them ≈ 40 bits.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_PREFIX = "TG"
CODE_LENGTH = 8


def new_code() -> str:
    return CODE_PREFIX + "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str:
    """What a citizen typed → the stored form (upper case, no spaces or dashes)."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def is_code(text: str) -> bool:
    return (
        len(text) == len(CODE_PREFIX) + CODE_LENGTH
        and text.startswith(CODE_PREFIX)
        and all(ch in CODE_ALPHABET for ch in text[len(CODE_PREFIX) :])
    )


def mask_phone(phone: str) -> str:
    """``0912345678`` → ``091****678``: enough for the citizen to recognise their own number."""
    digits = phone or ""
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 6) + digits[-3:]
