"""Printed forms of the dossier service, as PDF (reportlab, Vietnamese via DejaVu Sans).

* the guidance sheet (phiếu hướng dẫn) handed to a citizen whose dossier is incomplete
  (Decision 45/2016/QĐ-TTg Art. 6(1): guide the citizen to complete the dossier);
* the "Phiếu gửi hồ sơ", the service contract both sides sign at intake (Art. 6(2),
  Circular 17/2017/TT-BTTTT Art. 5): sender and receiver name, address and phone; time,
  place and method; tariff and payment; the procedure and the document list; seal number;
* the handover record (biên bản giao nhận) listing each dossier and its Phiếu gửi number,
  signed by the post and the agency (Art. 6(5): its signing is the legal filing time).

Each form's content comes from a plain function (``*_fields``/``*_rows``) that the tests read;
the ``*_pdf`` functions only lay it out.
"""

from __future__ import annotations

import io
from datetime import datetime

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from postops.core import pdf
from postops.core.money import format_vnd
from postops.network.address import address_from_fields
from postops.network.selectors import address_display

from .models import Dossier, Handover, Procedure


def _local(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%H:%M %d/%m/%Y") if moment else ""


def _address(obj, prefix: str) -> str:
    addr = address_from_fields(obj, prefix)
    return address_display(addr) if addr else ""


def _agency_address(agency) -> str:
    place = f"{agency.commune.name}, {agency.commune.province.name}"
    return ", ".join(part for part in (agency.street, place) if part)


def _office_address(office) -> str:
    place = f"{office.commune.name}, {office.commune.province.name}"
    return ", ".join(part for part in (office.street, place) if part)


# --- Layout helpers --------------------------------------------------------------------------


def _doc(buffer, title: str) -> SimpleDocTemplate:
    return SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=title,
        author="PostOps",
        creator="PostOps",
    )


def _p(text, style) -> Paragraph:
    return Paragraph(pdf.escape(text), style)


def _grid(rows, widths, header=True) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8ecf1")))
    table.setStyle(TableStyle(commands))
    return table


def _pairs(pairs, styles, widths=(48 * mm, 132 * mm)) -> Table:
    rows = [[_p(label, styles["Bold"]), _p(value, styles["Normal"])] for label, value in pairs]
    table = Table(rows, colWidths=list(widths), hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return table


def _signatures(labels, styles) -> Table:
    """One row of signature blocks: the role, "(ký, ghi rõ họ tên)", room to sign."""
    hint = pdf.escape(_("(ký, ghi rõ họ tên)"))
    row = [
        Paragraph(f"<b>{pdf.escape(label)}</b><br/>{hint}", styles["Center"]) for label in labels
    ]
    table = Table([row], colWidths=[180 * mm / len(labels)] * len(labels))
    table.setStyle(TableStyle([("BOTTOMPADDING", (0, 0), (-1, -1), 18 * mm)]))
    return table


def _two_columns(left: list, right: list) -> Table:
    table = Table([[left, right]], colWidths=[90 * mm, 90 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _documents_table(dossier: Dossier, styles) -> Table | Spacer:
    rows = receipt_document_rows(dossier)
    if not rows:
        return Spacer(1, 0)
    header = [
        _p(h, styles["Bold"]) for h in ("#", _("Giấy tờ trong hồ sơ"), _("Loại bản"), _("Số lượng"))
    ]
    body = [
        [_p(str(i), styles["Normal"]), *(_p(c, styles["Normal"]) for c in r)]
        for i, r in enumerate(rows, start=1)
    ]
    return _grid([header, *body], [10 * mm, 110 * mm, 35 * mm, 25 * mm])


def _head_table(rows) -> Table:
    """Office name on the left, the form's barcode on the right."""
    table = Table(rows, colWidths=[110 * mm, 70 * mm])
    table.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("ALIGN", (1, 0), (1, 0), "RIGHT")])
    )
    return table


def _barcode(value: str) -> Code128:
    return Code128(value, barHeight=11 * mm, barWidth=0.3 * mm, humanReadable=True)


# --- Guidance sheet --------------------------------------------------------------------------


