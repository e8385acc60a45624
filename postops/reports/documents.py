"""The report as rows (one list feeds the page, the XLSX and the PDF), and the two files.

XLSX with openpyxl (amounts and counts as numbers, not text); PDF with reportlab and the
vendored DejaVu font (``postops.core.pdf``) so Vietnamese renders everywhere.
"""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from postops.core import pdf
from postops.core.money import format_vnd

from . import periods

VND, COUNT, PERCENT = "vnd", "count", "percent"


def report_title(period: periods.Period) -> str:
    if period.kind is periods.PeriodType.QUARTER:
        name = _("Quý %(n)s năm %(year)s") % {"n": period.number, "year": period.year}
    elif period.kind is periods.PeriodType.HALF:
        name = _("6 tháng đầu năm %(year)s") % {"year": period.year}
    else:
        name = _("Năm %(year)s") % {"year": period.year}
    return _("Báo cáo dịch vụ bưu chính công ích: %(name)s") % {"name": name}


def report_rows(report: dict) -> list[tuple[str, str, object, str]]:
    """``(section, label, value, unit)`` in the order of the report."""
    rows: list[tuple[str, str, object, str]] = []
    volume = _("Sản lượng")
    for row in report["items"]:
        rows.append(
            (volume, _("Bưu gửi nhận gửi: %(s)s") % {"s": row["label"]}, row["count"], COUNT)
        )
    rows.append((volume, _("Tổng bưu gửi nhận gửi"), report["item_count"], COUNT))
    for row in report["dossier_forms"]:
        rows.append((volume, _("Hồ sơ: %(f)s") % {"f": row["label"]}, row["count"], COUNT))
    rows.append((volume, _("Tổng hồ sơ tiếp nhận"), report["dossier_count"], COUNT))
    rows.append((volume, _("Kết quả đã trả cho người dân"), report["results_delivered"], COUNT))

    revenue = _("Doanh thu (gồm VAT)")
    for row in report["items"]:
        rows.append((revenue, _("Cước bưu gửi: %(s)s") % {"s": row["label"]}, row["revenue"], VND))
    for row in report["dossier_forms"]:
        rows.append((revenue, _("Cước hồ sơ: %(f)s") % {"f": row["label"]}, row["postal"], VND))
    rows.append((revenue, _("Tổng doanh thu"), report["revenue_total"], VND))
    rows.append(
        (
            revenue,
            _("Phí, lệ phí thu hộ cơ quan (không phải doanh thu)"),
            report["agency_fees"],
            VND,
        )
    )

    c = report["complaints"]
    complaints = _("Khiếu nại")
    rows += [
        (complaints, _("Khiếu nại tiếp nhận"), c["received"], COUNT),
        (complaints, _("Trong đó về bưu gửi"), c["items"], COUNT),
        (complaints, _("Trong đó về hồ sơ hành chính"), c["dossiers"], COUNT),
        (complaints, _("Đã trả lời"), c["answered"], COUNT),
        (complaints, _("Trả lời đúng hạn"), c["on_time"], COUNT),
        (complaints, _("Trả lời quá hạn"), c["late"], COUNT),
        (complaints, _("Khiếu nại đúng"), c["upheld"], COUNT),
    ]
    i = report["incidents"]
    harmed = _("Mất, hư hỏng")
    rows += [
        (harmed, _("Bưu gửi bị mất"), i["lost_items"], COUNT),
        (harmed, _("Hồ sơ bị mất"), i["lost_dossiers"], COUNT),
        (harmed, _("Bưu gửi bị hư hỏng, suy suyển"), i["damaged_items"], COUNT),
        (harmed, _("Hồ sơ bị hư hỏng"), i["damaged_dossiers"], COUNT),
        (harmed, _("Tổng số vụ mất"), i["lost"], COUNT),
        (harmed, _("Tổng số vụ hư hỏng"), i["damaged"], COUNT),
        (harmed, _("Sự cố an toàn khác"), i["safety"], COUNT),
    ]
    m = report["compensation"]
    comp = _("Bồi thường")
    rows += [
        (comp, _("Số vụ bồi thường"), m["count"], COUNT),
        (comp, _("Số tiền bồi thường"), m["amount"], VND),
        (comp, _("Đã chi trả"), m["paid"], COUNT),
        (comp, _("Số tiền đã chi trả"), m["paid_amount"], VND),
        (comp, _("Chi trả quá 30 ngày"), m["paid_late"], COUNT),
    ]
    s = report["safety"]
    safety = _("An toàn")
    rows += [
        (safety, _("Hồ sơ tiếp nhận"), s["dossiers"], COUNT),
        (safety, _("Hồ sơ không bị mất, hư hỏng"), s["safe"], COUNT),
        (safety, _("Tỷ lệ an toàn (chỉ tiêu 100%)"), s["percent"], PERCENT),
    ]
    legs = report["legs"]
    on_time = _("Thời gian toàn trình chiều gửi")
    rows += [
        (on_time, _("Hồ sơ đến hạn giao cơ quan"), legs["due"], COUNT),
        (on_time, _("Giao đúng hạn"), legs["on_time"], COUNT),
        (on_time, _("Giao quá hạn"), legs["late"], COUNT),
        (on_time, _("Chưa giao"), legs["not_filed"], COUNT),
        (on_time, _("Tỷ lệ giao đúng hạn"), legs["percent"], PERCENT),
    ]
    back = report["return_legs"]
    on_time_back = _("Thời gian toàn trình chiều trả")
    rows += [
        (on_time_back, _("Kết quả đến hạn trả cho người dân"), back["due"], COUNT),
        (on_time_back, _("Trả đúng hạn"), back["on_time"], COUNT),
        (on_time_back, _("Trả quá hạn"), back["late"], COUNT),
        (on_time_back, _("Chưa trả"), back["not_delivered"], COUNT),
        (on_time_back, _("Tỷ lệ trả đúng hạn"), back["percent"], PERCENT),
    ]
    agency = report["agency"]
    agency_clock = _("Thời hạn giải quyết của cơ quan (để đối chiếu)")
    rows += [
        (agency_clock, _("Hồ sơ đến hạn giải quyết"), agency["due"], COUNT),
        (agency_clock, _("Cơ quan giải quyết đúng hạn"), agency["on_time"], COUNT),
        (agency_clock, _("Cơ quan giải quyết quá hạn"), agency["late"], COUNT),
        (agency_clock, _("Chưa có kết quả"), agency["pending"], COUNT),
        (agency_clock, _("Tỷ lệ cơ quan giải quyết đúng hạn"), agency["percent"], PERCENT),
    ]
    return rows


