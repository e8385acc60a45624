"""Browser journey of a payroll month (issue #5, item 10): a supervisor imports a file and
watches it run, keeps only the valid rows, checks the list; a manager approves it (four
eyes) and opens payment; a teller pays with the ID check and a double click pays once;
the manager closes the month and downloads the report for the paying agency."""

import io
import re
from pathlib import Path

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from . import places
from .conftest import DESKTOP_VIEWPORT, _new_page, totp_now

pytestmark = pytest.mark.e2e


def _network():

    commune = places.commune("99951", "Xã Thử Chi")
    root = places.office("240000", "Bưu điện tỉnh", commune, kind="provincial")
    office = places.office("245000", "Bưu cục Thử", commune, parent=root, postal_code="24500")
    places.office(
        "245001",
        "Điểm chi trả thôn Nà Làng",
        commune,
        kind="payout_point",
        parent=office,
        postal_code="24500",
    )
    return root, office


CSV = (
    "Mã số,Họ và tên,Ngày sinh,Giới tính,Số CCCD,Địa chỉ,Mã xã,Mã điểm chi trả,Số tiền,Truy lĩnh\r\n"
    'LS0001,Nguyễn Thị Hoa,04/03/1950,Nữ,020150001234,"Thôn Nà Làng, xã Thử Chi",99951,245001,'
    '"3.250.000","150.000"\r\n'
    "LS0002,Trần Văn Bình,01/01/1945,Nam,020045000002,Thôn Nà Làng,99951,245001,3.250.000,\r\n"
    'LS0003,Lê Văn Cường,01/01/1945,Nam,020045000003,Thôn Nà Làng,99951,245001,"3,5",\r\n'
).encode()


def _login_with_totp(page, login, user):
    login(page, user)
    page.fill("#id_token", totp_now(page.locator("#totp-secret").inner_text()))
    with page.expect_navigation():
        page.click("main form button[type=submit]")


def _run_queued_import():
    """The worker's part: run the oldest queued import (no worker runs in tests)."""
    from postops.payouts.models import ImportJob
    from postops.payouts.tasks import payroll_import_run

    job = ImportJob.objects.filter(status="pending").order_by("pk").first()
    payroll_import_run.call(job.pk)


