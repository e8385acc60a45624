"""A citizen tracks an item on /tra-cuu/ (issue #3, items 8 and 14), on a phone."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from . import places

pytestmark = pytest.mark.e2e

T0 = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)  # 08:30 in Hà Nội


def _tracked_item() -> str:
    """One EMS item accepted at one post office and arrived at another; returns its number.

    Units and offices are created here: a browser test runs without a transaction and the
    tables are emptied afterwards.
    """
    from postops.items.models import NumberBlock, ServiceIndicator
    from postops.items.services import event_record, item_accept

    commune = places.commune("05977", "Phường Đông Kinh")

    def office(code, name, parent=None):
        kind = "post_office" if parent else "provincial"
        return places.office(code, name, commune, kind=kind, parent=parent)

    root = office("240000", "Bưu điện tỉnh Lạng Sơn")
    origin = office("240100", "Bưu cục Đông Kinh", root)
    delivery = office("240200", "Bưu cục Cao Lộc", root)
    eb = ServiceIndicator.objects.create(prefix="EB", service="ems")
    NumberBlock.objects.create(
        office=origin,
        indicator=eb,
        first_serial=12596688,
        last_serial=12596700,
        next_serial=12596688,
    )
    item = item_accept(
        actor=None,
        office=origin,
        prefix="EB",
        sender_name="Cửa hàng Hoa Mai",
        receiver_name="Trần Thị Bình",
        receiver_phone="0987654321",
        receiver_address={"commune_code": "05977", "street": "12 Lê Lợi"},
        weight_g=800,
        accepted_at=T0,
    ).item
    event_record(
        actor=None,
        item=item,
        code="delivery_office_arrival",
        office=delivery,
        occurred_at=T0 + timedelta(hours=2),
    )
    return item.number


def test_a_citizen_tracks_an_item_on_a_phone(mobile_page):
    number = _tracked_item()
    page = mobile_page
    page.goto("/")
    page.click("#public-tracking a")
    expect(page).to_have_url(re.compile(r"/tra-cuu/$"))
    expect(page.locator("h1")).to_have_text("Tra cứu bưu gửi")

    # A typo in the check digit first, then the right number with spaces, as on the label.
    page.fill("#track-numbers", "EB125966889VN")
    page.click("#track-submit")
    expect(page.locator(".track-result .errorlist")).to_contain_text("Số hiệu không hợp lệ")

    page.fill("#track-numbers", "eb 125 966 888 vn")
    page.click("#track-submit")
    result = page.locator(f'.track-result[data-number="{number}"]')
    expect(result.locator(".track-status")).to_have_text("Đã đến bưu cục phát")
    expect(result).to_contain_text("T*** T** B***")
    rows = result.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("10:30 02/03/2026")
    expect(rows.nth(0)).to_contain_text("Bưu cục Cao Lộc")
    expect(rows.nth(1)).to_contain_text("Nhận gửi")
    html = page.content()
    assert "0987654321" not in html and "Lê Lợi" not in html and "Trần Thị Bình" not in html
    # htmx kept the search in the address bar: the result can be shared or reloaded.
    assert "numbers=" in page.url
    page.reload()
    expect(page.locator(".track-status")).to_have_text("Đã đến bưu cục phát")

    # From a fresh page, a search through htmx, then the language switch: the results stay.
    page.goto("/tra-cuu/")
    page.fill("#track-numbers", number)
    page.click("#track-submit")
    expect(page.locator(".track-status")).to_have_text("Đã đến bưu cục phát")
    page.click("#lang-en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(rf"numbers={number}"))
    expect(page.locator(f'.track-result[data-number="{number}"]')).to_be_visible()
