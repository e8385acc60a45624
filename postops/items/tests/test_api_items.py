"""Items API for business senders: POST /items, POST /items/batch, GET /items/{number},
the label, Idempotency-Key replays (issue #3, item 4)."""

import json
from datetime import datetime, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from postops.accounts.services import api_key_create
from postops.core.calendar import add_working_days
from postops.items.models import ApiIdempotencyRecord, Item, NumberBlock
from postops.items.partner import MAX_BATCH_ITEMS

URL = "/api/v1/items"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def shop(offices, blocks, tariff, standards):
    """A shop's system: a partner key working at the origin post office."""
    key, raw = api_key_create(
        None, name="Shop Hoa Mai", role="partner", offices=[offices["origin"]]
    )
    return key, {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def body(**overrides):
    data = {
        "reference": "HM-1001",
        "service_prefix": "EB",
        "sender": {"name": "Cửa hàng Hoa Mai", "phone": "0912 345 678"},
        "receiver": {
            "name": "Trần Thị Bình",
            "phone": "0987654321",
            "address": {"commune_code": "06187", "street": "12 Lê Lợi"},
        },
        "weight_g": 1250,
        "cod_amount": 350000,
    }
    data.update(overrides)
    return data


def post(client, auth, data, key="k-1", url=URL):
    headers = {**auth}
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(url, json.dumps(data), content_type="application/json", **headers)


def test_a_partner_sends_an_item_and_gets_number_fee_date_and_label(client, shop, offices):
    key, auth = shop
    response = post(client, auth, body())
    assert response.status_code == 201, response.content
    item = Item.objects.get()
    expected_date = add_working_days(timezone.localdate(item.accepted_at), 4)
    assert response.json() == {
        "number": "EB125966888VN",
        "reference": "HM-1001",
        "status": "accepted",
        "office_code": "240000",
        "accepted_at": response.json()["accepted_at"],
        "fee": 45000,  # other province ≤ 2 kg 30,000 + COD 15,000
        "promised_date": expected_date.isoformat(),
        "cod_amount": 350000,
        "label_url": "http://testserver/api/v1/items/EB125966888VN/label.pdf",
    }
    # UTC, to the millisecond.
    sent = datetime.fromisoformat(response.json()["accepted_at"])
    assert abs(sent - item.accepted_at) < timedelta(milliseconds=1)
    assert (item.sender_key, item.sender_reference, item.sender_phone) == (
        key,
        "HM-1001",
        "0912345678",
    )
    label = client.get("/api/v1/items/EB125966888VN/label.pdf", **auth)
    assert label.status_code == 200
    assert label["Content-Type"] == "application/pdf"
    assert label.content.startswith(b"%PDF-")


def test_a_replay_answers_the_first_status_and_body(client, shop):
    _key, auth = shop
    first = post(client, auth, body())
    again = post(client, auth, body())
    assert (again.status_code, again.json()) == (201, first.json())
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Item.objects.count() == 1
    # Key order and spacing do not make another request.
    reordered = json.dumps(dict(reversed(list(body().items()))), indent=2)
    third = client.post(
        URL, reordered, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1", **auth
    )
    assert third.status_code == 201 and third.json() == first.json()


def test_the_same_key_with_another_body_or_endpoint_is_refused(client, shop):
    _key, auth = shop
    post(client, auth, body())
    other = post(client, auth, body(weight_g=900))
    assert other.status_code == 422
    assert other.json() == {
        "code": "idempotency_key_reused",
        "message": "This Idempotency-Key was used for another request; use a new key.",
        "details": [{"endpoint": "POST /items"}],
    }
    batch = post(client, auth, {"items": [body()]}, url=URL + "/batch")
    assert batch.status_code == 422
    assert batch.json()["code"] == "idempotency_key_reused"
    assert Item.objects.count() == 1


def test_keys_are_per_caller(client, shop, offices):
    _key, auth = shop
    _other, other_auth = api_key_create(
        None, name="Shop B", role="partner", offices=[offices["origin"]]
    )
    a = post(client, auth, body())
    b = post(client, {"HTTP_AUTHORIZATION": f"Bearer {other_auth}"}, body())
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.json()["number"] != b.json()["number"]


def test_a_refused_request_stores_no_answer_and_may_be_fixed(client, shop):
    _key, auth = shop
    bad = post(client, auth, body(receiver={"name": "", "address": {"commune_code": "06187"}}))
    assert bad.status_code == 422
    assert bad.json() == {
        "code": "validation_error",
        "message": "The item is not valid.",
        "details": [{"field": "receiver.name", "message": "Cần nhập tên người nhận."}],
    }
    assert not ApiIdempotencyRecord.objects.exists()
    fixed = post(client, auth, body())
    assert fixed.status_code == 201


def test_the_header_is_required(client, shop):
    _key, auth = shop
    response = post(client, auth, body(), key=None)
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_required"
    assert post(client, auth, body(), key="x" * 201).status_code == 400


@pytest.mark.parametrize(
    ("overrides", "status", "code", "details"),
    [
        (
            {"office_code": "999999"},
            422,
            "unknown_office",
            [{"field": "office_code", "message": "Unknown office code."}],
        ),
        (
            {"office_code": "241000"},
            403,
            "office_out_of_scope",
            [{"field": "office_code", "message": "Out of the key's offices."}],
        ),
        (
            {"declared_value": 1_000_000},
            422,
            "validation_error",
            [{"field": "declared_value", "message": "Bảng cước hiện hành không nhận khai giá."}],
        ),
        (
            {"number": "EB125966889VN", "service_prefix": ""},
            422,
            "validation_error",
            [
                {
                    "field": "number",
                    "message": "Chữ số kiểm tra sai: với dãy số 12596688, chữ số kiểm tra "
                    "phải là 8.",
                }
            ],
        ),
    ],
)
def test_errors_name_the_field(client, shop, overrides, status, code, details):
    _key, auth = shop
    response = post(client, auth, body(**overrides))
    assert response.status_code == status
    assert response.json() == {
        "code": code,
        "message": response.json()["message"],
        "details": details,
    }


def test_legacy_addresses_are_converted_or_refused_with_candidates(client, shop):
    _key, auth = shop
    whole = body(
        receiver={
            "name": "Trần Thị Bình",
            "address": {"commune_code": "05971", "street": "12 Lê Lợi", "scheme": "legacy"},
        }
    )
    response = post(client, auth, whole)
    assert response.status_code == 201
    item = Item.objects.get()
    assert (item.receiver_scheme, item.receiver_commune_code) == ("2025", "06187")
    split = body(
        receiver={
            "name": "Trần Thị Bình",
            "address": {"commune_code": "06622", "scheme": "legacy"},
        }
    )
    response = post(client, auth, split, key="k-2")
    assert response.status_code == 422
    assert response.json()["code"] == "address_needs_confirmation"
    assert response.json()["details"][0]["candidates"] == [
        {"commune_code": "06613", "name": "Xã Đình Lập", "province": "Tỉnh Lạng Sơn"},
        {"commune_code": "06625", "name": "Xã Kiên Mộc", "province": "Tỉnh Lạng Sơn"},
    ]


def test_a_key_with_several_offices_must_name_one(client, offices, blocks, tariff, standards):
    _key, raw = api_key_create(
        None, name="Shop", role="partner", offices=[offices["origin"], offices["delivery"]]
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    response = post(client, auth, body())
    assert (response.status_code, response.json()["code"]) == (422, "office_required")
    assert post(client, auth, body(office_code="240000"), key="k-2").status_code == 201


def test_roles_that_may_not_send_items(client, offices, blocks):
    _key, raw = api_key_create(None, name="Teller", role="teller", offices=[offices["origin"]])
    response = post(client, {"HTTP_AUTHORIZATION": f"Bearer {raw}"}, body())
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    assert post(client, {}, body()).status_code == 401


def test_a_batch_gives_one_result_per_item_and_replays(client, shop):
    _key, auth = shop
    items = [body(reference="A"), body(reference="B", weight_g=0), body(reference="C")]
    response = post(client, auth, {"items": items}, url=URL + "/batch")
    assert response.status_code == 200
    data = response.json()
    assert (data["created"], data["rejected"]) == (2, 1)
    assert [(r["index"], r["result"]) for r in data["results"]] == [
        (0, "created"),
        (1, "rejected"),
        (2, "created"),
    ]
    assert data["results"][0]["item"]["number"] == "EB125966888VN"
    # The refused item gave its number back: the next item has the next number.
    assert data["results"][2]["item"]["number"] == "EB125966891VN"
    assert data["results"][1]["error"] == {
        "code": "validation_error",
        "message": "The item is not valid.",
        "details": [{"field": "weight_g", "message": "Khối lượng phải là số gam lớn hơn 0."}],
    }
    again = post(client, auth, {"items": items}, url=URL + "/batch")
    assert (again.status_code, again.json()) == (200, data)
    assert Item.objects.count() == 2


def test_a_batch_is_limited_to_1000_items(client, shop):
    _key, auth = shop
    response = post(client, auth, {"items": [body()] * (MAX_BATCH_ITEMS + 1)}, url=URL + "/batch")
    assert response.status_code == 422
    assert not Item.objects.exists()


def test_a_batch_of_1000_items(client, shop, offices):
    _key, auth = shop
    NumberBlock.objects.filter(office=offices["origin"], indicator_id="EB").update(
        last_serial=12600000
    )
    items = [body(reference=f"R{i}") for i in range(MAX_BATCH_ITEMS)]
    response = post(client, auth, {"items": items}, url=URL + "/batch")
    assert response.status_code == 200
    assert response.json()["created"] == MAX_BATCH_ITEMS
    assert Item.objects.count() == MAX_BATCH_ITEMS
    assert len({r["item"]["number"] for r in response.json()["results"]}) == MAX_BATCH_ITEMS


def test_get_an_item_sent_through_the_key(client, shop, offices):
    key, auth = shop
    post(client, auth, body())
    response = client.get("/api/v1/items/eb125966888vn", **auth)
    assert response.status_code == 200
    data = response.json()
    assert (data["number"], data["status"], data["status_text"], data["receiver_name"]) == (
        "EB125966888VN",
        "accepted",
        "Đã nhận gửi",
        "Trần Thị Bình",
    )
    assert [(e["code"], e["upu_code"], e["office_code"]) for e in data["events"]] == [
        ("accepted", "EMA", "240000")
    ]
    # Another partner at the same office does not see it; a bad number is 400.
    _other, raw = api_key_create(None, name="Shop B", role="partner", offices=[offices["origin"]])
    other = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/v1/items/EB125966888VN", **other).status_code == 404
    assert client.get("/api/v1/items/EB125966888VN/label.pdf", **other).status_code == 404
    assert client.get("/api/v1/items/EB125966889VN", **auth).json()["code"] == (
        "invalid_item_number"
    )


def test_staff_see_items_of_their_offices(client, shop, offices, make_user, verified_client):
    _key, auth = shop
    post(client, auth, body())
    clerk = make_user("clerk", offices=[offices["origin"]])
    staff = verified_client(clerk)
    assert staff.get("/api/v1/items/EB125966888VN").status_code == 200
    elsewhere = make_user("clerk", offices=[offices["bdvhx"]])
    assert verified_client(elsewhere).get("/api/v1/items/EB125966888VN").status_code == 404
