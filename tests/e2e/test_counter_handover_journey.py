"""A receiver collects an item at the counter of the office that has it (issue #3, items 9
and 11): the clerk finds it, a missing name is shown in place, then it is delivered."""

import pytest
from playwright.sync_api import expect

from .test_tracking_journey import _tracked_item

pytestmark = pytest.mark.e2e


def test_a_clerk_hands_an_item_over_at_the_counter(page, login, make_user):
    from postops.items.models import Item
    from postops.network.models import Office

    number = _tracked_item()  # arrived at 240200 Cao Lộc
    clerk = make_user("clerk", username="gdv-caoloc", offices=[Office.objects.get(code="240200")])
    login(page, clerk)

    page.goto("/returns/")
    page.fill("#id_number", number.lower())
    with page.expect_navigation():
        page.keyboard.press("Enter")
    form = page.locator("#counter-form")
    expect(form.locator("h2")).to_have_text("Phát tại quầy")
    expect(page.locator("#item-status")).to_have_text("Đã đến bưu cục phát")

    page.guard.allow_console(r"status of 422")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(form.locator(".field.has-error .errorlist")).to_contain_text("Trường này là bắt buộc.")
    expect(form.locator(".field.has-error #id_recipient_name")).to_be_visible()
    assert Item.objects.get(number=number).status == "at_delivery_office"

    form.locator("#id_recipient_name").fill("Trần Thị Bình")
    form.locator("#id_relation").select_option("self")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.locator("main")).to_contain_text(f"Đã phát {number} tại quầy cho người nhận.")
    expect(page.locator("#item-status")).to_have_text("Phát thành công")
    expect(page.locator("#counter-form")).to_have_count(0)
    assert Item.objects.get(number=number).status == "delivered"
