"""Counter acceptance pages: the form, the quote partial, the phone lookup, legacy addresses,
double submits, the item page, the label and the receipt (issue #3, item 3)."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from postops.core.models import AuditEntry
from postops.items import documents
from postops.items.models import Item, TrackingEvent
from postops.items.services import item_accept

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
# Lạng Sơn, legacy: Phường Hoàng Văn Thụ (05971) → Phường Kỳ Lừa (06187), whole;
# Xã Bính Xá (06622) → Xã Đình Lập (06613) or Xã Kiên Mộc (06625), partly.
LEGACY_WHOLE, LEGACY_WHOLE_NEW = "05971", "06187"
LEGACY_SPLIT = "06622"


@pytest.fixture
def clerk(make_user, offices):
    return make_user("clerk", offices=[offices["origin"]], full_name="Lê Thị Thu")


@pytest.fixture
def counter(clerk, verified_client, blocks, tariff, standards):
    return verified_client(clerk)


def _form(client, **overrides):
    """A valid form as the browser would send it, with the key the page drew."""
    page = client.get("/items/accept/")
    key = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', page.text).group(1)
    office = re.search(r'name="office" value="(\d+)"', page.text).group(1)
    data = {
        "idempotency_key": key,
        "office": office,
        "number": "",
        "prefix": "EB",
        "sender_phone": "0912 345 678",
        "sender_name": "Cửa hàng Hoa Mai",
        "sender_commune": "",
        "sender_street": "",
        "receiver_name": "Trần Thị Bình",
        "receiver_phone": "0987654321",
        "receiver_commune": "06187",
        "receiver_legacy_commune": "",
        "receiver_street": "12 Lê Lợi",
        "weight_g": "1250",
        "contents": "Quần áo",
        "cod_amount": "350.000",
        "declared_value": "",
    }
    data.update(overrides)
    return data


def test_the_page_draws_a_form_for_the_scanner(counter):
    response = counter.get("/items/accept/")
    assert response.status_code == 200
    html = response.text
    assert re.search(r'<input type="text" name="number"[^>]* autofocus', html)
    assert "data-enter-advances" in html
    assert 'hx-post="/items/accept/quote"' in html
    assert "js/items-accept.js" in html
    assert "js/commune-picker.js" in html
    assert "<script>" not in html and "style=" not in html


def test_accepting_stores_a_priced_item_and_opens_its_page(counter, clerk, offices):
    response = counter.post("/items/accept/", _form(counter))
    item = Item.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/items/{item.number}/"
    assert item.number == "EB125966888VN"
    assert (item.origin_office, item.accepted_by, item.service) == (offices["origin"], clerk, "ems")
    assert (item.sender_phone, item.receiver_phone) == ("0912345678", "0987654321")
    assert (item.receiver_scheme, item.receiver_commune_code, item.receiver_street) == (
        "2025",
        "06187",
        "12 Lê Lợi",
    )
    assert item.receiver_raw == "12 Lê Lợi, Phường Kỳ Lừa, Tỉnh Lạng Sơn"
    # Hà Nội office → Lạng Sơn: other province, ≤ 2 kg 30,000 + COD 8‰ raised to 15,000.
    assert (item.cod_amount, item.fee, item.tariff_version.name) == (
        350000,
        45000,
        "Bảng cước 2026",
    )
    today = timezone.localdate()
    from postops.core.calendar import add_working_days

    assert item.promised_date == add_working_days(today, 4)
    page = counter.get(response["Location"])
    assert "Đã nhận gửi EB125966888VN." in page.text
    assert "EB 125 966 888 VN" in page.text
    assert 'href="/items/EB125966888VN/label.pdf"' in page.text


def test_a_double_submit_stores_one_item(counter):
    data = _form(counter)
    first = counter.post("/items/accept/", data)
    second = counter.post("/items/accept/", data)
    assert first["Location"] == second["Location"] == "/items/EB125966888VN/"
    assert Item.objects.count() == 1
    assert TrackingEvent.objects.count() == 1


def test_the_same_form_changed_after_acceptance_is_refused(counter):
    data = _form(counter)
    counter.post("/items/accept/", data)
    response = counter.post("/items/accept/", {**data, "weight_g": "900"})
    assert response.status_code == 200
    assert (
        "Biểu mẫu này đã nhận gửi bưu gửi EB125966888VN. Mở biểu mẫu mới để nhận bưu gửi khác."
        in response.text
    )
    assert Item.objects.count() == 1


def test_a_scanned_label_number_is_used(counter):
    response = counter.post("/items/accept/", _form(counter, number="eb 125 966 959 vn", prefix=""))
    assert response["Location"] == "/items/EB125966959VN/"


def test_errors_are_shown_per_field_in_vietnamese(counter):
    data = _form(
        counter,
        number="EB125966889VN",
        sender_name="",
        receiver_commune="",
        weight_g="0",
        cod_amount="12,5",
    )
    response = counter.post("/items/accept/", data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["sender_name"] == ["Cần nhập tên người gửi."]
    assert errors["weight_g"] == ["Khối lượng phải là số gam lớn hơn 0."]
    assert errors["receiver_commune"] == ["Chọn xã/phường người nhận (mới hoặc theo địa giới cũ)."]
    assert errors["number"] == [
        "Chữ số kiểm tra sai: với dãy số 12596688, chữ số kiểm tra phải là 8."
    ]
    assert "cod_amount" in errors
    assert not Item.objects.exists()


def test_a_service_refusal_lands_on_its_field(counter, blocks):
    response = counter.post("/items/accept/", _form(counter, weight_g="2600", prefix="RR"))
    assert response.context["form"].errors == {
        "__all__": ["Bảng cước không có giá cho dịch vụ này ở vùng này."]
    }
    assert not Item.objects.exists()


def test_a_legacy_address_merged_whole_is_converted(counter):
    data = _form(counter, receiver_commune="", receiver_legacy_commune=LEGACY_WHOLE)
    response = counter.post("/items/accept/", data)
    assert response.status_code == 302
    item = Item.objects.get()
    assert (item.receiver_scheme, item.receiver_commune_code) == ("2025", LEGACY_WHOLE_NEW)
    assert item.receiver_raw == (
        "12 Lê Lợi, Phường Hoàng Văn Thụ, Thành phố Lạng Sơn, Tỉnh Lạng Sơn"
    )


def test_a_partly_merged_legacy_commune_needs_a_confirmation(counter):
    data = _form(counter, receiver_commune="", receiver_legacy_commune=LEGACY_SPLIT)
    response = counter.post("/items/accept/", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {
        "receiver_commune_confirm": [
            "Xã cũ Xã Bính Xá nay thuộc nhiều xã/phường mới: hỏi người gửi và chọn một."
        ]
    }
    assert [code for code, _label in form.fields["receiver_commune_confirm"].choices] == [
        "06613",
        "06625",
    ]
    assert 'value="06625"' in response.text
    response = counter.post("/items/accept/", {**data, "receiver_commune_confirm": "06625"})
    assert response.status_code == 302
    assert Item.objects.get().receiver_commune_code == "06625"


def test_the_quote_shows_price_promise_and_conversion(counter):
    data = _form(counter, receiver_commune="", receiver_legacy_commune=LEGACY_WHOLE)
    response = counter.post("/items/accept/quote", data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.text
    quote = response.context["quote"]
    assert (quote.zone, quote.quote.base, quote.quote.cod_fee, quote.quote.total) == (
        "other_province",
        30000,
        15000,
        45000,
    )
    assert '<dd class="num quote-total" data-quote-total>45.000 ₫</dd>' in html
    assert "Liên tỉnh" in html
    assert "Địa chỉ cũ được chuyển sang: Phường Kỳ Lừa, Tỉnh Lạng Sơn." in html
    assert 'id="legacy-conversion" class="field-wide" hx-swap-oob="true"' in html
    assert not Item.objects.exists()


def test_the_quote_lists_what_is_missing_and_tariff_refusals(counter):
    response = counter.post(
        "/items/accept/quote",
        _form(counter, receiver_commune="", weight_g=""),
        HTTP_HX_REQUEST="true",
    )
    assert "Cần nhập: xã/phường người nhận, khối lượng." in response.text
    response = counter.post(
        "/items/accept/quote", _form(counter, declared_value="1000000"), HTTP_HX_REQUEST="true"
    )
    assert "Bảng cước hiện hành không nhận khai giá." in response.text
    split = counter.post(
        "/items/accept/quote",
        _form(counter, receiver_commune="", receiver_legacy_commune=LEGACY_SPLIT),
        HTTP_HX_REQUEST="true",
    )
    assert 'name="receiver_commune_confirm" value="06613"' in split.text


def test_previous_senders_are_found_by_phone_within_the_office_scope(
    counter, clerk, offices, accept_kwargs, make_office
):
    kwargs = {**accept_kwargs, "fee": 0, "sender_phone": "0912345678"}
    item_accept(
        actor=None,
        **{**kwargs, "sender_address": {"commune_code": "06187", "street": "5 Trần Đăng Ninh"}},
    )
    item_accept(actor=None, **{**kwargs, "sender_name": "Hoa Mai (chi nhánh 2)"})
    elsewhere = make_office("250000", "Bưu cục khác")
    from postops.items.models import NumberBlock

    NumberBlock.objects.create(
        office=elsewhere, indicator_id="EB", first_serial=1, last_serial=9, next_serial=1
    )
    item_accept(actor=None, **{**kwargs, "office": elsewhere, "sender_name": "Người lạ"})
    response = counter.get("/items/accept/senders", {"sender_phone": "0912 345 678"})
    names = [s.name for s in response.context["suggestions"]]
    assert names == ["Hoa Mai (chi nhánh 2)", "Công ty TNHH Hoa Mai"]
    assert 'data-commune-code="06187"' in response.text
    assert 'data-street="5 Trần Đăng Ninh"' in response.text
    assert AuditEntry.objects.filter(action="items.item.read", actor=clerk).count() == 2
    short = counter.get("/items/accept/senders", {"sender_phone": "0912"})
    assert short.context["suggestions"] == []


def test_legacy_communes_are_found_without_diacritics(counter):
    response = counter.get(
        "/items/legacy-communes/search", {"receiver_legacy_commune_q": "binh xa dinh lap"}
    )
    # Xã Bính Xá first; Xã Thái Bình of the same district also holds every word.
    assert [c.code for c in response.context["communes"]] == [LEGACY_SPLIT, "06631"]
    assert 'data-label="Xã Bính Xá, Huyện Đình Lập, Tỉnh Lạng Sơn"' in response.text
    assert [
        c.code
        for c in counter.get("/items/legacy-communes/search", {"q": "06622"}).context["communes"]
    ] == [LEGACY_SPLIT]


def test_a_user_with_no_office_cannot_accept(make_user, verified_client):
    client = verified_client(make_user("clerk"))
    response = client.get("/items/accept/")
    assert "chưa được gán bưu cục nào" in response.text
    assert "accept-form" not in response.text


def test_the_item_page_label_and_receipt_are_scoped_and_audited(
    counter, clerk, make_user, verified_client, make_office
):
    counter.post("/items/accept/", _form(counter), follow=True)
    item = Item.objects.get()
    label = counter.get("/items/EB125966888VN/label.pdf")
    assert label.status_code == 200
    assert label["Content-Type"] == "application/pdf"
    assert label.content.startswith(b"%PDF-")
    # A6 portrait: 105 × 148 mm in points.
    assert b"/MediaBox [ 0 0 297.6378 419.5276 ]" in label.content
    receipt = counter.get("/items/eb125966888vn/receipt.pdf")
    assert receipt.content.startswith(b"%PDF-")
    assert b"/MediaBox [ 0 0 419.5276 595.2756 ]" in receipt.content  # A5
    assert (
        AuditEntry.objects.filter(
            action="items.item.read", target_id=str(item.pk), actor=clerk
        ).count()
        == 3
    )  # the page after acceptance, the label, the receipt
    stranger = make_user("clerk", offices=[make_office("250000")])
    other = verified_client(stranger)
    assert other.get("/items/EB125966888VN/").status_code == 404
    assert other.get("/items/EB125966888VN/label.pdf").status_code == 404


def test_label_and_receipt_content(blocks, offices, accept_kwargs, tariff, standards, clerk):
    accepted_at = datetime(2026, 3, 2, 9, 15, tzinfo=HANOI)
    item = item_accept(
        actor=clerk,
        accepted_at=accepted_at,
        **{
            **{k: v for k, v in accept_kwargs.items() if k != "fee"},
            "receiver_address": {"commune_code": "06187", "street": "12 Lê Lợi"},
            "sender_address": {"commune_code": "00004", "street": "3 Điện Biên Phủ"},
            "advice_of_delivery": True,
            "contents": "Sách",
        },
    ).item
    label = documents.label_content(item)
    assert vars(label) == {
        "number": "EB125966888VN",
        "number_text": "EB 125 966 888 VN",
        "service": "Chuyển phát nhanh EMS",
        "office": "240000 Bưu cục Lạng Sơn",
        "sender": [
            "Công ty TNHH Hoa Mai  0912345678",
            "3 Điện Biên Phủ, Phường Ba Đình, Thành phố Hà Nội",
        ],
        "receiver_name": "Trần Thị Bình",
        "receiver": ["0987654321", "12 Lê Lợi, Phường Kỳ Lừa, Tỉnh Lạng Sơn"],
        "weight": "1.250 g",
        "accepted": "02/03/2026 09:15",
        "promised": "06/03/2026",
        "cod": "350.000 ₫",
        "declared": "",
        "advice_of_delivery": True,
        "contents": "Sách",
    }
    receipt = documents.receipt_content(item)
    assert receipt.fee_rows == [
        ("Cước chính", "30.000 ₫"),
        ("Phí thu hộ", "15.000 ₫"),
        ("Phí báo phát", "3.000 ₫"),
    ]
    assert (receipt.total, receipt.vat_note, receipt.clerk) == (
        "48.000 ₫",
        "Đã gồm thuế GTGT 10%: 4.364 ₫",
        "Lê Thị Thu",
    )
    assert receipt.rows[-1] == ("Ngày phát dự kiến", "06/03/2026")
    assert documents.label_pdf(item).startswith(b"%PDF-")
    assert documents.receipt_pdf(item).startswith(b"%PDF-")
    assert date(2026, 3, 6) == item.promised_date
