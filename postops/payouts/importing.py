"""Payroll import: a CSV or XLSX file → beneficiaries and payroll lines of one period.

Rules (issue #5, item 3; ADR 0003):

* every row is checked by ``rows.check_row`` (the rules ``PayrollRowIn`` also uses); every
  error is reported with its row number (as the spreadsheet shows it, header = row 1),
  column (the header text of the file), a stable code and a Vietnamese message;
* a file with any error imports nothing, unless the operator chose "valid rows only";
* importing the same file again changes nothing: the SHA-256 of a file already imported
  into the period short-cuts to a ``duplicate`` job, and rows are matched on natural keys
  (programme + beneficiary code, period + beneficiary), so an identical row is a no-op.

Two passes, so that progress is visible and a rejected file costs no write:

1. **Read and check** (no transaction): rows are checked as they stream in; every
   ``BATCH_SIZE`` rows, three queries look up the people, ID numbers and lines already
   known, and the job's counters are saved (a page polls them for its progress bar). The
   outcome is a plan: people and lines to create or change, as plain tuples.
2. **Write** (one transaction, the period row locked): the plan goes in with ``COPY`` on
   PostgreSQL (``bulk``), so the file lands whole or not at all. A concurrent import that
   changed the same people in between makes the write fail on a constraint; the job is
   then ``failed`` with nothing written, and the operator imports the file again.

An existing beneficiary's details are updated from the file (the paying agency's list is
the source of truth); an existing line of the period is updated while the period is still
"imported" (a corrected file), never after.
"""

from __future__ import annotations

import hashlib
import logging
from typing import IO, Any

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from postops.core.audit import audit_record
from postops.core.text import fold
from postops.network.models import Commune, Office

from . import bulk, rules
from .models import Beneficiary, ImportJob, PayrollLine, PayrollPeriod
from .readers import COLUMNS, FileFormatError, Header, read_rows
from .rows import check_row

logger = logging.getLogger(__name__)

# Rows per batch of pass 1: three lookups and one progress save each (about 0.5 s of work,
# so the page's one-second polling sees the bar move).
BATCH_SIZE = 5000
# Rows written after which the planner's statistics are refreshed (``bulk.analyze``).
ANALYZE_AFTER = 10_000
# Error rows kept in the job (the counters count them all); a file where every one of
# 100,000 rows is wrong needs a fix at the source, not a 100,000-line report.
MAX_ERRORS = 10_000

# When a row names no payout point and the person has none yet: the commune's point, in
# this order of office kinds (a village/commune payout point first, the post office last).
_POINT_KIND_ORDER = {
    Office.Kind.PAYOUT_POINT: 0,
    Office.Kind.BDVHX: 1,
    Office.Kind.COMMUNE_POST: 2,
    Office.Kind.POST_OFFICE: 3,
}

# Columns written by the import, in the order of the tuples the plan holds.
PERSON_FIELDS = (
    "full_name",
    "search_name",
    "date_of_birth",
    "sex",
    "id_number",
    "address",
    "village",
    "commune_id",
    "default_payout_point_id",
)
LINE_FIELDS = ("payout_point_id", "amount", "arrears", "months", "home_payout", "note")


class _Rejected(Exception):
    """Raised to stop an import whose file has errors."""


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


class _Folder:
    """``fold`` with a per-word cache: a payroll repeats the same few hundred name words."""

    def __init__(self):
        self.words: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        words = self.words
        out = []
        for word in text.split():
            folded = words.get(word)
            if folded is None:
                if len(words) > 200_000:
                    words.clear()
                folded = words[word] = word.lower() if word.isascii() else fold(word)
            if folded:
                out.append(folded)
        return " ".join(out)


