"""Status webhooks: outbox written with the event, signed POST to a local receiver, retries
with exponential backoff, redirects refused, the delivery log (issue #3, item 4)."""

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from postops.accounts.services import api_key_create
from postops.core.models import AuditEntry
from postops.core.tests.receiver import LocalReceiver
from postops.items import rules, webhooks
from postops.items.models import WebhookDelivery, WebhookEndpoint
from postops.items.services import event_record, events_ingest_batch, item_accept

T0 = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
SECRET = "whsec_test-secret"
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def receiver():
    r = LocalReceiver("/hooks/postops")
    yield r
    r.close()


@pytest.fixture
def shop(offices):
    key, _raw = api_key_create(None, name="Shop", role="partner", offices=[offices["origin"]])
    return key


@pytest.fixture
def endpoint(shop, receiver):
    return webhooks.webhook_endpoint_save(actor=None, api_key=shop, url=receiver.url, secret=SECRET)


@pytest.fixture
def item(blocks, accept_kwargs, shop):
    return item_accept(
        actor=None, accepted_at=T0, sender_key=shop, sender_reference="HM-7", **accept_kwargs
    ).item


def test_a_status_change_is_signed_and_posted(
    settings, item, endpoint, receiver, offices, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        event_record(
            actor=None,
            item=item,
            code="delivery_office_arrival",
            office=offices["delivery"],
            occurred_at=T0 + timedelta(hours=5),
        )
        # Written with the event, sent only after the commit.
        assert WebhookDelivery.objects.get().state == "pending"
        assert receiver.requests == []
    assert len(callbacks) == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status_code, delivery.last_error) == (
        "delivered",
        1,
        200,
        "",
    )
    (request,) = receiver.requests
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert request["path"] == "/hooks/postops"
    assert headers["content-type"] == "application/json; charset=utf-8"
    assert headers["x-postops-event"] == "item.status_changed"
    assert headers["x-postops-delivery"] == str(delivery.pk)
    assert rules.webhook_signature_valid(
        SECRET, headers["x-postops-signature"], request["body"], now=int(time.time())
    )
    assert not rules.webhook_signature_valid(
        "wrong", headers["x-postops-signature"], request["body"], now=int(time.time())
    )
    payload = json.loads(request["body"])
    assert payload == {
        "id": str(delivery.pk),
        "type": "item.status_changed",
        "created_at": payload["created_at"],
        "data": {
            "number": "EB125966888VN",
            "reference": "HM-7",
            "status": "at_delivery_office",
            "status_text": "Đã đến bưu cục phát",
            "previous_status": "accepted",
            "event": {
                "code": "delivery_office_arrival",
                "upu_code": "EMG",
                "office_code": "241000",
                "occurred_at": "2026-03-02T13:30:00+07:00",
                "reason_code": "",
            },
        },
    }


def test_no_outbox_row_survives_a_rolled_back_event(item, endpoint, offices):
    with pytest.raises(RuntimeError), transaction.atomic():
        event_record(actor=None, item=item, code="sorting_in", office=offices["origin"])
        assert WebhookDelivery.objects.count() == 1
        raise RuntimeError("the caller's transaction fails afterwards")
    assert WebhookDelivery.objects.count() == 0


def test_only_status_changes_of_keyed_items_with_an_active_endpoint(
    blocks, accept_kwargs, item, endpoint, offices
):
    plain = item_accept(actor=None, accepted_at=T0, **accept_kwargs).item
    events = [
        {
            "event_id": f"00000000-0000-0000-0000-00000000000{n}",
            "number": number,
            "code": code,
            "office_code": office,
            "occurred_at": (T0 + timedelta(minutes=10 * n)).isoformat(),
        }
        for n, (number, code, office) in enumerate(
            [
                (item.number, "sorting_in", "240000"),
                (item.number, "sorting_out", "240000"),  # in transit again: no change
                (item.number, "delivery_office_arrival", "241000"),
                (plain.number, "sorting_in", "240000"),  # no partner key
            ],
            start=1,
        )
    ]
    events_ingest_batch(actor=None, events=events)
    rows = list(WebhookDelivery.objects.order_by("created_at", "payload__data__status"))
    assert sorted(
        (r.payload["data"]["previous_status"], r.payload["data"]["status"]) for r in rows
    ) == [
        ("accepted", "in_transit"),
        ("in_transit", "at_delivery_office"),
    ]
    assert {r.item_id for r in rows} == {item.pk}
    WebhookEndpoint.objects.update(is_active=False)
    event_record(actor=None, item=item, code="out_for_delivery", office=offices["delivery"])
    assert WebhookDelivery.objects.count() == 2


