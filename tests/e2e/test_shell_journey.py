"""Browser journeys through the UI shell (issue #2, items 8 and 13)."""

import pytest
from playwright.sync_api import expect

from .conftest import totp_now

pytestmark = pytest.mark.e2e


def _lang_son_offices(make_user):
    """A small real-looking tree in Lạng Sơn: province → post office → BĐVHX.

    Province and communes are created when missing: the data migration loads them, but a
    browser test runs in a transaction-less test case that empties the tables afterwards.
    """
    from postops.network.models import Commune, Province
    from postops.network.services import office_create

    province, _ = Province.objects.get_or_create(
        code="20",
        defaults={
            "name": "Lạng Sơn",
            "division_type": "tỉnh",
            "codename": "lang_son",
            "search_name": "lang son",
        },
    )

    def commune(code, name, kind, codename):
        return Commune.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "division_type": kind,
                "codename": codename,
                "province": province,
                "search_name": codename.split("_", 1)[1].replace("_", " "),
            },
        )[0]

    dong_kinh = commune("05977", "Phường Đông Kinh", "phường", "phuong_dong_kinh")
    tan_tien = commune("06019", "Xã Tân Tiến", "xã", "xa_tan_tien")
    admin = make_user("admin", username="qt-tinh", is_superuser=True)
    root = office_create(
        actor=admin,
        code="BDT20",
        name="Bưu điện tỉnh Lạng Sơn",
        kind="provincial",
        commune=dong_kinh,
        postal_code="24000",
    )
    post_office = office_create(
        actor=admin,
        code="240000",
        name="Bưu cục Trung tâm Lạng Sơn",
        kind="post_office",
        commune=dong_kinh,
        postal_code="24000",
        parent=root,
    )
    office_create(
        actor=admin,
        code="VHX-06019",
        name="Điểm BĐVHX Tân Tiến",
        kind="bdvhx",
        commune=tan_tien,
        postal_code="24100",
        parent=post_office,
    )
    return root


def test_clerk_logs_in_switches_language_browses_offices_and_logs_out(
    page, login, make_user, live_server
):
    root = _lang_son_offices(make_user)
    clerk = make_user("clerk", username="gdv-lan", full_name="Trần Thị Lan", offices=[root])

    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator("#landing-login").inner_text() == "Đăng nhập dành cho nhân viên"

    login(page, clerk)
    assert page.url == f"{live_server.url}/"
    assert page.locator("body").get_attribute("class") == "layout-counter"
    assert page.locator("h1").inner_text() == "Xin chào, Trần Thị Lan"
    assert page.locator("#start-links-title").inner_text() == "Chức năng của bạn"
    assert page.locator("#start-offices strong").inner_text() == "Mạng lưới bưu cục"

    with page.expect_navigation():
        page.click("#lang-en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#start-links-title").inner_text() == "Your tools"
    assert page.locator("#start-offices strong").inner_text() == "Post office network"

    with page.expect_navigation():
        page.click("#lang-vi")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator("#start-links-title").inner_text() == "Chức năng của bạn"

    with page.expect_navigation():
        page.click("#start-offices")
    assert page.url == f"{live_server.url}/network/offices/"
    assert page.locator("h1").inner_text() == "Mạng lưới bưu cục"
    names = page.locator("#office-rows tbody td.tree-name")
    assert names.all_inner_texts() == [
        "Bưu điện tỉnh Lạng Sơn",
        "Bưu cục Trung tâm Lạng Sơn",
        "Điểm BĐVHX Tân Tiến",
    ]

    # The filter is htmx (no page load): "/" focuses it, typing narrows the tree.
    page.locator("body").press("/")
    expect(page.locator("#office-q")).to_be_focused()
    page.keyboard.type("tan tien")
    expect(names).to_have_count(1)
    assert names.all_inner_texts() == ["Điểm BĐVHX Tân Tiến"]

    page.click(".account-menu summary")
    with page.expect_navigation():
        page.click("#logout")
    assert "/accounts/login/" in page.url
    assert page.locator("#who").count() == 0


def test_supervisor_must_set_up_totp_before_the_start_page(page, login, make_user, live_server):
    supervisor = make_user("supervisor", username="truong-bc", full_name="Lê Văn Hùng")

    login(page, supervisor)
    assert "/accounts/2fa/setup/" in page.url
    assert page.locator("h1").inner_text() == "Bật xác thực hai lớp"
    secret = page.locator("#totp-secret").inner_text()

    page.fill("#id_token", totp_now(secret))
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.url == f"{live_server.url}/"
    assert page.locator("h1").inner_text() == "Xin chào, Lê Văn Hùng"
    assert page.locator(".messages").inner_text() == "Đã bật xác thực hai lớp."


def test_mobile_layout_has_touch_targets_of_at_least_48px(mobile_page, login, make_user):
    postman = make_user("postman", username="buuta-minh", full_name="Phạm Văn Minh")

    login(mobile_page, postman)
    assert mobile_page.locator("body").get_attribute("class") == "layout-mobile"
    assert mobile_page.locator(".action-bar").is_visible()

    targets = mobile_page.locator(
        "a:visible, button:visible, input:not([type=hidden]):visible, select:visible,"
        " summary:visible"
    )
    sizes = {}
    for i in range(targets.count()):
        target = targets.nth(i)
        box = target.bounding_box()
        label = target.inner_text().strip() or target.get_attribute("id") or f"#{i}"
        sizes[label] = (round(box["width"]), round(box["height"]))
    small = {k: v for k, v in sizes.items() if v[0] < 48 or v[1] < 48}
    assert len(sizes) >= 4
    assert small == {}

    # The bottom bar stays within the phone's viewport, at its foot.
    bar = mobile_page.locator(".action-bar").bounding_box()
    assert bar["y"] + bar["height"] == 740
    assert bar["width"] == 360