class _Planner:
    """Pass 1: checks rows, looks up what exists per batch, and plans the writes."""

    def __init__(self, period: PayrollPeriod, header: Header, job: ImportJob):
        self.period = period
        self.job = job
        self.programme_id = period.programme_id
        self.header = header
        self.positions = list(header.positions.items())
        self.today = timezone.localdate()
        self.fold = _Folder()
        self.villages: dict[str, str] = {}
        self.total = 0
        self.invalid_rows: set[int] = set()
        self.errors: list[dict] = []
        self.error_count = 0
        self.batch: list[tuple[int, dict]] = []
        self.seen_codes: set[str] = set()
        self.seen_ids: set[str] = set()
        # The plan: new people by code; changes as (pk, *PERSON_FIELDS); new lines as
        # (person pk or code, row number, *LINE_FIELDS); line changes as (pk, *LINE_FIELDS).
        self.new_people: dict[str, tuple] = {}
        self.changed_people: list[tuple] = []
        self.new_lines: list[tuple] = []
        self.changed_lines: list[tuple] = []
        # A programme's first file: nobody to look up, batch after batch.
        self.programme_has_people = Beneficiary.objects.filter(
            programme_id=self.programme_id
        ).exists()
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
        self.error_count += 1
        if len(self.errors) >= MAX_ERRORS:
            return
        column = self.header.label(key) if key in COLUMNS else key
        self.errors.append({"row": number, "column": column, "code": code, "message": message})

    # --- rows ---------------------------------------------------------------------------

    def add(self, number: int, cells: list[Any]) -> None:
        self.total += 1
        size = len(cells)
        values = {key: (cells[i] if i < size else None) for key, i in self.positions}
        row, problems = check_row(values, self.today)
        if problems:
            for key, exc in problems:
                message = _(exc.message)
                self.error(number, key, exc.code, message % exc.params if exc.params else message)
            return
        code, id_number = row["beneficiary_code"], row["id_number"]
        if code in self.seen_codes:
            self.error(
                number,
                "beneficiary_code",
                "duplicate_code",
                _("Mã số đã xuất hiện ở một dòng trước trong tệp."),
            )
            return
        if id_number in self.seen_ids:
            self.error(
                number,
                "id_number",
                "duplicate_id_number",
                _("Số CCCD đã xuất hiện ở một dòng trước trong tệp."),
            )
            return
        self.seen_codes.add(code)
        self.seen_ids.add(id_number)
        self.batch.append((number, row))
        if len(self.batch) >= BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        """Plan one batch against what the database holds, then save the counters."""
        batch, self.batch = self.batch, []
        if batch:
            self._plan(batch)
        invalid = len(self.invalid_rows)
        ImportJob.objects.filter(pk=self.job.pk).update(
            total=self.total, valid=self.total - invalid, invalid=invalid
        )

    def _plan(self, batch: list[tuple[int, dict]]) -> None:
        programme_id = self.programme_id
        existing: dict[str, tuple] = {}
        id_owner: dict[str, str] = {}
        lines: dict[int, tuple] = {}
        if self.programme_has_people:
            people = bulk.select_in(
                Beneficiary,
                ("id", "code", *PERSON_FIELDS),
                {"programme_id": programme_id},
                "code",
                [row["beneficiary_code"] for _n, row in batch],
            )
            existing = {values[1]: values for values in people}
            id_owner = dict(
                bulk.select_in(
                    Beneficiary,
                    ("id_number", "code"),
                    {"programme_id": programme_id},
                    "id_number",
                    [row["id_number"] for _n, row in batch],
                )
            )
        if existing:
            # The period's own lines (not carried ones) of the people already known.
            known_lines = bulk.select_in(
                PayrollLine,
                ("id", "beneficiary_id", "carried_from_id", *LINE_FIELDS),
                {"period_id": self.period.pk},
                "beneficiary_id",
                [values[0] for values in existing.values()],
            )
            lines = {v[1]: (v[0], v[1], *v[3:]) for v in known_lines if v[2] is None}
        for number, row in batch:
            code = row["beneficiary_code"]
            commune = row["commune_code"]
            if commune not in self.communes:
                self.error(
                    number,
                    "commune_code",
                    "unknown_commune",
                    _("Không có xã/phường mã %(code)s.") % {"code": commune},
                )
                continue
            owner = id_owner.get(row["id_number"])
            if owner is not None and owner != code:
                self.error(
                    number,
                    "id_number",
                    "duplicate_person",
                    _("Số CCCD này đã thuộc đối tượng mã %(code)s của chương trình.")
                    % {"code": owner},
                )
                continue
            known = existing.get(code)
            point_id = self._point(number, row, known)
            if point_id is None:
                continue
            person = (
                row["full_name"],
                self.fold(row["full_name"]),
                row["date_of_birth"],
                row["sex"],
                row["id_number"],
                row["address"],
                row["village"] or self._village(row["address"]),
                commune,
            )
            line = (
                point_id,
                row["amount"],
                row["arrears"],
                row["months"],
                row["home_payout"],
                row["note"],
            )
            if known is None:
                self.new_people[code] = (*person, point_id)
                self.new_lines.append((code, number, *line))
                continue
            # An existing person keeps their default point unless the row names one.
            default_point = point_id if row["payout_point_code"] else known[-1]
            if (*person, default_point) != known[2:]:
                self.changed_people.append((known[0], *person, default_point))
            current = lines.get(known[0])
            if current is None:
                self.new_lines.append((known[0], number, *line))
            elif line != current[2:]:
                self.changed_lines.append((current[0], *line))

    def _village(self, address: str) -> str:
        village = self.villages.get(address)
        if village is None:
            if len(self.villages) > 100_000:
                self.villages.clear()
            village = self.villages[address] = rules.village_from_address(address, self.fold)
        return village

    def _point(self, number: int, row: dict, known: tuple | None) -> int | None:
        code = row["payout_point_code"]
        if code:
            point_id = self.points.get(code)
            if point_id is None:
                self.error(
                    number,
                    "payout_point_code",
                    "unknown_payout_point",
                    _("Không có điểm chi trả mã %(code)s.") % {"code": code},
                )
            return point_id
        if known is not None and known[-1]:
            return known[-1]
        point_id = self.commune_point.get(row["commune_code"])
        if point_id is None:
            self.error(
                number,
                "payout_point_code",
                "no_payout_point",
                _("Xã/phường %(code)s chưa có điểm chi trả; ghi rõ mã điểm chi trả.")
                % {"code": row["commune_code"]},
            )
        return point_id

    def sorted_errors(self) -> list[dict]:
        return sorted(self.errors, key=lambda e: e["row"])

    def counters(self, *, written: bool, with_errors: bool = True) -> dict:
        invalid = len(self.invalid_rows)
        values = {
            "total": self.total,
            "valid": self.total - invalid,
            "invalid": invalid,
            "created_lines": len(self.new_lines) if written else 0,
            "updated_lines": len(self.changed_lines) if written else 0,
            "created_beneficiaries": len(self.new_people) if written else 0,
            "updated_beneficiaries": len(self.changed_people) if written else 0,
        }
        if with_errors:
            values["errors"] = self.sorted_errors()
        return values


