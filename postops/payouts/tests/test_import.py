import io
import json
import unicodedata
from datetime import date

import pytest
from django.core.management import call_command

from postops.core.models import AuditEntry
from postops.payouts import importing, services
from postops.payouts.models import Beneficiary, ImportJob, PayrollLine, PayrollPeriod

from .helpers import VIETNAMESE, csv_bytes, person, row, xlsx_bytes


@pytest.fixture
def open_period(programme, network, make_user):
    return PayrollPeriod.objects.create(
        programme=programme, month=date(2026, 4, 1), imported_by=make_user("supervisor")
    )


def run(period, data, name="payroll.csv", valid_only=False, actor=None):
    return services.payroll_import(actor, period, io.BytesIO(data), name, valid_only=valid_only)


def test_csv_with_english_headers_creates_people_and_lines(open_period, network):
    data = csv_bytes(
        [
            row(),
            person(1, payout_point_code="201002", arrears="150.000", months="2", home_payout="1"),
        ]
    )
    job = run(open_period, data)
    assert job.report() == {"status": "done", "total": 2, "valid": 2, "invalid": 0, "errors": []}
    assert (job.created_beneficiaries, job.created_lines) == (2, 2)
    hoa = Beneficiary.objects.get(code="LS0001")
    assert hoa.search_name == "nguyen thi hoa"
    assert hoa.sex == "F"
    assert hoa.date_of_birth == date(1950, 3, 4)
    assert hoa.commune_id == "99901"
    # No point named: the commune's payout point becomes the person's default.
    assert hoa.default_payout_point == network["point"]
    line = PayrollLine.objects.get(beneficiary=hoa)
    assert (line.amount, line.arrears, line.months, line.home_payout) == (3_250_000, 0, 1, False)
    assert line.payout_point == network["point"]
    assert line.row_number == 2
    assert line.import_job == job
    other = PayrollLine.objects.get(beneficiary__code="P000001")
    assert (other.amount, other.arrears, other.months, other.home_payout) == (
        3_250_000,
        150_000,
        2,
        True,
    )
    assert other.payout_point == network["point2"]


def test_vietnamese_headers_bom_lf_semicolon_nfd(open_period):
    nfd_name = unicodedata.normalize("NFD", "Lê Thị Ánh")
    data = csv_bytes(
        [row(full_name=nfd_name, sex="nữ", date_of_birth="1950-03-04", amount="3 250 000 ₫")],
        header=[unicodedata.normalize("NFD", h) for h in VIETNAMESE],
        delimiter=";",
        newline="\n",
        bom=True,
    )
    job = run(open_period, data)
    assert job.status == "done", job.errors
    person_ = Beneficiary.objects.get()
    assert person_.full_name == "Lê Thị Ánh"
    assert unicodedata.is_normalized("NFC", person_.full_name)
    assert person_.search_name == "le thi anh"
    assert PayrollLine.objects.get().amount == 3_250_000


def test_every_row_error_is_reported_and_nothing_is_imported(open_period):
    data = csv_bytes(
        [
            person(1),
            person(2, amount="3,5", sex="X"),
            person(3, date_of_birth="31/02/1945"),
            person(4, id_number="020145000004"),
            person(5, commune_code="12345"),
            person(6, payout_point_code="999999"),
            person(7, months="3", home_payout="maybe"),
            person(1),
        ]
    )
    job = run(open_period, data)
    assert job.status == "rejected"
    assert (job.total, job.valid, job.invalid) == (8, 1, 7)
    assert [(e["row"], e["column"], e["code"]) for e in job.errors] == [
        (3, "sex", "invalid_sex"),
        (3, "amount", "money_decimal"),
        (4, "date_of_birth", "invalid_date"),
        (5, "id_number", "cccd_century_sex"),
        (6, "commune_code", "unknown_commune"),
        (7, "payout_point_code", "unknown_payout_point"),
        (8, "months", "invalid_months"),
        (8, "home_payout", "invalid_flag"),
        (9, "beneficiary_code", "duplicate_code"),
    ]
    assert job.errors[0]["message"] == "Giới tính phải là Nam hoặc Nữ (M hoặc F)."
    assert job.errors[1]["message"] == "Số tiền tính bằng đồng, không có phần thập phân."
    assert Beneficiary.objects.count() == 0
    assert PayrollLine.objects.count() == 0
    assert (job.created_lines, job.created_beneficiaries) == (0, 0)


