"""Printed documents of an item: the A6 label and the acceptance receipt (PDF, reportlab).

The label carries the S10 number as a Code 128 barcode (what sorting scanners read; UPU
S10 items are barcoded in Code 128) with the number in clear below it, spaced as it is read
aloud, the sender and the receiver, the cash-on-delivery amount in a box the postman cannot
miss, and the promised date. The receipt is the sender's proof of posting with the fee and
its parts (VAT included).

What goes on a document is computed first as plain data (:func:`label_content`,
:func:`receipt_content`, tested exactly); the drawing only lays it out. Vietnamese text
needs the Unicode font of ``postops.core.pdf``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib import colors
from reportlab.lib.pagesizes import A5, A6
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from postops.core import pdf
from postops.core.money import format_vnd
from postops.network.address import address_from_fields
from postops.network.selectors import address_display

from . import selectors
from .models import Item


def spaced_number(number: str) -> str:
    """``EB125966888VN`` → ``EB 125 966 888 VN``: how a person reads it out."""
    return f"{number[:2]} {number[2:5]} {number[5:8]} {number[8:11]} {number[11:]}"


def _address_line(item: Item, prefix: str) -> str:
    addr = address_from_fields(item, prefix)
    return address_display(addr) if addr is not None else ""


def _local(dt):
    return timezone.localtime(dt) if dt else None


@dataclass
class LabelContent:
    number: str
    number_text: str
    service: str
    office: str
    sender: list[str]
    receiver_name: str
    receiver: list[str]
    weight: str
    accepted: str
    promised: str
    cod: str  # "" when no cash is to be collected
    declared: str
    advice_of_delivery: bool
    contents: str


def label_content(item: Item) -> LabelContent:
    """What the label shows (exact text, for the tests and the drawing)."""
    accepted = _local(item.accepted_at)
    return LabelContent(
        number=item.number,
        number_text=spaced_number(item.number),
        service=str(item.get_service_display()),
        office=f"{item.origin_office.code} {item.origin_office.name}",
        sender=[
            line
            for line in (
                f"{item.sender_name}  {item.sender_phone}".strip(),
                _address_line(item, "sender"),
            )
            if line
        ],
        receiver_name=item.receiver_name,
        receiver=[line for line in (item.receiver_phone, _address_line(item, "receiver")) if line],
        weight=f"{item.weight_g:,} g".replace(",", "."),
        accepted=f"{accepted:%d/%m/%Y %H:%M}" if accepted else "",
        promised=f"{item.promised_date:%d/%m/%Y}" if item.promised_date else "",
        cod=format_vnd(item.cod_amount) if item.cod_amount else "",
        declared=format_vnd(item.declared_value) if item.declared_value else "",
        advice_of_delivery=item.advice_of_delivery,
        contents=item.contents,
    )


def label_pdf(item: Item) -> bytes:
    """The A6 (105 × 148 mm) label of ``item``."""
    font, bold = pdf.register_fonts()
    c = label_content(item)
    buffer = BytesIO()
    width, height = A6
    page = pdf_canvas.Canvas(buffer, pagesize=A6, pageCompression=1)
    page.setTitle(c.number)
    page.setAuthor("PostOps")
    margin = 5 * mm
    inner = width - 2 * margin
    styles = pdf.styles(8)

    # Head: service and accepting office.
    y = height - margin - 4 * mm
    page.setFont(bold, 11)
    page.drawString(margin, y, c.service.upper())
    page.setFont(font, 7)
    page.drawString(margin, y - 4 * mm, c.office)
    if c.advice_of_delivery:
        page.setFont(bold, 8)
        page.drawRightString(width - margin, y - 4 * mm, _("BÁO PHÁT") + " (AR)")

    # Barcode: Code 128 of the number, the number in clear under it.
    bar_height = 16 * mm
    barcode = Code128(c.number, barHeight=bar_height, barWidth=0.42 * mm, quiet=False)
    bar_y = y - 8 * mm - bar_height
    barcode.drawOn(page, margin + (inner - barcode.width) / 2, bar_y)
    page.setFont(bold, 13)
    page.drawCentredString(width / 2, bar_y - 5 * mm, c.number_text)

    def block(top: float, title: str, lines: list[Paragraph], box_height: float) -> float:
        page.setStrokeColor(colors.black)
        page.setLineWidth(0.6)
        page.rect(margin, top - box_height, inner, box_height)
        page.setFont(bold, 7)
        page.drawString(margin + 1.5 * mm, top - 3.2 * mm, title)
        cursor = top - 4.5 * mm
        for para in lines:
            _w, h = para.wrap(inner - 3 * mm, box_height)
            para.drawOn(page, margin + 1.5 * mm, cursor - h)
            cursor -= h
        return top - box_height

    top = bar_y - 8 * mm
    top = block(
        top,
        _("NGƯỜI GỬI"),
        [Paragraph(pdf.escape(line), styles["Normal"]) for line in c.sender],
        17 * mm,
    )
    receiver_style = pdf.styles(10)
    top = block(
        top - 1.5 * mm,
        _("NGƯỜI NHẬN"),
        [Paragraph(f"<b>{pdf.escape(c.receiver_name)}</b>", receiver_style["Normal"])]
        + [Paragraph(pdf.escape(line), receiver_style["Normal"]) for line in c.receiver],
        27 * mm,
    )

    # Facts row, then the COD box.
    facts = [
        (_("Khối lượng"), c.weight),
        (_("Nhận gửi"), c.accepted),
        (_("Phát dự kiến"), c.promised or "—"),
    ]
    col = inner / len(facts)
    fy = top - 5 * mm
    for i, (title, value) in enumerate(facts):
        page.setFont(font, 6.5)
        page.drawString(margin + i * col, fy, title)
        page.setFont(bold, 8)
        page.drawString(margin + i * col, fy - 3.5 * mm, value)
    fy -= 6 * mm
    if c.contents:
        page.setFont(font, 7)
        page.drawString(margin, fy - 1 * mm, (_("Nội dung") + ": " + c.contents)[:90])
        fy -= 3.5 * mm
    if c.declared:
        page.setFont(font, 7)
        page.drawString(margin, fy - 1 * mm, _("Giá trị khai") + ": " + c.declared)
        fy -= 3.5 * mm
    if c.cod:
        box = 11 * mm
        page.setLineWidth(1.5)
        page.rect(margin, margin, inner, box)
        page.setFont(bold, 7)
        page.drawString(margin + 2 * mm, margin + box - 3.5 * mm, _("THU HỘ (COD)"))
        page.setFont(bold, 15)
        page.drawRightString(width - margin - 2 * mm, margin + 2.5 * mm, c.cod)
    page.showPage()
    page.save()
    return buffer.getvalue()


@dataclass
class ReceiptContent:
    number: str
    number_text: str
    office: str
    accepted: str
    clerk: str
    rows: list[tuple[str, str]]
    fee_rows: list[tuple[str, str]] = field(default_factory=list)
    total: str = ""
    vat_note: str = ""
    tracking_hint: str = ""


def receipt_content(item: Item) -> ReceiptContent:
    """What the sender's receipt shows (exact text)."""
    accepted = _local(item.accepted_at)
    clerk = str(item.accepted_by) if item.accepted_by else ""
    rows = [
        (_("Dịch vụ"), str(item.get_service_display())),
        (_("Người gửi"), f"{item.sender_name}  {item.sender_phone}".strip()),
    ]
    sender_address = _address_line(item, "sender")
    if sender_address:
        rows.append(("", sender_address))
    rows += [
        (_("Người nhận"), f"{item.receiver_name}  {item.receiver_phone}".strip()),
        ("", _address_line(item, "receiver")),
        (_("Khối lượng"), f"{item.weight_g:,} g".replace(",", ".")),
    ]
    if item.contents:
        rows.append((_("Nội dung"), item.contents))
    if item.cod_amount:
        rows.append((_("Tiền thu hộ (COD)"), format_vnd(item.cod_amount)))
    if item.declared_value:
        rows.append((_("Giá trị khai"), format_vnd(item.declared_value)))
    if item.advice_of_delivery:
        rows.append((_("Báo phát"), _("Có")))
    rows.append(
        (
            _("Ngày phát dự kiến"),
            f"{item.promised_date:%d/%m/%Y}" if item.promised_date else "—",
        )
    )
    fee_rows = []
    vat_note = ""
    parts = selectors.item_fee_parts(item)
    if parts is not None:
        fee_rows.append((_("Cước chính"), format_vnd(parts.base)))
        for title, amount in (
            (_("Phí thu hộ"), parts.cod_fee),
            (_("Phí khai giá"), parts.insured_fee),
            (_("Phí báo phát"), parts.advice_fee),
        ):
            if amount:
                fee_rows.append((title, format_vnd(amount)))
        vat_note = _("Đã gồm thuế GTGT %(percent)s%%: %(vat)s") % {
            "percent": item.tariff_version.vat_percent,
            "vat": format_vnd(parts.vat),
        }
    return ReceiptContent(
        number=item.number,
        number_text=spaced_number(item.number),
        office=f"{item.origin_office.code} {item.origin_office.name}",
        accepted=f"{accepted:%d/%m/%Y %H:%M}" if accepted else "",
        clerk=clerk,
        rows=rows,
        fee_rows=fee_rows,
        total=format_vnd(item.fee),
        vat_note=vat_note,
        tracking_hint=_("Tra cứu hành trình: trang Tra cứu (/tra-cuu/) với số hiệu %(number)s")
        % {"number": item.number},
    )


