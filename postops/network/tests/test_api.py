"""JSON API: commune search (public) and offices (scoped)."""

import pytest

pytestmark = pytest.mark.django_db


def test_commune_search_is_public(client):
    response = client.get("/api/v1/network/communes", {"q": "dong kinh", "province": "20"})
    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {
                "code": "05977",
                "name": "Phường Đông Kinh",
                "division_type": "phường",
                "province_code": "20",
                "province_name": "Tỉnh Lạng Sơn",
            }
        ]
    }


def test_commune_search_tan_an(client):
    items = client.get("/api/v1/network/communes", {"q": "tan an", "limit": 3}).json()["items"]
    assert [i["code"] for i in items] == ["02320", "07682", "11167"]


def test_commune_search_validates_parameters(client):
    response = client.get("/api/v1/network/communes", {"q": "a", "limit": 0})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    response = client.get("/api/v1/network/communes", {"q": "a", "province": "2"})
    assert response.status_code == 422


def test_offices_need_authentication(client, tree):
    response = client.get("/api/v1/network/offices")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def test_offices_are_scoped(client, tree, make_user):
    clerk = make_user("clerk", offices=[tree["po_that_khe"]])
    client.force_login(clerk)
    response = client.get("/api/v1/network/offices")
    assert response.status_code == 200
    body = response.json()
    assert body["next_after"] is None
    assert body["items"] == [
        {
            "id": tree["po_that_khe"].pk,
            "code": "241100",
            "name": "Bưu cục Thất Khê",
            "kind": "post_office",
            "parent_id": tree["province"].pk,
            "commune_code": "06040",
            "postal_code": "24100",
            "street": "",
            "phone": "",
            "opening_hours": "",
            "is_active": True,
        },
        {
            "id": tree["vhx_that_khe"].pk,
            "code": "VHX-TK",
            "name": "BĐVHX Thất Khê",
            "kind": "bdvhx",
            "parent_id": tree["po_that_khe"].pk,
            "commune_code": "06040",
            "postal_code": "24101",
            "street": "",
            "phone": "",
            "opening_hours": "",
            "is_active": True,
        },
    ]


def test_offices_keyset_pages_and_filter(verified_client, tree, superuser):
    # A superuser must have passed two-factor before the API answers (staff_auth).
    client = verified_client(superuser)
    first = client.get("/api/v1/network/offices", {"limit": 3}).json()
    assert [o["code"] for o in first["items"]] == ["240000", "241100", "BDX-TT"]
    assert first["next_after"] == "BDX-TT"
    second = client.get("/api/v1/network/offices", {"limit": 3, "after": "BDX-TT"}).json()
    assert [o["code"] for o in second["items"]] == ["CT-TT1", "LS", "VHX-DK"]
    third = client.get("/api/v1/network/offices", {"limit": 3, "after": "VHX-DK"}).json()
    assert [o["code"] for o in third["items"]] == ["VHX-TK"]
    assert third["next_after"] is None
    found = client.get("/api/v1/network/offices", {"q": "that khe"}).json()
    assert [o["code"] for o in found["items"]] == ["241100", "VHX-TK"]


def test_offices_refuse_superuser_without_two_factor(client, tree, superuser):
    client.force_login(superuser)
    response = client.get("/api/v1/network/offices")
    assert response.status_code == 403
    assert response.json()["code"] == "two_factor_required"


def test_offices_accept_an_api_key_scoped_to_its_offices(client, tree):
    from postops.accounts.services import api_key_create

    _key, raw = api_key_create(None, name="Shop", role="partner", offices=[tree["po_that_khe"]])
    response = client.get("/api/v1/network/offices", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    codes = [o["code"] for o in response.json()["items"]]
    assert "240000" not in codes
    assert tree["po_that_khe"].code in codes
