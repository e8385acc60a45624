"""Procedure catalogue: import from CSV/XLSX (per-row errors, all or nothing, idempotent) and
diacritics-insensitive search (issue #4, item 2)."""

import io

import openpyxl
import pytest

from postops.core.models import AuditEntry
from postops.dossiers.catalogue import procedures_import
from postops.dossiers.models import Procedure, ProcedureDocument
from postops.dossiers.selectors import procedure_search

from . import helpers

HEADER = (
    "Mã thủ tục;Tên thủ tục;Mã cơ quan;Cấp thực hiện;Thời hạn giải quyết;Qua bưu chính;"
    "Phí, lệ phí;Trả trong ngày;Tên giấy tờ;Loại bản;Số lượng"
)
GOOD = [
    HEADER,
    "1.001234;Cấp Phiếu lý lịch tư pháp;TTHCC;Cấp tỉnh;10;có;200.000;không;"
    "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp;Bản chính;1",
    "1.001234;;;;;;;;Thẻ căn cước;Bản sao;1",
    "2.000986;Đăng ký khai sinh;TTHCC;Cấp xã;0;có;0;có;Tờ khai đăng ký khai sinh;bản chính;1",
    "2.000986;;;;;;;;Giấy chứng sinh;Bản chính hoặc bản sao;2",
    "2.002000;Đăng ký kết hôn;TTHCC;cap xa;0;không;;có;;;",
]


def csv_file(lines, bom=True) -> io.BytesIO:
    text = "\r\n".join(lines) + "\r\n"
    return io.BytesIO(("\ufeff" if bom else "").encode() + text.encode("utf-8"))


def xlsx_file(lines) -> io.BytesIO:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for line in lines:
        cells = [c if c != "" else None for c in line.split(";")]
        sheet.append([int(c) if c and c.isdigit() and len(c) < 4 else c for c in cells])
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_import_creates_procedures_with_their_documents(centre, kind):
    stream = csv_file(GOOD) if kind == "csv" else xlsx_file(GOOD)
    result = procedures_import(None, stream, f"catalogue.{kind}")
    assert result.errors == []
    assert (result.rows, result.procedures, result.created, result.updated) == (5, 3, 3, 0)
    lltp = Procedure.objects.get(code="1.001234")
    assert (
        lltp.name,
        lltp.agency,
        lltp.level,
        lltp.processing_days,
        lltp.postal_allowed,
        lltp.agency_fee,
        lltp.same_day,
        lltp.is_active,
    ) == ("Cấp Phiếu lý lịch tư pháp", centre, "province", 10, True, 200000, False, True)
    assert lltp.search_name == "1.001234 cap phieu ly lich tu phap"
    assert [(d.position, d.name, d.kind, d.count) for d in lltp.documents.all()] == [
        (1, "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", "original", 1),
        (2, "Thẻ căn cước", "copy", 1),
    ]
    khai_sinh = Procedure.objects.get(code="2.000986")
    assert (khai_sinh.level, khai_sinh.same_day, khai_sinh.processing_days) == ("commune", True, 0)
    assert [(d.kind, d.count) for d in khai_sinh.documents.all()] == [
        ("original", 1),
        ("either", 2),
    ]
    ket_hon = Procedure.objects.get(code="2.002000")
    assert (ket_hon.postal_allowed, ket_hon.agency_fee, ket_hon.documents.count()) == (
        False,
        0,
        0,
    )
    entry = AuditEntry.objects.get(action="dossiers.procedures_import")
    assert entry.after["created"] == 3
    assert entry.after["sha256"] == result.sha256


