"""Bag pages and API: close by scanning, one-scan receipt, report, label, scope."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache

from postops.accounts.services import api_key_create
from postops.items import bags, documents
from postops.items.models import Bag, Item
from postops.items.services import item_accept

T0 = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def items(blocks, accept_kwargs):
    return [
        item_accept(actor=None, accepted_at=T0 + timedelta(minutes=n), **accept_kwargs).item
        for n in range(3)
    ]


@pytest.fixture
def origin_client(make_user, verified_client, offices):
    return verified_client(make_user("clerk", offices=[offices["origin"]]))


def _key(page):
    return re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', page.text).group(1)


def test_a_clerk_closes_a_bag_by_scanning(origin_client, items, offices):
    page = origin_client.get("/items/bags/new/")
    assert page.status_code == 200
    assert re.search(r"<textarea[^>]*autofocus", page.text)
    data = {
        "idempotency_key": _key(page),
        "origin_office": offices["origin"].pk,
        "destination_office": offices["delivery"].pk,
        "seal_number": "NP-1",
        "numbers": "\n".join(i.number for i in items) + "\n",
    }
    response = origin_client.post("/items/bags/new/", data)
    bag = Bag.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/items/bags/{bag.code}/"
    again = origin_client.post("/items/bags/new/", data)  # a double submit
    assert again["Location"] == response["Location"]
    assert Bag.objects.count() == 1
    detail = origin_client.get(response["Location"])
    assert f"Đã đóng túi {bag.code} với 3 bưu gửi." in detail.text
    assert detail.text.count("Trong danh sách") == 4  # the column and the three lines
    label = origin_client.get(f"/items/bags/{bag.code}/label.pdf")
    assert label["Content-Type"] == "application/pdf" and label.content.startswith(b"%PDF-")


def test_a_refused_bag_shows_each_number(origin_client, items, offices):
    page = origin_client.get("/items/bags/new/")
    response = origin_client.post(
        "/items/bags/new/",
        {
            "idempotency_key": _key(page),
            "origin_office": offices["origin"].pk,
            "destination_office": offices["delivery"].pk,
            "numbers": f"{items[0].number}\nRR000000005VN\n",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"numbers": ["RR000000005VN: không có bưu gửi này."]}
    assert not Bag.objects.exists()


def test_one_scan_receives_the_bag_and_the_page_reports(make_user, verified_client, items, offices):
    bag = bags.bag_close(
        actor=None,
        origin_office=offices["origin"],
        destination_office=offices["delivery"],
        numbers=[i.number for i in items],
    ).bag
    client = verified_client(make_user("clerk", offices=[offices["delivery"]]))
    listing = client.get("/items/bags/")
    assert bag.code in listing.text
    scan = client.get("/items/bags/scan", {"code": bag.code.lower()})
    assert scan["Location"] == f"/items/bags/{bag.code}/"
    response = client.post(f"/items/bags/{bag.code}/receive", {"found": ""}, follow=True)
    assert f"Đã nhận túi {bag.code}: 3 bưu gửi đến, 0 thiếu, 0 thừa." in response.text
    assert set(Item.objects.values_list("state__status", flat=True)) == {"at_delivery_office"}
    assert "Kết quả nhận túi" in response.text


def test_a_checked_receipt_reports_missing_and_extra(make_user, verified_client, items, offices):
    bag = bags.bag_close(
        actor=None,
        origin_office=offices["origin"],
        destination_office=offices["delivery"],
        numbers=[items[0].number, items[1].number],
    ).bag
    client = verified_client(make_user("clerk", offices=[offices["delivery"]]))
    response = client.post(
        f"/items/bags/{bag.code}/receive",
        {"found": f"{items[0].number}\n{items[2].number}\n"},
        follow=True,
    )
    assert f"Đã nhận túi {bag.code}: 1 bưu gửi đến, 1 thiếu, 1 thừa." in response.text
    assert f"<strong>Thiếu:</strong> {items[1].number}" in response.text
    assert f"<strong>Thừa:</strong> {items[2].number}" in response.text


def test_bags_of_other_offices_are_not_found(
    make_user, verified_client, items, offices, make_office
):
    bag = bags.bag_close(
        actor=None,
        origin_office=offices["origin"],
        destination_office=offices["delivery"],
        numbers=[items[0].number],
    ).bag
    stranger = verified_client(make_user("clerk", offices=[make_office("250000")]))
    assert stranger.get(f"/items/bags/{bag.code}/").status_code == 404
    assert stranger.post(f"/items/bags/{bag.code}/receive", {}).status_code == 404
    scan = stranger.get("/items/bags/scan", {"code": bag.code})
    assert scan.status_code == 404
    assert "Không có túi mang mã này ở các bưu cục của bạn." in scan.text


def test_bag_label_content(items, offices):
    bag = bags.bag_close(
        actor=None,
        origin_office=offices["origin"],
        destination_office=offices["delivery"],
        numbers=[i.number for i in items],
        seal_number="NP-9",
        closed_at=T0 + timedelta(hours=1),
    ).bag
    content = documents.bag_label_content(bag)
    assert vars(content) == {
        "code": "240000-241000-260302-0001",
        "origin": "240000 Bưu cục Lạng Sơn",
        "destination": "241000 Bưu cục Cao Lộc",
        "closed": "02/03/2026 09:30",
        "count": "3",
        "seal": "NP-9",
        "numbers": [i.number for i in items],
    }


def _api(client, method, url, auth, data=None, **headers):
    return getattr(client, method)(
        url,
        json.dumps(data) if data is not None else None,
        content_type="application/json",
        **auth,
        **headers,
    )


def test_scanners_close_and_receive_bags_through_the_api(client, items, offices):
    _k, origin_raw = api_key_create(None, name="sorter", role="clerk", offices=[offices["origin"]])
    _k, dest_raw = api_key_create(None, name="desk", role="clerk", offices=[offices["delivery"]])
    origin = {"HTTP_AUTHORIZATION": f"Bearer {origin_raw}"}
    dest = {"HTTP_AUTHORIZATION": f"Bearer {dest_raw}"}
    body = {"destination_office_code": "241000", "numbers": [i.number for i in items[:2]]}
    created = _api(client, "post", "/api/v1/bags", origin, body, HTTP_IDEMPOTENCY_KEY="b-1")
    assert created.status_code == 201, created.content
    code = created.json()["code"]
    assert created.json()["item_count"] == 2
    assert created.json()["label_url"] == f"http://testserver/items/bags/{code}/label.pdf"
    replay = _api(client, "post", "/api/v1/bags", origin, body, HTTP_IDEMPOTENCY_KEY="b-1")
    assert (replay.status_code, replay.json()) == (201, created.json())
    refused = _api(
        client,
        "post",
        "/api/v1/bags",
        origin,
        {"destination_office_code": "241000", "numbers": [items[0].number]},
        HTTP_IDEMPOTENCY_KEY="b-2",
    )
    assert refused.status_code == 422
    assert refused.json()["details"][0]["field"] == "numbers"

    receipt = _api(
        client, "post", f"/api/v1/bags/{code}/receive", dest, {"found": [items[0].number]}
    )
    assert receipt.status_code == 200
    assert receipt.json() == {
        "code": code,
        "arrived": [items[0].number],
        "missing": [items[1].number],
        "extra": [],
        "unknown": [],
        "invalid": [],
        "rejected": {},
        "replayed": False,
    }
    again = _api(client, "post", f"/api/v1/bags/{code}/receive", dest, {})
    assert again.json()["replayed"] is True
    detail = _api(client, "get", f"/api/v1/bags/{code}", dest)
    assert [(line["number"], line["state"]) for line in detail.json()["lines"]] == [
        (items[0].number, "arrived"),
        (items[1].number, "missing"),
    ]
    wrong = _api(client, "post", f"/api/v1/bags/{code}/receive", origin, {})
    assert wrong.status_code == 403  # the destination is not the origin key's office