def guidance_rows(procedure: Procedure, missing: dict[int, str]) -> list[tuple[str, str, str, str]]:
    """(document, kind, count, what to do) for every document of the procedure's list.

    ``missing`` maps requirement ids to ``missing`` or ``needs_original``.
    """
    rows = []
    for doc in procedure.documents.order_by("position"):
        reason = missing.get(doc.pk, "")
        action = {
            "missing": _("Còn thiếu: cần bổ sung"),
            "needs_original": _("Cần bản chính"),
        }.get(reason, _("Đã có"))
        rows.append((doc.name, doc.get_kind_display(), str(doc.count), action))
    return rows


def guidance_pdf(procedure: Procedure, missing: dict[int, str], office=None, clerk=None) -> bytes:
    styles = pdf.styles(10)
    buffer = io.BytesIO()
    doc = _doc(buffer, _("Phiếu hướng dẫn hoàn thiện hồ sơ"))
    story = [
        _p(office.name if office else "", styles["Normal"]),
        _p(_("PHIẾU HƯỚNG DẪN HOÀN THIỆN HỒ SƠ"), styles["Title"]),
        _pairs(
            [
                (_("Thủ tục"), f"{procedure.name} ({procedure.code})"),
                (_("Cơ quan giải quyết"), procedure.agency.name),
                (_("Phí, lệ phí"), format_vnd(procedure.agency_fee)),
                (
                    _("Thời hạn giải quyết"),
                    _("Trả trong ngày")
                    if procedure.same_day
                    else _("%(days)d ngày làm việc") % {"days": procedure.processing_days},
                ),
            ],
            styles,
        ),
        Spacer(1, 4 * mm),
        _p(_("Thành phần hồ sơ theo danh mục công bố của cơ quan giải quyết:"), styles["Heading"]),
        _grid(
            [
                [
                    _p(h, styles["Bold"])
                    for h in (_("Giấy tờ"), _("Loại bản"), _("Số lượng"), _("Tình trạng"))
                ],
                *[
                    [
                        _p(c, styles["Bold"] if i == 3 and r[3] != _("Đã có") else styles["Normal"])
                        for i, c in enumerate(r)
                    ]
                    for r in guidance_rows(procedure, missing)
                ],
            ],
            [85 * mm, 35 * mm, 20 * mm, 40 * mm],
        ),
        Spacer(1, 4 * mm),
        _p(
            _(
                "Đề nghị ông/bà bổ sung các giấy tờ còn thiếu rồi mang đến bưu điện để gửi hồ sơ. "
                "Bưu điện chỉ nhận hồ sơ có đủ thành phần theo danh mục của cơ quan giải quyết."
            ),
            styles["Normal"],
        ),
        Spacer(1, 3 * mm),
        _p(
            _("Lập lúc %(time)s%(clerk)s")
            % {
                "time": _local(timezone.now()),
                "clerk": (_(", giao dịch viên: %(name)s") % {"name": clerk}) if clerk else "",
            },
            styles["Small"],
        ),
    ]
    doc.build(story)
    return buffer.getvalue()


# --- Phiếu gửi hồ sơ -------------------------------------------------------------------------


