"""Browser journey: a postman pays a pension at the beneficiary's home, offline, with the ID
checked on the phone; the payment is sent when the network returns (issue #5, item 7)."""

from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from . import places

pytestmark = pytest.mark.e2e


def _home_line(make_user):
    from postops.delivery.services import home_payout_assign
    from postops.payouts.models import Beneficiary, PayrollLine, PayrollPeriod, Programme

    commune = places.commune("99951", "Xã Thử Chi")
    office = places.office("245000", "Bưu cục Thử", commune, postal_code="24500")
    point = places.office(
        "245001",
        "Điểm chi trả thôn Nà Làng",
        commune,
        kind="payout_point",
        parent=office,
        postal_code="24500",
    )
    programme, _ = Programme.objects.get_or_create(code="bhxh", defaults={"name": "Lương hưu"})
    period = PayrollPeriod.objects.create(
        programme=programme, month=timezone.localdate().replace(day=1), status="paying"
    )
    # The point pays today (home payouts follow their point's schedule).
    period.schedule.create(
        point=point, first_day=timezone.localdate(), last_day=timezone.localdate()
    )
    person = Beneficiary.objects.create(
        programme=programme,
        code="LS0001",
        full_name="Nguyễn Thị Hoa",
        date_of_birth=date(1940, 3, 4),
        sex="F",
        id_number="020140001234",
        village="Thôn Nà Làng",
        commune=commune,
    )
    line = PayrollLine.objects.create(
        period=period, beneficiary=person, payout_point=point, amount=3_250_000, home_payout=True
    )
    supervisor = make_user("supervisor", offices=[office])
    postman = make_user("postman", username="buuta-chi", offices=[office])
    home_payout_assign(actor=supervisor, line_ids=[line.pk], staff=postman)
    return postman, line


def test_a_postman_pays_at_home_offline(mobile_page, login, make_user):
    from postops.payouts.models import Payout

    postman, line = _home_line(make_user)
    page = login(mobile_page, postman)
    page.goto("/delivery/home-payouts/mine/")
    form = page.locator(f'.home-pay-form[data-line="{line.pk}"]')
    expect(form).to_contain_text("Nguyễn Thị Hoa")
    expect(form).to_contain_text("3.250.000 ₫")
    expect(form).to_contain_text("020*******34")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")

    # A sync attempt that fires while offline fails on purpose; Chromium logs it.
    page.guard.allow_console(r"net::ERR_INTERNET_DISCONNECTED")
    page.context.set_offline(True)
    expect(page.locator("#net-status")).to_have_attribute("data-state", "offline")
    # A wrong card is refused on the phone, before any cash changes hands.
    form.locator("input[name=id_document_number]").fill("020140009999")
    form.locator("button[type=submit]").click()
    expect(form.locator(".errorlist")).to_have_text("Giấy tờ không khớp với hồ sơ: không chi.")
    form.locator("input[name=id_document_number]").fill("020 140 001 234")
    form.locator("button[type=submit]").click()
    expect(form.locator("[data-sync-badge]")).to_have_text("Đã chi · Chờ gửi")
    expect(form.locator("button[type=submit]")).to_be_disabled()
    assert Payout.objects.count() == 0

    page.context.set_offline(False)
    expect(form.locator("[data-sync-badge]")).to_have_text("Đã chi · Đã ghi nhận", timeout=15_000)
    payout = Payout.objects.get(line=line)
    assert (payout.teller, payout.amount, payout.receiver) == (postman, 3_250_000, "self")
    page.reload()
    expect(form).to_contain_text("Đã chi")