def test_valid_only_imports_the_valid_rows(open_period):
    data = csv_bytes([person(1), person(2, amount="abc"), person(3)])
    job = run(open_period, data, valid_only=True)
    assert job.status == "done"
    assert (job.total, job.valid, job.invalid) == (3, 2, 1)
    assert job.errors == [
        {
            "row": 3,
            "column": "amount",
            "code": "money_format",
            "message": "Số tiền không hợp lệ. Viết các chữ số, có thể tách hàng nghìn bằng "
            "dấu chấm, ví dụ 1.250.000.",
        }
    ]
    assert sorted(PayrollLine.objects.values_list("beneficiary__code", flat=True)) == [
        "P000001",
        "P000003",
    ]


def test_error_column_is_the_files_header(open_period):
    header = list(VIETNAMESE)
    data = csv_bytes([person(1, amount="")], header=header)
    job = run(open_period, data)
    assert job.errors == [
        {"row": 2, "column": "Số tiền", "code": "required", "message": "Bắt buộc nhập."}
    ]


def test_missing_required_column_rejects_file(open_period):
    header = [h for h in VIETNAMESE if h != "Số CCCD"]
    rows = [[v for i, v in enumerate(person(1)) if i != 4]]
    job = run(open_period, csv_bytes(rows, header=header))
    assert job.report() == {
        "status": "rejected",
        "total": 0,
        "valid": 0,
        "invalid": 0,
        "errors": [
            {
                "row": 1,
                "column": "Số CCCD",
                "code": "missing_column",
                "message": "Thiếu cột bắt buộc.",
            }
        ],
    }


def test_not_utf8_is_rejected(open_period):
    data = "beneficiary_code,full_name\nA,Lê Văn Đô\n".encode("cp1258")
    job = run(open_period, data)
    assert job.status == "rejected"
    assert job.errors[0]["code"] == "encoding"


def test_reimporting_the_same_file_changes_nothing(open_period):
    data = csv_bytes([row(), person(1)])
    first = run(open_period, data)
    before = list(PayrollLine.objects.order_by("pk").values())
    audits = AuditEntry.objects.count()
    second = run(open_period, data)
    assert second.status == "duplicate"
    assert second.report()["total"] == 2
    assert list(PayrollLine.objects.order_by("pk").values()) == before
    assert ImportJob.objects.filter(status="done").get() == first
    assert AuditEntry.objects.count() == audits + 1  # only the duplicate notice


def test_same_rows_in_another_file_are_matched_on_natural_keys(open_period):
    run(open_period, csv_bytes([row(), person(1)]))
    before = list(PayrollLine.objects.order_by("pk").values("pk", "amount", "beneficiary_id"))
    job = run(open_period, csv_bytes([row(), person(1)], newline="\n"), name="again.csv")
    assert job.status == "done"
    assert (job.created_lines, job.updated_lines, job.created_beneficiaries) == (0, 0, 0)
    assert job.updated_beneficiaries == 0
    after = list(PayrollLine.objects.order_by("pk").values("pk", "amount", "beneficiary_id"))
    assert after == before


def test_corrected_file_updates_line_and_person(open_period):
    run(open_period, csv_bytes([row()]))
    job = run(open_period, csv_bytes([row(amount="3.300.000", address="Thôn Nà Sác")]))
    assert (job.created_lines, job.updated_lines, job.updated_beneficiaries) == (0, 1, 1)
    assert PayrollLine.objects.get().amount == 3_300_000
    assert Beneficiary.objects.get().address == "Thôn Nà Sác"


def test_same_person_under_two_codes_is_refused(open_period):
    run(open_period, csv_bytes([row()]))
    job = run(open_period, csv_bytes([row(code="LS9999")]))
    assert job.status == "rejected"
    assert [(e["row"], e["code"]) for e in job.errors] == [(2, "duplicate_person")]


