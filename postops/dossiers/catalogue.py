"""Procedure catalogue import: a CSV or XLSX file → procedures and their document lists.

One row per required document; the procedure's columns are repeated on its rows, or left
empty on the rows after the first. A procedure without documents has one row with the
document columns empty. Columns (headers matched without diacritics or case; the English
keys work too):

==================  ====================  ==========================================
key                 header                value
==================  ====================  ==========================================
code                Mã thủ tục            required (e.g. "1.001234")
name                Tên thủ tục           required
agency_code         Mã cơ quan            required, an active agency's code
level               Cấp thực hiện         "Trung ương", "Cấp tỉnh", "Cấp xã" (or central, …)
processing_days     Thời hạn giải quyết   required, working days (0 with same day)
postal_allowed      Qua bưu chính         có/không (default có)
agency_fee          Phí, lệ phí           integer đồng, "1.250.000" accepted (default 0)
same_day            Trả trong ngày        có/không (default không)
is_active           Đang áp dụng          có/không (default có)
document_name       Tên giấy tờ           the document
document_kind       Loại bản              "Bản chính", "Bản sao", "Bản chính hoặc bản sao"
document_count      Số lượng              ≥ 1 (default 1)
==================  ====================  ==========================================

Rules (issue #4, item 2):

* every error is reported with its row (as the spreadsheet shows it, header = row 1), its
  column (the file's header text), a stable code and a Vietnamese message;
* all or nothing: a file with any error writes nothing;
* idempotent: a procedure whose fields and document list equal the stored ones is left
  untouched, so importing the same file twice changes nothing the second time; the file's
  document list replaces the stored one (the agency's published list prevails, Decision
  45/2016/QĐ-TTg Art. 6(1)); procedures absent from the file are left alone.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from postops.core import money
from postops.core.tabular import TableFormatError, header_map, read_table, row_values
from postops.core.text import fold

from .models import Agency, DocumentKind, Procedure, ProcedureDocument

COLUMNS: dict[str, str] = {
    "code": "Mã thủ tục",
    "name": "Tên thủ tục",
    "agency_code": "Mã cơ quan",
    "level": "Cấp thực hiện",
    "processing_days": "Thời hạn giải quyết",
    "postal_allowed": "Qua bưu chính",
    "agency_fee": "Phí, lệ phí",
    "same_day": "Trả trong ngày",
    "is_active": "Đang áp dụng",
    "document_name": "Tên giấy tờ",
    "document_kind": "Loại bản",
    "document_count": "Số lượng",
}
REQUIRED = ("code", "name", "agency_code", "level", "processing_days")
PROCEDURE_KEYS = (
    "name",
    "agency_code",
    "level",
    "processing_days",
    "postal_allowed",
    "agency_fee",
    "same_day",
    "is_active",
)
MAX_ROWS = 50_000

_LEVELS = {
    "central": Procedure.Level.CENTRAL,
    "trung uong": Procedure.Level.CENTRAL,
    "cap trung uong": Procedure.Level.CENTRAL,
    "province": Procedure.Level.PROVINCE,
    "tinh": Procedure.Level.PROVINCE,
    "cap tinh": Procedure.Level.PROVINCE,
    "commune": Procedure.Level.COMMUNE,
    "xa": Procedure.Level.COMMUNE,
    "cap xa": Procedure.Level.COMMUNE,
}
_KINDS = {
    "original": DocumentKind.ORIGINAL,
    "ban chinh": DocumentKind.ORIGINAL,
    "copy": DocumentKind.COPY,
    "ban sao": DocumentKind.COPY,
    "either": DocumentKind.EITHER,
    "ban chinh hoac ban sao": DocumentKind.EITHER,
    "ban sao hoac ban chinh": DocumentKind.EITHER,
}
_BOOLEAN_DEFAULTS = {"postal_allowed": True, "same_day": False, "is_active": True}
_TRUE = {"co", "x", "1", "true", "yes", "y", "dung"}
_FALSE = {"khong", "0", "false", "no", "n", "sai"}


@dataclass
class _Doc:
    name: str
    kind: str
    count: int


@dataclass
class _Proc:
    row: int
    code: str
    values: dict[str, Any]
    docs: list[_Doc] = field(default_factory=list)


@dataclass
class ImportResult:
    """Counters and the per-row report. ``errors`` items: ``{row, column, code, message}``."""

    rows: int = 0
    procedures: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)
    sha256: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


class _Reader:
    def __init__(self, labels: dict[str, str], result: ImportResult):
        self.labels = labels
        self.result = result

    def error(self, row: int, key: str, code: str, message: str) -> None:
        column = self.labels.get(key) or COLUMNS.get(key, key)
        self.result.errors.append({"row": row, "column": column, "code": code, "message": message})

    def boolean(self, row: int, key: str, value: Any, default: bool) -> bool | None:
        text = fold(_text(value))
        if not text:
            return default
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        self.error(row, key, "invalid_boolean", _("Ghi “có” hoặc “không”."))
        return None

    def integer(self, row: int, key: str, value: Any, *, minimum: int, default=None):
        if value is None or _text(value) == "":
            if default is None:
                self.error(row, key, "required", _("Bắt buộc nhập."))
            return default
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = _text(value)
        if not (text.isascii() and text.isdigit()) or int(text) < minimum:
            self.error(
                row,
                key,
                "invalid_number",
                _("Cần một số nguyên từ %(min)d trở lên.") % {"min": minimum},
            )
            return None
        return int(text)

    _MISSING = object()

    def cell(self, row: int, key: str, value: Any) -> Any:
        """One procedure column, normalised; :data:`_MISSING` after reporting an error."""
        bad = self._MISSING
        if key == "name":
            name = _text(value)
            if not name:
                self.error(row, key, "required", _("Bắt buộc nhập."))
                return bad
            if len(name) > 500:
                self.error(
                    row, key, "too_long", _("Quá dài (tối đa %(max)s ký tự).") % {"max": 500}
                )
                return bad
            return name
        if key == "agency_code":
            code = _text(value).upper()
            if not code:
                self.error(row, key, "required", _("Bắt buộc nhập."))
                return bad
            return code
        if key == "level":
            level = _LEVELS.get(fold(_text(value)))
            if level is None:
                self.error(
                    row, key, "invalid_level", _("Ghi “Trung ương”, “Cấp tỉnh” hoặc “Cấp xã”.")
                )
                return bad
            return level
        if key == "processing_days":
            days = self.integer(row, key, value, minimum=0)
            return bad if days is None else days
        if key in _BOOLEAN_DEFAULTS:
            flag = self.boolean(row, key, value, _BOOLEAN_DEFAULTS[key])
            return bad if flag is None else flag
        if key == "agency_fee":
            if value is None or _text(value) == "":
                return 0
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            try:
                return money.parse_vnd(value if isinstance(value, int) else _text(value))
            except money.MoneyError as exc:
                self.error(row, key, f"money_{exc.code}", _(exc.message))
                return bad
        raise KeyError(key)

    def procedure_values(self, row: int, values: dict[str, Any]) -> dict[str, Any] | None:
        out = {key: self.cell(row, key, values.get(key)) for key in PROCEDURE_KEYS}
        return None if any(v is self._MISSING for v in out.values()) else out

    def document(self, row: int, values: dict[str, Any]) -> _Doc | None:
        name = _text(values.get("document_name"))
        kind_text = _text(values.get("document_kind"))
        count_value = values.get("document_count")
        if not name:
            if kind_text or _text(count_value):
                self.error(row, "document_name", "required", _("Bắt buộc nhập tên giấy tờ."))
            return None
        if len(name) > 500:
            self.error(
                row,
                "document_name",
                "too_long",
                _("Quá dài (tối đa %(max)s ký tự).") % {"max": 500},
            )
            return None
        kind = _KINDS.get(fold(kind_text))
        if kind is None:
            self.error(
                row,
                "document_kind",
                "invalid_kind",
                _("Ghi “Bản chính”, “Bản sao” hoặc “Bản chính hoặc bản sao”."),
            )
            return None
        count = self.integer(row, "document_count", count_value, minimum=1, default=1)
        if count is None:
            return None
        if count > 100:
            self.error(row, "document_count", "invalid_number", _("Số lượng quá lớn."))
            return None
        return _Doc(name=name, kind=kind, count=count)


def _file_error(exc: TableFormatError) -> dict:
    messages = {
        "missing_column": _("Thiếu cột bắt buộc."),
        "duplicate_column": _("Cột bị lặp lại."),
        "encoding": _("Tệp CSV phải được lưu với mã hóa UTF-8."),
        "csv_syntax": _("Tệp CSV sai định dạng."),
        "xlsx_unreadable": _("Không đọc được tệp Excel (.xlsx)."),
        "empty_file": _("Tệp không có dữ liệu."),
        "too_many_rows": _("Tệp quá lớn: tối đa %(max)d dòng.") % {"max": MAX_ROWS},
    }
    return {
        "row": 1 if exc.code in ("missing_column", "duplicate_column") else 0,
        "column": exc.column,
        "code": exc.code,
        "message": messages.get(exc.code, _("Không đọc được tệp.")),
    }


def _sha256(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    stream.seek(0)
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def _parse(
    stream: IO[bytes], name: str, result: ImportResult
) -> tuple[dict[str, _Proc], dict[str, str]]:
    rows = read_table(stream, name)
    try:
        first = next(rows, None)
        if first is None:
            raise TableFormatError("empty_file")
        positions, labels = header_map(first[1], COLUMNS, REQUIRED)
    except TableFormatError as exc:
        result.errors.append(_file_error(exc))
        return {}, {}
    reader = _Reader(labels, result)
    procedures: dict[str, _Proc] = {}
    try:
        for number, cells in rows:
            result.rows += 1
            if result.rows > MAX_ROWS:
                raise TableFormatError("too_many_rows")
            values = row_values(positions, cells)
            code = _text(values.get("code"))
            if not code:
                reader.error(number, "code", "required", _("Bắt buộc nhập."))
                continue
            if len(code) > 30:
                reader.error(
                    number, "code", "too_long", _("Quá dài (tối đa %(max)s ký tự).") % {"max": 30}
                )
                continue
            proc = procedures.get(code)
            if proc is None:
                proc = _Proc(
                    row=number, code=code, values=reader.procedure_values(number, values) or {}
                )
                procedures[code] = proc
            elif proc.values:
                # A later row of the same procedure: its own columns may be empty or repeat
                # the first row's values; a different value is a conflict, not a silent win.
                for key in PROCEDURE_KEYS:
                    if _text(values.get(key)) == "":
                        continue
                    value = reader.cell(number, key, values.get(key))
                    if value is not reader._MISSING and value != proc.values[key]:
                        reader.error(
                            number,
                            key,
                            "conflict",
                            _("Khác với dòng %(row)d của cùng thủ tục.") % {"row": proc.row},
                        )
            doc = reader.document(number, values)
            if doc is not None:
                proc.docs.append(doc)
    except TableFormatError as exc:
        result.errors.append(_file_error(exc))
    return procedures, labels


def procedures_import(actor, stream: IO[bytes], name: str, *, request=None) -> ImportResult:
    """Import a catalogue file (see the module docstring); all or nothing, idempotent."""
    from .services import _audit

    result = ImportResult(sha256=_sha256(stream))
    procedures, labels = _parse(stream, name, result)
    if not result.errors and not procedures:
        result.errors.append(_file_error(TableFormatError("empty_file")))
    codes = {p.values.get("agency_code") for p in procedures.values() if p.values}
    agencies = {a.code: a for a in Agency.objects.filter(code__in=codes, is_active=True)}
    for proc in procedures.values():
        if proc.values and proc.values["agency_code"] not in agencies:
            result.errors.append(
                {
                    "row": proc.row,
                    "column": labels.get("agency_code", COLUMNS["agency_code"]),
                    "code": "unknown_agency",
                    "message": _("Không có cơ quan đang hoạt động với mã %(code)s.")
                    % {"code": proc.values["agency_code"]},
                }
            )
        if proc.values and proc.values["same_day"] is False and proc.values["processing_days"] == 0:
            result.errors.append(
                {
                    "row": proc.row,
                    "column": labels.get("processing_days", COLUMNS["processing_days"]),
                    "code": "invalid_number",
                    "message": _("Thời hạn 0 ngày chỉ dùng cho thủ tục trả trong ngày."),
                }
            )
    result.procedures = len(procedures)
    if result.errors:
        result.errors.sort(key=lambda e: (e["row"], e["column"]))
        return result

    with transaction.atomic():
        existing = {
            p.code: p
            for p in Procedure.objects.select_for_update().filter(code__in=procedures.keys())
        }
        stored_docs: dict[int, list[tuple]] = {}
        for pid, doc_name, kind, count in (
            ProcedureDocument.objects.filter(procedure__in=existing.values())
            .order_by("procedure_id", "position")
            .values_list("procedure_id", "name", "kind", "count")
        ):
            stored_docs.setdefault(pid, []).append((doc_name, kind, count))
        changed_codes = []
        for code, proc in procedures.items():
            v = proc.values
            fields = {
                "name": v["name"],
                "agency": agencies[v["agency_code"]],
                "level": v["level"],
                "postal_allowed": v["postal_allowed"],
                "agency_fee": v["agency_fee"],
                "processing_days": v["processing_days"],
                "same_day": v["same_day"],
                "is_active": v["is_active"],
            }
            docs = [(d.name, d.kind, d.count) for d in proc.docs]
            current = existing.get(code)
            if current is None:
                current = Procedure(code=code, **fields)
                current.search_name = fold(f"{code} {fields['name']}")
                current.full_clean()
                current.save()
                result.created += 1
            else:
                same = (
                    all(
                        getattr(current, k if k != "agency" else "agency_id")
                        == (val.pk if k == "agency" else val)
                        for k, val in fields.items()
                    )
                    and stored_docs.get(current.pk, []) == docs
                )
                if same:
                    result.unchanged += 1
                    continue
                for k, val in fields.items():
                    setattr(current, k, val)
                current.search_name = fold(f"{code} {fields['name']}")
                current.full_clean()
                current.save()
                current.documents.all().delete()
                result.updated += 1
            ProcedureDocument.objects.bulk_create(
                [
                    ProcedureDocument(procedure=current, position=i, name=n, kind=k, count=c)
                    for i, (n, k, c) in enumerate(docs, start=1)
                ]
            )
            changed_codes.append(code)
        _audit(
            actor,
            "dossiers.procedures_import",
            None,
            target_type="dossiers.procedure",
            after={
                "file": name[:200],
                "sha256": result.sha256,
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "codes": changed_codes[:200],
            },
            request=request,
        )
    return result