def receipt_fields(dossier: Dossier) -> dict[str, list[tuple[str, str]]]:
    """The content of the Phiếu gửi hồ sơ, section by section (title → label/value pairs)."""
    agency = dossier.agency
    office = dossier.office
    fields = {
        _("Người gửi (người nộp hồ sơ)"): [
            (_("Họ và tên"), dossier.applicant_name),
            (_("Địa chỉ"), _address(dossier, "applicant")),
            (_("Điện thoại"), dossier.applicant_phone),
        ],
        _("Người nhận (cơ quan giải quyết)"): [
            (_("Cơ quan"), f"{agency.name} ({agency.code})"),
            (_("Địa chỉ"), _agency_address(agency)),
            (_("Điện thoại"), agency.phone),
        ],
        _("Thời gian, địa điểm, phương thức"): [
            (_("Thời gian nhận"), _local(dossier.received_at)),
            (
                _("Địa điểm nhận"),
                f"{office.name}, {_office_address(office)}" if office else _("Tại cơ quan"),
            ),
            (_("Dịch vụ"), dossier.get_service_form_display()),
            (_("Phương thức"), dossier.get_channel_display()),
        ],
        _("Thủ tục hành chính"): [
            (_("Tên thủ tục"), dossier.procedure.name),
            (_("Mã thủ tục"), dossier.procedure.code),
        ],
        _("Cước và thanh toán"): [
            (_("Cước chiều gửi hồ sơ"), format_vnd(dossier.postal_fee_send)),
            (_("Cước chiều trả kết quả"), format_vnd(dossier.postal_fee_return)),
            (_("Phí, lệ phí thu hộ cơ quan"), format_vnd(dossier.agency_fee)),
            (_("Tổng cộng"), format_vnd(dossier.total_fee)),
            (_("Hình thức thanh toán"), dossier.get_payment_method_display()),
        ],
    }
    if dossier.outbound_item_id or dossier.seal_number:
        fields[_("Đóng gói")] = [
            (_("Số hiệu bưu gửi"), dossier.outbound_item.number if dossier.outbound_item else ""),
            (_("Số niêm phong"), dossier.seal_number),
            (_("Khối lượng"), f"{dossier.weight_g} g"),
        ]
    if dossier.delivery_commune_code:
        fields[_("Trả kết quả")] = [
            (_("Địa chỉ nhận kết quả"), _address(dossier, "delivery")),
        ]
    if dossier.agency_number or dossier.appointment_date:
        fields.setdefault(_("Trả kết quả"), [])
        if dossier.agency_number:
            fields[_("Trả kết quả")].append((_("Số hồ sơ của cơ quan"), dossier.agency_number))
        if dossier.appointment_date:
            fields[_("Trả kết quả")].append(
                (_("Ngày hẹn trả"), dossier.appointment_date.strftime("%d/%m/%Y"))
            )
    return fields


def receipt_document_rows(dossier: Dossier) -> list[tuple[str, str, str]]:
    return [(d.name, d.get_kind_display(), str(d.count)) for d in dossier.documents.all()]


def receipt_pdf(dossier: Dossier) -> bytes:
    styles = pdf.styles(9)
    buffer = io.BytesIO()
    doc = _doc(buffer, _("Phiếu gửi hồ sơ %(code)s") % {"code": dossier.code})
    head = [
        [
            _p(
                dossier.office.name if dossier.office else dossier.agency.name,
                styles["Bold"],
            ),
            _barcode(dossier.code),
        ]
    ]
    story = [
        _head_table(head),
        Spacer(1, 5 * mm),
        _p(_("PHIẾU GỬI HỒ SƠ"), styles["Title"]),
        _p(
            _(
                "Dịch vụ bưu chính công ích tiếp nhận hồ sơ, trả kết quả giải quyết thủ tục hành chính"
            ),
            styles["Center"],
        ),
        _p(_("Số phiếu: %(code)s") % {"code": dossier.code}, styles["Center"]),
        Spacer(1, 3 * mm),
    ]
    # Sections side by side, two per row, so that the form fits one A4 page; the document
    # list takes the full width under the procedure.
    sections = list(receipt_fields(dossier).items())
    procedure_title = _("Thủ tục hành chính")

    def block(title, pairs):
        return [_p(title, styles["Heading"]), _pairs(pairs, styles, widths=(32 * mm, 56 * mm))]

    pending: list = []
    for title, pairs in sections:
        if title == procedure_title:
            story.extend([_p(title, styles["Heading"]), _pairs(pairs, styles)])
            story.append(Spacer(1, 1 * mm))
            story.append(_documents_table(dossier, styles))
            continue
        pending.append(block(title, pairs))
        if len(pending) == 2:
            story.append(_two_columns(*pending))
            pending = []
    if pending:
        story.append(_two_columns(pending[0], []))
    if dossier.outbound_item_id:
        story += [Spacer(1, 3 * mm), _barcode(dossier.outbound_item.number), Spacer(1, 4 * mm)]
    story += [
        Spacer(1, 3 * mm),
        _p(
            _(
                "Hồ sơ được đóng gói, niêm phong trước mặt người gửi. Thời điểm cơ quan ký biên "
                "bản giao nhận hồ sơ với bưu điện là thời điểm tiếp nhận hồ sơ hợp lệ. Tra cứu "
                "hành trình hồ sơ miễn phí bằng số phiếu hoặc số hiệu bưu gửi."
            ),
            styles["Small"],
        ),
        Spacer(1, 4 * mm),
        _signatures([_("Người gửi"), _("Nhân viên bưu điện")], styles),
    ]
    doc.build(story)
    return buffer.getvalue()


# --- Handover record -------------------------------------------------------------------------