def test_xlsx_with_numbers_and_dates(open_period):
    values = row()
    values[2] = date(1950, 3, 4)
    values[4] = 20150001234  # the spreadsheet dropped the leading zero
    values[6] = 99901
    values[8] = 3250000
    values[10] = 2
    values[11] = 1
    job = run(open_period, xlsx_bytes([values, [None] * 13, person(1)]), name="ds.xlsx")
    assert job.status == "done", job.errors
    assert job.total == 2
    hoa = Beneficiary.objects.get(code="LS0001")
    assert hoa.id_number == "020150001234"
    line = PayrollLine.objects.get(beneficiary=hoa)
    assert (line.amount, line.months, line.home_payout) == (3_250_000, 2, True)
    assert PayrollLine.objects.get(beneficiary__code="P000001").row_number == 4


def test_import_refused_once_period_is_checked(open_period, make_user):
    services.payroll_period_transition(make_user("supervisor"), open_period, "checked")
    job = run(open_period, csv_bytes([row()]))
    assert job.status == "rejected"
    assert job.errors[0]["code"] == "period_not_open"
    assert PayrollLine.objects.count() == 0


def test_importer_cannot_approve(open_period, make_user):
    importer = make_user("supervisor")
    run(open_period, csv_bytes([row()]), actor=importer)
    services.payroll_period_transition(make_user("supervisor"), open_period, "checked")
    from postops.payouts.errors import FourEyesViolation

    with pytest.raises(FourEyesViolation):
        services.payroll_period_transition(importer, open_period, "approved")


def test_queries_do_not_grow_with_rows(open_period, django_assert_max_num_queries, monkeypatch):
    monkeypatch.setattr(importing, "BATCH_SIZE", 100)
    rows = [person(n) for n in range(1, 501)]
    with django_assert_max_num_queries(45):
        job = run(open_period, csv_bytes(rows))
    assert job.status == "done"
    assert PayrollLine.objects.count() == 500


def test_import_is_audited(open_period, make_user):
    actor = make_user("supervisor")
    job = run(open_period, csv_bytes([row()]), actor=actor)
    entry = AuditEntry.objects.get(action="payouts.import")
    assert entry.actor == actor
    assert entry.target_id == str(job.pk)
    assert entry.after["created_lines"] == 1


def test_command_prints_json(programme, network, tmp_path, capsys):
    path = tmp_path / "ds.csv"
    path.write_bytes(csv_bytes([row(), person(1)]))
    call_command("import_payroll", "--programme", "bhxh", "--period", "2026-05", str(path))
    out = json.loads(capsys.readouterr().out)
    assert out == {"status": "done", "total": 2, "valid": 2, "invalid": 0, "errors": []}
    assert PayrollPeriod.objects.get(month=date(2026, 5, 1)).lines.count() == 2


def test_command_exits_1_on_rejection(programme, network, tmp_path, capsys):
    path = tmp_path / "ds.csv"
    path.write_bytes(csv_bytes([person(1, amount="x")]))
    with pytest.raises(SystemExit) as info:
        call_command("import_payroll", "--programme", "bhxh", "--period", "2026-05", str(path))
    assert info.value.code == 1
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "rejected"
    assert out["invalid"] == 1


def test_command_valid_only(programme, network, tmp_path, capsys):
    path = tmp_path / "ds.csv"
    path.write_bytes(csv_bytes([person(1, amount="x"), person(2)]))
    call_command(
        "import_payroll", "--programme", "bhxh", "--period", "2026-05", str(path), "--valid-only"
    )
    out = json.loads(capsys.readouterr().out)
    assert (out["status"], out["valid"], out["invalid"]) == ("done", 1, 1)


