"""Browser journey: a teller on a phone finds a pensioner, checks the ID and pays once
(issue #5, items 6 and 10)."""

from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from . import places

pytestmark = pytest.mark.e2e


def _paying_line(make_user):
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
    today = timezone.localdate()
    period = PayrollPeriod.objects.create(
        programme=programme, month=today.replace(day=1), status="paying"
    )
    # A point pays only on its scheduled days: this one pays today.
    period.schedule.create(point=point, first_day=today, last_day=today)
    person = Beneficiary.objects.create(
        programme=programme,
        code="LS0001",
        full_name="Nguyễn Thị Hoa",
        date_of_birth=date(1950, 3, 4),
        sex="F",
        id_number="020150001234",
        commune=commune,
    )
    line = PayrollLine.objects.create(
        period=period, beneficiary=person, payout_point=point, amount=3_250_000, arrears=150_000
    )
    teller = make_user("teller", username="gdv-chi", offices=[office])
    return teller, line


def test_teller_pays_once_on_a_phone(mobile_page, login, make_user):
    from postops.payouts.models import Payout

    teller, line = _paying_line(make_user)
    page = login(mobile_page, teller)
    page.goto("/payouts/")
    page.fill("input[name=q]", "nguyen thi hoa")
    result = page.locator("#line-results a.payout-result")
    expect(result).to_have_count(1)
    expect(result).to_contain_text("3.400.000 ₫")
    result.click()
    expect(page.locator("h1")).to_have_text("Nguyễn Thị Hoa")

    # A wrong number is refused next to the field.
    page.fill("input[name=id_document_number]", "020150009999")
    with page.expect_navigation():
        page.click("#pay-button")
    expect(page.locator(".field.has-error")).to_contain_text("không khớp")

    # The right number, clicked twice: one payout, one receipt.
    page.fill("input[name=id_document_number]", "020150001234")
    page.dblclick("#pay-button")
    page.wait_for_url("**/payouts/receipts/*/")
    expect(page.locator(".receipt-number")).to_contain_text(
        f"245001-{timezone.localdate().year}-000001"
    )
    assert Payout.objects.filter(line=line).count() == 1

    # Back to the line: it shows the receipt, not a second payment form.
    page.goto(f"/payouts/lines/{line.pk}/")
    expect(page.locator(".receipt-number")).to_contain_text(
        f"245001-{timezone.localdate().year}-000001"
    )
