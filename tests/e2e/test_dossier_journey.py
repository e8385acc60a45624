"""Administrative dossiers (issue #4, item 13): a clerk takes a dossier in at the counter with
the keyboard (a missing document gives the guidance sheet), confirms the fees and gets the
Phiếu gửi; the dossiers are handed over; the agency officer confirms receipt in PostOps."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _setup(make_user):
    """Lạng Sơn, a post office, an agency with one procedure, dossier numbers and tariff.

    Created here: a browser test runs without a transaction and the tables are emptied.
    """
    from postops.core.text import fold
    from postops.dossiers import services
    from postops.dossiers.models import LegStandard, Procedure, ProcedureDocument
    from postops.items.models import NumberBlock, ServiceIndicator, TariffRate, TariffVersion
    from postops.network.models import Commune, Office, Province

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
    for code, name in [("05977", "Phường Đông Kinh"), ("06187", "Phường Kỳ Lừa")]:
        communes[code] = Commune.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "division_type": "phường",
                "codename": fold(name).replace(" ", "_"),
                "province": province,
                "search_name": fold(name),
            },
        )[0]
    office = Office.objects.create(
        code="240100",
        name="Bưu cục Đông Kinh",
        kind="post_office",
        commune=communes["05977"],
        postal_code="24000",
        street="Số 2 Lê Lợi",
    )
    office.path = f"/{office.pk}/"
    Office.objects.filter(pk=office.pk).update(path=office.path)
    rh = ServiceIndicator.objects.create(prefix="RH", service="dossier", name="Hồ sơ TTHC")
    NumberBlock.objects.create(
        office=office, indicator=rh, first_serial=1000, last_serial=1999, next_serial=1000
    )
    version = TariffVersion.objects.create(
        name="Bảng cước", effective_from=date(2025, 1, 1), vat_percent=10
    )
    TariffRate.objects.create(
        version=version, service="dossier", zone="same_province", max_weight_g=2000, price=25000
    )
    LegStandard.objects.get_or_create(
        zone="same_province", destination_province=None, defaults={"days": 2, "days_with_slip": 4}
    )
    centre = services.agency_create(
        None,
        code="TTHCC",
        name="Trung tâm Phục vụ hành chính công tỉnh Lạng Sơn",
        kind="service_centre",
        commune=communes["06187"],
        street="Số 1 Hùng Vương",
    )
    proc = Procedure.objects.create(
        code="1.001234",
        name="Cấp Phiếu lý lịch tư pháp",
        agency=centre,
        level="province",
        processing_days=10,
        agency_fee=200000,
        search_name=fold("1.001234 Cấp Phiếu lý lịch tư pháp"),
    )
    ProcedureDocument.objects.create(
        procedure=proc, position=1, name="Tờ khai yêu cầu cấp Phiếu", kind="original"
    )
    ProcedureDocument.objects.create(procedure=proc, position=2, name="Thẻ căn cước", kind="copy")
    clerk = make_user("clerk", username="gdv-dongkinh", offices=[office])
    officer = make_user("agency", username="cb-tthcc")
    services.agency_officer_set(None, officer, centre)
    return clerk, officer


def test_counter_intake_handover_and_agency_confirmation(page, login, make_user, live_server):
    from postops.dossiers.models import Dossier, Handover

    clerk, officer = _setup(make_user)
    # The incomplete dossier is answered 422 on purpose (the form with its errors).
    page.guard.allow_console(r"status of 422 \(Unprocessable Content\)")
    login(page, clerk)
    with page.expect_navigation():
        page.locator("body").press("Alt+KeyD")
    expect(page.locator("h1")).to_have_text("Nhận hồ sơ hành chính")
    search = page.locator("#id_q")
    expect(search).to_be_focused()
    search.press_sequentially("ly lich tu phap")
    pick = page.locator("#intake-results a.intake-pick")
    expect(pick).to_have_count(1)
    with page.expect_navigation():
        pick.click()
    expect(page.locator("h1")).to_have_text("Cấp Phiếu lý lịch tư pháp")

    # Only the first document was brought: the form blocks and offers the guidance sheet.
    boxes = page.locator(".doc-checklist input[type=checkbox]")
    boxes.nth(0).focus()
    page.keyboard.press("Space")
    page.fill("#id_seal_number", "NP-000123")
    page.fill("#id_applicant_name", "Nguyễn Thị Hoa")
    page.fill("#id_applicant_id_number", "020190012345")
    page.fill("#id_applicant_phone", "0912 345 678")
    page.locator("#id_applicant_commune").press_sequentially("dong kinh, lang son")
    expect(page.locator("#id_applicant_commune_results button.commune-option")).to_have_count(1)
    page.locator("#id_applicant_commune").press("Enter")
    expect(page.locator("#id_applicant_commune")).to_have_value("Phường Đông Kinh, Tỉnh Lạng Sơn")
    page.fill("#id_applicant_street", "Số 5 Lê Lợi")
    with page.expect_navigation():
        page.click("#intake-review")
    expect(page.locator("#documents-missing")).to_be_visible()
    guidance = page.locator("#guidance-link").get_attribute("href")
    sheet = page.request.get(f"{live_server.url}{guidance}")
    assert sheet.status == 200 and sheet.body().startswith(b"%PDF-")
    assert not Dossier.objects.exists()

    # The citizen comes back with the copy: tick it, review the fees, confirm (twice).
    page.locator(".doc-checklist input[type=checkbox]").nth(1).check()
    expect(page.locator("#id_applicant_name")).to_have_value("Nguyễn Thị Hoa")
    with page.expect_navigation():
        page.click("#intake-review")
    expect(page.locator("#fee-total")).to_have_text("250.000 ₫")
    expect(page.locator("#intake-confirm")).to_be_focused()
    with page.expect_navigation():
        page.locator("#intake-confirm").dblclick()
    expect(page).to_have_url(re.compile(r"/dossiers/\d+/$"))
    dossier = Dossier.objects.get()
    expect(page.locator("#dossier-code")).to_have_text(dossier.code)
    expect(page.locator("#item-number")).to_have_text(dossier.outbound_item.number)
    receipt = page.request.get(f"{live_server.url}/dossiers/{dossier.pk}/phieu-gui.pdf")
    assert receipt.status == 200 and receipt.body().startswith(b"%PDF-")

    # The handover record for the agency.
    page.goto("/dossiers/handovers/")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click("#pending button[type=submit]")
    handover = Handover.objects.get()
    expect(page.locator("#handover-code")).to_have_text(handover.code)

    # The agency officer signs and confirms in PostOps.
    page.context.clear_cookies()
    login(page, officer)
    with page.expect_navigation():
        page.locator("body").press("Alt+KeyX")
    with page.expect_navigation():
        page.click(f"text={handover.code}")
    appointment = timezone.localdate() + timedelta(days=14)
    page.fill(f"#id_appt_{dossier.pk}", appointment.isoformat())
    with page.expect_navigation():
        page.click("#confirm-button")
    expect(page.locator("#handover-status")).to_have_text("Cơ quan đã ký nhận")
    dossier.refresh_from_db()
    assert (dossier.status, dossier.appointment_date) == ("filed", appointment)
    assert dossier.filed_at is not None
