"""Citizen ID numbers (số định danh cá nhân, printed on the CCCD / căn cước card).

Structure (Decree 137/2015/NĐ-CP Art. 7; codes in Circular 07/2016/TT-BCA Art. 7, restated by
Circular 59/2021/TT-BCA; kept by the Law on Identification 26/2023/QH15): 12 digits
``PPP G YY RRRRRR``:

* ``PPP``: the province where the birth was registered, on the legacy 63-province list: the
  statistics-office province code zero-padded to three digits (001 Hà Nội … 096 Cà Mau).
  Province mergers of 1 July 2025 do not change anybody's number, so the legacy list stays
  the reference (:data:`LEGACY_PROVINCE_CODES`).
* ``G``: century of birth and sex. 0/1 = 20th century (1900–1999) male/female, 2/3 = 21st
  (2000–2099), 4/5 = 22nd (2100–2199), 6/7 = 23rd (2200–2299), 8/9 = 24th (2300–2399):
  even is male, odd is female. (Circular 07/2016 Art. 7(2) reads 8/9 as the 24th century, not
  the 1800s; no living person has 4–9 anyway.)
* ``YY``: the last two digits of the birth year.
* ``RRRRRR``: a random serial. There is no check digit, so only the structure and its
  agreement with a known birth date and sex can be verified.

The number is basic personal data (Law 91/2025/QH15, Decree 356/2025/NĐ-CP): show it masked
(:func:`mask`) outside the screens that need it, and log reads.

Pure module: no Django import. Messages are Vietnamese, marked with :func:`gettext_noop`; a
Django caller translates ``error.message`` with ``gettext`` and formats it with
``error.params``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

MALE = "M"
FEMALE = "F"

# The 63 legacy province codes (before 1 July 2025), General Statistics Office list, as used
# for PPP by Circular 07/2016/TT-BCA Art. 7 and its annex. Checked against
# ``vietnam_provinces.legacy.ProvinceCode`` by a test.
LEGACY_PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}

# G digit → first year of the century it stands for (even digit male, odd female).
_CENTURY_START = {g: 1900 + g // 2 * 100 for g in range(10)}
_DIGITS = re.compile(r"[0-9]+")


def gettext_noop(message: str) -> str:
    """Mark ``message`` for translation; the Django caller translates it at display time."""
    return message


class CccdError(ValueError):
    """An invalid citizen ID number. ``code`` is one of ``length``, ``digits``, ``province``,
    ``century_sex``, ``birth_year``; ``message`` is a Vietnamese ``%``-template over
    ``params``."""

    MESSAGES = {
        "length": gettext_noop("Số định danh cá nhân phải có đúng 12 chữ số."),
        "digits": gettext_noop("Số định danh cá nhân chỉ gồm các chữ số 0–9."),
        "province": gettext_noop(
            "Ba chữ số đầu (%(code)s) không phải mã tỉnh nơi đăng ký khai sinh."
        ),
        "century_sex": gettext_noop(
            "Chữ số thứ tư (%(digit)s) không khớp với thế kỷ sinh và giới tính đã khai."
        ),
        "birth_year": gettext_noop(
            "Chữ số thứ năm và sáu (%(digits)s) không khớp với năm sinh đã khai."
        ),
    }

    def __init__(self, code: str, /, **params):
        self.code = code
        self.params = params
        self.message = self.MESSAGES[code]
        super().__init__(self.message % params if params else self.message)


@dataclass(frozen=True)
class CccdInfo:
    """What a structurally valid number says about its holder."""

    province_code: str
    province_name: str
    sex: str  # MALE or FEMALE
    birth_year: int
    serial: str


def normalize(text: str) -> str:
    """Drop whitespace, dots and dashes people type between digit groups."""
    return "".join(ch for ch in text if not ch.isspace() and ch not in ".-")


def century_sex_digit(birth_year: int, sex: str) -> int:
    """The G digit for a birth year (1900–2399) and sex (:data:`MALE`/:data:`FEMALE`)."""
    if sex not in (MALE, FEMALE) or not 1900 <= birth_year <= 2399:
        raise ValueError("birth_year must be in 1900–2399 and sex MALE or FEMALE")
    return (birth_year // 100 - 19) * 2 + (1 if sex == FEMALE else 0)


def decode(number: str) -> CccdInfo:
    """Split a structurally valid number into its parts (raises :class:`CccdError`)."""
    validate(number)
    g = int(number[3])
    return CccdInfo(
        province_code=number[:3],
        province_name=LEGACY_PROVINCE_CODES[number[:3]],
        sex=FEMALE if g % 2 else MALE,
        birth_year=_CENTURY_START[g] + int(number[4:6]),
        serial=number[6:],
    )


def validate(
    number: str,
    birth_date: date | None = None,
    sex: str | None = None,
    *,
    today: date | None = None,
) -> None:
    """Raise :class:`CccdError` unless ``number`` is a plausible citizen ID number.

    Checks, first failure wins: ``length`` (12 characters), ``digits`` (ASCII 0–9 only),
    ``province`` (PPP on the legacy list), then, when known: ``century_sex`` (G agrees with the
    century of ``birth_date`` and with ``sex``), ``birth_year`` (YY agrees with
    ``birth_date``). With ``today``, a number that encodes a birth year after today's is
    refused with ``century_sex`` (the century digit is the usual typo) or ``birth_year``.
    """
    if not isinstance(number, str) or len(number) != 12:
        raise CccdError("length")
    if not _DIGITS.fullmatch(number):
        raise CccdError("digits")
    if number[:3] not in LEGACY_PROVINCE_CODES:
        raise CccdError("province", code=number[:3])
    g, yy = int(number[3]), int(number[4:6])
    if sex is not None:
        if sex not in (MALE, FEMALE):
            raise ValueError("sex must be MALE or FEMALE")
        if (g % 2 == 1) != (sex == FEMALE):
            raise CccdError("century_sex", digit=number[3])
    if birth_date is not None:
        if _CENTURY_START[g] != birth_date.year // 100 * 100:
            raise CccdError("century_sex", digit=number[3])
        if yy != birth_date.year % 100:
            raise CccdError("birth_year", digits=number[4:6])
    if today is not None:
        year = _CENTURY_START[g] + yy
        if _CENTURY_START[g] > today.year:
            raise CccdError("century_sex", digit=number[3])
        if year > today.year:
            raise CccdError("birth_year", digits=number[4:6])


def is_valid(
    number: str, birth_date: date | None = None, sex: str | None = None, *, today=None
) -> bool:
    try:
        validate(number, birth_date, sex, today=today)
    except CccdError:
        return False
    return True


def mask(number: str) -> str:
    """The number for public pages and lists: first 3 and last 2 digits, the rest ``*``.

    ``"001090012345"`` → ``"001*******45"``. The province (first 3) helps a person recognise
    their own record; digits 4–6 are hidden because they give away sex and birth year, and
    all but two of the random serial are hidden so the number cannot be rebuilt from a page.
    Anything that is not 12 characters long is masked completely (same length, all ``*``).
    """
    if not isinstance(number, str):
        return ""
    if len(number) != 12:
        return "*" * len(number)
    return f"{number[:3]}{'*' * 7}{number[-2:]}"
