"""A counter clerk accepts items with the keyboard and gets the label (issue #3, items 3, 14)."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from . import places

pytestmark = pytest.mark.e2e


def _setup(make_user):
    """Lạng Sơn, two communes, a post office with EMS numbers, a tariff and J+n table.

    Created here: a browser test runs without a transaction and the tables are emptied.
    """
    from postops.items.models import (
        DeliveryStandard,
        NumberBlock,
        ServiceIndicator,
        TariffRate,
        TariffVersion,
    )

    communes = {
        code: places.commune(code, name)
        for code, name in [("05977", "Phường Đông Kinh"), ("06187", "Phường Kỳ Lừa")]
    }
    office = places.office("240100", "Bưu cục Đông Kinh", communes["05977"])
    eb = ServiceIndicator.objects.create(prefix="EB", service="ems", name="EMS trong nước")
    NumberBlock.objects.create(
        office=office,
        indicator=eb,
        first_serial=12596688,
        last_serial=12596700,
        next_serial=12596688,
    )
    version = TariffVersion.objects.create(
        name="Bảng cước", effective_from=date(2025, 1, 1), vat_percent=10, cod_per_mille=8
    )
    TariffRate.objects.create(
        version=version, service="ems", zone="same_province", max_weight_g=2000, price=18000
    )
    DeliveryStandard.objects.create(service="", zone="same_province", working_days=2)
    return make_user("clerk", username="gdv-dongkinh", offices=[office])


def test_a_clerk_accepts_an_item_with_the_keyboard_and_prints_the_label(
    page, login, make_user, live_server
):
    from postops.items.models import Item

    clerk = _setup(make_user)
    login(page, clerk)
    with page.expect_navigation():
        page.locator("body").press("Alt+KeyA")
    expect(page.locator("h1")).to_have_text("Nhận gửi bưu gửi")

    # The number field has the focus: empty + Enter means "take the office's next number".
    number = page.locator("#id_number")
    expect(number).to_be_focused()
    number.press("Enter")
    expect(page.locator("#id_prefix")).to_be_focused()
    page.select_option("#id_prefix", "EB")
    page.locator("#id_prefix").press("Enter")
    expect(page.locator("#id_sender_phone")).to_be_focused()
    page.keyboard.type("0912 345 678")
    page.keyboard.press("Enter")
    expect(page.locator("#id_sender_name")).to_be_focused()
    page.keyboard.type("Cửa hàng Hoa Mai")
    page.keyboard.press("Enter")
    expect(page.locator("#id_sender_commune")).to_be_focused()
    page.keyboard.press("Enter")  # no sender address
    page.keyboard.press("Enter")
    expect(page.locator("#id_receiver_name")).to_be_focused()
    page.keyboard.type("Trần Thị Bình")
    page.keyboard.press("Enter")
    page.keyboard.type("0987654321")
    page.keyboard.press("Enter")

    # The commune picker: type without diacritics, Enter takes the first match, Enter moves on.
    receiver_commune = page.locator("#id_receiver_commune")
    expect(receiver_commune).to_be_focused()
    receiver_commune.press_sequentially("ky lua")
    expect(page.locator("#id_receiver_commune_results button.commune-option")).to_have_count(1)
    page.keyboard.press("Enter")
    expect(receiver_commune).to_have_value("Phường Kỳ Lừa, Tỉnh Lạng Sơn")
    page.keyboard.press("Enter")
    expect(page.locator("#id_receiver_legacy_commune")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#id_receiver_street")).to_be_focused()
    page.keyboard.type("12 Lê Lợi")
    page.keyboard.press("Enter")
    page.keyboard.type("1250")
    page.keyboard.press("Enter")
    # The price and the promise are shown before acceptance, updated field by field.
    expect(page.locator("[data-quote-total]")).to_have_text("18.000 ₫")
    page.keyboard.type("Quần áo")
    page.keyboard.press("Enter")
    page.keyboard.type("350.000")
    page.keyboard.press("Enter")
    expect(page.locator("[data-quote-total]")).to_have_text("20.800 ₫")  # + 8‰ of 350,000
    expect(page.locator("[data-quote-promised]")).not_to_have_text("chưa có chỉ tiêu cho vùng này")
    page.keyboard.press("Enter")  # declared value: none
    page.keyboard.press("Enter")  # advice of delivery (left unticked)
    expect(page.locator("[data-accept-submit]")).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/items/EB125966888VN/$"))
    expect(page.locator(".messages")).to_have_text("Đã nhận gửi EB125966888VN.")
    expect(page.locator("h1")).to_have_text("EB 125 966 888 VN")
    label = page.request.get(f"{live_server.url}/items/EB125966888VN/label.pdf")
    assert label.status == 200
    assert label.headers["content-type"] == "application/pdf"
    assert label.body().startswith(b"%PDF-")
    item = Item.objects.get()
    assert (item.fee, item.cod_amount, item.receiver_commune_code) == (20800, 350000, "06187")

    # The next item: Enter on "Nhận gửi tiếp"; the phone finds the sender; a double click
    # on "Nhận gửi" stores one item.
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.select_option("#id_prefix", "EB")
    page.locator("#id_sender_phone").press_sequentially("0912345678")
    suggestion = page.locator("#sender-suggestions button[data-sender-fill]")
    expect(suggestion).to_have_count(1)
    suggestion.click()
    expect(page.locator("#id_sender_name")).to_have_value("Cửa hàng Hoa Mai")
    expect(page.locator("#id_receiver_name")).to_be_focused()
    page.keyboard.type("Hoàng Văn Nam")
    page.locator("#id_receiver_commune").press_sequentially("ky lua")
    expect(page.locator("#id_receiver_commune_results button.commune-option")).to_have_count(1)
    page.locator("#id_receiver_commune").press("Enter")
    page.fill("#id_weight_g", "300")
    with page.expect_navigation():
        page.locator("[data-accept-submit]").dblclick()
    expect(page).to_have_url(re.compile(r"/items/EB125966891VN/$"))
    assert Item.objects.count() == 2
