"""POST /api/v1/pickups and GET /api/v1/pickups/{code}."""

import json

import pytest

from postops.accounts.services import api_key_create
from postops.core.models import AuditEntry
from postops.pickups.models import PickupRequest


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def body(world, next_day, **extra):
    data = {
        "name": "Lương Thị Mai",
        "phone": "0912345678",
        "commune_code": world["po_a"].commune_id,
        "street": "Thôn Nà Pàn",
        "procedure_code": world["procedure"].code,
        "preferred_date": next_day.isoformat(),
        "time_window": "afternoon",
    }
    data.update(extra)
    return json.dumps(data)


@pytest.mark.django_db
def test_clerk_key_records_a_request_once(client, world, next_day):
    key, raw = api_key_create(None, name="Tổng đài", role="clerk", offices=[world["po_a"]])
    headers = {**bearer(raw), "HTTP_IDEMPOTENCY_KEY": "call-42"}
    first = client.post(
        "/api/v1/pickups", body(world, next_day), content_type="application/json", **headers
    )
    assert first.status_code == 201
    p = PickupRequest.objects.get()
    assert first.json() == {
        "code": p.code,
        "status": "requested",
        "office_code": "241000",
        "procedure_code": "1.001234",
        "preferred_date": next_day.isoformat(),
        "time_window": "afternoon",
        "dossier_code": None,
    }
    assert (p.source, p.created_by) == ("api", None)
    assert AuditEntry.objects.get(action="pickups.request").actor_label == f"api-key:{key.prefix}"
    again = client.post(
        "/api/v1/pickups", body(world, next_day), content_type="application/json", **headers
    )
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert PickupRequest.objects.count() == 1
    got = client.get(f"/api/v1/pickups/{p.code}", **bearer(raw))
    assert got.status_code == 200 and got.json()["code"] == p.code


@pytest.mark.django_db
def test_errors_are_json_with_fields(client, world, next_day):
    _key, raw = api_key_create(None, name="Tổng đài", role="clerk", offices=[world["po_a"]])
    bad = client.post(
        "/api/v1/pickups",
        body(world, next_day, phone="12", time_window="night"),
        content_type="application/json",
        **bearer(raw),
    )
    assert bad.status_code == 422
    assert bad.json()["code"] == "validation_error"
    assert {d["field"] for d in bad.json()["details"]} == {"phone", "time_window"}
    unknown = client.post(
        "/api/v1/pickups",
        body(world, next_day, procedure_code="X.1"),
        content_type="application/json",
        **bearer(raw),
    )
    assert unknown.status_code == 422
    assert unknown.json()["details"] == [
        {"field": "procedure_code", "message": "No postal-allowed procedure has this code."}
    ]
    _k, partner = api_key_create(None, name="Shop", role="partner", offices=[world["po_a"]])
    denied = client.post(
        "/api/v1/pickups", body(world, next_day), content_type="application/json", **bearer(partner)
    )
    assert denied.status_code == 403 and denied.json()["code"] == "forbidden"


@pytest.mark.django_db
def test_get_is_scoped_to_the_callers_offices(client, world, next_day):
    from .helpers import create

    p = create(world, commune_code=world["po_b"].commune_id).pickup
    _key, raw = api_key_create(None, name="Tổng đài", role="clerk", offices=[world["po_a"]])
    assert client.get(f"/api/v1/pickups/{p.code}", **bearer(raw)).status_code == 404
