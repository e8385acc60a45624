"""Notifications outbox (issue #4, item 9): a supervisor finds a notice the SMS gateway kept
refusing, sees the recipient masked, and sends it again."""

import pytest
from playwright.sync_api import expect

from . import places
from .conftest import totp_now

pytestmark = pytest.mark.e2e


def _setup(make_user):
    from django.utils import timezone

    from postops.notify.models import Message

    dong_kinh = places.commune("05977", "Phường Đông Kinh")
    root = places.office("240000", "Bưu điện tỉnh Lạng Sơn", dong_kinh, kind="provincial")
    office = places.office("240100", "Bưu cục Đông Kinh", dong_kinh, parent=root)
    supervisor = make_user("supervisor", username="gs-dongkinh", offices=[office])
    common = {
        "channel": "sms",
        "recipient": "0912 345 678",
        "template_key": "dossier_filed",
        "office": office,
        "source_type": "dossiers.dossier",
    }
    Message.objects.create(
        **common,
        dedupe_key="dossier:1:filed:phone",
        source_id="1",
        source_label="HS-261123-0001",
        context={"dossier": "HS-261123-0001"},
        status="sent",
        attempts=1,
        sent_at=timezone.now(),
    )
    dead = Message.objects.create(
        **common,
        dedupe_key="dossier:2:filed:phone",
        source_id="2",
        source_label="HS-261123-0002",
        context={"dossier": "HS-261123-0002"},
        status="dead",
        attempts=8,
        last_error="HTTP 503",
    )
    return supervisor, dead


def test_a_supervisor_sends_a_dead_notice_again(page, login, make_user):
    from postops.notify.models import Message

    supervisor, dead = _setup(make_user)
    login(page, supervisor)
    page.fill("#id_token", totp_now(page.locator("#totp-secret").inner_text()))
    with page.expect_navigation():
        page.click("main form button[type=submit]")

    with page.expect_navigation():
        page.get_by_role("link", name="Thông báo gửi đi").first.click()
    table = page.locator("#outbox-table")
    expect(table).to_contain_text("HS-261123-0001")
    expect(table).to_contain_text("091*****78")
    expect(table).not_to_contain_text("0912 345 678")

    page.select_option("#id_status", "dead")
    with page.expect_navigation():
        page.locator("main form.form-inline button[type=submit]").click()
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("HTTP 503")
    with page.expect_navigation():
        table.get_by_role("button", name="Gửi lại").click()
    expect(page.locator("main")).to_contain_text(f"Đã đưa thông báo {dead.pk} vào hàng gửi lại.")
    assert page.url.endswith("/notify/?status=dead")
    dead.refresh_from_db()
    assert (dead.status, dead.attempts) == ("pending", 0)
    assert Message.objects.filter(status="dead").count() == 0
