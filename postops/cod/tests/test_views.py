"""Staff pages of COD money: senders, statements (PDF, XLSX), payment, reconciliation."""

import io
import uuid
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from postops.cod import services
from postops.cod.models import RemittanceBatch
from postops.core.models import AuditEntry
from postops.public.tests.test_csp_hygiene import assert_clean


def _collect_and_hand_over(items, postman, supervisor, office, reference="HO-V"):
    for item in items:
        services.cod_collection_record(
            item, item.cod_amount, postman, item.accepted_at + timedelta(hours=2), uuid.uuid4()
        )
    services.cod_handover_confirm(
        actor=supervisor,
        office=office,
        postman=postman,
        reference=reference,
        counted_amount=sum(i.cod_amount for i in items),
    )


@pytest.fixture
def waiting(make_item, postman, supervisor, offices):
    items = [make_item(cod_amount=350000), make_item(cod_amount=1250000)]
    _collect_and_hand_over(items, postman, supervisor, offices["delivery"])
    return items


@pytest.fixture
def staff(supervisor, verified_client):
    return verified_client(supervisor)


def test_sender_pages_and_statement_creation_once_on_double_submit(staff, waiting):
    listing = staff.get("/cod/senders/")
    assert_clean(listing)
    html = listing.content.decode()
    assert "KH000001" in html and "1.600.000" in html
    sender = waiting[0].cod_collection.sender
    page = staff.get(f"/cod/senders/{sender.pk}/")
    assert_clean(page)
    key = page.context["batch_form"]["idempotency_key"].value()
    url = f"/cod/senders/{sender.pk}/statements/"
    first = staff.post(url, {"idempotency_key": key})
    second = staff.post(url, {"idempotency_key": key})
    batch = RemittanceBatch.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/cod/statements/{batch.pk}/"
    detail = staff.get(f"/cod/statements/{batch.pk}/")
    assert_clean(detail)
    body = detail.content.decode()
    assert batch.number in body
    assert waiting[0].number in body and waiting[1].number in body
    assert "1.600.000 ₫" in body


def test_pay_and_reconcile_through_the_page_with_field_errors(staff, waiting, supervisor):
    sender = waiting[0].cod_collection.sender
    batch = services.remittance_batch_create(actor=supervisor, sender=sender).batch
    refused = staff.post(f"/cod/statements/{batch.pk}/pay/", {"bank_reference": ""})
    assert refused.status_code == 422
    assert refused.context["pay_form"].errors == {"bank_reference": ["Trường này là bắt buộc."]}
    ok = staff.post(f"/cod/statements/{batch.pk}/pay/", {"bank_reference": "FT260611"})
    assert ok.status_code == 302
    wrong = staff.post(
        f"/cod/statements/{batch.pk}/reconcile/",
        {"bank_amount": "1,6", "bank_reference": "FT260611"},
    )
    assert wrong.status_code == 422
    assert list(wrong.context["reconcile_form"].errors) == ["bank_amount"]
    short = staff.post(
        f"/cod/statements/{batch.pk}/reconcile/",
        {"bank_amount": "1.599.000", "bank_reference": "FT260611"},
        follow=True,
    )
    assert "Đối soát lệch -1.000 đồng" in short.content.decode()
    batch.refresh_from_db()
    assert (batch.state, batch.difference) == ("mismatch", -1000)
    staff.post(
        f"/cod/statements/{batch.pk}/reconcile/",
        {"bank_amount": "1.600.000", "bank_reference": "FT260611"},
    )
    batch.refresh_from_db()
    assert batch.state == "reconciled"


