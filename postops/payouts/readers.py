"""Reading payroll files (CSV, XLSX) as a stream of rows. No Django import.

What paying agencies and operators actually send: UTF-8 with or without a byte-order mark
(Excel writes one), CRLF or LF line ends, comma, semicolon or tab separators (Excel in a
Vietnamese locale writes ";"), text in NFC or NFD (macOS writes NFD). Every text cell is
normalised to NFC so that "Nguyễn" typed on any machine compares equal.
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from postops.core.text import fold

# English keys and the Vietnamese headers of issue #5, item 3 (matched without diacritics
# and case, so "Ma so" and "MÃ SỐ" are the same header as "Mã số").
COLUMNS: dict[str, str] = {
    "beneficiary_code": "Mã số",
    "full_name": "Họ và tên",
    "date_of_birth": "Ngày sinh",
    "sex": "Giới tính",
    "id_number": "Số CCCD",
    "address": "Địa chỉ",
    "village": "Thôn, bản",
    "commune_code": "Mã xã",
    "payout_point_code": "Mã điểm chi trả",
    "amount": "Số tiền",
    "arrears": "Truy lĩnh",
    "months": "Số tháng",
    "home_payout": "Chi tại nhà",
    "note": "Ghi chú",
}
REQUIRED_COLUMNS = (
    "beneficiary_code",
    "full_name",
    "date_of_birth",
    "sex",
    "id_number",
    "commune_code",
    "amount",
)

# Other headers seen for the optional village column (folded).
ALIASES = {"thon": "village", "thon/ban": "village", "thon ban": "village", "ban": "village"}

_HEADER_KEYS: dict[str, str] = dict(ALIASES)
for _key, _label in COLUMNS.items():
    _HEADER_KEYS[_key] = _key
    _HEADER_KEYS[fold(_label)] = _key


class FileFormatError(ValueError):
    """The file as a whole cannot be read. ``code`` is stable; ``column`` may name a header."""

    def __init__(self, code: str, column: str = "", **params):
        self.code = code
        self.column = column
        self.params = params
        super().__init__(code)


@dataclass
class Header:
    """Where each known key sits in a row, and the header text the file used for it."""

    positions: dict[str, int] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    # How many data rows the file seems to hold (for a progress bar; blank rows included).
    expected_rows: int | None = None

    def label(self, key: str) -> str:
        return self.labels.get(key, key)


def nfc(value: Any) -> Any:
    if isinstance(value, str):
        if value.isascii():
            return value.strip()
        return unicodedata.normalize("NFC", value).strip()
    return value


def header_key(text: Any) -> str | None:
    if not isinstance(text, str):
        return None
    cleaned = fold(nfc(text)).replace("_", " ")
    return _HEADER_KEYS.get(cleaned) or _HEADER_KEYS.get(cleaned.replace(" ", "_"))


def parse_header(cells: list[Any]) -> Header:
    """Map header cells to keys; unknown columns (e.g. "STT") are ignored.

    Raises ``FileFormatError`` for a repeated column or a missing required one.
    """
    header = Header()
    for index, cell in enumerate(cells):
        key = header_key(cell)
        if key is None:
            continue
        if key in header.positions:
            raise FileFormatError("duplicate_column", column=nfc(cell))
        header.positions[key] = index
        header.labels[key] = nfc(cell)
    for key in REQUIRED_COLUMNS:
        if key not in header.positions:
            raise FileFormatError("missing_column", column=COLUMNS[key])
    return header


def _is_blank(cells: list[Any]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def _detect_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def _csv_rows(stream: IO[bytes]) -> Iterator[tuple[int, list[Any]]]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        first = text.readline()
        delimiter = _detect_delimiter(first)
        lines = _chain_first(first, text)
        for number, cells in enumerate(csv.reader(lines, delimiter=delimiter), start=1):
            yield number, [nfc(c) for c in cells]
    except UnicodeDecodeError as exc:
        raise FileFormatError("encoding") from exc
    except csv.Error as exc:
        raise FileFormatError("csv_syntax", detail=str(exc)) from exc
    finally:
        text.detach()


def _chain_first(first: str, rest: IO[str]) -> Iterator[str]:
    if first:
        yield first
    # Not "yield from": closing this generator early would close ``rest``, a text wrapper
    # that _csv_rows has already detached from the caller's binary stream.
    for line in rest:  # noqa: UP028
        yield line


def _count_lines(stream: IO[bytes]) -> int:
    """Line ends in the file (a quoted cell may hold one, so this is an estimate)."""
    stream.seek(0)
    count = 0
    last = b""
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        count += chunk.count(b"\n")
        last = chunk[-1:]
    stream.seek(0)
    return count + (1 if last and last != b"\n" else 0)


def _xlsx_rows(stream: IO[bytes], sizes: dict) -> Iterator[tuple[int, list[Any]]]:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(stream)
        sheet = workbook.get_sheet_by_index(0)
    except (CalamineError, ValueError, OSError) as exc:
        raise FileFormatError("xlsx_unreadable") from exc
    # The last used row's number, as the spreadsheet shows it.
    sizes["lines"] = (sheet.end[0] + 1) if sheet.end else 0
    # Calamine starts at the first used cell; keep the row numbers the operator sees.
    first_row = (sheet.start or (0, 0))[0] + 1
    first_col = (sheet.start or (0, 0))[1]
    for offset, cells in enumerate(sheet.iter_rows()):
        row = [None] * first_col + [None if c == "" else nfc(c) for c in cells]
        yield first_row + offset, row


def file_kind(name: str, head: bytes) -> str:
    """``"xlsx"`` or ``"csv"``, from the content first (XLSX is a ZIP), then the name."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if name.lower().endswith((".xlsx", ".xlsm")):
        raise FileFormatError("xlsx_unreadable")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileFormatError("encoding")
    return "csv"


def read_rows(stream: IO[bytes], name: str) -> tuple[Header, Iterator[tuple[int, list[Any]]]]:
    """The header and an iterator of ``(row_number, cells)`` (row 1 is the header).

    Blank rows are skipped; row numbers are those a spreadsheet shows.
    """
    head = stream.read(4)
    stream.seek(0)
    kind = file_kind(name, head)
    sizes: dict = {}
    if kind == "xlsx":
        rows = _xlsx_rows(stream, sizes)
    else:
        sizes["lines"] = _count_lines(stream)
        rows = _csv_rows(stream)
    for number, cells in rows:
        if _is_blank(cells):
            continue
        header = parse_header(cells)
        if sizes.get("lines"):
            header.expected_rows = max(sizes["lines"] - number, 0)
        return header, ((number, cells) for number, cells in rows if not _is_blank(cells))
    raise FileFormatError("empty_file")


def row_values(header: Header, cells: list[Any]) -> dict[str, Any]:
    """The known columns of one row as ``{key: value}`` (missing trailing cells → None)."""
    return {
        key: (cells[index] if index < len(cells) else None)
        for key, index in header.positions.items()
    }