def test_failures_are_retried_with_backoff_until_delivered(
    settings, item, endpoint, receiver, offices
):
    settings.TASKS = IMMEDIATE  # cannot defer: the retry waits for the sweeper
    receiver.statuses = [500, 503, 200]
    event_record(actor=None, item=item, code="sorting_in", office=offices["origin"])
    delivery = WebhookDelivery.objects.get()

    before = timezone.now()
    webhooks.webhook_deliver(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status_code, delivery.last_error) == (
        "pending",
        1,
        500,
        "HTTP 500",
    )
    wait = delivery.next_attempt_at - before
    assert timedelta(seconds=60) <= wait < timedelta(seconds=62)
    # Not due yet: the sweeper leaves it.
    assert webhooks.webhooks_send_due() == 0
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    assert webhooks.webhooks_send_due() == 1
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_status_code) == (2, 503)
    assert (
        timedelta(seconds=120)
        <= delivery.next_attempt_at - delivery.last_attempt_at
        < timedelta(seconds=122)
    )
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    assert webhooks.webhooks_send_due() == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.next_attempt_at) == ("delivered", 3, None)
    sent_ids = [
        {k.lower(): v for k, v in r["headers"].items()}["x-postops-delivery"]
        for r in receiver.requests
    ]
    assert sent_ids == [str(delivery.pk)] * 3
    # Sent: never again.
    assert webhooks.webhook_deliver(delivery.pk, force=True) is None
    assert len(receiver.requests) == 3


def test_a_retry_is_deferred_when_the_backend_can(settings, item, endpoint, receiver, offices):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    receiver.statuses = [500]
    event_record(actor=None, item=item, code="sorting_in", office=offices["origin"])
    delivery = WebhookDelivery.objects.get()
    webhooks.webhook_deliver(delivery.pk)
    delivery.refresh_from_db()
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["args"] == [str(delivery.pk)]
    assert abs(task.run_after - delivery.next_attempt_at) < timedelta(milliseconds=1)


def test_attempts_run_out(settings, item, endpoint, receiver, offices):
    settings.TASKS = IMMEDIATE
    settings.POSTOPS_WEBHOOK_MAX_ATTEMPTS = 2
    receiver.statuses = [500, 500]
    event_record(actor=None, item=item, code="sorting_in", office=offices["origin"])
    delivery = WebhookDelivery.objects.get()
    webhooks.webhook_deliver(delivery.pk)
    webhooks.webhook_deliver(delivery.pk, force=True)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.next_attempt_at) == ("failed", 2, None)
    assert webhooks.webhooks_send_due() == 0
    # An administrator sends it again: a fresh set of attempts.
    webhooks.webhook_retry(actor=None, delivery=delivery)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("pending", 0)
    assert AuditEntry.objects.filter(action="items.webhook_retry").count() == 1


def test_redirects_and_network_errors_are_failures(settings, item, endpoint, receiver, offices):
    settings.TASKS = IMMEDIATE
    receiver.statuses = [302]
    receiver.redirect_to = receiver.url + "/elsewhere"
    event_record(actor=None, item=item, code="sorting_in", office=offices["origin"])
    delivery = WebhookDelivery.objects.get()
    webhooks.webhook_deliver(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.last_status_code, delivery.last_error) == (302, "HTTP 302")
    assert len(receiver.requests) == 1  # the redirect was not followed
    receiver.close()  # nobody listens any more
    webhooks.webhook_deliver(delivery.pk, force=True)
    delivery.refresh_from_db()
    assert delivery.last_status_code is None
    assert delivery.last_error.startswith("URLError:")
    assert (delivery.state, delivery.attempts) == ("pending", 2)


