"""A postman delivers on a phone, first offline then online; a citizen sees it delivered
(issue #3, items 9 and 14)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _round(make_user):
    """A COD parcel arrived at the delivery office and put on the postman's run sheet.

    Units and offices are created here: a browser test runs without a transaction and the
    tables are emptied afterwards.
    """
    from postops.delivery.services import run_sheet_assign
    from postops.items.models import NumberBlock, ServiceIndicator
    from postops.items.services import event_record, item_accept
    from postops.network.models import Commune, Office, Province

    province, _ = Province.objects.get_or_create(
        code="20",
        defaults={
            "name": "Lạng Sơn",
            "division_type": "tỉnh",
            "codename": "lang_son",
            "search_name": "lang son",
        },
    )
    commune, _ = Commune.objects.get_or_create(
        code="05977",
        defaults={
            "name": "Phường Đông Kinh",
            "division_type": "phường",
            "codename": "phuong_dong_kinh",
            "province": province,
            "search_name": "dong kinh",
        },
    )

    def office(code, name, parent=None):
        o = Office.objects.create(
            code=code,
            name=name,
            kind="post_office" if parent else "provincial",
            parent=parent,
            commune=commune,
            postal_code="24000",
        )
        o.path = f"{parent.path if parent else '/'}{o.pk}/"
        Office.objects.filter(pk=o.pk).update(path=o.path)
        return o

    root = office("240000", "Bưu điện tỉnh Lạng Sơn")
    origin = office("240100", "Bưu cục Đông Kinh", root)
    delivery = office("240200", "Bưu cục Cao Lộc", root)
    cp = ServiceIndicator.objects.create(prefix="CP", service="parcel")
    NumberBlock.objects.create(
        office=origin,
        indicator=cp,
        first_serial=12596688,
        last_serial=12596700,
        next_serial=12596688,
    )
    now = timezone.now()
    item = item_accept(
        actor=None,
        office=origin,
        prefix="CP",
        sender_name="Cửa hàng Hoa Mai",
        sender_phone="0912345678",
        receiver_name="Trần Thị Bình",
        receiver_phone="0987654321",
        receiver_address={"commune_code": "05977", "street": "12 Lê Lợi"},
        weight_g=800,
        cod_amount=350000,
        fee=30000,
        accepted_at=now - timedelta(days=1),
        destination_office=delivery,
    ).item
    event_record(
        actor=None,
        item=item,
        code="delivery_office_arrival",
        office=delivery,
        occurred_at=now - timedelta(hours=3),
    )
    supervisor = make_user("supervisor", offices=[delivery], full_name="Lê Văn Giám")
    postman = make_user(
        "postman", username="buuta-binh", offices=[delivery], full_name="Phạm Văn Bưu"
    )
    run_sheet_assign(
        actor=supervisor,
        office=delivery,
        postman=postman,
        numbers=[item.number],
        now=now - timedelta(hours=1),
    )
    return postman, item


def _sign(page):
    pad = page.locator("#signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    x, y = box["x"], box["y"]
    page.mouse.move(x + 20, y + box["height"] * 0.6)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(x + 20 + step * 22, y + box["height"] * (0.6 - 0.3 * (step % 2)))
    page.mouse.up()


def test_a_postman_delivers_offline_then_syncs(mobile_page, login, make_user, settings, tmp_path):
    from postops.delivery.models import DeliveryAttempt
    from postops.items.models import Item

    settings.MEDIA_ROOT = tmp_path / "media"
    postman, item = _round(make_user)
    page = login(mobile_page, postman)
    page.goto("/delivery/")
    expect(page.locator("h1")).to_contain_text("Phát bưu gửi hôm nay")
    row = page.locator(f'.rs-item[data-number="{item.number}"]')
    expect(row).to_contain_text("Trần Thị Bình")
    expect(row).to_contain_text("Thu hộ 350.000 ₫")
    expect(page.locator("#net-status")).to_have_attribute("data-state", "online")

    # The service worker takes over the page and keeps it for offline use.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")

    # The network goes: the app still opens, from the service worker's cache.
    # A sync attempt that fires while offline fails on purpose; Chromium logs it.
    page.guard.allow_console(r"net::ERR_INTERNET_DISCONNECTED")
    page.context.set_offline(True)
    page.reload()
    expect(row).to_contain_text("Trần Thị Bình")
    expect(page.locator("#net-status")).to_have_attribute("data-state", "offline")

    # Scan (or type) the number, as printed on the label.
    page.fill("#scan-input", "cp 125 966 88")
    page.press("#scan-input", "Enter")
    expect(page.locator("#scan-error")).to_have_text("Số hiệu không hợp lệ.")
    page.fill("#scan-input", item.number[:2].lower() + " " + item.number[2:])
    page.press("#scan-input", "Enter")
    dialog = page.locator("#item-dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("#item-title")).to_have_text(item.number)
    expect(page.locator("#f-recipient")).to_have_value("Trần Thị Bình")

    # Errors per field before anything is queued.
    page.fill("#f-id-number", "12345")
    page.click("#deliver-form button[type=submit]")
    errors = page.locator("#deliver-form .errorlist")
    expect(errors).to_have_text(
        [
            "Số định danh cá nhân gồm đúng 12 chữ số.",
            "Số tiền thu phải đúng 350.000 đồng.",
            "Người nhận hàng cần ký trên màn hình.",
        ]
    )
    page.check("input[name=relation][value=family]")
    page.fill("#f-recipient", "Trần Văn Cường")
    page.fill("#f-id-number", "001 090 012 345")
    page.fill("#f-cod", "350.000")
    _sign(page)
    page.click("#deliver-form button[type=submit]")
    expect(dialog).to_be_hidden()

    # Queued on the phone, nothing on the server yet.
    outbox = page.locator("#outbox-list .outbox-item")
    expect(outbox).to_have_count(1)
    expect(outbox.first.locator(".outbox-state")).to_have_text("Chờ gửi")
    expect(row.locator("[data-sync-badge]")).to_have_text("Đã phát · Chờ gửi")
    expect(page.locator("#net-status")).to_contain_text("1 thao tác chờ gửi")
    expect(page.locator(".handover-form button[type=submit]")).to_be_disabled()
    assert DeliveryAttempt.objects.count() == 0
    # A reload while offline keeps the queued action (IndexedDB).
    page.reload()
    expect(outbox.first.locator(".outbox-state")).to_have_text("Chờ gửi")

    # The network returns: the queue sends the action and the server accepts it.
    page.context.set_offline(False)
    expect(outbox.first.locator(".outbox-state")).to_have_text("Đã ghi nhận", timeout=15_000)
    expect(row.locator("[data-sync-badge]")).to_have_text("Đã phát · Đã ghi nhận")
    expect(page.locator("#net-status")).to_have_attribute("data-state", "online")
    attempt = DeliveryAttempt.objects.get()
    assert (attempt.recipient_name, attempt.relation, attempt.id_number_masked) == (
        "Trần Văn Cường",
        "family",
        "001*******45",
    )
    assert attempt.signature.read().startswith(b"\x89PNG")
    assert Item.objects.get(pk=item.pk).status == "delivered"

    # The handover can be made once everything is sent.
    expect(page.locator(".handover-form button[type=submit]")).to_be_enabled()

    # A citizen tracks the item: delivered.
    page.goto(f"/tra-cuu/?numbers={item.number}")
    result = page.locator(f'.track-result[data-number="{item.number}"]')
    expect(result.locator(".track-status")).to_have_text("Phát thành công")
    expect(result).to_contain_text(re.compile("Bưu cục Cao Lộc"))
