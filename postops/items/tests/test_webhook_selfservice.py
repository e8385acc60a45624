"""Partner self-service for status webhooks: URL and secret (shown once, rotated), the
delivery log and a test ping, through ``/api/v1/webhooks`` (issue #3, item 4)."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postops.accounts.services import api_key_create
from postops.core.models import AuditEntry
from postops.core.tests.receiver import LocalReceiver
from postops.items import rules
from postops.items.models import WebhookEndpoint


@pytest.fixture
def receiver():
    r = LocalReceiver("/hooks/postops")
    yield r
    r.close()


@pytest.fixture
def shop(offices):
    key, raw = api_key_create(None, name="Shop", role="partner", offices=[offices["origin"]])
    return key, {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _put(client, headers, url, **extra):
    return client.put(
        "/api/v1/webhooks",
        data=json.dumps({"url": url, **extra}),
        content_type="application/json",
        **headers,
    )


@pytest.mark.parametrize(
    ("url", "loopback", "problem"),
    [
        ("https://shop.example.vn/hook", False, None),
        ("https://shop.example.vn:8443/hook?x=1", False, None),
        ("http://shop.example.vn/hook", True, "https_required"),
        ("http://127.0.0.1:8000/hook", False, "https_required"),
        ("http://127.0.0.1:8000/hook", True, None),
        ("http://localhost/hook", True, None),
        ("http://[::1]:9000/hook", True, None),
        ("http://10.0.0.5/hook", True, "https_required"),
        ("ftp://shop.example.vn/hook", False, "invalid_url"),
        ("https://user:pw@shop.example.vn/hook", False, "invalid_url"),
        ("https:///hook", False, "invalid_url"),
        ("https://shop.example.vn:99999/hook", False, "invalid_url"),
        ("shop.example.vn/hook", False, "invalid_url"),
    ],
)
def test_webhook_url_problem(url, loopback, problem):
    assert rules.webhook_url_problem(url, loopback) == problem


@given(st.text(max_size=60))
def test_webhook_url_problem_never_raises(url):
    assert rules.webhook_url_problem(url, True) in (None, "invalid_url", "https_required")


def test_put_shows_the_secret_once_then_get_never(client, shop, settings):
    settings.POSTOPS_WEBHOOK_ALLOW_LOOPBACK_HTTP = False
    key, headers = shop
    assert client.get("/api/v1/webhooks", **headers).json()["code"] == "webhook_not_configured"
    refused = _put(client, headers, "http://shop.example.vn/hook")
    assert (refused.status_code, refused.json()["code"]) == (422, "https_required")
    assert refused.json()["details"][0]["field"] == "url"
    first = _put(client, headers, "https://shop.example.vn/hook")
    assert first.status_code == 201
    secret = first.json()["secret"]
    assert secret.startswith("whsec_")
    assert WebhookEndpoint.objects.get(api_key=key).secret == secret
    again = _put(client, headers, "https://shop.example.vn/hook2", is_active=False)
    assert again.status_code == 200
    assert again.json()["secret"] is None
    got = client.get("/api/v1/webhooks", **headers)
    assert got.status_code == 200
    assert got.json()["url"] == "https://shop.example.vn/hook2"
    assert got.json()["is_active"] is False
    assert secret not in got.content.decode()
    # The audit trail never holds the secret.
    for entry in AuditEntry.objects.filter(action__startswith="items.webhook"):
        assert secret not in json.dumps([entry.before, entry.after])


def test_rotate_is_idempotent_and_signs_with_the_new_secret(client, shop, receiver, settings):
    settings.POSTOPS_WEBHOOK_ALLOW_LOOPBACK_HTTP = True
    key, headers = shop
    no_endpoint = client.post("/api/v1/webhooks/secret", HTTP_IDEMPOTENCY_KEY="k1", **headers)
    assert no_endpoint.status_code == 404
    old = _put(client, headers, receiver.url).json()["secret"]
    missing_key = client.post("/api/v1/webhooks/secret", **headers)
    assert missing_key.json()["code"] == "idempotency_key_required"
    rotated = client.post("/api/v1/webhooks/secret", HTTP_IDEMPOTENCY_KEY="k2", **headers)
    assert rotated.status_code == 201
    new = rotated.json()["secret"]
    assert new != old
    replay = client.post("/api/v1/webhooks/secret", HTTP_IDEMPOTENCY_KEY="k2", **headers)
    assert replay.json()["secret"] == new
    assert replay["Idempotent-Replayed"] == "true"
    assert WebhookEndpoint.objects.get(api_key=key).secret == new
    ping = client.post("/api/v1/webhooks/ping", **headers)
    assert ping.json() == {"delivered": True, "status_code": 200, "error": ""}
    (request,) = receiver.requests
    sent = {k.lower(): v for k, v in request["headers"].items()}
    assert sent["x-postops-event"] == "ping"
    now = json.loads(request["body"])
    assert now["type"] == "ping"
    signature = sent["x-postops-signature"]
    timestamp = int(signature.split(",")[0][2:])
    assert rules.webhook_signature_valid(new, signature, request["body"], timestamp)
    assert not rules.webhook_signature_valid(old, signature, request["body"], timestamp)


def test_ping_reports_a_failing_receiver(client, shop, receiver, settings):
    settings.POSTOPS_WEBHOOK_ALLOW_LOOPBACK_HTTP = True
    _key, headers = shop
    _put(client, headers, receiver.url)
    receiver.statuses = [500]
    assert client.post("/api/v1/webhooks/ping", **headers).json() == {
        "delivered": False,
        "status_code": 500,
        "error": "HTTP 500",
    }
    assert AuditEntry.objects.filter(action="items.webhook_ping").count() == 1


def test_delivery_log_lists_only_the_keys_own_webhooks(
    client, shop, offices, receiver, settings, blocks, accept_kwargs
):
    from datetime import UTC, datetime

    from postops.items.services import event_record, item_accept

    settings.POSTOPS_WEBHOOK_ALLOW_LOOPBACK_HTTP = True
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    key, headers = shop
    other, other_raw = api_key_create(
        None, name="Other", role="partner", offices=[offices["origin"]]
    )
    _put(client, headers, receiver.url)
    WebhookEndpoint.objects.create(api_key=other, url=receiver.url, secret="whsec_x")
    when = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    mine = item_accept(actor=None, accepted_at=when, sender_key=key, **accept_kwargs).item
    theirs = item_accept(actor=None, accepted_at=when, sender_key=other, **accept_kwargs).item
    for item in (mine, theirs):
        event_record(
            actor=None,
            item=item,
            code="delivery_office_arrival",
            office=offices["delivery"],
            occurred_at=when.replace(hour=3),
        )
    log = client.get("/api/v1/webhooks/deliveries", **headers).json()
    assert [(d["number"], d["state"], d["attempts"]) for d in log] == [(mine.number, "pending", 0)]


def test_only_partner_keys(client, make_user, offices, verified_client):
    clerk_key, raw = api_key_create(None, name="Scanner", role="clerk", offices=[offices["origin"]])
    denied = client.get("/api/v1/webhooks", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert (denied.status_code, denied.json()["code"]) == (403, "forbidden")
    assert client.get("/api/v1/webhooks").status_code == 401


# --- The page --------------------------------------------------------------------------------


@pytest.fixture
def shop_user(make_user, shop, offices):
    from postops.items.models import PartnerKeyAccess

    user = make_user("partner", offices=[offices["origin"]])
    PartnerKeyAccess.objects.create(user=user, api_key=shop[0])
    return user


def test_partner_page_sets_url_shows_secret_once_and_pings(
    shop, shop_user, verified_client, receiver, settings
):
    settings.POSTOPS_WEBHOOK_ALLOW_LOOPBACK_HTTP = True
    key, _headers = shop
    client = verified_client(shop_user)
    page = client.get("/items/webhooks/")
    assert page.status_code == 200
    assert "Shop" in page.content.decode()
    prefix = f"k{key.pk}"
    refused = client.post(
        f"/items/webhooks/{key.pk}/", {f"{prefix}-url": "ftp://x", f"{prefix}-is_active": "on"}
    )
    assert refused.status_code == 422
    assert "Địa chỉ nhận không hợp lệ" in refused.content.decode()
    saved = client.post(
        f"/items/webhooks/{key.pk}/",
        {f"{prefix}-url": receiver.url, f"{prefix}-is_active": "on"},
    )
    secret = WebhookEndpoint.objects.get(api_key=key).secret
    assert saved.status_code == 200
    assert secret in saved.content.decode()
    assert secret not in client.get("/items/webhooks/").content.decode()
    rotated = client.post(f"/items/webhooks/{key.pk}/rotate")
    new = WebhookEndpoint.objects.get(api_key=key).secret
    assert new != secret
    assert new in rotated.content.decode()
    pinged = client.post(f"/items/webhooks/{key.pk}/ping")
    assert "Gửi thử thành công" in pinged.content.decode()
    assert len(receiver.requests) == 1


def test_partner_page_only_for_the_keys_the_user_manages(shop, make_user, offices, verified_client):
    key, _headers = shop
    stranger = make_user("partner", offices=[offices["origin"]])
    client = verified_client(stranger)
    assert "chưa được giao quản lý khóa API" in client.get("/items/webhooks/").content.decode()
    assert client.post(f"/items/webhooks/{key.pk}/rotate").status_code == 404
    assert client.post(f"/items/webhooks/{key.pk}/", {}).status_code == 404
