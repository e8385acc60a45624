"""Payroll import: a CSV or XLSX file → beneficiaries and payroll lines of one period.

Rules (issue #5, item 3):

* every row is validated with ``PayrollRowIn`` (the API's schema); every error is reported
  with its row number (as the spreadsheet shows it, header = row 1), column (the header
  text of the file), a stable code and a Vietnamese message;
* a file with any error imports nothing, unless the operator chose "valid rows only";
* importing the same file again changes nothing: the SHA-256 of a file already imported
  into the period short-cuts to a ``duplicate`` job, and rows are matched on natural keys
  (programme + beneficiary code, period + beneficiary), so an identical row is a no-op;
* the file is streamed and written in batches (``BATCH_SIZE`` rows per ``bulk_create``),
  with a fixed number of queries per batch and none per row, all in one transaction so a
  rejected file leaves nothing behind.

An existing beneficiary's details are updated from the file (the paying agency's list is
the source of truth); an existing line of the period is updated while the period is still
"imported" (a corrected file), never after.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import ValidationError

from postops.core.audit import audit_record
from postops.core.text import fold
from postops.network.models import Commune, Office

from . import rules
from .models import Beneficiary, ImportJob, PayrollLine, PayrollPeriod
from .readers import COLUMNS, FileFormatError, Header, read_rows, row_values
from .schemas import PayrollRowIn

BATCH_SIZE = 2000

# When a row names no payout point and the person has none yet: the commune's point, in
# this order of office kinds (a village/commune payout point first, the post office last).
_POINT_KIND_ORDER = {
    Office.Kind.PAYOUT_POINT: 0,
    Office.Kind.BDVHX: 1,
    Office.Kind.COMMUNE_POST: 2,
    Office.Kind.POST_OFFICE: 3,
}

_BENEFICIARY_FIELDS = (
    "full_name",
    "search_name",
    "date_of_birth",
    "sex",
    "id_number",
    "address",
    "commune_id",
    "default_payout_point_id",
)
_LINE_FIELDS = ("payout_point_id", "amount", "arrears", "months", "home_payout", "note")


class _Rejected(Exception):
    """Raised inside the transaction to undo a file that has errors."""


def file_sha256(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    stream.seek(0)
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def _file_error_message(error: FileFormatError) -> str:
    messages = {
        "missing_column": _("Thiếu cột bắt buộc."),
        "duplicate_column": _("Cột bị lặp lại."),
        "encoding": _("Tệp CSV phải được lưu với mã hóa UTF-8."),
        "csv_syntax": _("Tệp CSV sai định dạng."),
        "xlsx_unreadable": _("Không đọc được tệp Excel (.xlsx)."),
        "empty_file": _("Tệp không có dữ liệu."),
    }
    return messages.get(error.code, _("Không đọc được tệp."))


_PYDANTIC_MESSAGES = {
    "string_too_long": lambda ctx: (
        _("Quá dài (tối đa %(max)s ký tự).") % {"max": ctx.get("max_length")}
    ),
}


@dataclass
class _Valid:
    number: int
    row: PayrollRowIn


class _Importer:
    """Validates rows and writes them in batches; keeps the counters and the error list."""

    def __init__(self, period: PayrollPeriod, header: Header, job: ImportJob):
        self.period = period
        self.job = job
        self.programme = period.programme
        self.header = header
        self.total = 0
        self.invalid_rows: set[int] = set()
        self.errors: list[dict] = []
        self.batch: list[_Valid] = []
        self.seen_codes: set[str] = set()
        self.seen_ids: set[str] = set()
        self.created_beneficiaries = 0
        self.updated_beneficiaries = 0
        self.created_lines = 0
        self.updated_lines = 0
        self.communes = set(Commune.objects.values_list("code", flat=True))
        self.points: dict[str, int] = {}
        commune_points: dict[str, tuple[int, str, int]] = {}
        offices = Office.objects.filter(is_active=True).values_list(
            "id", "code", "kind", "commune_id"
        )
        for pk, code, kind, commune_id in offices:
            self.points[code] = pk
            if kind in _POINT_KIND_ORDER:
                rank = (_POINT_KIND_ORDER[kind], code, pk)
                if commune_id not in commune_points or rank < commune_points[commune_id]:
                    commune_points[commune_id] = rank
        self.commune_point = {commune: rank[2] for commune, rank in commune_points.items()}

    # --- errors -------------------------------------------------------------------------

    def error(self, number: int, key: str, code: str, message: str) -> None:
        self.invalid_rows.add(number)
        column = self.header.label(key) if key in COLUMNS else key
        self.errors.append({"row": number, "column": column, "code": code, "message": message})

    def _validation_errors(self, number: int, exc: ValidationError) -> None:
        for err in exc.errors(include_url=False):
            ctx = err.get("ctx") or {}
            key = str(err["loc"][0]) if err["loc"] else ctx.get("column", "")
            code = "required" if err["type"] == "missing" else err["type"]
            if code in _PYDANTIC_MESSAGES:
                message = _PYDANTIC_MESSAGES[code](ctx)
            elif code == "required":
                message = _("Bắt buộc nhập.")
            else:
                message = err["msg"]
            self.error(number, key, code, message)

    # --- rows ---------------------------------------------------------------------------

    def add(self, number: int, cells: list[Any]) -> None:
        self.total += 1
        values = row_values(self.header, cells)
        try:
            row = PayrollRowIn.model_validate(values)
        except ValidationError as exc:
            self._validation_errors(number, exc)
            return
        if row.beneficiary_code in self.seen_codes:
            self.error(
                number,
                "beneficiary_code",
                "duplicate_code",
                _("Mã số đã xuất hiện ở một dòng trước trong tệp."),
            )
            return
        if row.id_number in self.seen_ids:
            self.error(
                number,
                "id_number",
                "duplicate_id_number",
                _("Số CCCD đã xuất hiện ở một dòng trước trong tệp."),
            )
            return
        self.seen_codes.add(row.beneficiary_code)
        self.seen_ids.add(row.id_number)
        self.batch.append(_Valid(number, row))
        if len(self.batch) >= BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        batch, self.batch = self.batch, []
        if not batch:
            return
        codes = [item.row.beneficiary_code for item in batch]
        existing = {
            b.code: b for b in Beneficiary.objects.filter(programme=self.programme, code__in=codes)
        }
        id_owner = dict(
            Beneficiary.objects.filter(
                programme=self.programme, id_number__in=[item.row.id_number for item in batch]
            ).values_list("id_number", "code")
        )
        lines = {
            line.beneficiary_id: line
            for line in PayrollLine.objects.filter(
                period=self.period, beneficiary__in=[b.pk for b in existing.values()]
            )
        }
        to_create: list[tuple[_Valid, Beneficiary, int]] = []
        to_update: list[Beneficiary] = []
        ready: list[tuple[_Valid, Beneficiary, int]] = []
        for item in batch:
            row = item.row
            if row.commune_code not in self.communes:
                self.error(
                    item.number,
                    "commune_code",
                    "unknown_commune",
                    _("Không có xã/phường mã %(code)s.") % {"code": row.commune_code},
                )
                continue
            owner = id_owner.get(row.id_number)
            if owner is not None and owner != row.beneficiary_code:
                self.error(
                    item.number,
                    "id_number",
                    "duplicate_person",
                    _("Số CCCD này đã thuộc đối tượng mã %(code)s của chương trình.")
                    % {"code": owner},
                )
                continue
            beneficiary = existing.get(row.beneficiary_code)
            point_id = self._point(item, beneficiary)
            if point_id is None:
                continue
            if beneficiary is None:
                beneficiary = Beneficiary(programme=self.programme, code=row.beneficiary_code)
                self._fill(beneficiary, row, point_id)
                to_create.append((item, beneficiary, point_id))
            else:
                if self._fill(beneficiary, row, point_id if row.payout_point_code else None):
                    to_update.append(beneficiary)
                ready.append((item, beneficiary, point_id))
        if to_create:
            Beneficiary.objects.bulk_create([b for _i, b, _p in to_create], batch_size=BATCH_SIZE)
            self.created_beneficiaries += len(to_create)
            ready.extend(to_create)
        if to_update:
            Beneficiary.objects.bulk_update(
                to_update, [*_BENEFICIARY_FIELDS, "updated_at"], batch_size=BATCH_SIZE
            )
            self.updated_beneficiaries += len(to_update)
        self._write_lines(ready, lines)

    def _point(self, item: _Valid, beneficiary: Beneficiary | None) -> int | None:
        row = item.row
        if row.payout_point_code:
            point_id = self.points.get(row.payout_point_code)
            if point_id is None:
                self.error(
                    item.number,
                    "payout_point_code",
                    "unknown_payout_point",
                    _("Không có điểm chi trả mã %(code)s.") % {"code": row.payout_point_code},
                )
            return point_id
        if beneficiary is not None and beneficiary.default_payout_point_id:
            return beneficiary.default_payout_point_id
        point_id = self.commune_point.get(row.commune_code)
        if point_id is None:
            self.error(
                item.number,
                "payout_point_code",
                "no_payout_point",
                _("Xã/phường %(code)s chưa có điểm chi trả; ghi rõ mã điểm chi trả.")
                % {"code": row.commune_code},
            )
        return point_id

    @staticmethod
    def _fill(beneficiary: Beneficiary, row: PayrollRowIn, point_id: int | None) -> bool:
        """Copy the row onto the beneficiary; True when something changed."""
        values = {
            "full_name": row.full_name,
            "search_name": fold(row.full_name),
            "date_of_birth": row.date_of_birth,
            "sex": row.sex,
            "id_number": row.id_number,
            "address": row.address,
            "commune_id": row.commune_code,
        }
        if point_id is not None:
            values["default_payout_point_id"] = point_id
        changed = False
        for name, value in values.items():
            if getattr(beneficiary, name) != value:
                setattr(beneficiary, name, value)
                changed = True
        if changed:
            beneficiary.updated_at = timezone.now()
        return changed

    def _write_lines(
        self, ready: Iterable[tuple[_Valid, Beneficiary, int]], lines: dict[int, PayrollLine]
    ) -> None:
        new_lines: list[PayrollLine] = []
        changed_lines: list[PayrollLine] = []
        for item, beneficiary, point_id in ready:
            row = item.row
            values = {
                "payout_point_id": point_id,
                "amount": row.amount,
                "arrears": row.arrears,
                "months": row.months,
                "home_payout": row.home_payout,
                "note": row.note,
            }
            line = lines.get(beneficiary.pk)
            if line is None:
                new_lines.append(
                    PayrollLine(
                        period=self.period,
                        beneficiary_id=beneficiary.pk,
                        row_number=item.number,
                        import_job=self.job,
                        **values,
                    )
                )
            elif any(getattr(line, k) != v for k, v in values.items()):
                for name, value in values.items():
                    setattr(line, name, value)
                changed_lines.append(line)
        if new_lines:
            PayrollLine.objects.bulk_create(new_lines, batch_size=BATCH_SIZE)
            self.created_lines += len(new_lines)
        if changed_lines:
            PayrollLine.objects.bulk_update(changed_lines, _LINE_FIELDS, batch_size=BATCH_SIZE)
            self.updated_lines += len(changed_lines)

    def sorted_errors(self) -> list[dict]:
        return sorted(self.errors, key=lambda e: e["row"])


def _finish(job: ImportJob, status: str, **fields) -> ImportJob:
    job.status = status
    job.finished_at = timezone.now()
    for name, value in fields.items():
        setattr(job, name, value)
    job.save()
    return job


def payroll_import(
    actor,
    period: PayrollPeriod,
    stream: IO[bytes],
    file_name: str,
    *,
    valid_only: bool = False,
    job: ImportJob | None = None,
) -> ImportJob:
    """Import one payroll file into ``period`` and return its job with the report.

    ``stream`` is a binary, seekable file. ``job`` is given when the API queued the file;
    otherwise a job is created here. The period must still be "imported".
    """
    sha = file_sha256(stream)
    # A partner's API key acts too; only a staff user goes into the "by" columns.
    user = actor if getattr(actor, "is_authenticated", False) else None
    if job is None:
        job = ImportJob.objects.create(
            period=period,
            file_name=file_name[:255],
            file_sha256=sha,
            valid_only=valid_only,
            created_by=user,
        )
    else:
        job.file_sha256 = sha
    job.status = ImportJob.Status.RUNNING
    job.save(update_fields=["status", "file_sha256"])

    if period.status != rules.IMPORTED:
        error = {
            "row": 0,
            "column": "",
            "code": "period_not_open",
            "message": _("Kỳ chi trả đã qua bước nhập danh sách; không nhập thêm được."),
        }
        return _finish(job, ImportJob.Status.REJECTED, errors=[error])

    previous = (
        ImportJob.objects.filter(period=period, file_sha256=sha, status=ImportJob.Status.DONE)
        .exclude(pk=job.pk)
        .order_by("pk")
        .first()
    )
    if previous is not None:
        with transaction.atomic():
            _finish(
                job,
                ImportJob.Status.DUPLICATE,
                total=previous.total,
                valid=previous.valid,
                invalid=previous.invalid,
                errors=previous.errors,
            )
            audit_record(actor, "payouts.import_duplicate", job, after={"same_as": previous.pk})
        return job

    importer: _Importer | None = None
    try:
        with transaction.atomic():
            header, rows = read_rows(stream, file_name)
            importer = _Importer(period, header, job)
            for number, cells in rows:
                importer.add(number, cells)
            importer.flush()
            if importer.invalid_rows and not valid_only:
                raise _Rejected
            if period.imported_by_id is None and user is not None:
                PayrollPeriod.objects.filter(pk=period.pk).update(imported_by=user)
            _finish(job, ImportJob.Status.DONE, **_counters(importer))
            audit_record(
                actor,
                "payouts.import",
                job,
                after={
                    "period": period.pk,
                    "file_sha256": sha,
                    **_counters(importer, with_errors=False),
                },
            )
    except FileFormatError as exc:
        error = {
            "row": 1 if exc.code in ("missing_column", "duplicate_column") else 0,
            "column": exc.column,
            "code": exc.code,
            "message": _file_error_message(exc),
        }
        _finish(job, ImportJob.Status.REJECTED, errors=[error])
    except _Rejected:
        assert importer is not None
        counters = _counters(importer)
        counters.update(
            created_lines=0, updated_lines=0, created_beneficiaries=0, updated_beneficiaries=0
        )
        _finish(job, ImportJob.Status.REJECTED, **counters)
    return job


def _counters(importer: _Importer, *, with_errors: bool = True) -> dict:
    invalid = len(importer.invalid_rows)
    values = {
        "total": importer.total,
        "valid": importer.total - invalid,
        "invalid": invalid,
        "created_lines": importer.created_lines,
        "updated_lines": importer.updated_lines,
        "created_beneficiaries": importer.created_beneficiaries,
        "updated_beneficiaries": importer.updated_beneficiaries,
    }
    if with_errors:
        values["errors"] = importer.sorted_errors()
    return values