def handover_rows(handover: Handover) -> list[tuple[str, str, str, str, str, str]]:
    """(no., Phiếu gửi number, item number, procedure, applicant, fees collected on the
    agency's behalf) per dossier of the record."""
    return [
        (
            str(i),
            d.code,
            d.outbound_item.number if d.outbound_item_id else "",
            d.procedure.name,
            d.applicant_name,
            format_vnd(d.agency_fee),
        )
        for i, d in enumerate(
            handover.dossiers.select_related("procedure", "outbound_item").order_by("code"),
            start=1,
        )
    ]


def handover_fees(handover: Handover) -> int:
    """The fees and charges the post collected for the agency on these dossiers, handed over
    with them (Decision 45/2016/QĐ-TTg Art. 6: the post collects them on the agency's behalf
    and hands them over)."""
    return handover.dossiers.aggregate(total=Sum("agency_fee"))["total"] or 0


def handover_pdf(handover: Handover) -> bytes:
    """The handover record (biên bản giao nhận): each dossier with its Phiếu gửi number and
    the fees handed over; the moment the agency signs it is the legal filing time (Decision
    45/2016/QĐ-TTg Art. 6(5))."""
    styles = pdf.styles(9)
    rows = handover_rows(handover)
    signed = (
        _("Ký nhận lúc: ...... giờ ...... ngày ...... / ...... / ............")
        if handover.signed_at is None
        else _("Ký nhận lúc: %(time)s") % {"time": _local(handover.signed_at)}
    )
    return _record_pdf(
        office=handover.office,
        code=handover.code,
        document_title=_("Biên bản giao nhận hồ sơ %(code)s") % {"code": handover.code},
        heading=_("BIÊN BẢN GIAO NHẬN HỒ SƠ"),
        pairs=[
            (_("Bên giao"), f"{handover.office.name} ({handover.office.code})"),
            (_("Bên nhận"), f"{handover.agency.name} ({handover.agency.code})"),
            (_("Lập lúc"), _local(handover.created_at)),
            (_("Số hồ sơ"), str(handover.dossier_count)),
            (_("Phí, lệ phí thu hộ bàn giao"), format_vnd(handover_fees(handover))),
        ],
        headers=(
            "#",
            _("Số phiếu gửi"),
            _("Số hiệu bưu gửi"),
            _("Thủ tục"),
            _("Người nộp"),
            _("Phí, lệ phí"),
        ),
        rows=rows,
        widths=[8 * mm, 34 * mm, 30 * mm, 56 * mm, 32 * mm, 20 * mm],
        closing=_(
            "Hai bên đã kiểm đếm đủ %(count)d hồ sơ nguyên niêm phong như danh sách trên. Thời "
            "điểm bên nhận ký biên bản này là thời điểm tiếp nhận hồ sơ hợp lệ."
        )
        % {"count": len(rows)},
        extra=[_p(signed, styles["Normal"])],
        signatures=[_("Đại diện bưu điện (bên giao)"), _("Đại diện cơ quan (bên nhận)")],
    )


# --- The return leg --------------------------------------------------------------------------


def collection_rows(collection) -> list[tuple[str, str, str, str, str]]:
    """(no., Phiếu gửi number, agency's number, return item number, procedure) per result."""
    return [
        (
            str(i),
            d.code,
            d.agency_number,
            d.return_item.number if d.return_item_id else "",
            d.procedure.name,
        )
        for i, d in enumerate(
            collection.dossiers.select_related("procedure", "return_item").order_by("code"),
            start=1,
        )
    ]


def collection_pdf(collection) -> bytes:
    """The collection record (biên bản nhận kết quả): the post and the agency count the
    results and both sign (Decision 45/2016/QĐ-TTg Art. 9(1))."""
    rows = collection_rows(collection)
    return _record_pdf(
        office=collection.office,
        code=collection.code,
        document_title=_("Biên bản nhận kết quả %(code)s") % {"code": collection.code},
        heading=_("BIÊN BẢN GIAO NHẬN KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"),
        pairs=[
            (_("Bên giao"), f"{collection.agency.name} ({collection.agency.code})"),
            (_("Bên nhận"), f"{collection.office.name} ({collection.office.code})"),
            (_("Lập lúc"), _local(collection.created_at)),
            (_("Số kết quả"), str(len(rows))),
        ],
        headers=(
            "#",
            _("Số phiếu gửi"),
            _("Số hồ sơ của cơ quan"),
            _("Số hiệu bưu gửi"),
            _("Thủ tục"),
        ),
        rows=rows,
        widths=[8 * mm, 34 * mm, 40 * mm, 34 * mm, 64 * mm],
        closing=_(
            "Hai bên đã kiểm đếm đủ %(count)d kết quả như danh sách trên; bưu điện đóng gói, "
            "niêm phong và chuyển phát đến người dân."
        )
        % {"count": len(rows)},
        signatures=[_("Đại diện cơ quan (bên giao)"), _("Đại diện bưu điện (bên nhận)")],
    )