def _write(plan: _Planner, now) -> None:
    """Pass 2: write the plan (inside the caller's transaction)."""
    people = list(plan.new_people.items())
    ids = bulk.reserve_ids(Beneficiary, len(people))
    person_columns = ("programme_id", "code", *PERSON_FIELDS, "passport_number", "is_suspended")
    stamps = ("created_at", "updated_at")
    if ids is not None:
        bulk.insert(
            Beneficiary,
            ("id", *person_columns, *stamps),
            [
                (pk, plan.programme_id, code, *values, "", False, now, now)
                for pk, (code, values) in zip(ids, people, strict=True)
            ],
        )
        person_ids = {code: pk for pk, (code, _v) in zip(ids, people, strict=True)}
    else:
        bulk.insert(
            Beneficiary,
            (*person_columns, *stamps),
            [(plan.programme_id, code, *values, "", False, now, now) for code, values in people],
        )
        person_ids = {}
        codes = [code for code, _v in people]
        for start in range(0, len(codes), BATCH_SIZE):
            person_ids.update(
                Beneficiary.objects.filter(
                    programme_id=plan.programme_id, code__in=codes[start : start + BATCH_SIZE]
                ).values_list("code", "pk")
            )
    bulk.update(
        Beneficiary,
        ("id", *PERSON_FIELDS, "updated_at"),
        [(*values, now) for values in plan.changed_people],
    )
    line_columns = ("period_id", "beneficiary_id", "row_number", "import_job_id", *LINE_FIELDS)
    bulk.insert(
        PayrollLine,
        line_columns,
        [
            (
                plan.period.pk,
                person if isinstance(person, int) else person_ids[person],
                number,
                plan.job.pk,
                *line,
            )
            for person, number, *line in plan.new_lines
        ],
    )
    bulk.update(PayrollLine, ("id", *LINE_FIELDS), plan.changed_lines)


