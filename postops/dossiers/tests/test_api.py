"""Agency API (issue #4, item 6) and handover confirmation through the API (item 5)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from postops.accounts.services import api_key_create
from postops.dossiers import services
from postops.dossiers.models import Dossier

from . import helpers

pytestmark = pytest.mark.django_db


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def api(tree, centre, make_user, client):
    helpers.dossier_items_setup([tree["po_a"]])
    clerk = make_user("clerk", offices=[tree["po_a"]])
    proc = helpers.procedure(centre)
    _key, raw = api_key_create(None, name="Một cửa tỉnh", role="agency", agency=centre)
    docs = {d.pk: d.kind for d in proc.documents.all()}

    def take():
        return services.dossier_intake(
            clerk,
            office=tree["po_a"],
            procedure=proc,
            service_form="send",
            applicant=helpers.applicant(),
            documents=docs,
            seal_number="NP-1",
            weight_g=200,
        ).dossier

    return {"client": client, "auth": bearer(raw), "clerk": clerk, "take": take, "tree": tree}


def register_body(**extra):
    today = timezone.localdate()
    body = {
        "agency_number": f"TTHCC-{today:%y%m%d}-0042",
        "procedure_code": "1.001234",
        "applicant": {"name": "Trần Văn Bình", "id_number": "020085001234", "phone": "0987654321"},
        "delivery_address": {"commune_code": helpers.commune(2).code, "street": "Thôn Nà Pàn"},
        "appointment_date": (today + timedelta(days=14)).isoformat(),
    }
    body.update(extra)
    return body


def test_confirm_handover_through_the_api(api, centre):
    first, second = api["take"](), api["take"]()
    handover = services.handover_create(api["clerk"], office=api["tree"]["po_a"], agency=centre)
    signed = (handover.created_at + timedelta(seconds=20)).isoformat()
    today = timezone.localdate()
    body = {
        "signed_at": signed,
        "receiver_name": "Hoàng Văn Minh",
        "dossiers": [
            {
                "code": first.code,
                "appointment_date": (today + timedelta(days=14)).isoformat(),
                "agency_number": f"TTHCC-{today:%y%m%d}-0001",
            }
        ],
    }
    url = f"/api/v1/dossiers/handovers/{handover.code}/confirm"
    response = api["client"].post(url, body, content_type="application/json", **api["auth"])
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["code"], data["status"], data["agency_code"], data["dossier_count"]) == (
        handover.code,
        "confirmed",
        "TTHCC",
        2,
    )
    assert [(d["code"], d["status"]) for d in data["dossiers"]] == [
        (first.code, "filed"),
        (second.code, "filed"),
    ]
    assert data["dossiers"][0]["agency_number"] == f"TTHCC-{today:%y%m%d}-0001"
    first.refresh_from_db()
    assert (
        first.filed_at.isoformat() == handover.created_at.__add__(timedelta(seconds=20)).isoformat()
    )
    # A replay answers the same, changing nothing.
    again = api["client"].post(url, body, content_type="application/json", **api["auth"])
    assert again.status_code == 200
    assert again.json()["signed_at"] == data["signed_at"]
    got = api["client"].get(f"/api/v1/dossiers/handovers/{handover.code}", **api["auth"])
    assert got.json()["status"] == "confirmed"


def test_confirm_validation_and_access(api, centre, client):
    api["take"]()
    handover = services.handover_create(api["clerk"], office=api["tree"]["po_a"], agency=centre)
    url = f"/api/v1/dossiers/handovers/{handover.code}/confirm"
    future = (timezone.now() + timedelta(days=1)).isoformat()
    response = api["client"].post(
        url, {"signed_at": future}, content_type="application/json", **api["auth"]
    )
    assert response.status_code == 422
    assert response.json() == {
        "code": "validation_error",
        "message": "The request is not valid.",
        "details": [{"field": "signed_at", "message": "Thời điểm ký không được ở tương lai."}],
    }
    other = helpers.agency("STP", "Sở Tư pháp", kind="department")
    _k, other_raw = api_key_create(None, name="STP", role="agency", agency=other)
    response = client.post(url, {}, content_type="application/json", **bearer(other_raw))
    assert response.status_code == 404
    _k, loose = api_key_create(None, name="Không cơ quan", role="agency")
    response = client.post(url, {}, content_type="application/json", **bearer(loose))
    assert (response.status_code, response.json()["code"]) == (403, "no_agency")
    _k, partner = api_key_create(None, name="Shop", role="partner")
    response = client.post(url, {}, content_type="application/json", **bearer(partner))
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    assert client.post(url, {}, content_type="application/json").status_code == 401


def test_register_dossier_is_idempotent(api):
    client, auth = api["client"], api["auth"]
    response = client.post(
        "/api/v1/dossiers", register_body(), content_type="application/json", **auth
    )
    assert response.status_code == 201, response.content
    data = response.json()
    dossier = Dossier.objects.get()
    assert data["code"] == dossier.code
    assert (data["status"], data["service_form"], data["channel"]) == (
        "registered",
        "return",
        "agency",
    )
    assert data["item_number"] is None
    assert "020085001234" not in response.content.decode()
    replay = client.post(
        "/api/v1/dossiers", register_body(), content_type="application/json", **auth
    )
    assert (replay.status_code, replay["Idempotent-Replayed"]) == (200, "true")
    assert replay.json()["code"] == dossier.code
    conflict = client.post(
        "/api/v1/dossiers",
        register_body(appointment_date=None),
        content_type="application/json",
        **auth,
    )
    assert conflict.status_code == 409
    assert conflict.json()["code"] == "idempotency_conflict"
    assert conflict.json()["details"] == [{"code": dossier.code}]
    assert Dossier.objects.count() == 1


def test_register_validation_errors(api):
    body = register_body(agency_number="TTHCC-25-1", procedure_code="x")
    body["applicant"]["id_number"] = "123"
    response = api["client"].post(
        "/api/v1/dossiers", body, content_type="application/json", **api["auth"]
    )
    assert response.status_code == 422
    fields = sorted({d["field"] for d in response.json()["details"]})
    assert fields == ["agency_number", "applicant_id_number", "procedure_code"]
    response = api["client"].post(
        "/api/v1/dossiers", {"agency_number": 1}, content_type="application/json", **api["auth"]
    )
    assert response.status_code == 422


def test_result_ready_and_get_with_both_clocks(api):
    client, auth = api["client"], api["auth"]
    filed = timezone.now() - timedelta(days=30)
    code = client.post(
        "/api/v1/dossiers",
        register_body(filed_at=filed.isoformat()),
        content_type="application/json",
        **auth,
    ).json()["code"]
    got = client.get(f"/api/v1/dossiers/{code}", **auth).json()
    # Filed 30 days ago with 10 working days to decide: the agency is late.
    assert got["clocks"]["agency"]["state"] == "late"
    assert got["clocks"]["post_send"] == {"due": None, "state": "not_started"}
    assert got["late"] == ["agency"]
    today = timezone.localdate()
    response = client.post(
        f"/api/v1/dossiers/{code}/result-ready",
        {"date": today.isoformat()},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 200
    data = response.json()
    assert (data["status"], data["result_ready_on"]) == ("result_ready", today.isoformat())
    assert data["clocks"]["agency"]["state"] == "late"  # ready, but after the deadline
    again = client.post(
        f"/api/v1/dossiers/{code}/result-ready",
        {"date": today.isoformat()},
        content_type="application/json",
        **auth,
    )
    assert again.status_code == 200
    other_day = client.post(
        f"/api/v1/dossiers/{code}/result-ready",
        {"date": (today - timedelta(days=1)).isoformat()},
        content_type="application/json",
        **auth,
    )
    assert (other_day.status_code, other_day.json()["code"]) == (409, "status_conflict")


def test_post_is_late_when_the_send_leg_overruns(api, make_user, verified_client):
    d = api["take"]()
    Dossier.objects.filter(pk=d.pk).update(post_send_due=date(2025, 1, 2))
    client = verified_client(api["clerk"])
    got = client.get(f"/api/v1/dossiers/{d.code}").json()
    assert got["clocks"]["post_send"] == {"due": "2025-01-02", "state": "late"}
    assert got["late"] == ["post"]
    assert got["item_number"] == d.outbound_item.number
    # The agency sees it too; a clerk of another office does not.
    assert api["client"].get(f"/api/v1/dossiers/{d.code}", **api["auth"]).status_code == 200
    stranger = verified_client(make_user("clerk", offices=[api["tree"]["po_b"]]))
    assert stranger.get(f"/api/v1/dossiers/{d.code}").status_code == 404
    assert client.get("/api/v1/dossiers/HS-000000-00000").status_code == 404
