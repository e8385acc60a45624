"""The counter page for a sender's requests: find the item, return, withdraw, redirect."""

from datetime import UTC, date, datetime, timedelta

import pytest

from postops.core.models import AuditEntry
from postops.items.models import Item, TariffRate, TariffVersion
from postops.items.services import event_record, item_accept
from postops.public.tests.test_csp_hygiene import assert_clean

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def item(blocks, accept_kwargs):
    version = TariffVersion.objects.create(
        name="Bảng cước", effective_from=date(2026, 1, 1), vat_percent=8
    )
    TariffRate.objects.create(
        version=version, service="ems", zone="same_commune", max_weight_g=2000, price=27000
    )
    return item_accept(actor=None, accepted_at=T0, **accept_kwargs).item


@pytest.fixture
def clerk_client(make_user, verified_client, offices):
    return verified_client(make_user("clerk", offices=[offices["origin"]]))


def test_find_the_item_and_see_the_requests_it_allows(clerk_client, item):
    page = clerk_client.get(f"/returns/?number={item.number.lower()}")
    assert_clean(page)
    html = page.content.decode()
    assert 'id="return-form"' in html and 'id="withdraw-form"' in html
    assert 'id="redirect-form"' in html
    assert "27.000 ₫" in html  # the return fee quoted from the tariff
    assert AuditEntry.objects.filter(action="items.item.read", target_id=str(item.pk)).exists()
    missing = clerk_client.get("/returns/?number=EB000000000VN")
    assert missing.context["lookup"].errors["number"]


def test_return_through_the_page(clerk_client, item):
    response = clerk_client.post(
        f"/returns/{item.number}/return/", {"cause": "sender_request", "note": "Khách gọi"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/returns/?number={item.number}"
    item.refresh_from_db()
    assert item.status == "returning"
    assert item.return_charge.amount == 27000
    after = clerk_client.get(response["Location"]).content.decode()
    assert 'id="return-form"' not in after and 'id="redirect-form"' not in after


def test_undeliverable_without_consent_shows_the_field_error(clerk_client, item, offices, codes):
    for n, code in enumerate(("delivery_office_arrival", "out_for_delivery")):
        event_record(
            actor=None,
            item=item,
            code=code,
            office=offices["delivery"],
            occurred_at=T0 + timedelta(hours=n + 1),
        )
    response = clerk_client.post(f"/returns/{item.number}/return/", {"cause": "undeliverable"})
    assert response.status_code == 422
    assert response.context["return_form"].errors == {
        "sender_consented": [
            "Chuyển hoàn bưu gửi này do người gửi trả cước: cần người gửi đồng ý trước khi "
            "chuyển hoàn."
        ]
    }


def test_withdraw_and_redirect_through_the_page(clerk_client, item, blocks, accept_kwargs):
    redirected = clerk_client.post(
        f"/returns/{item.number}/redirect/",
        {"receiver_name": "Lê Văn Cường", "commune": "00004", "street": "5 Trần Phú"},
    )
    assert redirected.status_code == 302
    item.refresh_from_db()
    assert (item.receiver_name, item.receiver_street) == ("Lê Văn Cường", "5 Trần Phú")
    empty = clerk_client.post(f"/returns/{item.number}/redirect/", {})
    assert empty.status_code == 422
    assert empty.context["redirect_form"].non_field_errors() == [
        "Nhập ít nhất một thông tin cần đổi."
    ]
    withdrawn = clerk_client.post(f"/returns/{item.number}/withdraw/", {})
    assert withdrawn.status_code == 302
    assert Item.objects.get(pk=item.pk).status == "withdrawn"


def test_other_offices_items_are_not_found(make_user, verified_client, make_office, offices, item):
    elsewhere = make_office("250000", parent=offices["root"])
    client = verified_client(make_user("clerk", offices=[elsewhere]))
    assert client.post(f"/returns/{item.number}/withdraw/", {}).status_code == 404
    page = client.get(f"/returns/?number={item.number}")
    assert page.context["item"] is None
    assert Item.objects.get(pk=item.pk).status == "accepted"