def _finish(job: ImportJob, status: str, **fields) -> ImportJob:
    job.status = status
    job.stage = ImportJob.Stage.FINISHED
    job.finished_at = timezone.now()
    for name, value in fields.items():
        setattr(job, name, value)
    job.save()
    return job


def _period_closed_error() -> dict:
    return {
        "row": 0,
        "column": "",
        "code": "period_not_open",
        "message": _("Kỳ chi trả đã qua bước nhập danh sách; không nhập thêm được."),
    }


def _internal_error() -> dict:
    return {
        "row": 0,
        "column": "",
        "code": "internal_error",
        "message": _("Lỗi hệ thống khi nhập tệp; không dòng nào được nhập. Hãy báo quản trị."),
    }


def _duplicate_of(period: PayrollPeriod, sha: str, job: ImportJob) -> ImportJob | None:
    return (
        ImportJob.objects.filter(period=period, file_sha256=sha, status=ImportJob.Status.DONE)
        .exclude(pk=job.pk)
        .order_by("pk")
        .first()
    )


def _finish_duplicate(actor, job: ImportJob, previous: ImportJob) -> ImportJob:
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

    ``stream`` is a binary, seekable file. ``job`` is given when the file was queued (API,
    upload page); otherwise a job is created here. The period must still be "imported".
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
    job.stage = ImportJob.Stage.READING
    job.save(update_fields=["status", "stage", "file_sha256"])

    if period.status != rules.IMPORTED:
        return _finish(job, ImportJob.Status.REJECTED, errors=[_period_closed_error()])
    previous = _duplicate_of(period, sha, job)
    if previous is not None:
        return _finish_duplicate(actor, job, previous)

    # Pass 1: read and check, saving the counters after every batch.
    try:
        header, rows = read_rows(stream, file_name)
        plan = _Planner(period, header, job)
        job.rows_expected = header.expected_rows
        job.save(update_fields=["rows_expected"])
        for number, cells in rows:
            plan.add(number, cells)
        plan.flush()
    except FileFormatError as exc:
        error = {
            "row": 1 if exc.code in ("missing_column", "duplicate_column") else 0,
            "column": exc.column,
            "code": exc.code,
            "message": _file_error_message(exc),
        }
        return _finish(job, ImportJob.Status.REJECTED, errors=[error])
    except Exception:
        # A bug or a lost connection: say so on the job (its page stops polling), then let
        # the task runner log the traceback.
        _finish(job, ImportJob.Status.FAILED, errors=[_internal_error()])
        raise
    if plan.invalid_rows and not valid_only:
        return _finish(job, ImportJob.Status.REJECTED, **plan.counters(written=False))

    # Pass 2: write everything in one transaction.
    ImportJob.objects.filter(pk=job.pk).update(stage=ImportJob.Stage.WRITING)
    try:
        with transaction.atomic():
            locked = PayrollPeriod.objects.select_for_update().get(pk=period.pk)
            if locked.status != rules.IMPORTED:
                raise _Rejected
            previous = _duplicate_of(period, sha, job)
            if previous is not None:
                return _finish_duplicate(actor, job, previous)
            _write(plan, timezone.now())
            if locked.imported_by_id is None and user is not None:
                PayrollPeriod.objects.filter(pk=period.pk).update(imported_by=user)
            _finish(job, ImportJob.Status.DONE, **plan.counters(written=True))
            audit_record(
                actor,
                "payouts.import",
                job,
                after={
                    "period": period.pk,
                    "file_sha256": sha,
                    **plan.counters(written=True, with_errors=False),
                },
            )
    except _Rejected:
        return _finish(job, ImportJob.Status.REJECTED, errors=[_period_closed_error()])
    except (IntegrityError, DatabaseError) as exc:
        logger.warning("payroll import %s failed while writing: %s", job.pk, exc)
        error = {
            "row": 0,
            "column": "",
            "code": "write_conflict",
            "message": _(
                "Danh sách vừa được thay đổi bởi một lượt nhập khác nên chưa ghi được; "
                "không có dòng nào được nhập. Hãy nhập lại tệp."
            ),
        }
        return _finish(
            job, ImportJob.Status.FAILED, **{**plan.counters(written=False), "errors": [error]}
        )
    written = len(plan.new_people) + len(plan.new_lines)
    if written >= ANALYZE_AFTER and not transaction.get_connection().in_atomic_block:
        bulk.analyze(Beneficiary, PayrollLine)
    return job