def _record_pdf(
    *,
    office,
    code,
    document_title,
    heading,
    pairs,
    headers,
    rows,
    widths,
    closing,
    signatures,
    extra=(),
) -> bytes:
    """A record both sides sign: head with the code's barcode, the parties, the list of
    results, the closing sentence and the signature boxes."""
    styles = pdf.styles(9)
    buffer = io.BytesIO()
    doc = _doc(buffer, document_title)
    story = [
        _head_table([[_p(office.name, styles["Bold"]), _barcode(code)]]),
        Spacer(1, 5 * mm),
        _p(heading, styles["Title"]),
        _p(_("Số: %(code)s") % {"code": code}, styles["Center"]),
        Spacer(1, 3 * mm),
        _pairs(pairs, styles),
        Spacer(1, 3 * mm),
        _grid(
            [
                [_p(h, styles["Bold"]) for h in headers],
                *[[_p(c, styles["Normal"]) for c in r] for r in rows],
            ],
            widths,
        ),
        Spacer(1, 3 * mm),
        _p(closing, styles["Normal"]),
        *extra,
        Spacer(1, 4 * mm),
        _signatures(signatures, styles),
    ]
    doc.build(story)
    return buffer.getvalue()


def result_return_rows(record) -> list[tuple[str, str, str, str, str]]:
    """(no., Phiếu gửi number, agency's number, return item number, invitations left) per
    result taken back to the agency."""
    from postops.delivery.models import DeliveryAttempt

    dossiers = list(record.dossiers.select_related("return_item").order_by("code"))
    invitations: dict[int, int] = {}
    for item_id in DeliveryAttempt.objects.filter(
        item_id__in=[d.return_item_id for d in dossiers], invitation__isnull=False
    ).values_list("item_id", flat=True):
        invitations[item_id] = invitations.get(item_id, 0) + 1
    return [
        (
            str(i),
            d.code,
            d.agency_number,
            d.return_item.number if d.return_item_id else "",
            str(invitations.get(d.return_item_id, 0)),
        )
        for i, d in enumerate(dossiers, start=1)
    ]


def result_return_pdf(record) -> bytes:
    """The return record (biên bản trả lại kết quả): results the citizen did not collect
    after two invitations two working days apart go back to the agency (Decision
    45/2016/QĐ-TTg Art. 10; Circular 17/2017/TT-BTTTT Art. 5(2))."""
    rows = result_return_rows(record)
    return _record_pdf(
        office=record.office,
        code=record.code,
        document_title=_("Biên bản trả lại kết quả %(code)s") % {"code": record.code},
        heading=_("BIÊN BẢN TRẢ LẠI KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"),
        pairs=[
            (_("Bên giao"), f"{record.office.name} ({record.office.code})"),
            (_("Bên nhận"), f"{record.agency.name} ({record.agency.code})"),
            (_("Cán bộ nhận"), record.receiver_name or "…………………………"),
            (_("Lập lúc"), _local(record.created_at)),
        ],
        headers=(
            "#",
            _("Số phiếu gửi"),
            _("Số hồ sơ của cơ quan"),
            _("Số hiệu bưu gửi"),
            _("Số lần mời"),
        ),
        rows=rows,
        widths=[8 * mm, 38 * mm, 48 * mm, 40 * mm, 46 * mm],
        closing=_(
            "Bưu điện đã mời người nhận ít nhất 2 lần, cách nhau 2 ngày làm việc, nhưng người "
            "nhận không đến nhận; bưu điện trả lại %(count)d kết quả nguyên niêm phong cho "
            "cơ quan."
        )
        % {"count": len(rows)},
        signatures=[_("Đại diện bưu điện (bên giao)"), _("Đại diện cơ quan (bên nhận)")],
    )
