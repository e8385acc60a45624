"""Complaints and the provincial report (issue #4, item 11): a citizen files a complaint on
the public site and gets a code; a complaints officer answers it (upheld, item lost); the
citizen sees the answer with the code; a manager downloads the quarterly report (XLSX, PDF)."""

import io
from datetime import datetime, time
from pathlib import Path

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from . import places
from .conftest import DESKTOP_VIEWPORT, _new_page, totp_now

pytestmark = pytest.mark.e2e


def _setup(make_user):
    from postops.core import s10
    from postops.items.models import Item, ItemState

    ward = places.commune("05977", "Phường Đông Kinh")
    root = places.office("240000", "Bưu điện tỉnh Lạng Sơn", ward, kind="provincial")
    office = places.office("240100", "Bưu cục Đông Kinh", ward, parent=root)
    today = timezone.localdate()
    item = Item.objects.create(
        number=s10.build("EB", 12596688),
        service="ems",
        sender_name="Công ty Hoa Mai",
        receiver_name="Trần Thị Bình",
        weight_g=800,
        fee=45_000,
        origin_office=office,
        accepted_at=timezone.make_aware(datetime.combine(today, time(8))),
        promised_date=today,
    )
    ItemState.objects.create(item=item, status="accepted", last_office=office)
    officer = make_user("complaints", username="kn-officer", offices=[root])
    manager = make_user("manager", username="ld-baocao", offices=[root])
    return item, officer, manager


def test_complaint_answer_and_quarterly_report(
    page, login, make_user, request, browser, live_server
):
    from postops.complaints.models import Complaint

    item, officer, manager = _setup(make_user)

    # 1. A citizen files a complaint, without logging in; a missing name is shown in place.
    page.goto("/khieu-nai/")
    page.fill("#id_number", item.number.lower())
    page.select_option("#id_kind", "loss")
    page.fill("#id_complainant_phone", "0912 345 678")
    page.fill("#id_description", "Đã quá ngày phát mà chưa nhận được.")
    page.guard.allow_console(r"status of 400 \(Bad Request\)")
    with page.expect_navigation():
        page.click("#complaint-submit")
    expect(page.locator("[data-field=complainant_name] .errorlist")).to_contain_text(
        "Vui lòng nhập thông tin này."
    )
    page.fill("#id_complainant_name", "Phạm Thị Dung")
    with page.expect_navigation():
        page.click("#complaint-submit")
    code = page.locator("#complaint-code").inner_text()
    complaint = Complaint.objects.get()
    assert code == complaint.code
    expect(page.locator("#complaint-status-text")).to_have_text("Đã tiếp nhận")
    expect(page.locator("main")).not_to_contain_text("Phạm Thị Dung")
    status_url = page.url

    # 2. The complaints officer finds it in the worklist and answers: upheld, lost.
    pages = _new_page(request, browser, live_server, viewport=DESKTOP_VIEWPORT)
    desk = next(pages)
    login(desk, officer)
    desk.goto("/complaints/")
    with desk.expect_navigation():
        desk.click(f"#complaints a:text('{code}')")
    expect(desk.locator("#complaint-facts")).to_contain_text("Phạm Thị Dung")
    desk.check("#id_outcome_0")
    desk.fill("#id_answer_text", "Bưu gửi thất lạc; bưu điện bồi thường theo quy định.")
    desk.check("#id_lost")
    with desk.expect_navigation():
        desk.click("#answer-submit")
    expect(desk.locator("#complaint-status")).to_contain_text("Đã trả lời")
    expect(desk.locator("#suggestion")).to_contain_text("180000 đồng")
    next(pages, None)

    # 3. The citizen sees the answer with the code.
    page.goto(status_url)
    expect(page.locator("#complaint-status-text")).to_have_text("Đã trả lời")
    expect(page.locator("#complaint-status")).to_contain_text("Khiếu nại đúng")

    # 4. A manager (with two-factor) downloads this quarter's report.
    pages = _new_page(request, browser, live_server, viewport=DESKTOP_VIEWPORT)
    boss = next(pages)
    login(boss, manager)
    boss.fill("#id_token", totp_now(boss.locator("#totp-secret").inner_text()))
    with boss.expect_navigation():
        boss.click("main form button[type=submit]")
    today = timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    boss.goto("/reports/")
    boss.select_option("#id_period", f"quarter-{quarter}")
    boss.fill("#id_year", str(today.year))
    with boss.expect_navigation():
        boss.click("#report-show")
    expect(boss.locator("#report-due")).to_contain_text("Hạn gửi báo cáo: trước ngày")
    expect(boss.locator("#report-rows")).to_contain_text("Khiếu nại tiếp nhận")
    with boss.expect_download() as info:
        boss.click("#download-xlsx")
    download = info.value
    assert download.suggested_filename == f"bao-cao-{today.year}-Q{quarter}.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    cells = {row[1]: row[2] for row in book.active.iter_rows(min_row=7, values_only=True)}
    assert cells["Khiếu nại tiếp nhận"] == 1
    assert cells["Khiếu nại đúng"] == 1
    assert cells["Bưu gửi bị mất"] == 1
    assert cells["Tổng doanh thu"] == 45_000
    with boss.expect_download() as info:
        boss.click("#download-pdf")
    text = "\n".join(
        p.extract_text() for p in PdfReader(io.BytesIO(Path(info.value.path()).read_bytes())).pages
    )
    assert "Khiếu nại tiếp nhận" in text and "45.000 ₫" in text
    next(pages, None)
