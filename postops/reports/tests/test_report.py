"""The report's figures against a hand-built data set (first quarter of 2026), the XLSX
cells, the PDF text and the page."""

import io
from datetime import date

import openpyxl
import pytest
from pypdf import PdfReader

from postops.complaints import services as complaint_services
from postops.complaints.tests import factories as f
from postops.dossiers.tests import helpers
from postops.network.models import Office
from postops.reports import documents, periods, selectors

Q1 = periods.period("quarter", 2026, 1)


@pytest.fixture
def data(db, make_user):
    w = f.world()
    po_a, po_b, agency, proc = w["po_a"], w["po_b"], w["agency"], w["procedure"]
    officer = make_user("complaints", offices=[w["province"]])
    manager = make_user("manager", offices=[w["province"]])
    # Items (service dossier excluded; 1 April 00:30 local is outside Q1).
    ems1 = f.item(
        po_a, service="ems", fee=32_000, accepted_on=date(2026, 1, 5), promised=date(2026, 1, 8)
    )
    f.item(po_a, service="ems", fee=40_000, accepted_on=date(2026, 3, 31), accepted_hour=23)
    parcel = f.item(po_a, service="parcel", fee=100_000, accepted_on=date(2026, 2, 10))
    f.item(po_a, service="parcel", fee=55_000, accepted_on=date(2026, 4, 1), accepted_hour=0)
    f.item(po_a, service="dossier", fee=25_000, accepted_on=date(2026, 1, 5), prefix="RH")
    f.item(po_b, service="registered", fee=15_000, accepted_on=date(2026, 2, 1), prefix="RR")
    elsewhere = helpers.office("300000", Office.Kind.PROVINCIAL, name="Bưu điện tỉnh khác")
    f.item(elsewhere, service="ems", fee=999, accepted_on=date(2026, 2, 1))
    # Dossiers.
    d1 = f.dossier(
        po_a,
        agency,
        proc,
        code="HS-260105-00001",
        form="both",
        received_on=date(2026, 1, 5),
        post_send_due=date(2026, 1, 7),
        filed_on=date(2026, 1, 7),
        post_return_due=date(2026, 2, 20),
        delivered_on=date(2026, 2, 20),
        agency_due=date(2026, 1, 21),
        result_ready_on=date(2026, 1, 20),
    )
    d2 = f.dossier(
        po_a,
        agency,
        proc,
        code="HS-260202-00001",
        form="send",
        received_on=date(2026, 2, 2),
        return_fee=0,
        agency_fee=50_000,
        post_send_due=date(2026, 2, 4),
        filed_on=date(2026, 2, 5),
        agency_due=date(2026, 2, 19),
    )
    d3 = f.dossier(
        po_a,
        agency,
        proc,
        code="HS-260310-00001",
        form="return",
        received_on=date(2026, 3, 10),
        send_fee=0,
        return_fee=30_000,
        agency_fee=0,
        post_return_due=date(2026, 3, 31),
        delivered_on=date(2026, 4, 2),
    )
    f.dossier(
        po_b,
        agency,
        proc,
        code="HS-260330-00001",
        form="both",
        received_on=date(2026, 3, 30),
        post_send_due=date(2026, 4, 1),
    )
    d5 = f.dossier(
        po_a,
        agency,
        proc,
        code="HS-251230-00001",
        form="both",
        received_on=date(2025, 12, 30),
        post_send_due=date(2026, 1, 2),
    )
    f.delivered_event(d1, date(2026, 2, 20))
    f.delivered_event(d3, date(2026, 4, 2))

    def file(number, kind, received_on):
        return complaint_services.complaint_file(
            actor=officer,
            number=number,
            kind=kind,
            channel="phone",
            complainant_name="Phạm Thị Dung",
            complainant_phone="0912345678",
            received_on=received_on,
        )

    c1 = file(ems1.number, "loss", date(2026, 2, 2))
    c1 = complaint_services.complaint_answer(
        officer, c1, outcome="upheld", answer_text="Mất.", lost=True, answered_on=date(2026, 2, 20)
    )
    c1 = complaint_services.complaint_compensation_decide(
        officer, c1, amount=128_000, basis="domestic_loss", decided_on=date(2026, 2, 21)
    )
    complaint_services.complaint_compensation_pay(officer, c1, paid_on=date(2026, 3, 24))
    c2 = file(d2.code, "delay", date(2026, 2, 5))
    assert c2.answer_due == date(2026, 2, 12)
    complaint_services.complaint_answer(
        officer, c2, outcome="rejected", answer_text="Đúng hạn.", answered_on=date(2026, 2, 23)
    )
    file(parcel.number, "damage", date(2026, 3, 20))
    c4 = file(ems1.number, "damage", date(2025, 12, 15))
    c4 = complaint_services.complaint_answer(
        officer,
        c4,
        outcome="upheld",
        answer_text="Hư hỏng.",
        damaged=True,
        answered_on=date(2026, 1, 10),
    )
    complaint_services.complaint_compensation_decide(
        officer, c4, amount=60_000, basis="domestic_damage", decided_on=date(2026, 1, 12)
    )
    complaint_services.incident_record(
        officer, office=po_a, kind="damage", number=d1.code, found_on=date(2026, 1, 6)
    )
    complaint_services.incident_record(
        officer, office=po_b, kind="safety", found_on=date(2026, 3, 1)
    )
    complaint_services.incident_record(
        officer, office=po_a, kind="loss", number=d5.code, found_on=date(2026, 1, 3)
    )
    return {**w, "manager": manager, "officer": officer}


