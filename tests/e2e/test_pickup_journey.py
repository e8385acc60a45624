"""Home pickup (issue #4, item 4): a citizen files a request on the public form, the
supervisor assigns it to a postman, the postman does the intake at the door on a phone and
gets the Phiếu gửi."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from . import places
from .conftest import totp_now

pytestmark = pytest.mark.e2e


def _setup(make_user):
    """Lạng Sơn, a post office, an agency with one procedure, dossier numbers and tariff.
    Created here: a browser test runs without a transaction and the tables are emptied."""
    from postops.core.text import fold
    from postops.dossiers import services
    from postops.dossiers.models import LegStandard, Procedure, ProcedureDocument
    from postops.items.models import NumberBlock, ServiceIndicator, TariffRate, TariffVersion

    dong_kinh = places.commune("05977", "Phường Đông Kinh")
    ky_lua = places.commune("06187", "Phường Kỳ Lừa")
    office = places.office("240100", "Bưu cục Đông Kinh", dong_kinh)
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
        commune=ky_lua,
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
    supervisor = make_user("supervisor", username="tbc-dongkinh", offices=[office])
    postman = make_user(
        "postman", username="bt-dongkinh", offices=[office], full_name="Hoàng Văn Bưu"
    )
    return supervisor, postman


def test_citizen_request_assigned_and_collected_at_the_door(
    page, mobile_page, login, make_user, live_server
):
    from django.utils import timezone

    from postops.dossiers.models import Dossier
    from postops.pickups.models import PickupRequest

    supervisor, postman = _setup(make_user)

    # The citizen, on a phone, without an account.
    citizen = mobile_page
    citizen.goto("/thu-gom/")
    expect(citizen.locator("h1")).to_have_text("Yêu cầu thu gom hồ sơ tại nhà")
    citizen.fill("#id_name", "Lương Thị Mai")
    citizen.fill("#id_phone", "0912 345 678")
    citizen.locator("#id_commune").press_sequentially("dong kinh, lang son")
    expect(citizen.locator("#id_commune_results button.commune-option")).to_have_count(1)
    citizen.locator("#id_commune").press("Enter")
    expect(citizen.locator("#id_commune")).to_have_value("Phường Đông Kinh, Tỉnh Lạng Sơn")
    citizen.fill("#id_street", "Thôn Nà Pàn")
    citizen.locator("#id_procedure_q").press_sequentially("ly lich tu phap")
    option = citizen.locator("#procedure-options input[name=procedure]")
    expect(option).to_have_count(1)
    option.check()
    with citizen.expect_navigation():
        citizen.click("#pickup-submit")
    pickup = PickupRequest.objects.get()
    expect(citizen.locator("#pickup-code")).to_have_text(pickup.code)
    expect(citizen.locator("#pickup-status-text")).to_have_text("Đã tiếp nhận yêu cầu")
    expect(citizen.locator("#pickup-status")).to_contain_text("091****678")
    # The day of the visit comes (the citizen chose the next working day).
    PickupRequest.objects.filter(pk=pickup.pk).update(preferred_date=timezone.localdate())

    # The supervisor assigns it to the office's postman.
    login(page, supervisor)
    page.fill("#id_token", totp_now(page.locator("#totp-secret").inner_text()))
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    page.goto("/pickups/")
    with page.expect_navigation():
        page.click(f"text={pickup.code}")
    page.select_option("#id_postman", str(postman.pk))
    with page.expect_navigation():
        page.click("#assign-submit")
    expect(page.locator("#pickup-status-text")).to_have_text("Đã giao bưu tá")

    # The postman, on the phone, at the door.
    phone = mobile_page
    phone.context.clear_cookies()
    login(phone, postman)
    phone.goto("/pickups/mine/")
    card = phone.locator(f"#pickup-mine li[data-code='{pickup.code}']")
    expect(card).to_contain_text("Lương Thị Mai")
    with phone.expect_navigation():
        card.locator("a.button").click()
    expect(phone.locator("#id_applicant_name")).to_have_value("Lương Thị Mai")
    expect(phone.locator("#id_applicant_commune")).to_have_value("Phường Đông Kinh, Tỉnh Lạng Sơn")
    boxes = phone.locator(".doc-checklist input[type=checkbox]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    phone.fill("#id_seal_number", "NP-000777")
    phone.fill("#id_applicant_id_number", "020190012345")
    with phone.expect_navigation():
        phone.click("#intake-review")
    expect(phone.locator("#fee-total")).to_have_text("250.000 ₫")
    with phone.expect_navigation():
        phone.click("#intake-confirm")
    expect(phone).to_have_url(re.compile(rf"/pickups/{pickup.pk}/$"))
    dossier = Dossier.objects.get()
    assert dossier.channel == "pickup"
    expect(phone.locator("#pickup-status-text")).to_have_text("Đã thu gom hồ sơ")
    expect(phone.locator("#pickup-item")).to_have_text(dossier.outbound_item.number)
    link = phone.locator("#receipt-link")
    expect(link).to_have_attribute("href", f"/dossiers/{dossier.pk}/phieu-gui.pdf")
    receipt = phone.request.get(f"{live_server.url}/dossiers/{dossier.pk}/phieu-gui.pdf")
    assert receipt.status == 200 and receipt.body().startswith(b"%PDF-")
