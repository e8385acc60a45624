"""Reading spreadsheet-like files (CSV, XLSX) as a stream of rows. No Django import.

What agencies and operators actually send: UTF-8 with or without a byte-order mark (Excel
writes one), CRLF or LF line ends, comma, semicolon or tab separators (Excel in a Vietnamese
locale writes ";"), text in NFC or NFD (macOS writes NFD). Every text cell is normalised to
NFC and stripped, so that "Nguyễn" typed on any machine compares equal. Row numbers are the
ones a spreadsheet shows (the first line is row 1), blank rows are skipped.

Headers are matched by :func:`header_map` without diacritics or case ("Ma thu tuc" and "MÃ
THỦ TỤC" both name "Mã thủ tục"). Same rules as ``postops.payouts.readers``, which reads
payroll files with its own column set.
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from collections.abc import Iterator, Mapping
from typing import IO, Any

from .text import fold


class TableFormatError(ValueError):
    """The file as a whole cannot be read. ``code``: ``encoding``, ``csv_syntax``,
    ``xlsx_unreadable``, ``empty_file``, ``missing_column``, ``duplicate_column``;
    ``column`` names the header concerned, if any."""

    def __init__(self, code: str, column: str = "", **params):
        self.code = code
        self.column = column
        self.params = params
        super().__init__(code)


def nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value).strip()
    return value


def is_blank(cells: list[Any]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def file_kind(name: str, head: bytes) -> str:
    """``"xlsx"`` or ``"csv"``, from the content first (XLSX is a ZIP), then the name."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if name.lower().endswith((".xlsx", ".xlsm")):
        raise TableFormatError("xlsx_unreadable")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise TableFormatError("encoding")
    return "csv"


def _detect_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def _csv_rows(stream: IO[bytes]) -> Iterator[tuple[int, list[Any]]]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        first = text.readline()
        delimiter = _detect_delimiter(first)

        def lines():
            if first:
                yield first
            yield from text

        for number, cells in enumerate(csv.reader(lines(), delimiter=delimiter), start=1):
            yield number, [nfc(c) for c in cells]
    except UnicodeDecodeError as exc:
        raise TableFormatError("encoding") from exc
    except csv.Error as exc:
        raise TableFormatError("csv_syntax", detail=str(exc)) from exc
    finally:
        text.detach()


def _xlsx_rows(stream: IO[bytes]) -> Iterator[tuple[int, list[Any]]]:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(stream)
        sheet = workbook.get_sheet_by_index(0)
    except (CalamineError, ValueError, OSError) as exc:
        raise TableFormatError("xlsx_unreadable") from exc
    # Calamine starts at the first used cell; keep the row numbers the operator sees.
    first_row = (sheet.start or (0, 0))[0] + 1
    first_col = (sheet.start or (0, 0))[1]
    for offset, cells in enumerate(sheet.iter_rows()):
        yield first_row + offset, [None] * first_col + [None if c == "" else nfc(c) for c in cells]


def read_table(stream: IO[bytes], name: str) -> Iterator[tuple[int, list[Any]]]:
    """``(row_number, cells)`` for every non-blank row of the first sheet, header included."""
    head = stream.read(4)
    stream.seek(0)
    rows = _xlsx_rows(stream) if file_kind(name, head) == "xlsx" else _csv_rows(stream)
    return ((n, cells) for n, cells in rows if not is_blank(cells))


def header_map(
    cells: list[Any], columns: Mapping[str, str], required: tuple[str, ...] = ()
) -> tuple[dict[str, int], dict[str, str]]:
    """``({key: position}, {key: header text})`` for the header row ``cells``.

    ``columns`` maps each key to its Vietnamese header; a header cell matches a key when it
    equals the key itself or the header, folded. Unknown columns (e.g. "STT") are ignored.
    Raises :class:`TableFormatError` for a repeated column or a missing ``required`` one.
    """
    lookup: dict[str, str] = {}
    for key, label in columns.items():
        lookup[fold(key)] = key
        lookup[fold(key.replace("_", " "))] = key
        lookup[fold(label)] = key
    positions: dict[str, int] = {}
    labels: dict[str, str] = {}
    for index, cell in enumerate(cells):
        if not isinstance(cell, str):
            continue
        key = lookup.get(fold(nfc(cell)).replace("_", " ")) or lookup.get(fold(nfc(cell)))
        if key is None:
            continue
        if key in positions:
            raise TableFormatError("duplicate_column", column=nfc(cell))
        positions[key] = index
        labels[key] = nfc(cell)
    for key in required:
        if key not in positions:
            raise TableFormatError("missing_column", column=columns[key])
    return positions, labels


def row_values(positions: Mapping[str, int], cells: list[Any]) -> dict[str, Any]:
    """The known columns of one row as ``{key: value}`` (missing trailing cells → None)."""
    return {key: (cells[i] if i < len(cells) else None) for key, i in positions.items()}
