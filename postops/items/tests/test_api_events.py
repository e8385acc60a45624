"""POST /api/v1/events/batch: API-key and session auth, roles, per-event results, replays."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache

from postops.accounts.services import api_key_create
from postops.core.models import AuditEntry
from postops.items.models import Item, TrackingEvent
from postops.items.services import item_accept
from postops.items.tests.helpers import accepted_parcels

T0 = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
URL = "/api/v1/events/batch"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def item(blocks, accept_kwargs):
    return item_accept(actor=None, accepted_at=T0, **accept_kwargs).item


def key_for(role, offices):
    key, raw = api_key_create(None, name=f"scanner {role}", role=role, offices=offices)
    return key, {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def scan(n, number, code, office_code, minutes, **extra):
    return {
        "event_id": str(uuid.UUID(int=n)),
        "number": number,
        "code": code,
        "office_code": office_code,
        "occurred_at": (T0 + timedelta(minutes=minutes)).isoformat(),
        **extra,
    }


def test_a_scanner_key_records_a_batch_and_a_replay_changes_nothing(client, item, offices):
    key, auth = key_for("clerk", [offices["root"]])
    batch = {
        "events": [
            scan(1, item.number, "sorting_in", "240000", 10),
            scan(
                2,
                item.number,
                "delivery_office_arrival",
                "241000",
                90,
                latitude=21.85,
                longitude=106.76,
            ),
            scan(3, item.number, "delivered", "240000", 20),
            scan(4, "EB125966891VN", "sorting_in", "240000", 10),
        ]
    }
    response = client.post(URL, batch, content_type="application/json", **auth)
    assert response.status_code == 200
    assert response.json() == {
        "accepted": 2,
        "duplicate": 0,
        "rejected": 2,
        "results": [
            {
                "event_id": str(uuid.UUID(int=1)),
                "result": "accepted",
                "reason": None,
                "message": None,
                "status": "at_delivery_office",
                "details": None,
            },
            {
                "event_id": str(uuid.UUID(int=2)),
                "result": "accepted",
                "reason": None,
                "message": None,
                "status": "at_delivery_office",
                "details": None,
            },
            {
                "event_id": str(uuid.UUID(int=3)),
                "result": "rejected",
                "reason": "invalid_transition",
                "message": "This event cannot follow the item's current status.",
                "status": None,
                "details": {"status": "in_transit", "code": "delivered"},
            },
            {
                "event_id": str(uuid.UUID(int=4)),
                "result": "rejected",
                "reason": "item_not_found",
                "message": "No item has this number.",
                "status": None,
                "details": None,
            },
        ],
    }
    stored = TrackingEvent.objects.get(event_id=uuid.UUID(int=1))
    assert (stored.actor, stored.actor_label) == (None, f"api-key:{key.prefix}")
    entry = AuditEntry.objects.get(action="items.events_ingest")
    assert entry.actor_label == f"api-key:{key.prefix}"

    before = (TrackingEvent.objects.count(), Item.objects.get().status, AuditEntry.objects.count())
    again = client.post(URL, batch, content_type="application/json", **auth).json()
    assert (again["accepted"], again["duplicate"], again["rejected"]) == (0, 2, 2)
    assert (
        TrackingEvent.objects.count(),
        Item.objects.get().status,
        AuditEntry.objects.count(),
    ) == before


def test_a_postman_session_may_post_too(client, item, offices, make_user, verified_client):
    postman = make_user("postman", offices=[offices["delivery"]])
    session = verified_client(postman)
    batch = {"events": [scan(1, item.number, "delivery_office_arrival", "241000", 30)]}
    response = session.post(URL, batch, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["accepted"] == 1
    assert TrackingEvent.objects.get(event_id=uuid.UUID(int=1)).actor == postman


@pytest.mark.parametrize("role", ["partner", "teller", "auditor", "agency"])
def test_other_roles_are_refused(client, item, offices, role):
    _, auth = key_for(role, [offices["root"]])
    response = client.post(
        URL,
        {"events": [scan(1, item.number, "sorting_in", "240000", 10)]},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert TrackingEvent.objects.count() == 1


def test_no_credentials_is_401(client, db):
    response = client.post(URL, {"events": []}, content_type="application/json")
    assert response.status_code == 401


def test_a_key_is_limited_to_its_offices(client, item, offices):
    _, auth = key_for("postman", [offices["delivery"]])
    response = client.post(
        URL,
        {"events": [scan(1, item.number, "sorting_in", "240000", 10)]},
        content_type="application/json",
        **auth,
    )
    assert response.json()["results"][0]["reason"] == "office_out_of_scope"


def test_wrong_json_types_are_422_and_too_many_events_too(client, item, offices):
    _, auth = key_for("clerk", [offices["root"]])
    response = client.post(
        URL, {"events": [{"event_id": 1}]}, content_type="application/json", **auth
    )
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    big = {"events": [scan(n, item.number, "sorting_in", "240000", 10) for n in range(5001)]}
    response = client.post(URL, big, content_type="application/json", **auth)
    assert response.status_code == 422


def test_a_full_batch_of_5000_fits_in_one_request(client, offices, indicators, blocks):
    from postops.core import s10

    accepted_parcels(offices["origin"], 2500, T0)
    _, auth = key_for("clerk", [offices["root"]])
    events = [
        scan(serial * 2 + step, s10.build("CP", serial), code, "240000", step + 1, note="x" * 40)
        for serial in range(2500)
        for step, code in enumerate(("sorting_in", "sorting_out"))
    ]
    response = client.post(URL, {"events": events}, content_type="application/json", **auth)
    assert response.status_code == 200
    assert response.json()["accepted"] == 5000
