"""Printed payout documents (PDF with reportlab; Vietnamese in the vendored DejaVu font).

* :func:`point_list_pdf`: the list a payout point works from and people sign on: by
  village, then given name, with a signature column (issue #5, item 5).

The layout is built from plain rows (``point_list_rows``) so tests can check the content
without parsing a PDF.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from postops.core import cccd, pdf
from postops.core.money import format_vnd


@dataclass(frozen=True)
class VillageRow:
    village: str
    people: int
    total: int


@dataclass(frozen=True)
class PersonRow:
    number: int
    full_name: str
    code: str
    birth_year: str
    id_number: str  # masked
    total: int
    notes: str


def point_list_rows(lines) -> tuple[list, int, int]:
    """``lines`` in list order → rows (a heading per village, then its people), the
    number of people and the total to pay."""
    rows: list = []
    grand_people = grand_total = 0
    current = None
    group: list[PersonRow] = []

    def close():
        if current is not None:
            rows.append(VillageRow(current, len(group), sum(r.total for r in group)))
            rows.extend(group)

    for line in lines:
        person = line.beneficiary
        village = person.village
        if village != current:
            close()
            current, group = village, []
        notes = []
        if line.months == 2:
            notes.append(_("2 tháng"))
        if line.arrears:
            notes.append(_("có truy lĩnh"))
        if line.home_payout:
            notes.append(_("chi tại nhà"))
        if line.carried_from_id:
            notes.append(_("chuyển từ kỳ trước"))
        grand_people += 1
        grand_total += line.total
        group.append(
            PersonRow(
                number=grand_people,
                full_name=person.full_name,
                code=person.code,
                birth_year=str(person.date_of_birth.year) if person.date_of_birth else "",
                id_number=cccd.mask(person.id_number),
                total=line.total,
                notes=", ".join(notes),
            )
        )
    close()
    return rows, grand_people, grand_total


def _page_footer(text: str):
    def draw(canvas, doc):
        canvas.saveState()
        canvas.setFont(pdf.FONT, 7.5)
        canvas.drawString(1.5 * cm, 1 * cm, text)
        canvas.drawRightString(A4[0] - 1.5 * cm, 1 * cm, _("Trang %(n)s") % {"n": doc.page})
        canvas.restoreState()

    return draw


def point_list_pdf(period, point, schedule, lines) -> bytes:
    """The printable list of ``point`` for ``period`` (A4 portrait)."""
    styles = pdf.styles(9)
    esc = pdf.escape
    rows, people, total = point_list_rows(lines)
    story = [
        Paragraph(esc(_("DANH SÁCH CHI TRẢ")), styles["Title"]),
        Paragraph(esc(f"{period.programme.name} · {_('kỳ')} {period.label}"), styles["Center"]),
        Paragraph(
            esc(_("Điểm chi trả: %(code)s %(name)s") % {"code": point.code, "name": point.name}),
            styles["Center"],
        ),
    ]
    if schedule is not None:
        days = _("Lịch chi trả: từ %(first)s đến %(last)s") % {
            "first": schedule.first_day.strftime("%d/%m/%Y"),
            "last": schedule.last_day.strftime("%d/%m/%Y"),
        }
        if schedule.note:
            days += f" · {schedule.note}"
        story.append(Paragraph(esc(days), styles["Center"]))
    story.append(Spacer(1, 0.4 * cm))

    header = [
        _("STT"),
        _("Họ và tên"),
        _("Mã số"),
        _("Năm sinh"),
        _("Số CCCD"),
        _("Số tiền (đồng)"),
        _("Ký nhận"),
    ]
    data = [[Paragraph(esc(h), styles["Bold"]) for h in header]]
    heights: list = [None]
    table_style = [
        ("FONT", (0, 0), (-1, -1), pdf.FONT, 8.5),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9eef4")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (5, 1), (5, -1), "RIGHT"),
    ]
    for row in rows:
        if isinstance(row, VillageRow):
            label = row.village or _("Chưa ghi thôn, bản")
            text = _("%(village)s: %(n)s người, %(total)s") % {
                "village": label,
                "n": row.people,
                "total": format_vnd(row.total),
            }
            data.append([Paragraph(esc(text), styles["Bold"]), "", "", "", "", "", ""])
            heights.append(None)
            index = len(data) - 1
            table_style += [
                ("SPAN", (0, index), (-1, index)),
                ("BACKGROUND", (0, index), (-1, index), colors.HexColor("#f4f6f9")),
            ]
            continue
        name = esc(row.full_name)
        if row.notes:
            name += f"<br/><font size=7>{esc(row.notes)}</font>"
        data.append(
            [
                str(row.number),
                Paragraph(name, styles["Normal"]),
                row.code,
                row.birth_year,
                row.id_number,
                format_vnd(row.total, symbol=False),
                "",
            ]
        )
        heights.append(0.95 * cm)  # room for a signature
    heights.append(None)
    data.append(
        [
            Paragraph(
                esc(_("Tổng cộng: %(n)s người") % {"n": people}),
                styles["Bold"],
            ),
            "",
            "",
            "",
            "",
            Paragraph(esc(format_vnd(total, symbol=False)), styles["BoldRight"]),
            "",
        ]
    )
    last = len(data) - 1
    table_style.append(("SPAN", (0, last), (4, last)))
    widths = [1.0 * cm, 4.8 * cm, 2.3 * cm, 1.4 * cm, 2.6 * cm, 2.5 * cm, 3.4 * cm]
    table = Table(data, colWidths=widths, repeatRows=1, rowHeights=heights)
    table.setStyle(TableStyle(table_style))
    story.append(table)

    out = io.BytesIO()
    footer = _("In lúc %(at)s · PostOps") % {"at": timezone.localtime().strftime("%d/%m/%Y %H:%M")}
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.5 * cm,
        bottomMargin=1.6 * cm,
        title=f"{period.programme.code}-{period.label}-{point.code}",
        author="PostOps",
    )
    doc.build(story, onFirstPage=_page_footer(footer), onLaterPages=_page_footer(footer))
    return out.getvalue()


# --- Month-end report for the paying agency ----------------------------------------------------


def _reason_label(reason: str) -> str:
    return {
        "suspended": _("Đang tạm dừng chi trả"),
        "reversed": _("Lượt chi đã bị hủy"),
        "not_collected": _("Không đến nhận"),
    }.get(reason, reason)


def _receiver_label(receiver: str) -> str:
    return _("Người được ủy quyền") if receiver == "proxy" else _("Người hưởng")


def report_title(report) -> str:
    period = report["period"]
    return _("Báo cáo chi trả %(programme)s kỳ %(period)s") % {
        "programme": period.programme.name,
        "period": period.label,
    }


def period_report_xlsx(report) -> bytes:
    """Three sheets: summary by point, paid list, unpaid list (amounts as numbers)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    bold = Font(bold=True)

    def header(sheet, titles):
        cells = []
        for title in titles:
            cell = WriteOnlyCell(sheet, value=title)
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)

    summary = book.create_sheet(_("Tổng hợp"))
    summary.append([report_title(report)])
    summary.append([])
    header(
        summary,
        [
            _("Mã điểm"),
            _("Điểm chi trả"),
            _("Số người đã chi"),
            _("Số tiền đã chi"),
            _("Số người chưa chi"),
            _("Số tiền chưa chi"),
        ],
    )
    for point in report["points"]:
        summary.append(
            [
                point["code"],
                point["name"],
                point["paid_lines"],
                point["paid_amount"],
                point["unpaid_lines"],
                point["unpaid_amount"],
            ]
        )
    summary.append(
        [
            _("Tổng cộng"),
            "",
            report["paid_lines"],
            report["paid_amount"],
            report["unpaid_lines"],
            report["unpaid_amount"],
        ]
    )

    paid = book.create_sheet(_("Đã chi"))
    header(
        paid,
        [
            _("STT"),
            _("Mã số"),
            _("Họ và tên"),
            _("Mã điểm"),
            _("Điểm chi trả"),
            _("Số tiền (đồng)"),
            _("Số biên nhận"),
            _("Ngày chi"),
            _("Người nhận"),
        ],
    )
    for n, (code, name, pcode, pname, amount, receipt, paid_at, receiver) in enumerate(
        report["paid"], start=1
    ):
        paid.append(
            [
                n,
                code,
                name,
                pcode,
                pname,
                amount,
                receipt,
                timezone.localtime(paid_at).strftime("%d/%m/%Y"),
                _receiver_label(receiver),
            ]
        )
    paid.append(["", "", _("Tổng cộng"), "", "", report["paid_amount"]])

    unpaid = book.create_sheet(_("Chưa chi"))
    header(
        unpaid,
        [
            _("STT"),
            _("Mã số"),
            _("Họ và tên"),
            _("Mã điểm"),
            _("Điểm chi trả"),
            _("Số tiền (đồng)"),
            _("Lý do"),
            _("Chuyển kỳ sau"),
        ],
    )
    for n, (code, name, pcode, pname, total, reason, carried) in enumerate(
        report["unpaid"], start=1
    ):
        unpaid.append(
            [n, code, name, pcode, pname, total, _reason_label(reason), _("Có") if carried else ""]
        )
    unpaid.append(["", "", _("Tổng cộng"), "", "", report["unpaid_amount"]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_CHUNK = 40  # rows per table: many small tables lay out much faster than one huge one


def period_report_pdf(report) -> bytes:
    """The same report as PDF (A4 landscape): summary by point, then the two lists."""
    from reportlab.lib.pagesizes import landscape
    from reportlab.platypus import PageBreak

    styles = pdf.styles(8.5)
    esc = pdf.escape
    style = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), pdf.FONT, 8),
            ("FONT", (0, 0), (-1, 0), pdf.FONT_BOLD, 8),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9eef4")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]
    )

    def tables(head, rows, widths, right=()):
        out = []
        for start in range(0, max(len(rows), 1), _CHUNK):
            chunk = rows[start : start + _CHUNK]
            table = Table([head, *chunk], colWidths=widths, repeatRows=1)
            extra = [("ALIGN", (c, 1), (c, -1), "RIGHT") for c in right]
            table.setStyle(TableStyle(style.getCommands() + extra))
            out.append(table)
        return out

    story = [Paragraph(esc(report_title(report)), styles["Title"])]
    totals = _("Đã chi: %(pl)s người, %(pa)s. Chưa chi: %(ul)s người, %(ua)s.") % {
        "pl": report["paid_lines"],
        "pa": format_vnd(report["paid_amount"]),
        "ul": report["unpaid_lines"],
        "ua": format_vnd(report["unpaid_amount"]),
    }
    story += [Paragraph(esc(totals), styles["Center"]), Spacer(1, 0.3 * cm)]
    point_rows = [
        [
            p["code"],
            p["name"],
            str(p["paid_lines"]),
            format_vnd(p["paid_amount"], symbol=False),
            str(p["unpaid_lines"]),
            format_vnd(p["unpaid_amount"], symbol=False),
        ]
        for p in report["points"]
    ]
    story += tables(
        [_("Mã điểm"), _("Điểm chi trả"), _("Đã chi"), _("Số tiền"), _("Chưa chi"), _("Số tiền")],
        point_rows,
        [2.2 * cm, 9 * cm, 2.4 * cm, 4 * cm, 2.4 * cm, 4 * cm],
        right=(2, 3, 4, 5),
    )

    story += [PageBreak(), Paragraph(esc(_("Danh sách đã chi")), styles["Heading"])]
    paid_rows = [
        [
            str(n),
            code,
            Paragraph(esc(name), styles["Normal"]),
            pcode,
            format_vnd(amount, symbol=False),
            receipt,
            timezone.localtime(paid_at).strftime("%d/%m/%Y"),
            _receiver_label(receiver),
        ]
        for n, (code, name, pcode, _pname, amount, receipt, paid_at, receiver) in enumerate(
            report["paid"], start=1
        )
    ]
    paid_rows.append(
        ["", "", _("Tổng cộng"), "", format_vnd(report["paid_amount"], symbol=False), "", "", ""]
    )
    story += tables(
        [
            _("STT"),
            _("Mã số"),
            _("Họ và tên"),
            _("Mã điểm"),
            _("Số tiền"),
            _("Số biên nhận"),
            _("Ngày chi"),
            _("Người nhận"),
        ],
        paid_rows,
        [1.2 * cm, 2.6 * cm, 6 * cm, 2 * cm, 3 * cm, 4.4 * cm, 2.2 * cm, 3.6 * cm],
        right=(4,),
    )

    story += [PageBreak(), Paragraph(esc(_("Danh sách chưa chi")), styles["Heading"])]
    unpaid_rows = [
        [
            str(n),
            code,
            Paragraph(esc(name), styles["Normal"]),
            pcode,
            format_vnd(total, symbol=False),
            _reason_label(reason),
            _("Có") if carried else "",
        ]
        for n, (code, name, pcode, _pname, total, reason, carried) in enumerate(
            report["unpaid"], start=1
        )
    ]
    unpaid_rows.append(
        ["", "", _("Tổng cộng"), "", format_vnd(report["unpaid_amount"], symbol=False), "", ""]
    )
    story += tables(
        [
            _("STT"),
            _("Mã số"),
            _("Họ và tên"),
            _("Mã điểm"),
            _("Số tiền"),
            _("Lý do"),
            _("Chuyển kỳ sau"),
        ],
        unpaid_rows,
        [1.2 * cm, 2.6 * cm, 6.5 * cm, 2 * cm, 3 * cm, 6 * cm, 3.2 * cm],
        right=(4,),
    )

    out = io.BytesIO()
    period = report["period"]
    footer = _("In lúc %(at)s · PostOps") % {"at": timezone.localtime().strftime("%d/%m/%Y %H:%M")}
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=1.2 * cm,
        rightMargin=1.2 * cm,
        topMargin=1.2 * cm,
        bottomMargin=1.5 * cm,
        title=f"{period.programme.code}-{period.label}",
        author="PostOps",
    )

    def draw(canvas, doc_):
        canvas.saveState()
        canvas.setFont(pdf.FONT, 7.5)
        canvas.drawString(1.2 * cm, 0.8 * cm, footer)
        canvas.drawRightString(
            landscape(A4)[0] - 1.2 * cm, 0.8 * cm, _("Trang %(n)s") % {"n": doc_.page}
        )
        canvas.restoreState()

    doc.build(story, onFirstPage=draw, onLaterPages=draw)
    return out.getvalue()
