"""The sender: e-mail through the mailer, SMS and Zalo to a fake gateway, backoff, dead
messages, retry, the attempt log, and nothing personal in the logs (issue #4, item 9)."""

import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from postops.core.models import AuditEntry
from postops.notify import services
from postops.notify.models import Message, MessageAttempt

from .conftest import AGENCY_EMAIL, EMAIL, ID_NUMBER, IMMEDIATE, T0, record_event

pytestmark = pytest.mark.django_db


def _due_now(message):
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())


def test_filed_email_reaches_the_citizen(make_dossier):
    dossier = make_dossier()
    record_event(dossier, "filed", T0)
    assert services.notifications_send_due() == {"sent": 1, "failed": 0, "dead": 0}
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [EMAIL]
    assert sent.subject == f"Hồ sơ {dossier.code} đã đến cơ quan giải quyết"
    assert sent.body == (
        f"Bưu điện: hồ sơ {dossier.code} của ông/bà đã đến Trung tâm Phục vụ hành chính công "
        "tỉnh Lạng Sơn ngày 23/11/2026. Ngày hẹn trả kết quả: 07/12/2026.\n"
    )
    assert ID_NUMBER not in sent.body and "Hoa" not in sent.body
    message = Message.objects.get()
    assert (message.status, message.attempts, message.next_attempt_at) == ("sent", 1, None)
    assert message.sent_at is not None
    attempt = MessageAttempt.objects.get()
    assert (attempt.number, attempt.ok, attempt.error) == (1, True, "")


def test_delivered_email_to_the_agency(make_dossier):
    dossier = make_dossier(status="result_collected")
    record_event(dossier, "delivered", T0 + timedelta(days=10))
    services.notifications_send_due()
    sent = mail.outbox[0]
    assert sent.to == [AGENCY_EMAIL]
    assert sent.subject == f"Kết quả hồ sơ {dossier.code} đã trả cho công dân"
    assert sent.body == (
        "Kính gửi Trung tâm Phục vụ hành chính công tỉnh Lạng Sơn,\n\n"
        f"Bưu điện thông báo: kết quả giải quyết hồ sơ {dossier.code} (số hồ sơ của cơ quan "
        "TTHCC-261123-0007) đã được trả cho công dân ngày 03/12/2026.\n\n"
        "Thư này được gửi tự động, xin không trả lời.\n"
    )


def test_sent_right_after_the_commit_by_the_task(
    settings, make_dossier, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        record_event(make_dossier(), "filed")
        assert mail.outbox == []  # written with the event, sent only after the commit
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    assert Message.objects.get().status == "sent"


def test_sms_posts_to_the_gateway(sms_on, make_dossier):
    dossier = make_dossier(applicant_email="")
    record_event(dossier, "filed")
    services.notifications_send_due()
    (request,) = sms_on.requests
    message = Message.objects.get()
    assert request["path"] == "/send"
    assert request["headers"]["authorization"] == "Bearer sms-token"
    assert request["json"] == {
        "to": "84912345678",
        "text": (
            f"Bưu điện: hồ sơ {dossier.code} của ông/bà đã đến Trung tâm Phục vụ hành chính "
            "công tỉnh Lạng Sơn ngày 23/11/2026. Ngày hẹn trả kết quả: 07/12/2026."
        ),
        "reference": str(message.pk),
    }
    assert (message.status, message.provider_id) == ("sent", "m-1")


def test_zalo_posts_the_template_and_its_data(zalo_on, make_dossier):
    dossier = make_dossier(applicant_email="")
    record_event(dossier, "filed")
    zalo_on.replies = [(200, {"error": 0, "message": "Success", "data": {"msg_id": "z-9"}})]
    services.notifications_send_due()
    (request,) = zalo_on.requests
    message = Message.objects.get()
    assert request["headers"]["access_token"] == "zalo-oa-token"
    assert "authorization" not in request["headers"]
    assert request["json"] == {
        "phone": "84912345678",
        "template_id": "271828",
        "template_data": {
            "dossier": dossier.code,
            "agency": "Trung tâm Phục vụ hành chính công tỉnh Lạng Sơn",
            "filed_on": "23/11/2026",
            "appointment_date": "07/12/2026",
        },
        "tracking_id": str(message.pk),
    }
    assert (message.channel, message.status, message.provider_id) == ("zalo", "sent", "z-9")


def test_zalo_error_in_a_200_answer_is_a_failure(zalo_on, make_dossier):
    record_event(make_dossier(applicant_email=""), "filed")
    zalo_on.replies = [(200, {"error": -124, "message": "Invalid access token"})]
    services.notifications_send_due()
    message = Message.objects.get()
    assert (message.status, message.last_error) == (
        "failed",
        "ZNS error -124: Invalid access token",
    )


def test_failures_back_off_then_die(sms_on, make_dossier, settings):
    settings.POSTOPS_NOTIFY_MAX_ATTEMPTS = 3
    record_event(make_dossier(applicant_email=""), "filed")
    sms_on.replies = [(503, {}), (500, {}), (502, {})]
    message = Message.objects.get()

    before = timezone.now()
    services.notifications_send_due()
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("failed", 1, "HTTP 503")
    wait = message.next_attempt_at - before
    assert timedelta(seconds=60) <= wait < timedelta(seconds=70)
    # Not due yet: the sweep leaves it alone.
    assert services.notifications_send_due() == {"sent": 0, "failed": 0, "dead": 0}
    assert len(sms_on.requests) == 1

    _due_now(message)
    before = timezone.now()
    services.notifications_send_due()
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("failed", 2, "HTTP 500")
    assert timedelta(seconds=120) <= message.next_attempt_at - before < timedelta(seconds=130)

    _due_now(message)
    assert services.notifications_send_due() == {"sent": 0, "failed": 0, "dead": 1}
    message.refresh_from_db()
    assert (message.status, message.attempts, message.next_attempt_at) == ("dead", 3, None)
    assert list(MessageAttempt.objects.values_list("number", "ok", "error")) == [
        (1, False, "HTTP 503"),
        (2, False, "HTTP 500"),
        (3, False, "HTTP 502"),
    ]
    # Dead stays dead: no more requests, even when forced through the single-message path.
    assert services.message_send(message.pk) is None
    assert len(sms_on.requests) == 3


def test_an_unreachable_gateway_is_a_failure(settings, make_dossier):
    settings.POSTOPS_NOTIFY_CHANNELS = {
        **settings.POSTOPS_NOTIFY_CHANNELS,
        "sms": {
            "BACKEND": "postops.notify.channels.SmsGatewayChannel",
            # Port 9 on loopback: nothing listens, the connection is refused at once.
            "OPTIONS": {"url": "http://127.0.0.1:9/send", "token": "t", "timeout": 2},
        },
    }
    record_event(make_dossier(applicant_email=""), "filed")
    services.notifications_send_due()
    message = Message.objects.get()
    assert message.status == "failed"
    assert message.last_error == "URLError: <urlopen error [Errno 111] Connection refused>"


def test_a_dead_message_is_retried_with_fresh_attempts(sms_on, make_dossier, make_user, settings):
    settings.POSTOPS_NOTIFY_MAX_ATTEMPTS = 1
    record_event(make_dossier(applicant_email=""), "filed")
    sms_on.replies = [(500, {})]
    services.notifications_send_due()
    message = Message.objects.get()
    assert message.status == "dead"
    supervisor = make_user("supervisor")

    assert services.message_retry(actor=supervisor, message=message) is True
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("pending", 0)
    entry = AuditEntry.objects.get(action="notify.message_retry")
    assert (entry.actor, entry.target_id, entry.before, entry.after) == (
        supervisor,
        str(message.pk),
        {"status": "dead", "attempts": 1},
        {"status": "pending", "attempts": 0},
    )
    assert services.message_retry(actor=supervisor, message=message) is False  # not dead

    services.notifications_send_due()
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1)
    assert list(MessageAttempt.objects.values_list("number", "ok")) == [(1, False), (2, True)]