def display_value(value, unit: str) -> str:
    if value is None:
        return "—"
    if unit == VND:
        return format_vnd(value)
    if unit == PERCENT:
        return f"{value}%"
    return str(value)


def _scope_line(scope_label: str, period: periods.Period) -> list[str]:
    return [
        _("Đơn vị: %(scope)s") % {"scope": scope_label},
        _("Kỳ báo cáo: %(start)s – %(end)s")
        % {"start": period.start.strftime("%d/%m/%Y"), "end": period.end.strftime("%d/%m/%Y")},
        _("Hạn gửi báo cáo: trước ngày %(due)s") % {"due": period.due.strftime("%d/%m/%Y")},
    ]


def report_xlsx(report: dict, scope_label: str) -> bytes:
    """One sheet: title, scope, period and due date, then Section | Figure | Value | Unit."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("Báo cáo")
    period = report["period"]
    sheet.append([report_title(period)])
    sheet["A1"].font = Font(bold=True, size=13)
    for line in _scope_line(scope_label, period):
        sheet.append([line])
    sheet.append([])
    sheet.append([_("Mục"), _("Chỉ tiêu"), _("Số liệu"), pgettext("unit of measure", "Đơn vị")])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    units = {VND: _("đồng"), COUNT: "", PERCENT: "%"}
    for section, label, value, unit in report_rows(report):
        if unit == PERCENT and value is not None:
            value = float(value)
        sheet.append([section, label, value, units[unit]])
        if unit == VND:
            sheet.cell(row=sheet.max_row, column=3).number_format = "#,##0"
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 52
    sheet.column_dimensions["C"].width = 18
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def report_pdf(report: dict, scope_label: str) -> bytes:
    """A4 portrait: title, scope/period/due date, one table per section."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = pdf.styles(9)
    period = report["period"]
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=report_title(period),
        author="PostOps",
    )
    story = [Paragraph(pdf.escape(report_title(period)), styles["Title"])]
    for line in _scope_line(scope_label, period):
        story.append(Paragraph(pdf.escape(line), styles["Normal"]))
    story.append(
        Paragraph(
            pdf.escape(
                _("Lập lúc %(at)s") % {"at": timezone.localtime().strftime("%H:%M %d/%m/%Y")}
            ),
            styles["Small"],
        )
    )
    current = None
    table_rows: list = []

    def flush():
        if not table_rows:
            return
        table = Table(table_rows, colWidths=[125 * mm, 55 * mm])
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ]
            )
        )
        story.append(table)

    for section, label, value, unit in report_rows(report):
        if section != current:
            flush()
            table_rows = []
            current = section
            story.append(Spacer(1, 3 * mm))
            story.append(Paragraph(pdf.escape(section), styles["Heading"]))
        table_rows.append(
            [
                Paragraph(pdf.escape(label), styles["Normal"]),
                Paragraph(pdf.escape(display_value(value, unit)), styles["Right"]),
            ]
        )
    flush()
    doc.build(story)
    return out.getvalue()