def test_endpoint_save_makes_a_secret_and_audits_without_it(shop, receiver):
    endpoint = webhooks.webhook_endpoint_save(actor=None, api_key=shop, url=receiver.url)
    assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) > 40
    again = webhooks.webhook_endpoint_save(actor=None, api_key=shop, url=receiver.url + "/v2")
    assert (again.pk, again.secret) == (endpoint.pk, endpoint.secret)
    entries = AuditEntry.objects.filter(action="items.webhook_endpoint_save").order_by("pk")
    assert [e.after for e in entries] == [
        {"url": receiver.url, "is_active": True, "secret_changed": True},
        {"url": receiver.url + "/v2", "is_active": True, "secret_changed": False},
    ]
    assert endpoint.secret not in json.dumps([e.after for e in entries])


def test_signature_is_hmac_sha256_of_timestamp_dot_body():
    body = b'{"a":1}'
    expected = hmac.new(b"s3cret", b'1767225600.{"a":1}', hashlib.sha256).hexdigest()
    assert rules.webhook_signature("s3cret", 1767225600, body) == f"t=1767225600,v1={expected}"
    header = rules.webhook_signature("s3cret", 1767225600, body)
    assert rules.webhook_signature_valid("s3cret", header, body, now=1767225600 + 300)
    assert not rules.webhook_signature_valid("s3cret", header, body, now=1767225600 + 301)
    assert not rules.webhook_signature_valid("s3cret", header, b'{"a":2}', now=1767225600)
    assert not rules.webhook_signature_valid("s3cret", "garbage", body, now=1767225600)


def test_backoff_doubles_from_one_minute_up_to_six_hours():
    assert [rules.webhook_backoff_seconds(n) for n in range(1, 12)] == [
        60,
        120,
        240,
        480,
        960,
        1920,
        3840,
        7680,
        15360,
        21600,
        21600,
    ]


@given(st.integers(min_value=1, max_value=10_000))
def test_backoff_never_shrinks_and_stays_under_the_cap(attempt):
    assert rules.webhook_backoff_seconds(attempt) <= rules.webhook_backoff_seconds(attempt + 1)
    assert 60 <= rules.webhook_backoff_seconds(attempt) <= 6 * 3600


@pytest.fixture
def admin_client(client, make_user, offices):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = make_user("admin", offices=[offices["root"]], is_staff=True, is_superuser=True)
    client.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="t", confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def test_admin_sets_an_endpoint_and_resends_from_the_log(
    admin_client, shop, item, receiver, offices
):
    page = admin_client.get("/admin/items/webhookendpoint/add/")
    assert page.status_code == 200
    response = admin_client.post(
        "/admin/items/webhookendpoint/add/",
        {"api_key": shop.pk, "url": receiver.url, "is_active": "on", "new_secret": ""},
    )
    assert response.status_code == 302, response.content
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret.startswith("whsec_")
    assert AuditEntry.objects.filter(action="items.webhook_endpoint_save").count() == 1
    change = admin_client.get(f"/admin/items/webhookendpoint/{endpoint.pk}/change/")
    assert endpoint.secret in change.text  # administrators read it to give it to the partner

    event_record(actor=None, item=item, code="sorting_in", office=offices["origin"])
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.update(state="failed", attempts=12)
    log = admin_client.get("/admin/items/webhookdelivery/")
    assert log.status_code == 200
    assert item.number in log.text
    assert (
        admin_client.get(f"/admin/items/webhookdelivery/{delivery.pk}/change/").status_code == 200
    )
    response = admin_client.post(
        "/admin/items/webhookdelivery/",
        {"action": "resend", "_selected_action": [str(delivery.pk)]},
    )
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("pending", 0)
