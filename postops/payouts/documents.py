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
