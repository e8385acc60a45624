"""Rules for one payroll file row (issue #5, item 3), as plain functions. No Django import.

Both entry points use these functions: ``schemas.PayrollRowIn`` (the API's pydantic model)
calls them from its validators, and the file importer calls :func:`check_row` directly,
because pydantic's per-field machinery costs more than the rules themselves on a
100,000-row file. A test checks that both answer the same for any row.

Each failure raises :class:`RowError` with a stable ``code`` and a Vietnamese ``message``
(marked with :func:`gettext_noop`; the Django caller translates it and formats it with
``params``), like ``postops.core.cccd`` and ``postops.core.money``.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from postops.core import cccd
from postops.core.money import MoneyError, parse_vnd
from postops.core.text import fold

_DAY_FIRST = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DIGITS = re.compile(r"^\d+$")
_DOTTED = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})*|[0-9]+")


def _is_digits(value: Any) -> bool:
    return isinstance(value, str) and value.isascii() and value.isdigit()


MALES = frozenset({"nam", "m", "male"})
FEMALES = frozenset({"nu", "f", "female"})
# The cells files usually hold, read without folding.
_SEX_CELLS = {
    "Nam": cccd.MALE,
    "nam": cccd.MALE,
    "M": cccd.MALE,
    "Nữ": cccd.FEMALE,
    "nữ": cccd.FEMALE,
    "F": cccd.FEMALE,
}
FLAG_TRUE = frozenset({"1", "co", "x", "true"})
FLAG_FALSE = frozenset({"0", "khong", "false"})

# Longest text per column (the model's field lengths).
MAX_LENGTHS = {
    "beneficiary_code": 40,
    "full_name": 150,
    "address": 255,
    "village": 100,
    "note": 255,
}


def gettext_noop(message: str) -> str:
    """Mark ``message`` for translation; the Django caller translates it at display time."""
    return message


MSG_REQUIRED = gettext_noop("Bắt buộc nhập.")
MSG_TOO_LONG = gettext_noop("Quá dài (tối đa %(max)s ký tự).")


class RowError(ValueError):
    """One cell that cannot be read. ``message`` is a ``%``-template over ``params``."""

    def __init__(self, code: str, message: str, **params):
        self.code = code
        self.message = message
        self.params = params
        super().__init__(code)


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: Any) -> str:
    """A cell as text: spreadsheets give 20150001234.0 for a number typed as text."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _limited(key: str, value: str) -> str:
    limit = MAX_LENGTHS.get(key)
    if limit is not None and len(value) > limit:
        raise RowError("string_too_long", MSG_TOO_LONG, max=limit)
    return value


def required_text(value: Any, key: str = "") -> str:
    if blank(value):
        raise RowError("required", MSG_REQUIRED)
    return _limited(key, " ".join(text(value).split()))


def optional_text(value: Any, key: str = "") -> str:
    return "" if blank(value) else _limited(key, " ".join(text(value).split()))


