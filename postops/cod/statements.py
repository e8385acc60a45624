"""A sender's COD statement (bảng kê trả tiền thu hộ) as PDF (reportlab) and XLSX (openpyxl).

Both files show the same figures, read from the batch and its lines (issue #3, item 12:
items, amounts, fees, net). They are built on request from stored rows, so a statement
printed twice is the same statement. Money is integer đồng: the PDF writes it the
Vietnamese way (``1.250.000``), the spreadsheet stores integers with a thousands format.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from postops.core import pdf
from postops.core.money import format_vnd

from .models import RemittanceBatch, RemittanceLine


@dataclass
class StatementRow:
    index: int
    number: str
    kind: str
    collected_at: datetime | None
    cod_amount: int
    fee: int
    charge: int
    net: int


def statement_rows(batch: RemittanceBatch) -> list[StatementRow]:
    """The lines of ``batch`` in order (one query)."""
    lines = (
        RemittanceLine.objects.filter(batch=batch)
        .select_related("item", "collection")
        .order_by("pk")
    )
    return [
        StatementRow(
            index=n,
            number=line.item.number,
            kind=line.kind,
            collected_at=line.collection.collected_at if line.collection_id else None,
            cod_amount=line.cod_amount,
            fee=line.fee,
            charge=line.charge,
            net=line.net,
        )
        for n, line in enumerate(lines, start=1)
    ]


def _headers() -> list[str]:
    return [
        _("STT"),
        _("Số hiệu bưu gửi"),
        _("Nội dung"),
        _("Ngày thu"),
        _("Tiền thu hộ"),
        _("Cước"),
        _("Cước chuyển hoàn"),
        _("Còn lại"),
    ]


def _kind_text(kind: str) -> str:
    return _("Tiền thu hộ") if kind == "collection" else _("Cước chuyển hoàn")


def _local(moment: datetime | None, fmt: str = "%d/%m/%Y") -> str:
    return timezone.localtime(moment).strftime(fmt) if moment else ""


def _facts(batch: RemittanceBatch) -> list[tuple[str, str]]:
    sender = batch.sender
    bank = " · ".join(
        part for part in (sender.bank_name, sender.bank_account, sender.account_holder) if part
    )
    facts = [
        (_("Số bảng kê"), batch.number),
        (_("Ngày lập"), _local(batch.created_at, "%d/%m/%Y %H:%M")),
        (_("Bưu cục trả tiền"), f"{batch.office.code} {batch.office.name}"),
        (_("Khách hàng"), f"{sender.code} {sender.name}"),
        (_("Điện thoại"), sender.phone),
        (_("Tài khoản nhận"), bank or _("Trả tiền mặt tại bưu cục")),
        (_("Trạng thái"), batch.get_state_display()),
    ]
    if batch.bank_reference:
        facts.append((_("Mã giao dịch"), batch.bank_reference))
    return facts


def statement_filename(batch: RemittanceBatch, extension: str) -> str:
    return f"bang-ke-{batch.number}.{extension}"


def statement_pdf(batch: RemittanceBatch) -> bytes:
    """The statement on A4 paper, Vietnamese text in the vendored Unicode font."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = pdf.styles(base_size=8.5)
    rows = statement_rows(batch)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=14 * mm,
        rightMargin=14 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=f"{_('Bảng kê trả tiền thu hộ')} {batch.number}",
        author="PostOps",
    )
    story = [
        Paragraph(pdf.escape(_("BẢNG KÊ TRẢ TIỀN THU HỘ (COD)")), styles["Title"]),
    ]
    facts = Table(
        [
            [Paragraph(pdf.escape(k), styles["Bold"]), Paragraph(pdf.escape(v), styles["Normal"])]
            for k, v in _facts(batch)
        ],
        colWidths=[38 * mm, 140 * mm],
    )
    facts.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [facts, Spacer(1, 5 * mm)]

    def money(value: int, bold: bool = False) -> Paragraph:
        return Paragraph(format_vnd(value, symbol=False), styles["BoldRight" if bold else "Right"])

    data = [[Paragraph(pdf.escape(h), styles["Bold"]) for h in _headers()]]
    for row in rows:
        data.append(
            [
                Paragraph(str(row.index), styles["Normal"]),
                Paragraph(pdf.escape(row.number), styles["Normal"]),
                Paragraph(pdf.escape(_kind_text(row.kind)), styles["Normal"]),
                Paragraph(_local(row.collected_at), styles["Normal"]),
                money(row.cod_amount),
                money(row.fee),
                money(row.charge),
                money(row.net),
            ]
        )
    data.append(
        [
            "",
            Paragraph(pdf.escape(_("Tổng cộng")), styles["Bold"]),
            Paragraph(
                pdf.escape(_("%(count)d dòng") % {"count": batch.items_count}), styles["Normal"]
            ),
            "",
            money(batch.cod_total, True),
            money(batch.fee_total, True),
            money(batch.charges_total, True),
            money(batch.net_amount, True),
        ]
    )
    table = Table(
        data,
        colWidths=[10 * mm, 30 * mm, 28 * mm, 18 * mm, 24 * mm, 20 * mm, 24 * mm, 24 * mm],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.93, 0.97)),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story += [
        table,
        Spacer(1, 5 * mm),
        Paragraph(
            pdf.escape(
                _("Số tiền trả khách hàng: %(net)s") % {"net": format_vnd(batch.net_amount)}
            ),
            styles["Heading"],
        ),
        Paragraph(
            pdf.escape(
                _(
                    "Còn lại = tiền thu hộ − cước (khi hợp đồng cho trừ cước) − cước chuyển hoàn. "
                    "Số tiền tính bằng đồng."
                )
            ),
            styles["Small"],
        ),
    ]
    doc.build(story)
    return out.getvalue()


def statement_xlsx(batch: RemittanceBatch) -> bytes:
    """The statement as a spreadsheet: the facts on top, one row per line, a totals row.

    Amounts are integers with a ``#,##0`` format, so they can be summed and checked in any
    spreadsheet program.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    rows = statement_rows(batch)
    wb = Workbook()
    ws = wb.active
    ws.title = _("Bảng kê")[:31]
    bold = Font(bold=True)
    ws.append([_("BẢNG KÊ TRẢ TIỀN THU HỘ (COD)")])
    ws["A1"].font = Font(bold=True, size=13)
    for key, value in _facts(batch):
        ws.append([key, value])
        ws.cell(row=ws.max_row, column=1).font = bold
    ws.append([])
    ws.append(_headers())
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = bold
    first = header_row + 1
    for row in rows:
        ws.append(
            [
                row.index,
                row.number,
                _kind_text(row.kind),
                timezone.localtime(row.collected_at).date() if row.collected_at else None,
                row.cod_amount,
                row.fee,
                row.charge,
                row.net,
            ]
        )
    ws.append(
        [
            None,
            _("Tổng cộng"),
            None,
            None,
            batch.cod_total,
            batch.fee_total,
            batch.charges_total,
            batch.net_amount,
        ]
    )
    total_row = ws.max_row
    for cell in ws[total_row]:
        cell.font = bold
    for row_cells in ws.iter_rows(min_row=first, max_row=total_row, min_col=5, max_col=8):
        for cell in row_cells:
            cell.number_format = "#,##0"
    for row_cells in ws.iter_rows(min_row=first, max_row=total_row, min_col=4, max_col=4):
        for cell in row_cells:
            cell.number_format = "DD/MM/YYYY"
    for letter, width in zip("ABCDEFGH", (6, 18, 20, 12, 14, 12, 16, 14), strict=True):
        ws.column_dimensions[letter].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