@pytest.mark.django_db
def test_import_is_idempotent_and_replaces_document_lists(centre):
    procedures_import(None, csv_file(GOOD), "a.csv")
    first_ids = list(ProcedureDocument.objects.order_by("pk").values_list("pk", flat=True))
    again = procedures_import(None, csv_file(GOOD), "a.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert list(ProcedureDocument.objects.order_by("pk").values_list("pk", flat=True)) == first_ids

    changed = [*GOOD[:2], GOOD[3], GOOD[4], GOOD[5]]  # the LLTP list loses its second document
    changed[1] = changed[1].replace(";10;", ";12;")
    result = procedures_import(None, csv_file(changed), "b.csv")
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    lltp = Procedure.objects.get(code="1.001234")
    assert lltp.processing_days == 12
    assert [d.name for d in lltp.documents.all()] == ["Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp"]


@pytest.mark.django_db
def test_import_reports_every_error_and_writes_nothing(centre):
    lines = [
        HEADER,
        "1.001234;Cấp Phiếu lý lịch tư pháp;TTHCC;Cấp huyện;mười;có;200.000,5;hmm;Tờ khai;bản nháp;0",
        ";Không có mã;TTHCC;Cấp xã;1;có;0;không;;;",
        "3.000001;Thủ tục lạ;KHONGCO;Cấp xã;1;có;0;không;;;",
        "3.000002;Thủ tục tốt;TTHCC;Cấp xã;1;có;0;không;;;",
        "3.000002;;TTHCC;Cấp tỉnh;;;;;Đơn;Bản chính;1",
        "3.000003;Không có thời hạn;TTHCC;Cấp xã;0;có;0;không;;;",
    ]
    result = procedures_import(None, csv_file(lines), "bad.csv")
    assert [(e["row"], e["column"], e["code"]) for e in result.errors] == [
        (2, "Cấp thực hiện", "invalid_level"),
        (2, "Loại bản", "invalid_kind"),
        (2, "Phí, lệ phí", "money_decimal"),
        (2, "Thời hạn giải quyết", "invalid_number"),
        (2, "Trả trong ngày", "invalid_boolean"),
        (3, "Mã thủ tục", "required"),
        (4, "Mã cơ quan", "unknown_agency"),
        (6, "Cấp thực hiện", "conflict"),
        (7, "Thời hạn giải quyết", "invalid_number"),
    ]
    conflict = next(e for e in result.errors if e["code"] == "conflict")
    assert conflict["message"] == "Khác với dòng 5 của cùng thủ tục."
    unknown = next(e for e in result.errors if e["code"] == "unknown_agency")
    assert unknown["message"] == "Không có cơ quan đang hoạt động với mã KHONGCO."
    assert not Procedure.objects.exists()
    assert not AuditEntry.objects.filter(action="dossiers.procedures_import").exists()


@pytest.mark.django_db
def test_import_file_level_errors(centre):
    missing = procedures_import(None, csv_file(["Mã thủ tục;Tên thủ tục", "1;A"]), "x.csv")
    assert missing.errors == [
        {
            "row": 1,
            "column": "Mã cơ quan",
            "code": "missing_column",
            "message": "Thiếu cột bắt buộc.",
        }
    ]
    empty = procedures_import(None, csv_file([""]), "x.csv")
    assert [e["code"] for e in empty.errors] == ["empty_file"]
    latin1 = io.BytesIO("Mã thu tuc;Tên;x\r\n1;Khai sinh;TTHCC\r\n".encode("latin-1"))
    assert [e["code"] for e in procedures_import(None, latin1, "x.csv").errors] == ["encoding"]
    broken = io.BytesIO(b"PK\x03\x04 not really a zip")
    assert [e["code"] for e in procedures_import(None, broken, "x.xlsx").errors] == [
        "xlsx_unreadable"
    ]
    only_header = procedures_import(None, csv_file([HEADER]), "x.csv")
    assert [e["code"] for e in only_header.errors] == ["empty_file"]


@pytest.mark.django_db
def test_import_headers_without_diacritics_and_comma_separator(centre):
    lines = [
        "ma thu tuc,ten thu tuc,MA CO QUAN,cap thuc hien,thoi han giai quyet,STT",
        "9.1,Chứng thực bản sao từ bản chính,TTHCC,Cấp xã,1,7",
    ]
    result = procedures_import(None, csv_file(lines, bom=False), "x.csv")
    assert result.errors == []
    proc = Procedure.objects.get(code="9.1")
    assert (proc.postal_allowed, proc.agency_fee, proc.same_day) == (True, 0, False)


# --- Search --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_search_is_diacritics_insensitive(centre):
    helpers.procedure(centre)  # "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam"
    helpers.procedure(centre, code="2.000986", name="Đăng ký khai sinh", documents=())
    helpers.procedure(
        centre, code="1.002000", name="Cấp đổi giấy phép lái xe", documents=(), postal_allowed=False
    )
    assert [p.code for p in procedure_search("ly lich tu phap")] == ["1.001234"]
    assert [p.code for p in procedure_search("Lý lịch tư pháp")] == ["1.001234"]
    assert [p.code for p in procedure_search("dang ky KHAI SINH")] == ["2.000986"]
    assert [p.code for p in procedure_search("giay phep lai xe")] == ["1.002000"]
    assert [p.code for p in procedure_search("giay phep lai xe", postal_only=True)] == []
    assert [p.code for p in procedure_search("2.000")] == ["2.000986"]
    assert [p.code for p in procedure_search("")] == ["1.001234", "1.002000", "2.000986"]
    assert list(procedure_search("lich khai")) == []