def test_a_claimed_message_is_not_sent_twice(make_dossier):
    record_event(make_dossier(), "filed")
    message = Message.objects.get()
    assert services.notifications_claim_due() == [message.pk]
    # Another sender (or the task) comes along while the first one holds the claim.
    assert services.notifications_claim_due() == []
    assert services.message_send(message.pk) is None
    assert services.message_send(message.pk, claimed=True).status == "sent"
    assert len(mail.outbox) == 1


def test_a_disabled_channel_fails_the_attempt(settings, make_dossier):
    record_event(make_dossier(), "filed")
    settings.POSTOPS_NOTIFY_CHANNELS = {
        **settings.POSTOPS_NOTIFY_CHANNELS,
        "email": {"BACKEND": "postops.notify.channels.EmailChannel", "OPTIONS": {"enabled": 0}},
    }
    services.notifications_send_due()
    message = Message.objects.get()
    assert (message.status, message.last_error) == ("failed", "channel email is not configured")
    assert mail.outbox == []


def test_nothing_personal_in_the_logs(sms_on, make_dossier, caplog):
    caplog.set_level(logging.DEBUG)
    dossier = make_dossier()
    record_event(dossier, "filed")
    sms_on.replies = [(500, {})]
    services.notifications_send_due()  # the SMS fails, the e-mail goes
    sms = Message.objects.get(channel="sms")
    _due_now(sms)
    services.notifications_send_due()  # the SMS goes
    text = caplog.text
    assert f"notification {sms.pk} via sms failed (attempt 1): failed" in text
    assert f"notification {sms.pk} sent via sms" in text
    for secret in (ID_NUMBER, "0912 345 678", "84912345678", "912345678", EMAIL, "Hoa"):
        assert secret not in text


def test_the_command_sends_what_is_due(make_dossier):
    record_event(make_dossier(), "filed")
    from io import StringIO

    out = StringIO()
    call_command("send_notifications", stdout=out)
    assert out.getvalue() == "sent=1 failed=0 dead=0\n"
    assert len(mail.outbox) == 1


def test_the_periodic_task_sends_what_is_due(settings, make_dossier):
    settings.TASKS = IMMEDIATE
    from postops.notify.tasks import notifications_send_due_task

    record_event(make_dossier(), "filed")
    result = notifications_send_due_task.enqueue()
    assert result.return_value == {"sent": 1, "failed": 0, "dead": 0}