def receipt_pdf(item: Item) -> bytes:
    """The acceptance receipt (A5 portrait) of ``item``."""
    pdf.register_fonts()
    c = receipt_content(item)
    styles = pdf.styles(9)
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A5,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=10 * mm,
        bottomMargin=10 * mm,
        title=_("Biên nhận %(number)s") % {"number": c.number},
        author="PostOps",
    )
    barcode = Code128(c.number, barHeight=10 * mm, barWidth=0.33 * mm, quiet=False)
    story = [
        Paragraph(pdf.escape(c.office), styles["Center"]),
        Paragraph(pdf.escape(_("BIÊN NHẬN GỬI BƯU GỬI")), styles["Title"]),
        Table([[barcode]], colWidths=[doc.width], style=[("ALIGN", (0, 0), (-1, -1), "CENTER")]),
        Paragraph(f"<b>{pdf.escape(c.number_text)}</b>", styles["Center"]),
        Spacer(1, 3 * mm),
        Paragraph(
            pdf.escape(_("Nhận gửi lúc %(time)s") % {"time": c.accepted})
            + (
                pdf.escape(" · " + _("Giao dịch viên: %(name)s") % {"name": c.clerk})
                if c.clerk
                else ""
            ),
            styles["Small"],
        ),
        Spacer(1, 2 * mm),
    ]

    def table(rows):
        data = [
            [Paragraph(pdf.escape(a), styles["Bold"]), Paragraph(pdf.escape(b), styles["Normal"])]
            for a, b in rows
        ]
        t = Table(data, colWidths=[38 * mm, doc.width - 38 * mm])
        style = [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ]
        t.setStyle(TableStyle(style))
        return t

    story.append(table(c.rows))
    story.append(Spacer(1, 3 * mm))
    fee_data = [
        [Paragraph(pdf.escape(a), styles["Normal"]), Paragraph(pdf.escape(b), styles["Right"])]
        for a, b in c.fee_rows
    ]
    fee_data.append(
        [
            Paragraph(pdf.escape(_("Tổng cước")), styles["Bold"]),
            Paragraph(pdf.escape(c.total), styles["BoldRight"]),
        ]
    )
    fees = Table(fee_data, colWidths=[doc.width - 40 * mm, 40 * mm])
    fees.setStyle(
        TableStyle(
            [
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    story.append(fees)
    if c.vat_note:
        story.append(Paragraph(pdf.escape(c.vat_note), styles["Small"]))
    story += [Spacer(1, 4 * mm), Paragraph(pdf.escape(c.tracking_hint), styles["Small"])]
    doc.build(story)
    return buffer.getvalue()


# --- Bag label -----------------------------------------------------------------------------


@dataclass
class BagLabelContent:
    code: str
    origin: str
    destination: str
    closed: str
    count: str
    seal: str
    numbers: list[str]


def bag_label_content(bag) -> BagLabelContent:
    closed = _local(bag.closed_at)
    return BagLabelContent(
        code=bag.code,
        origin=f"{bag.origin_office.code} {bag.origin_office.name}",
        destination=f"{bag.destination_office.code} {bag.destination_office.name}",
        closed=f"{closed:%d/%m/%Y %H:%M}" if closed else "",
        count=str(bag.item_count),
        seal=bag.seal_number,
        numbers=list(
            bag.lines.filter(listed=True).order_by("id").values_list("item__number", flat=True)
        ),
    )


def bag_label_pdf(bag) -> bytes:
    """The bag's A6 label: Code 128 of the bag code, route, count, seal, and the item list
    (the first ones; the full list is in PostOps)."""
    font, bold = pdf.register_fonts()
    c = bag_label_content(bag)
    buffer = BytesIO()
    width, height = A6
    page = pdf_canvas.Canvas(buffer, pagesize=A6, pageCompression=1)
    page.setTitle(c.code)
    page.setAuthor("PostOps")
    margin = 5 * mm
    y = height - margin - 4 * mm
    page.setFont(bold, 11)
    page.drawString(margin, y, _("TÚI THƯ"))
    page.setFont(font, 7)
    page.drawRightString(width - margin, y, c.closed)
    barcode = Code128(c.code, barHeight=14 * mm, barWidth=0.3 * mm, quiet=False)
    bar_y = y - 6 * mm - 14 * mm
    barcode.drawOn(page, (width - barcode.width) / 2, bar_y)
    page.setFont(bold, 10)
    page.drawCentredString(width / 2, bar_y - 4.5 * mm, c.code)
    rows = [
        (_("Từ"), c.origin),
        (_("Đến"), c.destination),
        (_("Số bưu gửi"), c.count),
        (_("Niêm phong"), c.seal or "—"),
    ]
    ry = bar_y - 11 * mm
    for title, value in rows:
        page.setFont(font, 7)
        page.drawString(margin, ry, title)
        page.setFont(bold, 9)
        page.drawString(margin + 20 * mm, ry, value[:48])
        ry -= 5 * mm
    page.setFont(font, 6.5)
    per_column = int((ry - margin) // (3.2 * mm))
    shown = c.numbers[: per_column * 3]
    for i, number in enumerate(shown):
        col, row = divmod(i, per_column)
        page.drawString(margin + col * 32 * mm, ry - row * 3.2 * mm, number)
    if len(c.numbers) > len(shown):
        page.drawRightString(
            width - margin,
            margin,
            _("… và %(count)d bưu gửi khác") % {"count": len(c.numbers) - len(shown)},
        )
    page.showPage()
    page.save()
    return buffer.getvalue()