def test_counters_are_saved_after_every_batch(open_period, monkeypatch):
    monkeypatch.setattr(importing, "BATCH_SIZE", 2)
    seen = []
    flush = importing._Planner.flush

    def spy(self):
        flush(self)
        job = ImportJob.objects.get(pk=self.job.pk)
        seen.append((job.stage, job.rows_expected, job.total, job.valid, job.invalid))

    monkeypatch.setattr(importing._Planner, "flush", spy)
    data = csv_bytes([person(1), person(2, amount="x"), person(3), person(4), person(5)])
    job = run(open_period, data, valid_only=True)
    assert seen == [
        ("reading", 5, 3, 2, 1),
        ("reading", 5, 5, 4, 1),
        ("reading", 5, 5, 4, 1),  # the last flush, with nothing left over
    ]
    assert (job.status, job.stage, job.progress_percent) == ("done", "finished", 100)


def test_rows_expected_for_xlsx(open_period):
    job = run(open_period, xlsx_bytes([person(1), person(2), person(3)]), name="ds.xlsx")
    assert (job.rows_expected, job.total) == (3, 3)


def test_a_failed_write_leaves_nothing_and_says_so(open_period, monkeypatch):
    from django.db import IntegrityError

    def broken(plan, now):
        # Something was written before the failure: it must be rolled back with the rest.
        Beneficiary.objects.create(
            programme_id=open_period.programme_id,
            code="Z1",
            full_name="Z",
            id_number="020045999999",
            commune_id="99901",
        )
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(importing, "_write", broken)
    job = run(open_period, csv_bytes([person(1)]))
    assert job.status == "failed"
    assert job.errors[0]["code"] == "write_conflict"
    assert (job.total, job.valid, job.created_lines) == (1, 1, 0)
    assert Beneficiary.objects.count() == 0


def test_period_checked_while_reading_imports_nothing(open_period, monkeypatch, make_user):
    flush = importing._Planner.flush

    def meanwhile(self):
        flush(self)
        PayrollPeriod.objects.filter(pk=open_period.pk).update(status="checked")

    monkeypatch.setattr(importing._Planner, "flush", meanwhile)
    job = run(open_period, csv_bytes([person(1)]))
    assert (job.status, job.errors[0]["code"]) == ("rejected", "period_not_open")
    assert PayrollLine.objects.count() == 0


def test_village_from_column_or_address(open_period):
    header = [*VIETNAMESE, "Thôn, bản"]
    data = csv_bytes(
        [
            [*person(1, address="Số 5, Thôn Nà Làng, xã Tân An"), ""],
            [*person(2, address="Số 5, Thôn Nà Làng"), "Bản Pò Mã"],
        ],
        header=header,
    )
    assert run(open_period, data).status == "done"
    villages = dict(Beneficiary.objects.values_list("code", "village"))
    assert villages == {"P000001": "Thôn Nà Làng", "P000002": "Bản Pò Mã"}


def test_carried_lines_are_not_matched_by_the_import(open_period, network):
    run(open_period, csv_bytes([person(1)]))
    own = PayrollLine.objects.get()
    march = PayrollPeriod.objects.create(programme=open_period.programme, month=date(2026, 3, 1))
    unpaid = PayrollLine.objects.create(
        period=march, beneficiary=own.beneficiary, payout_point=network["point"], amount=100
    )
    carried = PayrollLine.objects.create(
        period=open_period,
        beneficiary=own.beneficiary,
        payout_point=network["point"],
        amount=100,
        carried_from=unpaid,
    )
    job = run(open_period, csv_bytes([person(1, amount="3.300.000")]), name="fix.csv")
    assert (job.created_lines, job.updated_lines) == (0, 1)
    own.refresh_from_db()
    carried.refresh_from_db()
    assert (own.amount, carried.amount) == (3_300_000, 100)


def test_an_unexpected_error_marks_the_job_failed(open_period, monkeypatch):
    def boom(self, number, cells):
        raise RuntimeError("bug")

    monkeypatch.setattr(importing._Planner, "add", boom)
    with pytest.raises(RuntimeError):
        run(open_period, csv_bytes([person(1)]))
    job = ImportJob.objects.get()
    assert (job.status, job.stage, job.errors[0]["code"]) == (
        "failed",
        "finished",
        "internal_error",
    )
