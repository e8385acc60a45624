"""UPU S10 item identifiers: ``AA NNNNNNNN C CC`` (service indicator, serial, check digit, country).

Rules (UPU standard S10, summarised in docs ``shared/domain.md`` §3):

* Format ``^[A-Z]{2}\\d{9}[A-Z]{2}$``: two-letter service indicator, eight-digit serial
  number (00000000–99999999), one check digit, ISO 3166-1 alpha-2 country code of the issuing
  postal operator (``VN`` for Vietnam Post).
* Check digit over the eight serial digits with the weights 8 6 4 2 3 5 9 7:
  S = Σ dᵢ·wᵢ; C = 11 − (S mod 11); C = 10 becomes 0 and C = 11 becomes 5.
  Examples: ``RR473124829GB`` (S = 200, C = 9), ``EB125966888VN`` (S = 234, C = 8).
* Service indicators whose first letter is J, K, S, T or W are reserved by the UPU and
  cannot be assigned. The rule is about the *service indicator* only: country codes may well
  start with these letters (``JP``, ``KR``, ``SE``, ``TH``, ``TW``) and are valid.
* Vietnam Post's prefix-per-service mapping is not public: it is configuration elsewhere, not
  a rule here. The 12-month no-reuse rule needs a database and is not checked here either.

Pure module: no Django import. Messages are Vietnamese, marked with :func:`gettext_noop` so
that ``makemessages`` extracts them; a Django caller translates ``error.message`` with
``gettext`` and formats it with ``error.params``.
"""

from __future__ import annotations

import re
from operator import mul

WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
RESERVED_FIRST_LETTERS = frozenset("JKSTW")
S10_RE = re.compile(r"[A-Z]{2}[0-9]{9}[A-Z]{2}")
_TWO_LETTERS = re.compile(r"[A-Z]{2}")
_SERIAL_RE = re.compile(r"[0-9]{8}")


def gettext_noop(message: str) -> str:
    """Mark ``message`` for translation; the Django caller translates it at display time."""
    return message


class S10Error(ValueError):
    """An invalid S10 number. ``code`` is one of ``format``, ``reserved_prefix``,
    ``check_digit``; ``message`` is a Vietnamese sentence (a ``%``-template over ``params``)."""

    MESSAGES = {
        "format": gettext_noop(
            "Số hiệu bưu gửi phải gồm 2 chữ cái, 9 chữ số và 2 chữ cái (ví dụ EB125966888VN)."
        ),
        "reserved_prefix": gettext_noop(
            "Mã dịch vụ bắt đầu bằng chữ %(letter)s được UPU dành riêng, không được cấp."
        ),
        "check_digit": gettext_noop(
            "Chữ số kiểm tra sai: với dãy số %(serial)s, chữ số kiểm tra phải là %(expected)s."
        ),
    }

    def __init__(self, code: str, /, **params):
        self.code = code
        self.params = params
        self.message = self.MESSAGES[code]
        super().__init__(self.message % params if params else self.message)


def normalize(text: str) -> str:
    """Remove every whitespace character and upper-case: ``" eb 125 966 888 vn"`` →
    ``"EB125966888VN"``. Labels print the number in groups; scanners and people add spaces."""
    return "".join(text.split()).upper()


def check_digit(serial8: str | int) -> int:
    """The S10 check digit of an eight-digit serial (a string of 8 digits, or an int < 10⁸)."""
    return _check_digit(_serial_text(serial8))


# Weighted sums of every four-digit half of a serial (2 × 10,000 entries, built once):
# scanners' batches check 5,000 numbers at once, two look-ups each instead of eight products.
_HALF_SUMS = tuple(
    {f"{n:04d}": sum(map(mul, map(int, f"{n:04d}"), weights)) for n in range(10_000)}
    for weights in (WEIGHTS[:4], WEIGHTS[4:])
)


def _check_digit(serial: str) -> int:
    # ``serial`` is 8 ASCII digits.
    c = 11 - (_HALF_SUMS[0][serial[:4]] + _HALF_SUMS[1][serial[4:]]) % 11
    if c == 10:
        return 0
    if c == 11:
        return 5
    return c


def validate(number: str) -> None:
    """Raise :class:`S10Error` unless ``number`` (already normalised) is a valid S10 number.

    Checked in this order, the first failure wins: ``format``, ``reserved_prefix`` (first
    letter of the service indicator is J, K, S, T or W), ``check_digit``.
    """
    if not isinstance(number, str) or not S10_RE.fullmatch(number):
        raise S10Error("format")
    if number[0] in RESERVED_FIRST_LETTERS:
        raise S10Error("reserved_prefix", letter=number[0])
    serial, given = number[2:10], int(number[10])
    expected = _check_digit(serial)
    if given != expected:
        raise S10Error("check_digit", serial=serial, expected=expected)


def is_valid(number: str) -> bool:
    """True when :func:`validate` accepts ``number`` (not normalised: pass it through
    :func:`normalize` first if it comes from a person or a scanner)."""
    return (
        isinstance(number, str)
        and S10_RE.fullmatch(number) is not None
        and number[0] not in RESERVED_FIRST_LETTERS
        and int(number[10]) == _check_digit(number[2:10])
    )


def build(service_indicator: str, serial: str | int, country: str = "VN") -> str:
    """Compose a valid S10 number: ``build("EB", 12596688)`` → ``"EB125966888VN"``.

    ``service_indicator`` and ``country`` are two letters (upper-cased here); ``serial`` is an
    int in 0–99,999,999 or a string of 8 digits. Raises :class:`S10Error` (``format`` or
    ``reserved_prefix``) for anything that could not give a valid number.
    """
    indicator = (service_indicator or "").upper()
    country_code = (country or "").upper()
    if not _TWO_LETTERS.fullmatch(indicator) or not _TWO_LETTERS.fullmatch(country_code):
        raise S10Error("format")
    if indicator[0] in RESERVED_FIRST_LETTERS:
        raise S10Error("reserved_prefix", letter=indicator[0])
    serial_text = _serial_text(serial)
    return f"{indicator}{serial_text}{check_digit(serial_text)}{country_code}"


def _serial_text(serial: str | int) -> str:
    if isinstance(serial, bool):
        raise S10Error("format")
    if isinstance(serial, int):
        if not 0 <= serial <= 99_999_999:
            raise S10Error("format")
        return f"{serial:08d}"
    if isinstance(serial, str) and _SERIAL_RE.fullmatch(serial):
        return serial
    raise S10Error("format")
