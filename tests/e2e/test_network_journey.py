"""Browser journey: a provincial manager edits an office, picking its commune by keyboard."""

import pytest
from playwright.sync_api import expect

from .conftest import totp_now

pytestmark = pytest.mark.e2e


def _units():
    """Lạng Sơn and three of its communes (a transactional test may start with empty tables)."""
    from postops.network.models import Commune, Province

    province, _ = Province.objects.get_or_create(
        code="20",
        defaults={
            "name": "Tỉnh Lạng Sơn",
            "division_type": "tỉnh",
            "codename": "lang_son",
            "search_name": "tinh lang son",
        },
    )
    communes = {}
    for code, name, kind in [
        ("05977", "Phường Đông Kinh", "phường"),
        ("06019", "Xã Tân Tiến", "xã"),
        ("06040", "Xã Thất Khê", "xã"),
    ]:
        from postops.core.text import fold

        communes[code] = Commune.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "division_type": kind,
                "codename": fold(name).replace(" ", "_"),
                "province": province,
                "search_name": fold(name),
            },
        )[0]
    return communes


def test_manager_edits_an_office_with_the_commune_picker(page, login, make_user, live_server):
    from postops.network.models import Office
    from postops.network.services import office_create

    communes = _units()
    root_user = make_user("admin", username="qt", is_superuser=True)
    root = office_create(
        actor=root_user,
        code="LS",
        name="Bưu điện tỉnh Lạng Sơn",
        kind="provincial",
        commune=communes["05977"],
        postal_code="24000",
    )
    post_office = office_create(
        actor=root_user,
        code="241100",
        name="Bưu cục Thất Khê",
        kind="post_office",
        commune=communes["05977"],
        postal_code="24100",
        parent=root,
    )
    manager = make_user("manager", username="ld-tinh", offices=[root])

    login(page, manager)
    page.fill("#id_token", totp_now(page.locator("#totp-secret").inner_text()))
    with page.expect_navigation():
        page.click("main form button[type=submit]")

    page.goto(f"/network/offices/{post_office.pk}/")
    assert page.locator("h1").inner_text() == "Bưu cục Thất Khê 241100"
    with page.expect_navigation():
        page.locator("body").press("Alt+KeyE")  # data-hotkey="e": edit
    assert page.url == f"{live_server.url}/network/offices/{post_office.pk}/edit/"

    search = page.locator("#id_commune")
    assert search.input_value() == "Phường Đông Kinh, Tỉnh Lạng Sơn"
    search.fill("")
    search.press_sequentially("that khe")
    options = page.locator("#id_commune_results button.commune-option")
    expect(options).to_have_count(1)
    assert options.first.get_attribute("data-code") == "06040"
    expect(search).to_have_attribute("aria-expanded", "true")
    assert page.locator("input[name=commune]").input_value() == ""  # typing forgot the old code

    search.press("ArrowDown")
    expect(options.first).to_be_focused()
    options.first.press("Enter")
    expect(search).to_be_focused()
    expect(search).to_have_value("Xã Thất Khê, Tỉnh Lạng Sơn")
    assert page.locator("input[name=commune]").input_value() == "06040"
    expect(page.locator("[data-commune-chosen]")).to_have_text(
        "Đã chọn: 06040 · Xã Thất Khê, Tỉnh Lạng Sơn"
    )
    expect(options).to_have_count(0)

    # Enter in the box takes the first result rather than submitting the form. Text after a
    # comma names the province (the tables may hold all 3,321 communes here).
    search.fill("")
    search.press_sequentially("tan tien, lang son")
    expect(options).to_have_count(1)
    search.press("Enter")
    assert page.url.endswith("/edit/")
    assert page.locator("input[name=commune]").input_value() == "06019"

    page.fill("#id_phone", "0205 3830 111")
    with page.expect_navigation():
        page.click("main form button[type=submit].primary")
    assert page.url == f"{live_server.url}/network/offices/{post_office.pk}/"
    assert page.locator(".messages").inner_text() == "Đã lưu thay đổi."
    post_office.refresh_from_db()
    assert (post_office.commune_id, post_office.phone) == ("06019", "0205 3830 111")
    assert Office.objects.get(pk=post_office.pk).path == f"/{root.pk}/{post_office.pk}/"