def test_report_figures_first_quarter_2026(data):
    r = selectors.report_figures(data["manager"], Q1)
    assert [(x["service"], x["count"], x["revenue"]) for x in r["items"]] == [
        ("ems", 2, 72_000),
        ("parcel", 1, 100_000),
        ("registered", 1, 15_000),
    ]
    assert (r["item_count"], r["item_revenue"]) == (4, 187_000)
    assert [(x["form"], x["count"], x["postal"], x["agency_fees"]) for x in r["dossier_forms"]] == [
        ("send", 1, 25_000, 50_000),
        ("return", 1, 30_000, 0),
        ("both", 2, 100_000, 400_000),
    ]
    assert (r["dossier_count"], r["dossier_revenue"], r["agency_fees"]) == (4, 155_000, 450_000)
    assert r["revenue_total"] == 342_000
    assert r["results_delivered"] == 1
    assert r["complaints"] == {
        "received": 3,
        "items": 2,
        "dossiers": 1,
        "answered": 3,
        "on_time": 2,
        "late": 1,
        "upheld": 2,
    }
    assert r["incidents"] == {
        "lost": 2,
        "damaged": 2,
        "safety": 1,
        "lost_items": 1,
        "lost_dossiers": 1,
        "damaged_items": 1,
        "damaged_dossiers": 1,
    }
    assert r["compensation"] == {
        "count": 2,
        "amount": 188_000,
        "paid": 1,
        "paid_amount": 128_000,
        "paid_late": 1,
    }
    assert r["safety"] == {"dossiers": 4, "harmed": 1, "safe": 3, "percent": "75.00"}
    assert r["legs"] == {"due": 3, "on_time": 1, "late": 1, "not_filed": 1, "percent": "33.33"}
    assert r["return_legs"] == {
        "due": 2,
        "on_time": 1,
        "late": 1,
        "not_delivered": 0,
        "percent": "50.00",
    }
    assert r["agency"] == {"due": 2, "on_time": 1, "late": 0, "pending": 1, "percent": "50.00"}


def test_report_is_scoped_to_the_users_offices(data, make_user):
    supervisor = make_user("supervisor", offices=[data["po_b"]])
    r = selectors.report_figures(supervisor, Q1)
    assert [(x["service"], x["count"]) for x in r["items"]] == [("registered", 1)]
    assert r["dossier_count"] == 1 and r["complaints"]["received"] == 0
    assert r["incidents"]["safety"] == 1 and r["incidents"]["lost"] == 0


def test_report_xlsx_cells(data):
    r = selectors.report_figures(data["manager"], Q1)
    book = openpyxl.load_workbook(io.BytesIO(documents.report_xlsx(r, "Bưu điện tỉnh Lạng Sơn")))
    sheet = book.active
    assert sheet["A1"].value == "Báo cáo dịch vụ bưu chính công ích: Quý 1 năm 2026"
    assert sheet["A2"].value == "Đơn vị: Bưu điện tỉnh Lạng Sơn"
    assert sheet["A3"].value == "Kỳ báo cáo: 01/01/2026 – 31/03/2026"
    assert sheet["A4"].value == "Hạn gửi báo cáo: trước ngày 10/04/2026"
    assert [c.value for c in sheet[6]] == ["Mục", "Chỉ tiêu", "Số liệu", "Đơn vị"]
    cells = {row[1]: (row[2], row[3]) for row in sheet.iter_rows(min_row=7, values_only=True)}
    assert cells["Tổng doanh thu"] == (342_000, "đồng")
    assert cells["Phí, lệ phí thu hộ cơ quan (không phải doanh thu)"] == (450_000, "đồng")
    assert cells["Tổng bưu gửi nhận gửi"] == (4, None)
    assert cells["Hồ sơ: Gửi hồ sơ và nhận kết quả"] == (2, None)
    assert cells["Trả lời quá hạn"] == (1, None)
    assert cells["Số tiền bồi thường"] == (188_000, "đồng")
    assert cells["Tỷ lệ an toàn (chỉ tiêu 100%)"] == (75.0, "%")
    assert cells["Tỷ lệ giao đúng hạn"] == (33.33, "%")
    assert cells["Tỷ lệ trả đúng hạn"] == (50.0, "%")
    assert cells["Chưa có kết quả"] == (1, None)
    assert len(cells) == len(documents.report_rows(r))


def test_report_pdf_text(data):
    r = selectors.report_figures(data["manager"], Q1)
    reader = PdfReader(io.BytesIO(documents.report_pdf(r, "Bưu điện tỉnh Lạng Sơn")))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for expected in (
        "Báo cáo dịch vụ bưu chính công ích: Quý 1 năm 2026",
        "Hạn gửi báo cáo: trước ngày 10/04/2026",
        "Tổng doanh thu",
        "342.000 ₫",
        "188.000 ₫",
        "75.00%",
        "33.33%",
    ):
        assert expected in text, expected


def test_report_page_and_downloads(data, verified_client):
    client = verified_client(data["manager"])
    page = client.get("/reports/", {"period": "quarter-1", "year": "2026"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "Hạn gửi báo cáo: trước ngày 10/04/2026" in body
    assert "342.000 ₫" in body
    xlsx = client.get("/reports/", {"period": "quarter-1", "year": "2026", "format": "xlsx"})
    assert xlsx["Content-Disposition"] == 'attachment; filename="bao-cao-2026-Q1.xlsx"'
    pdf = client.get("/reports/", {"period": "half-1", "year": "2026", "format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_report_form_errors_per_field(data, verified_client):
    client = verified_client(data["manager"])
    response = client.get("/reports/", {"period": "quarter-9", "year": "1990"})
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["year"] == ["Năm từ 2000 đến 2099."]
    assert "period" in form.errors


def test_report_page_forbidden_for_complaints_officer(data, client):
    client.force_login(data["officer"])
    assert client.get("/reports/").status_code == 403
