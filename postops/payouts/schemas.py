"""Schemas of the payouts API; ``PayrollRowIn`` also validates every imported file row.

One schema for both paths (architecture: "pydantic schemas double as import-row
validators"), so a row the API accepts is a row the file import accepts. Validators take
what CSV (text) and XLSX (numbers, dates) give and return clean values; each failure carries
a stable ``code`` and a Vietnamese message.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from postops.core import cccd
from postops.core.money import MoneyError, parse_vnd
from postops.core.text import fold

_DAY_FIRST = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DIGITS = re.compile(r"^\d+$")


def _error(code: str, message: str, **ctx) -> PydanticCustomError:
    # Braces in a translated message would be read as pydantic placeholders.
    return PydanticCustomError(code, message.replace("{", "(").replace("}", ")"), ctx or None)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_date(value: Any) -> date:
    """dd/mm/yyyy (also with "-" or "."), ISO yyyy-mm-dd, or a spreadsheet date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    match = _ISO.match(text)
    parts = (match[3], match[2], match[1]) if match else None
    if parts is None and (match := _DAY_FIRST.match(text)):
        parts = (match[1], match[2], match[3])
    if parts is None:
        raise _error("invalid_date", _("Ngày không hợp lệ: viết dd/mm/yyyy, ví dụ 04/03/1950."))
    try:
        return date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        raise _error("invalid_date", _("Ngày không tồn tại.")) from None


def parse_amount(value: Any, *, required: bool) -> int:
    """Whole đồng; Vietnamese thousands dots allowed ("3.250.000"), via ``parse_vnd``."""
    if _blank(value):
        if required:
            raise _error("required", _("Bắt buộc nhập."))
        return 0
    if isinstance(value, float):
        if not value.is_integer():
            raise _error("money_decimal", _("Số tiền tính bằng đồng, không có phần thập phân."))
        value = int(value)
    try:
        return parse_vnd(value if isinstance(value, int) else str(value))
    except MoneyError as exc:
        raise _error(f"money_{exc.code}", _(exc.message)) from None


class PayrollRowIn(BaseModel):
    """One payroll line as the paying agency sends it (issue #5, item 3).

    A plain pydantic model (ninja accepts it as a body schema): ninja's ``Schema`` wraps
    every input in an attribute getter, which doubles the cost of validating 100,000 rows.
    """

    beneficiary_code: str = Field(max_length=40, description="The agency's beneficiary code.")
    full_name: str = Field(max_length=150)
    date_of_birth: date
    sex: str = Field(description="M or F (files may say Nam/Nữ).")
    id_number: str = Field(description="12-digit citizen ID number.")
    address: str = Field("", max_length=255)
    commune_code: str = Field(description="5-digit 2025 commune code.")
    payout_point_code: str = Field("", description="Empty: the commune's default point.")
    amount: int = Field(description="Whole đồng for the months covered.")
    arrears: int = Field(0, description="Back pay, whole đồng.")
    months: int = Field(1, description="1, or 2 when two months are paid together.")
    home_payout: bool = False
    note: str = Field("", max_length=255)

    @field_validator("beneficiary_code", "full_name", mode="before")
    @classmethod
    def _required_text(cls, value: Any) -> str:
        if _blank(value):
            raise _error("required", _("Bắt buộc nhập."))
        return " ".join(_text(value).split())

    @field_validator("address", "payout_point_code", "note", mode="before")
    @classmethod
    def _optional_text(cls, value: Any) -> str:
        return "" if _blank(value) else " ".join(_text(value).split())

    @field_validator("date_of_birth", mode="before")
    @classmethod
    def _date(cls, value: Any) -> date:
        if _blank(value):
            raise _error("required", _("Bắt buộc nhập."))
        day = parse_date(value)
        if day.year < 1900 or day > timezone.localdate():
            raise _error("invalid_date", _("Ngày sinh không hợp lý."))
        return day

    @field_validator("sex", mode="before")
    @classmethod
    def _sex(cls, value: Any) -> str:
        if _blank(value):
            raise _error("required", _("Bắt buộc nhập."))
        folded = fold(_text(value))
        if folded in {"nam", "m", "male"}:
            return cccd.MALE
        if folded in {"nu", "f", "female"}:
            return cccd.FEMALE
        raise _error("invalid_sex", _("Giới tính phải là Nam hoặc Nữ (M hoặc F)."))

    @field_validator("id_number", mode="before")
    @classmethod
    def _id_number(cls, value: Any, info: ValidationInfo) -> str:
        if _blank(value):
            raise _error("required", _("Bắt buộc nhập."))
        number = cccd.normalize(_text(value))
        # Spreadsheets drop leading zeros; every number starts with 0 (province 001–096).
        if _DIGITS.match(number) and len(number) == 11:
            number = "0" + number
        try:
            cccd.validate(
                number,
                info.data.get("date_of_birth"),
                info.data.get("sex"),
                today=timezone.localdate(),
            )
        except cccd.CccdError as exc:
            raise _error(f"cccd_{exc.code}", _(exc.message) % exc.params) from None
        return number

    @field_validator("commune_code", mode="before")
    @classmethod
    def _commune(cls, value: Any) -> str:
        if _blank(value):
            raise _error("required", _("Bắt buộc nhập."))
        code = _text(value)
        # A spreadsheet shows commune 06100 as 6100; codes are 5-digit strings.
        if _DIGITS.match(code) and len(code) < 5:
            code = code.zfill(5)
        if not (_DIGITS.match(code) and len(code) == 5):
            raise _error("invalid_commune_code", _("Mã xã phải gồm đúng 5 chữ số."))
        return code

    @field_validator("amount", mode="before")
    @classmethod
    def _amount(cls, value: Any) -> int:
        return parse_amount(value, required=True)

    @field_validator("arrears", mode="before")
    @classmethod
    def _arrears(cls, value: Any) -> int:
        return parse_amount(value, required=False)

    @field_validator("months", mode="before")
    @classmethod
    def _months(cls, value: Any) -> int:
        if _blank(value):
            return 1
        text = _text(value)
        if text not in {"1", "2"}:
            raise _error("invalid_months", _("Số tháng phải là 1 hoặc 2."))
        return int(text)

    @field_validator("home_payout", mode="before")
    @classmethod
    def _home(cls, value: Any) -> bool:
        if _blank(value):
            return False
        if isinstance(value, bool):
            return value
        folded = fold(_text(value))
        if folded in {"1", "co", "x", "true"}:
            return True
        if folded in {"0", "khong", "false"}:
            return False
        raise _error("invalid_flag", _("Chi tại nhà phải là 0 hoặc 1."))

    @model_validator(mode="after")
    def _something_to_pay(self) -> PayrollRowIn:
        if self.amount + self.arrears <= 0:
            raise _error(
                "nothing_to_pay",
                _("Số tiền và truy lĩnh đều bằng 0."),
                column="amount",
            )
        return self


class RowErrorOut(Schema):
    row: int
    column: str
    code: str
    message: str


class ImportJobOut(Schema):
    status: str
    total: int
    valid: int
    invalid: int
    errors: list[RowErrorOut]