def parse_date(value: Any) -> date:
    """dd/mm/yyyy (also with "-" or "."), ISO yyyy-mm-dd, or a spreadsheet date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    cell = text(value)
    match = _ISO.match(cell)
    parts = (match[3], match[2], match[1]) if match else None
    if parts is None and (match := _DAY_FIRST.match(cell)):
        parts = (match[1], match[2], match[3])
    if parts is None:
        raise RowError(
            "invalid_date", gettext_noop("Ngày không hợp lệ: viết dd/mm/yyyy, ví dụ 04/03/1950.")
        )
    try:
        return date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        raise RowError("invalid_date", gettext_noop("Ngày không tồn tại.")) from None


def birth_date(value: Any, today: date) -> date:
    if blank(value):
        raise RowError("required", MSG_REQUIRED)
    day = parse_date(value)
    if day.year < 1900 or day > today:
        raise RowError("invalid_date", gettext_noop("Ngày sinh không hợp lý."))
    return day


def sex(value: Any) -> str:
    """``M`` or ``F``; files say Nam/Nữ (any case, with or without diacritics) or M/F."""
    known = _SEX_CELLS.get(value) if isinstance(value, str) else None
    if known is not None:
        return known
    if blank(value):
        raise RowError("required", MSG_REQUIRED)
    folded = fold(text(value))
    if folded in MALES:
        return cccd.MALE
    if folded in FEMALES:
        return cccd.FEMALE
    raise RowError("invalid_sex", gettext_noop("Giới tính phải là Nam hoặc Nữ (M hoặc F)."))


def id_number(value: Any, born: date | None, person_sex: str | None, today: date) -> str:
    """The 12-digit citizen ID number, checked against birth date and sex when known."""
    if blank(value):
        raise RowError("required", MSG_REQUIRED)
    number = value if _is_digits(value) else cccd.normalize(text(value))
    # Spreadsheets drop leading zeros; every number starts with 0 (province 001–096).
    if len(number) == 11 and _DIGITS.match(number):
        number = "0" + number
    try:
        cccd.validate(number, born, person_sex, today=today)
    except cccd.CccdError as exc:
        raise RowError(f"cccd_{exc.code}", exc.message, **exc.params) from None
    return number


def commune_code(value: Any) -> str:
    if blank(value):
        raise RowError("required", MSG_REQUIRED)
    code = text(value)
    # A spreadsheet shows commune 06100 as 6100; codes are 5-digit strings.
    if len(code) < 5 and _DIGITS.match(code):
        code = code.zfill(5)
    if not (len(code) == 5 and _DIGITS.match(code)):
        raise RowError("invalid_commune_code", gettext_noop("Mã xã phải gồm đúng 5 chữ số."))
    return code


def amount(value: Any, *, required: bool) -> int:
    """Whole đồng; Vietnamese thousands dots allowed ("3.250.000"), via ``parse_vnd``."""
    if isinstance(value, str) and len(value) <= 15 and _DOTTED.fullmatch(value):
        # The usual cell ("3250000", "3.250.000"): what parse_vnd would read, sooner.
        return int(value.replace(".", ""))
    if blank(value):
        if required:
            raise RowError("required", MSG_REQUIRED)
        return 0
    if isinstance(value, float):
        if not value.is_integer():
            raise RowError(
                "money_decimal", gettext_noop("Số tiền tính bằng đồng, không có phần thập phân.")
            )
        value = int(value)
    try:
        return parse_vnd(value if isinstance(value, int) else str(value))
    except MoneyError as exc:
        raise RowError(f"money_{exc.code}", exc.message) from None


def months(value: Any) -> int:
    if blank(value):
        return 1
    cell = text(value)
    if cell not in ("1", "2"):
        raise RowError("invalid_months", gettext_noop("Số tháng phải là 1 hoặc 2."))
    return int(cell)


def flag(value: Any) -> bool:
    if value == "0" or value == "1":
        return value == "1"
    if blank(value):
        return False
    if isinstance(value, bool):
        return value
    folded = fold(text(value))
    if folded in FLAG_TRUE:
        return True
    if folded in FLAG_FALSE:
        return False
    raise RowError("invalid_flag", gettext_noop("Chi tại nhà phải là 0 hoặc 1."))


NOTHING_TO_PAY = RowError("nothing_to_pay", gettext_noop("Số tiền và truy lĩnh đều bằng 0."))

# The columns in the order they are checked (and their errors reported), with defaults for
# an optional column the file does not have.
DEFAULTS = {
    "address": "",
    "village": "",
    "payout_point_code": "",
    "arrears": 0,
    "months": 1,
    "home_payout": False,
    "note": "",
}


def check_row(
    values: dict[str, Any], today: date
) -> tuple[dict[str, Any] | None, list[tuple[str, RowError]]]:
    """Read one row ``{key: cell}``; return ``(clean, [])`` or ``(None, [(key, error)…])``.

    Every column is checked and every failure reported, in column order. The ID number is
    compared with the birth date and sex only when those two are valid. A row whose amount
    and arrears are both 0 is refused (``nothing_to_pay``, on the amount column). An
    optional column the file does not have takes its default (``DEFAULTS``).
    """
    errors: list[tuple[str, RowError]] = []
    out: dict[str, Any] = {}
    for key, parse, extra in _CHECKS:
        if key not in values:
            if key in DEFAULTS:
                out[key] = DEFAULTS[key]
            else:
                errors.append((key, RowError("required", MSG_REQUIRED)))
            continue
        try:
            if extra is _TODAY:
                out[key] = parse(values[key], today)
            elif extra is _PERSON:
                out[key] = parse(values[key], out.get("date_of_birth"), out.get("sex"), today)
            else:
                out[key] = parse(values[key])
        except RowError as exc:
            errors.append((key, exc))
    if errors:
        return None, errors
    if out["amount"] + out["arrears"] <= 0:
        return None, [("amount", NOTHING_TO_PAY)]
    return out, []


def amount_required(value: Any) -> int:
    return amount(value, required=True)


def amount_optional(value: Any) -> int:
    return amount(value, required=False)


def _text_of(key: str):
    def parse(value: Any) -> str:
        return required_text(value, key)

    return parse


def _optional_of(key: str):
    def parse(value: Any) -> str:
        return optional_text(value, key)

    return parse


_TODAY = object()
_PERSON = object()
# (column, parser, extra arguments): the order in which columns are checked and reported.
_CHECKS = (
    ("beneficiary_code", _text_of("beneficiary_code"), None),
    ("full_name", _text_of("full_name"), None),
    ("date_of_birth", birth_date, _TODAY),
    ("sex", sex, None),
    ("id_number", id_number, _PERSON),
    ("address", _optional_of("address"), None),
    ("village", _optional_of("village"), None),
    ("commune_code", commune_code, None),
    ("payout_point_code", _optional_of("payout_point_code"), None),
    ("amount", amount_required, None),
    ("arrears", amount_optional, None),
    ("months", months, None),
    ("home_payout", flag, None),
    ("note", _optional_of("note"), None),
)
