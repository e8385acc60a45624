"""Vietnamese đồng as integers.

The đồng has no subunit in use (the hào and xu were withdrawn), and Vietnamese writing groups
thousands with dots: ``1.250.000 ₫`` (TCVN 6909 / usual Vietnamese typography; the ₫ sign is
U+20AB). Amounts are ``int`` everywhere in PostOps, never ``float`` or fractions: tariffs,
COD, payouts and compensation are whole đồng (domain.md, "Currency: VND, integer đồng").

:func:`parse_vnd` reads what a person types; :func:`format_vnd` writes what a person reads.

Pure module: no Django import. Messages are Vietnamese, marked with :func:`gettext_noop`; a
Django caller translates ``error.message`` with ``gettext``.
"""

from __future__ import annotations

import re

# Largest value a signed 64-bit integer column (BigIntegerField) holds.
MAX_VND = 9_223_372_036_854_775_807

# Thousands may be separated by dots or by (non-breaking) spaces, never both kinds mixed.
_GROUPED_DOTS = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+")
_GROUPED_SPACES = re.compile(r"[0-9]{1,3}(?: [0-9]{3})+")
_GROUPED_COMMAS = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")
_DECIMAL_TAIL = re.compile(r"\.[0-9]{1,2}$")
_PLAIN = re.compile(r"[0-9]+")
_CURRENCY_SUFFIX = re.compile(r"\s*(?:₫|đ|đồng|vnđ|vnd)\s*$", re.IGNORECASE)
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\t": " "})
_MINUS_SIGNS = ("-", "\u2212")


def gettext_noop(message: str) -> str:
    """Mark ``message`` for translation; the Django caller translates it at display time."""
    return message


class MoneyError(ValueError):
    """Text that is not an amount of đồng. ``code``: ``empty``, ``type``, ``decimal``,
    ``negative``, ``format``, ``too_large``."""

    MESSAGES = {
        "empty": gettext_noop("Vui lòng nhập số tiền."),
        "type": gettext_noop("Số tiền phải là số nguyên đồng."),
        "decimal": gettext_noop("Số tiền tính bằng đồng, không có phần thập phân."),
        "negative": gettext_noop("Số tiền không được âm."),
        "format": gettext_noop(
            "Số tiền không hợp lệ. Viết các chữ số, có thể tách hàng nghìn bằng dấu chấm, "
            "ví dụ 1.250.000."
        ),
        "too_large": gettext_noop("Số tiền quá lớn."),
    }

    def __init__(self, code: str):
        self.code = code
        self.params: dict = {}
        self.message = self.MESSAGES[code]
        super().__init__(self.message)


def parse_vnd(text: str | int, *, allow_negative: bool = False) -> int:
    """Read an amount of đồng: ``"3.250.000"``, ``"3 250 000 ₫"``, ``"250000đ"`` → int.

    Accepted: digits, optionally grouped by three with dots or spaces (including no-break
    spaces), an optional trailing ``₫``/``đ``/``đồng``/``VND``, surrounding spaces; a leading
    minus only with ``allow_negative``. An ``int`` passes through (same sign rule).
    Refused: decimals (a comma, or a dot not followed by exactly three digits: ``"3,5"``,
    ``"3.25"`` are ambiguous between Vietnamese and English writing, so never guessed),
    floats, empty text, mixed or wrong grouping, values beyond a 64-bit column.
    """
    if isinstance(text, (bool, float)):
        raise MoneyError("type")
    if isinstance(text, int):
        return _checked(text, allow_negative)
    if not isinstance(text, str):
        raise MoneyError("type")
    body = _CURRENCY_SUFFIX.sub("", text.translate(_SPACES)).strip()
    if not body:
        raise MoneyError("empty")
    negative = body.startswith(_MINUS_SIGNS)
    if negative:
        body = body[1:].lstrip()
    if _GROUPED_COMMAS.fullmatch(body):
        # "3,250,000" is English grouping: say how to write it rather than guess.
        raise MoneyError("format")
    if "," in body or (
        "." in body and not _GROUPED_DOTS.fullmatch(body) and _DECIMAL_TAIL.search(body)
    ):
        raise MoneyError("decimal")
    if _PLAIN.fullmatch(body) or _GROUPED_DOTS.fullmatch(body) or _GROUPED_SPACES.fullmatch(body):
        digits = body.replace(".", "").replace(" ", "")
    else:
        raise MoneyError("format")
    if len(digits) > 19:
        raise MoneyError("too_large")
    value = int(digits)
    return _checked(-value if negative else value, allow_negative)


def _checked(value: int, allow_negative: bool) -> int:
    if value < 0 and not allow_negative:
        raise MoneyError("negative")
    if abs(value) > MAX_VND:
        raise MoneyError("too_large")
    return value


def format_vnd(amount: int, *, symbol: bool = True) -> str:
    """``1250000`` → ``"1.250.000 ₫"`` (dots between thousands, a space, the đồng sign).

    ``symbol=False`` leaves the sign out (tables whose header names the currency). Negative
    amounts get a leading ``-``. Only ``int`` is accepted: a float here is a bug upstream.
    """
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise MoneyError("type")
    grouped = f"{abs(amount):,}".replace(",", ".")
    text = f"-{grouped}" if amount < 0 else grouped
    return f"{text} ₫" if symbol else text
