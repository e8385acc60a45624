"""The address value object and the field set that stores it.

Every stored address keeps (domain.md §4):

- ``scheme``: ``"2025"`` (34 provinces, 3,321 communes since 1 July 2025, Resolution
  202/2025/QH15 and the resolutions of the Standing Committee of the National Assembly on
  commune-level rearrangement) or ``"legacy"`` (the 63-province/district/commune model
  before that date);
- ``commune_code``: the 5-digit, zero-padded statistics-office code of the commune in that
  scheme (codes were reused with new meanings, so a code means nothing without its scheme);
- ``street``: house number, street, hamlet/village (thôn, ấp, bản) as text;
- ``raw``: the whole address exactly as entered or imported, never rewritten.

Converting a legacy address to the 2025 scheme is offline
(``postops.network.selectors.address_convert_legacy``) and a person confirms it when the old
commune was split.

This module has no Django import at module level: the value object is used by pure code
(import row validation, tests). User-facing messages are translated lazily inside
:meth:`Address.errors`.

To store an address on a model, inherit the abstract mixin built by
``postops.network.models.address_mixin(prefix)`` (fields ``<prefix>_scheme``,
``<prefix>_commune_code``, ``<prefix>_street``, ``<prefix>_raw``) and read/write it with
:func:`address_from_fields` / :func:`address_to_fields`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

SCHEME_2025 = "2025"
SCHEME_LEGACY = "legacy"
SCHEMES = (SCHEME_2025, SCHEME_LEGACY)

STREET_MAX = 255
RAW_MAX = 500

_COMMUNE_CODE = re.compile(r"[0-9]{5}")


class AddressError(ValueError):
    """An address that is not valid; ``errors`` maps field names to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


def normalize_commune_code(value: Any) -> str:
    """``4``, ``"4"`` or ``" 00004 "`` → ``"00004"``; anything not all digits is kept as is.

    Statistics-office commune codes are 5 digits; spreadsheets often drop leading zeros.
    """
    text = str(value).strip() if value is not None else ""
    if text.isascii() and text.isdigit() and len(text) <= 5:
        return text.zfill(5)
    return text


def _clean_text(value: str | None) -> str:
    return " ".join((value or "").split())


@dataclass(frozen=True, slots=True)
class Address:
    """A postal address in one administrative scheme. Immutable; build with :meth:`build`."""

    commune_code: str
    street: str = ""
    scheme: str = SCHEME_2025
    raw: str = ""

    @classmethod
    def build(
        cls,
        commune_code: Any,
        street: str | None = "",
        scheme: str = SCHEME_2025,
        raw: str | None = None,
    ) -> Address:
        """Normalise and validate; raises :class:`AddressError`.

        ``raw`` defaults to the street as entered, so the text a person typed is never lost.
        """
        addr = cls(
            commune_code=normalize_commune_code(commune_code),
            street=_clean_text(street),
            scheme=(scheme or "").strip(),
            raw=(raw if raw is not None else (street or "")).strip(),
        )
        addr.validate()
        return addr

    def errors(self) -> dict[str, list[str]]:
        """Field → Vietnamese messages (translated when Django is configured)."""
        _ = _translator()
        errors: dict[str, list[str]] = {}
        if self.scheme not in SCHEMES:
            errors.setdefault("scheme", []).append(
                _("Hệ địa chỉ phải là “2025” hoặc “legacy” (trước 01/07/2025).")
            )
        if not _COMMUNE_CODE.fullmatch(self.commune_code or ""):
            errors.setdefault("commune_code", []).append(_("Mã xã/phường cần đúng 5 chữ số."))
        if len(self.street) > STREET_MAX:
            errors.setdefault("street", []).append(
                _("Địa chỉ chi tiết dài quá %(max)d ký tự.") % {"max": STREET_MAX}
            )
        if len(self.raw) > RAW_MAX:
            errors.setdefault("raw", []).append(
                _("Địa chỉ gốc dài quá %(max)d ký tự.") % {"max": RAW_MAX}
            )
        return errors

    def validate(self) -> None:
        errors = self.errors()
        if errors:
            raise AddressError(errors)

    @property
    def is_legacy(self) -> bool:
        return self.scheme == SCHEME_LEGACY

    def with_commune(self, commune_code: str, scheme: str = SCHEME_2025) -> Address:
        """The same street and raw text in another commune/scheme (after conversion)."""
        return replace(self, commune_code=normalize_commune_code(commune_code), scheme=scheme)

    def display(self, place: str = "") -> str:
        """One line for labels and screens: ``"12 Lê Lợi, Phường Đông Kinh, Tỉnh Lạng Sơn"``.

        ``place`` is the names of the administrative units (from
        ``selectors.address_place_name``); without it the commune code stands in, marked
        with its scheme so that a reused legacy code is never read as a 2025 one.
        """
        if not place:
            place = f"[{self.scheme} {self.commune_code}]"
        return ", ".join(part for part in (self.street, place) if part)


def _translator():
    try:
        from django.conf import settings

        if settings.configured:
            from django.utils.translation import gettext

            return gettext
    except ImportError:  # pragma: no cover - Django is always installed in this project
        pass
    return lambda s: s


ADDRESS_FIELD_SUFFIXES = ("scheme", "commune_code", "street", "raw")


def address_to_fields(addr: Address, prefix: str = "address") -> dict[str, str]:
    """The model field values for ``addr`` under ``prefix`` (see ``models.address_mixin``)."""
    return {
        f"{prefix}_scheme": addr.scheme,
        f"{prefix}_commune_code": addr.commune_code,
        f"{prefix}_street": addr.street,
        f"{prefix}_raw": addr.raw,
    }


def address_from_fields(obj: Any, prefix: str = "address") -> Address | None:
    """The address stored on ``obj`` (a model instance or any object), or ``None`` if empty."""
    code = getattr(obj, f"{prefix}_commune_code", "") or ""
    if not code:
        return None
    return Address(
        commune_code=code,
        street=getattr(obj, f"{prefix}_street", "") or "",
        scheme=getattr(obj, f"{prefix}_scheme", "") or SCHEME_2025,
        raw=getattr(obj, f"{prefix}_raw", "") or "",
    )