def test_payroll_month(page, mobile_page, login, make_user, request, browser, live_server):
    from postops.payouts.models import Payout, PayrollPeriod, Programme

    Programme.objects.get_or_create(code="bhxh", defaults={"name": "Lương hưu"})
    root, office = _network()
    supervisor = make_user("supervisor", username="gs-nhap", offices=[root])
    manager = make_user("manager", username="ld-duyet", offices=[root])
    teller = make_user("teller", username="gdv-chi", offices=[office])
    page.on("dialog", lambda dialog: dialog.accept())
    month = timezone.localdate().strftime("%Y-%m")

    # 1. The supervisor uploads the agency's file; the page polls the job until it is done.
    _login_with_totp(page, login, supervisor)
    page.goto("/payouts/imports/new/")
    page.select_option("#id_programme", label=Programme.objects.get(code="bhxh").name)
    page.fill("#id_month", month)
    page.set_input_files(
        "#id_file", files=[{"name": "ds-thang.csv", "mimeType": "text/csv", "buffer": CSV}]
    )
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    status = page.locator("#job-status")
    expect(status).to_have_attribute("data-status", "pending")
    expect(status).to_have_attribute("hx-trigger", "every 1s")
    _run_queued_import()
    expect(status).to_have_attribute("data-status", "rejected")
    expect(page.locator(".import-errors tbody tr")).to_have_count(1)
    expect(page.locator(".import-errors tbody tr")).to_contain_text("money_decimal")
    expect(page.locator(".import-errors tbody tr td").first).to_have_text("4")

    # Only the valid rows, by the operator's choice.
    with page.expect_navigation():
        page.get_by_role("button", name="Chỉ nhập 2 dòng hợp lệ").click()
    _run_queued_import()
    expect(page.locator("#job-status")).to_have_attribute("data-status", "done")
    expect(page.locator("#job-status")).to_contain_text("Đã nhập 2 dòng hợp lệ; 1 dòng lỗi")

    # The supervisor checks the list and cannot approve what they imported.
    with page.expect_navigation():
        page.get_by_role("link", name="Kiểm tra kỳ chi trả").click()
    expect(page.locator("[data-summary=lines]")).to_have_text("2")
    expect(page.locator("[data-summary=total]")).to_have_text("6.650.000 ₫")
    with page.expect_navigation():
        page.click("button[data-action=checked]")
    expect(page.locator("#period-status")).to_have_text("Đã kiểm tra")
    expect(page.locator(".four-eyes")).to_contain_text("không được duyệt")
    expect(page.locator("button[data-action=approved]")).to_be_disabled()
    period_url = page.url

    # 2. A manager approves and opens payment.
    pages = _new_page(request, browser, live_server, viewport=DESKTOP_VIEWPORT)
    boss = next(pages)
    boss.on("dialog", lambda dialog: dialog.accept())
    _login_with_totp(boss, login, manager)
    boss.goto(period_url)
    with boss.expect_navigation():
        boss.click("button[data-action=approved]")
    expect(boss.locator("#period-status")).to_have_text("Đã duyệt")
    with boss.expect_navigation():
        boss.click("button[data-action=paying]")
    expect(boss.locator("#period-status")).to_have_text("Đang chi trả")
    # The point pays today (a point pays only on its scheduled days).
    from postops.network.models import Office
    from postops.payouts.models import PayoutSchedule

    PayoutSchedule.objects.create(
        period=PayrollPeriod.objects.get(programme__code="bhxh", status="paying"),
        point=Office.objects.get(code="245001"),
        first_day=timezone.localdate(),
        last_day=timezone.localdate(),
    )

    # 3. A teller on a phone pays Hoa: a wrong ID is refused, a double click pays once.
    phone = login(mobile_page, teller)
    phone.goto("/payouts/")
    phone.fill("input[name=q]", "nguyen thi hoa")
    result = phone.locator("#line-results a.payout-result")
    expect(result).to_have_count(1)
    expect(result).to_contain_text("3.400.000 ₫")
    result.click()
    phone.fill("input[name=id_document_number]", "020150009999")
    with phone.expect_navigation():
        phone.click("#pay-button")
    expect(phone.locator(".field.has-error")).to_contain_text("không khớp")
    phone.fill("input[name=id_document_number]", "020150001234")
    phone.dblclick("#pay-button")
    phone.wait_for_url("**/payouts/receipts/*/")
    year = timezone.localdate().year
    expect(phone.locator(".receipt-number")).to_contain_text(f"245001-{year}-000001")
    assert Payout.objects.count() == 1

    # Progress by point, as the manager sees it.
    boss.goto(f"{period_url}progress/")
    expect(boss.locator("[data-progress=people]")).to_have_text("1 / 2")

    # 4. Month end: close, then download the report for the paying agency.
    boss.goto(period_url)
    with boss.expect_navigation():
        boss.click("button[data-action=closed]")
    expect(boss.locator("#period-status")).to_have_text("Đã khóa sổ")
    with boss.expect_download() as info:
        boss.click("#report-xlsx")
    download = info.value
    assert re.fullmatch(rf"bao-cao-chi-tra-bhxh-{month}\.xlsx", download.suggested_filename)
    book = openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    paid = [row[1] for row in book["Đã chi"].iter_rows(min_row=2, values_only=True) if row[0]]
    unpaid = [row[1] for row in book["Chưa chi"].iter_rows(min_row=2, values_only=True) if row[0]]
    assert (paid, unpaid) == (["LS0001"], ["LS0002"])
    period = PayrollPeriod.objects.get(month__year=year, programme__code="bhxh", status="closed")
    assert period.approved_by == manager
    next(pages, None)  # close the manager's context and check its guard
