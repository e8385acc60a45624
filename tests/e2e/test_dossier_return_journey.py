"""A result goes back to the citizen (issue #4, items 7 and 13): the postman collects it at
the agency by scanning on the phone, delivers it to a proxy who shows a written
authorisation and their ID, and public tracking shows the dossier delivered."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from . import places
from .test_delivery_journey import _sign

pytestmark = pytest.mark.e2e


def _result_ready(make_user):
    """An agency, a procedure, a dossier the agency registered whose result is ready, and
    the post office's staff. Created here: browser tests run on an emptied database."""
    from postops.dossiers import services
    from postops.dossiers.models import Procedure
    from postops.items.models import NumberBlock, ServiceIndicator

    ward = places.commune("05977", "Phường Đông Kinh")
    root = places.office("240000", "Bưu điện tỉnh Lạng Sơn", ward, kind="provincial")
    office = places.office("240100", "Bưu cục Đông Kinh", ward, parent=root)
    indicator, _ = ServiceIndicator.objects.get_or_create(
        prefix="RH", defaults={"service": "dossier"}
    )
    NumberBlock.objects.create(
        office=office, indicator=indicator, first_serial=1000, last_serial=1999, next_serial=1000
    )
    centre = services.agency_create(
        None,
        code="TTHCC",
        name="Trung tâm Phục vụ hành chính công tỉnh Lạng Sơn",
        kind="service_centre",
        commune=ward,
        street="Số 1 Hùng Vương",
    )
    procedure = Procedure.objects.create(
        code="1.001234",
        name="Cấp Phiếu lý lịch tư pháp",
        agency=centre,
        level="province",
        processing_days=10,
        search_name="cap phieu ly lich tu phap",
    )
    filed = timezone.now() - timedelta(days=7)
    dossier = services.dossier_register(
        None,
        agency=centre,
        agency_number=f"TTHCC-{timezone.localdate(filed):%y%m%d}-0007",
        procedure_code=procedure.code,
        applicant={
            "name": "Nguyễn Thị Hoa",
            "id_number": "020190012345",
            "phone": "0912345678",
        },
        delivery_address={"commune_code": ward.code, "street": "Số 5 Lê Lợi"},
        filed_at=filed,
    ).dossier
    services.dossier_result_ready(None, dossier, ready_on=timezone.localdate() - timedelta(days=1))
    supervisor = make_user("supervisor", offices=[office], full_name="Lê Văn Giám")
    postman = make_user("postman", username="buuta-hoa", offices=[office], full_name="Phạm Văn Bưu")
    return office, centre, dossier, supervisor, postman


def test_result_collected_delivered_to_a_proxy_and_tracked(
    mobile_page, login, make_user, settings, tmp_path
):
    from postops.delivery.services import run_sheet_assign
    from postops.dossiers.models import Dossier

    settings.MEDIA_ROOT = tmp_path / "media"
    office, centre, dossier, supervisor, postman = _result_ready(make_user)
    page = login(mobile_page, postman)
    # A wrong scan answers 422 with the error next to the field (on purpose below).
    page.guard.allow_console(r"status of 422 \(Unprocessable Content\)")

    # At the agency: open a collection record and scan the agency's dossier number.
    page.goto("/dossiers/results/collect/")
    page.select_option("#id_office", str(office.pk))
    page.select_option("#id_agency", str(centre.pk))
    page.click("#collection-open")
    expect(page.locator("#collection-code")).to_contain_text("NK-")
    page.fill("#id_code", "HS-000000-00000")
    page.click("#collect-submit")
    expect(page.locator("#collect-form .errorlist")).to_have_text(
        "Không tìm thấy hồ sơ của cơ quan này với số phiếu/số hồ sơ đã nhập."
    )
    page.fill("#id_code", dossier.agency_number.lower())
    page.click("#collect-submit")
    row = page.locator(f'#collected tr[data-code="{dossier.code}"]')
    expect(row).to_be_visible()
    dossier.refresh_from_db()
    item = dossier.return_item
    assert dossier.status == "result_collected"
    expect(row).to_contain_text(item.number)
    # Scanning it again changes nothing.
    page.fill("#id_code", dossier.code)
    page.click("#collect-submit")
    expect(page.locator("#collected tbody tr")).to_have_count(1)

    # Back at the office the supervisor puts the result on the postman's round.
    run_sheet_assign(actor=supervisor, office=office, postman=postman, numbers=[item.number])

    # At the door: the citizen's husband takes it with a written authorisation.
    page.goto("/delivery/")
    page.fill("#scan-input", item.number)
    page.press("#scan-input", "Enter")
    expect(page.locator("#item-dialog")).to_be_visible()
    expect(page.locator(".proxy-only")).to_be_hidden()
    page.check("input[name=relation][value=family]")
    expect(page.locator(".proxy-only")).to_be_visible()
    page.fill("#f-recipient", "Trần Văn Nam")
    page.fill("#f-id-number", "020 090 012 345")
    _sign(page)
    page.click("#deliver-form button[type=submit]")
    expect(page.locator("#deliver-form .errorlist")).to_have_text(
        ["Người nhận thay phải xuất trình giấy ủy quyền: nhập số và ngày giấy ủy quyền."]
    )
    page.fill("#f-auth-number", "15/UQ-2026")
    page.fill("#f-auth-date", (timezone.localdate() - timedelta(days=3)).isoformat())
    page.click("#deliver-form button[type=submit]")
    expect(page.locator("#item-dialog")).to_be_hidden()
    outbox = page.locator("#outbox-list .outbox-item")
    expect(outbox.first.locator(".outbox-state")).to_have_text("Đã ghi nhận", timeout=15_000)

    dossier = Dossier.objects.get(pk=dossier.pk)
    assert (dossier.status, dossier.recipient_relation, dossier.authorisation_number) == (
        "delivered",
        "family",
        "15/UQ-2026",
    )

    # Anyone can follow the dossier by its code: milestones, no personal data.
    page.goto(f"/tra-cuu/?numbers={dossier.code}")
    card = page.locator(f'[data-dossier="{dossier.code}"]')
    expect(card.locator(".dossier-status")).to_have_text("Đã trả kết quả cho người dân")
    expect(card.locator('tr[data-status="delivered"]')).to_be_visible()
    html = page.content()
    for secret in ("Nguyễn Thị Hoa", "020190012345", "0912345678", "Trần Văn Nam"):
        assert secret not in html
