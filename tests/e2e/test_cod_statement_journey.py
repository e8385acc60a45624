"""COD money to the sender (issue #3, item 12): a supervisor builds the sender's remittance
statement from the cash handed over, records the bank transfer and reconciles it with the
bank statement."""

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from . import places
from .conftest import totp_now

pytestmark = pytest.mark.e2e

T0 = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


def _setup(make_user):
    """Two COD items of one shop delivered at Kỳ Lừa, their cash collected by the postman
    and handed over at the end of the day. Created here: the tables are emptied after."""
    from postops.cod import services as cod
    from postops.items.models import NumberBlock, ServiceIndicator
    from postops.items.services import event_record, item_accept

    dong_kinh = places.commune("05977", "Phường Đông Kinh")
    ky_lua = places.commune("06187", "Phường Kỳ Lừa")
    root = places.office("240000", "Bưu điện tỉnh Lạng Sơn", dong_kinh, kind="provincial")
    origin = places.office("240100", "Bưu cục Đông Kinh", dong_kinh, parent=root)
    delivery = places.office("240200", "Bưu cục Kỳ Lừa", ky_lua, parent=root)
    eb, _ = ServiceIndicator.objects.get_or_create(prefix="EB", defaults={"service": "ems"})
    NumberBlock.objects.create(
        office=origin,
        indicator=eb,
        first_serial=12596688,
        last_serial=12596700,
        next_serial=12596688,
    )
    postman = make_user("postman", username="bt-kylua", offices=[delivery])
    supervisor = make_user("supervisor", username="gs-kylua", offices=[delivery, origin])
    items = []
    for n, amount in enumerate((350_000, 1_250_000)):
        item = item_accept(
            actor=None,
            office=origin,
            prefix="EB",
            sender_name="Cửa hàng Hoa Mai",
            sender_phone="0912345678",
            receiver_name=f"Người nhận {n}",
            receiver_address={"commune_code": "06187", "street": f"{n} Lê Lợi"},
            weight_g=500,
            fee=42_000,
            cod_amount=amount,
            accepted_at=T0,
        ).item
        event_record(
            actor=None,
            item=item,
            code="delivery_office_arrival",
            office=delivery,
            occurred_at=T0 + timedelta(hours=1),
        )
        cod.cod_collection_record(item, amount, postman, T0 + timedelta(hours=2), uuid.uuid4())
        items.append(item)
    cod.cod_handover_confirm(
        actor=supervisor,
        office=delivery,
        postman=postman,
        reference="HO-1",
        counted_amount=1_600_000,
    )
    return items, supervisor


def test_a_supervisor_pays_a_sender_and_reconciles_the_statement(page, login, make_user):
    from postops.cod.models import RemittanceBatch

    items, supervisor = _setup(make_user)
    login(page, supervisor)
    page.fill("#id_token", totp_now(page.locator("#totp-secret").inner_text()))
    with page.expect_navigation():
        page.click("main form button[type=submit]")

    page.goto("/cod/senders/")
    expect(page.locator("main")).to_contain_text("1.600.000")
    with page.expect_navigation():
        page.locator("main table a", has_text=re.compile(r"^KH\d+$")).first.click()
    with page.expect_navigation():
        page.locator("#batch-create-form button[type=submit]").click()
    expect(page.locator("#statement-lines")).to_contain_text(items[0].number)
    expect(page.locator("#statement-lines")).to_contain_text(items[1].number)
    batch = RemittanceBatch.objects.get()
    expect(page.locator("#batch-net")).to_contain_text(f"{batch.net_amount:,}".replace(",", "."))

    # The transfer: a field error first (answered 422), then the bank reference.
    page.guard.allow_console(r"status of 422 \(Unprocessable Content\)")
    with page.expect_navigation():
        page.locator("#pay-form button[type=submit]").click()
    expect(page.locator("#pay-form .errorlist")).to_be_visible()
    page.fill("#pay-form input[name=bank_reference]", "FT26061100001")
    with page.expect_navigation():
        page.locator("#pay-form button[type=submit]").click()
    expect(page.locator("#batch-state")).to_have_text("Đã chuyển tiền")

    # Reconciled against the bank statement: the same amount and reference.
    page.fill("#reconcile-form input[name=bank_amount]", f"{batch.net_amount:,}".replace(",", "."))
    page.fill("#reconcile-form input[name=bank_reference]", "FT26061100001")
    with page.expect_navigation():
        page.locator("#reconcile-form button[type=submit]").click()
    expect(page.locator("#batch-state")).to_have_text("Đã đối soát khớp")
    batch.refresh_from_db()
    assert batch.state == "reconciled"
