"""Schemas of the payouts API, and ``PayrollRowIn``, the documented shape of a payroll row.

``PayrollRowIn`` and the file importer share one set of rules (``rows``), so a row one
accepts is a row the other accepts (architecture: "pydantic schemas double as import-row
validators"; ADR 0003). Validators take what CSV (text) and XLSX (numbers, dates) give and
return clean values; each failure carries a stable ``code`` and a Vietnamese message.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from . import rows
from .rows import RowError


def _error(exc: RowError) -> PydanticCustomError:
    message = _(exc.message) % exc.params if exc.params else _(exc.message)
    # Braces in a translated message would be read as pydantic placeholders.
    return PydanticCustomError(exc.code, message.replace("{", "(").replace("}", ")"))


def _call(parse, *args):
    try:
        return parse(*args)
    except RowError as exc:
        raise _error(exc) from None


class PayrollRowIn(BaseModel):
    """One payroll line as the paying agency sends it (issue #5, item 3).

    The rules are the functions of ``rows`` (the file importer calls them directly, see
    ``rows.check_row``); this model documents the row and validates it for Python callers.
    """

    beneficiary_code: str = Field(max_length=40, description="The agency's beneficiary code.")
    full_name: str = Field(max_length=150)
    date_of_birth: date
    sex: str = Field(description="M or F (files may say Nam/Nữ).")
    id_number: str = Field(description="12-digit citizen ID number.")
    address: str = Field("", max_length=255)
    village: str = Field("", max_length=100, description="Empty: read from the address.")
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
        # Length is checked by the field (string_too_long), as for the file import.
        return _call(rows.required_text, value)

    @field_validator("address", "village", "payout_point_code", "note", mode="before")
    @classmethod
    def _optional_text(cls, value: Any) -> str:
        return _call(rows.optional_text, value)

    @field_validator("date_of_birth", mode="before")
    @classmethod
    def _date(cls, value: Any) -> date:
        return _call(rows.birth_date, value, timezone.localdate())

    @field_validator("sex", mode="before")
    @classmethod
    def _sex(cls, value: Any) -> str:
        return _call(rows.sex, value)

    @field_validator("id_number", mode="before")
    @classmethod
    def _id_number(cls, value: Any, info: ValidationInfo) -> str:
        return _call(
            rows.id_number,
            value,
            info.data.get("date_of_birth"),
            info.data.get("sex"),
            timezone.localdate(),
        )

    @field_validator("commune_code", mode="before")
    @classmethod
    def _commune(cls, value: Any) -> str:
        return _call(rows.commune_code, value)

    @field_validator("amount", mode="before")
    @classmethod
    def _amount(cls, value: Any) -> int:
        return _call(rows.amount_required, value)

    @field_validator("arrears", mode="before")
    @classmethod
    def _arrears(cls, value: Any) -> int:
        return _call(rows.amount_optional, value)

    @field_validator("months", mode="before")
    @classmethod
    def _months(cls, value: Any) -> int:
        return _call(rows.months, value)

    @field_validator("home_payout", mode="before")
    @classmethod
    def _home(cls, value: Any) -> bool:
        return _call(rows.flag, value)

    @model_validator(mode="after")
    def _something_to_pay(self) -> PayrollRowIn:
        if self.amount + self.arrears <= 0:
            exc = rows.NOTHING_TO_PAY
            raise PydanticCustomError(exc.code, _(exc.message), {"column": "amount"})
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
    processed: int = Field(
        description="Rows read and checked so far (equals `total` once the job finished)."
    )
    percent: int | None = Field(
        description="Rows read against the estimate from the file's line count, 0–99 while "
        "running, 100 when finished; null while no estimate exists (the page's progress bar)."
    )
