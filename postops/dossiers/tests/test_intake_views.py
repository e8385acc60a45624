"""Counter intake pages: pick the procedure, tick documents, review fees, confirm once;
guidance sheet; dossier page and Phiếu gửi PDF."""

import re

import pytest

from postops.core.models import AuditEntry
from postops.dossiers import pdf
from postops.dossiers.models import Dossier
from postops.items.models import Item, TariffVersion

from . import helpers

pytestmark = pytest.mark.django_db


@pytest.fixture
def counter(tree, centre, make_user, verified_client):
    helpers.dossier_items_setup([tree["po_a"]])
    proc = helpers.procedure(centre)
    clerk = make_user("clerk", offices=[tree["po_a"]], username="gdv-an", full_name="Lê Văn An")
    return {"client": verified_client(clerk), "procedure": proc, "clerk": clerk, "tree": tree}


def form_data(counter, **extra):
    proc = counter["procedure"]
    docs = list(proc.documents.order_by("position"))
    data = {
        "idempotency_key": "key-1",
        "office": counter["tree"]["po_a"].pk,
        "service_form": "both",
        f"doc_{docs[0].pk}": "on",
        f"doc_{docs[0].pk}_kind": "original",
        f"doc_{docs[1].pk}": "on",
        f"doc_{docs[1].pk}_kind": "copy",
        "seal_number": "NP-7",
        "weight_g": "300",
        "applicant_name": "Nguyễn Thị Hoa",
        "applicant_id_number": "020 190 012 345",
        "applicant_phone": "0912 345 678",
        "applicant_commune": helpers.commune(0).code,
        "applicant_street": "Số 5 Lê Lợi",
        "same_address": "on",
        "payment_method": "cash",
        "step": "review",
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def test_start_page_lists_postal_procedures_only(counter, centre):
    helpers.procedure(
        centre, code="2.0", name="Đăng ký kết hôn", documents=(), postal_allowed=False
    )
    response = counter["client"].get("/dossiers/intake/", {"q": "ly lich"})
    assert [p.code for p in response.context["procedures"]] == ["1.001234"]
    response = counter["client"].get("/dossiers/intake/", {"q": "ket hon"})
    assert response.context["procedures"] == []


def test_intake_form_renders_the_document_checklist(counter):
    response = counter["client"].get(f"/dossiers/intake/{counter['procedure'].pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp" in html
    assert 'name="idempotency_key"' in html
    # One office: no choice to make, the office travels as a hidden field.
    assert f'<input type="hidden" name="office" value="{counter["tree"]["po_a"].pk}"' in html
    assert "style=" not in html and "<script>" not in html


def test_review_then_confirm_creates_one_dossier_and_item(counter):
    client, url = counter["client"], f"/dossiers/intake/{counter['procedure'].pk}/"
    review = client.post(url, form_data(counter))
    assert review.status_code == 200
    assert [t.name for t in review.templates][0] == "dossiers/intake_review.html"
    html = review.content.decode()
    assert '<td class="num" id="fee-total">250.000 ₫</td>' in html
    assert not Dossier.objects.exists()
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    assert hidden["applicant_id_number"] == "020 190 012 345"  # as typed; cleaned again
    assert hidden["applicant_commune"] == helpers.commune(0).code

    confirm = client.post(url, {**hidden, "step": "confirm"})
    dossier = Dossier.objects.get()
    assert confirm.status_code == 302
    assert confirm["Location"] == f"/dossiers/{dossier.pk}/"
    again = client.post(url, {**hidden, "step": "confirm"})  # a double click
    assert again["Location"] == f"/dossiers/{dossier.pk}/"
    assert Dossier.objects.count() == 1 and Item.objects.count() == 1
    assert dossier.delivery_commune_code == helpers.commune(0).code
    assert dossier.delivery_street == "Số 5 Lê Lợi"

    page = client.get(f"/dossiers/{dossier.pk}/")
    text = page.content.decode()
    assert dossier.outbound_item.number in text
    assert "020*******45" in text and "020190012345" not in text
    assert AuditEntry.objects.filter(action="dossiers.dossier.read").count() == 1


def test_missing_document_blocks_with_a_guidance_link(counter):
    proc = counter["procedure"]
    docs = list(proc.documents.order_by("position"))
    data = form_data(counter, **{f"doc_{docs[1].pk}": None, f"doc_{docs[0].pk}_kind": "copy"})
    response = counter["client"].post(f"/dossiers/intake/{proc.pk}/", data)
    assert response.status_code == 422
    form = response.context["form"]
    assert form.errors[f"doc_{docs[0].pk}"] == ["Cần bản chính."]
    assert form.errors[f"doc_{docs[1].pk}"] == ["Thiếu giấy tờ này."]
    html = response.content.decode()
    link = re.search(r'href="([^"]*guidance\.pdf[^"]*)"', html).group(1).replace("&amp;", "&")
    assert link == (
        f"/dossiers/procedures/{proc.pk}/guidance.pdf?missing={docs[0].pk}%3Aneeds_original"
        f"&missing={docs[1].pk}%3Amissing"
    )
    sheet = counter["client"].get(link)
    assert sheet.status_code == 200
    assert sheet["Content-Type"] == "application/pdf"
    assert sheet.content.startswith(b"%PDF")
    assert not Dossier.objects.exists()
    rows = pdf.guidance_rows(proc, {docs[0].pk: "needs_original", docs[1].pk: "missing"})
    assert rows == [
        ("Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", "Bản chính", "1", "Cần bản chính"),
        ("Thẻ căn cước", "Bản sao", "1", "Còn thiếu: cần bổ sung"),
    ]


def test_field_errors_in_vietnamese(counter):
    data = form_data(
        counter,
        applicant_id_number="12345",
        applicant_phone="abc",
        seal_number="",
        same_address=None,
        applicant_commune="",
    )
    response = counter["client"].post(f"/dossiers/intake/{counter['procedure'].pk}/", data)
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert errors["applicant_id_number"] == ["Số định danh cá nhân phải có đúng 12 chữ số."]
    assert errors["applicant_phone"][0].startswith("Số điện thoại gồm 10 hoặc 11 chữ số")
    assert errors["seal_number"] == [
        "Cần ghi số niêm phong túi hồ sơ (niêm phong trước mặt người nộp)."
    ]
    assert errors["applicant_commune"] == ["Cần chọn xã/phường."]
    assert errors["delivery_commune"] == ["Cần chọn xã/phường nhận kết quả."]


def test_without_tariff_the_form_asks_for_the_fee(counter):
    TariffVersion.objects.all().delete()
    url = f"/dossiers/intake/{counter['procedure'].pk}/"
    response = counter["client"].post(url, form_data(counter))
    assert response.status_code == 422
    assert response.context["form"].errors["postal_fee_send"] == [
        "Bảng cước chưa tính được cước hồ sơ: nhập cước theo bảng giá niêm yết."
    ]
    assert 'name="postal_fee_send"' in response.content.decode()
    review = counter["client"].post(
        url, form_data(counter, postal_fee_send="30000", postal_fee_return="28000")
    )
    assert review.status_code == 200
    assert '<td class="num" id="fee-total">258.000 ₫</td>' in review.content.decode()


def test_receipt_pdf_has_every_field_of_the_phieu_gui(counter):
    client, url = counter["client"], f"/dossiers/intake/{counter['procedure'].pk}/"
    client.post(url, form_data(counter, step="confirm"))
    dossier = Dossier.objects.get()
    response = client.get(f"/dossiers/{dossier.pk}/phieu-gui.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert response.content.startswith(b"%PDF")
    fields = {title: dict(pairs) for title, pairs in pdf.receipt_fields(dossier).items()}
    sender = fields["Người gửi (người nộp hồ sơ)"]
    assert sender["Họ và tên"] == "Nguyễn Thị Hoa"
    assert sender["Điện thoại"] == "0912345678"
    assert sender["Địa chỉ"].startswith("Số 5 Lê Lợi, ")
    receiver = fields["Người nhận (cơ quan giải quyết)"]
    assert receiver["Cơ quan"] == "Trung tâm Phục vụ hành chính công tỉnh Lạng Sơn (TTHCC)"
    assert receiver["Địa chỉ"].startswith("Số 1 Hùng Vương, ")
    when = fields["Thời gian, địa điểm, phương thức"]
    assert when["Địa điểm nhận"].startswith("Bưu cục Đông Kinh, ")
    assert when["Dịch vụ"] == "Gửi hồ sơ và nhận kết quả"
    assert fields["Thủ tục hành chính"]["Mã thủ tục"] == "1.001234"
    money = fields["Cước và thanh toán"]
    assert money == {
        "Cước chiều gửi hồ sơ": "25.000 ₫",
        "Cước chiều trả kết quả": "25.000 ₫",
        "Phí, lệ phí thu hộ cơ quan": "200.000 ₫",
        "Tổng cộng": "250.000 ₫",
        "Hình thức thanh toán": "Tiền mặt",
    }
    assert fields["Đóng gói"] == {
        "Số hiệu bưu gửi": dossier.outbound_item.number,
        "Số niêm phong": "NP-7",
        "Khối lượng": "300 g",
    }
    assert pdf.receipt_document_rows(dossier) == [
        ("Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", "Bản chính", "1"),
        ("Thẻ căn cước", "Bản sao", "1"),
    ]


def test_other_offices_dossiers_are_not_found(counter, make_user, verified_client, tree):
    counter["client"].post(
        f"/dossiers/intake/{counter['procedure'].pk}/", form_data(counter, step="confirm")
    )
    dossier = Dossier.objects.get()
    other = verified_client(make_user("clerk", offices=[tree["po_b"]]))
    assert other.get(f"/dossiers/{dossier.pk}/").status_code == 404
    assert other.get(f"/dossiers/{dossier.pk}/phieu-gui.pdf").status_code == 404
    # The supervisor of the province sees it (subtree), the agency officer of the agency too.
    supervisor = verified_client(make_user("supervisor", offices=[tree["province"]]))
    assert supervisor.get(f"/dossiers/{dossier.pk}/").status_code == 200


def test_clerk_without_an_intake_office_is_told(make_user, verified_client, centre):
    proc = helpers.procedure(centre)
    client = verified_client(make_user("clerk"))
    response = client.get(f"/dossiers/intake/{proc.pk}/")
    assert response.status_code == 403
    assert "chưa được phân công" in response.content.decode()