def test_statement_pdf_and_xlsx(staff, waiting, supervisor):
    sender = waiting[0].cod_collection.sender
    services.cod_sender_update(
        actor=supervisor,
        sender=sender,
        deduct_fees=True,
        bank_name="Vietcombank",
        bank_account="0011001234567",
        account_holder="Công ty TNHH Hoa Mai",
    )
    batch = services.remittance_batch_create(actor=supervisor, sender=sender).batch
    pdf = staff.get(f"/cod/statements/{batch.pk}/statement.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == f'attachment; filename="bang-ke-{batch.number}.pdf"'
    assert pdf.content.startswith(b"%PDF") and b"DejaVuSans" in pdf.content
    xlsx = staff.get(f"/cod/statements/{batch.pk}/statement.xlsx")
    assert xlsx.status_code == 200
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    rows = [tuple(c.value for c in row) for row in ws.iter_rows()]
    assert rows[0][0] == "BẢNG KÊ TRẢ TIỀN THU HỘ (COD)"
    assert ("Số bảng kê", batch.number) == rows[1][:2]
    assert rows[6][:2] == ("Tài khoản nhận", "Vietcombank · 0011001234567 · Công ty TNHH Hoa Mai")
    header = rows.index(
        (
            "STT",
            "Số hiệu bưu gửi",
            "Nội dung",
            "Ngày thu",
            "Tiền thu hộ",
            "Cước",
            "Cước chuyển hoàn",
            "Còn lại",
        )
    )
    lines = rows[header + 1 :]
    assert [r[:3] + r[4:] for r in lines] == [
        (1, waiting[0].number, "Tiền thu hộ", 350000, 42000, 0, 308000),
        (2, waiting[1].number, "Tiền thu hộ", 1250000, 42000, 0, 1208000),
        (None, "Tổng cộng", None, 1600000, 84000, 0, 1516000),
    ]
    assert ws.cell(row=header + 2, column=5).number_format == "#,##0"
    reads = AuditEntry.objects.filter(action="cod.codsender.read").count()
    assert reads == 2


def test_readers_cannot_move_money_and_other_offices_are_hidden(
    waiting, supervisor, make_user, make_office, offices, verified_client
):
    sender = waiting[0].cod_collection.sender
    batch = services.remittance_batch_create(actor=supervisor, sender=sender).batch
    auditor = verified_client(make_user("auditor", offices=[offices["root"]]))
    assert auditor.get(f"/cod/statements/{batch.pk}/").status_code == 200
    assert (
        auditor.post(f"/cod/statements/{batch.pk}/pay/", {"bank_reference": "X"}).status_code == 403
    )
    assert auditor.post(f"/cod/senders/{sender.pk}/", {"name": "X"}).status_code == 403
    elsewhere = make_office("250000", parent=offices["root"])
    other = verified_client(make_user("supervisor", offices=[elsewhere]))
    assert other.get(f"/cod/statements/{batch.pk}/").status_code == 404
    assert other.get(f"/cod/senders/{sender.pk}/").status_code == 404
    assert other.get(f"/cod/statements/{batch.pk}/statement.pdf").status_code == 404
    assert batch.number not in other.get("/cod/").content.decode()


def test_sender_form_shows_field_errors(staff, waiting):
    sender = waiting[0].cod_collection.sender
    response = staff.post(
        f"/cod/senders/{sender.pk}/",
        {"name": "", "phone": "0912345678", "bank_account": "12-AB"},
    )
    assert response.status_code == 422
    assert response.context["form"].errors == {
        "name": ["Trường này là bắt buộc."],
        "bank_account": ["Số tài khoản chỉ gồm chữ số."],
    }


def test_batch_list_keyset_pages(staff, make_item, postman, supervisor, offices):
    for n in range(3):
        item = make_item(cod_amount=100000 + n, sender_phone=f"090000000{n}")
        _collect_and_hand_over([item], postman, supervisor, offices["delivery"], f"HO-{n}")
        services.remittance_batch_create(actor=supervisor, sender=item.cod_collection.sender)
    from postops.cod import selectors

    first = selectors.batch_page_for_user(supervisor, limit=2)
    second = selectors.batch_page_for_user(supervisor, limit=2, cursor=first.next_cursor)
    numbers = [b.number for b in first.rows + second.rows]
    assert numbers == [b.number for b in RemittanceBatch.objects.order_by("-created_at", "-pk")]
    assert second.next_cursor is None
    assert_clean(staff.get("/cod/"))
