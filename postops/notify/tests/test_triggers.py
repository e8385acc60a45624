"""Dossier events write outbox rows in their own transaction, once per event and address
(issue #4, item 9; domain.md §1, tracking duty)."""

from datetime import timedelta

import pytest
from django.db import transaction

from postops.notify.models import Message
from postops.notify.triggers import dossier_event_notify

from .conftest import AGENCY_EMAIL, EMAIL, ID_NUMBER, PHONE, T0, record_event

pytestmark = pytest.mark.django_db


def _rows():
    return list(
        Message.objects.order_by("id").values_list(
            "channel", "recipient", "template_key", "dedupe_key", "status"
        )
    )


def test_filed_notifies_the_citizen_by_sms_and_email(sms_on, make_dossier):
    dossier = make_dossier()
    record_event(dossier, "filed", T0 + timedelta(hours=3))
    assert _rows() == [
        ("sms", PHONE, "dossier_filed", f"dossier:{dossier.pk}:filed:phone", "pending"),
        ("email", EMAIL, "dossier_filed", f"dossier:{dossier.pk}:filed:email", "pending"),
    ]
    message = Message.objects.get(channel="sms")
    assert message.context == {
        "dossier": dossier.code,
        "agency": "Trung tâm Phục vụ hành chính công tỉnh Lạng Sơn",
        "filed_on": "2026-11-23",
        "appointment_date": "2026-12-07",
    }
    assert (message.source_type, message.source_id, message.source_label) == (
        "dossiers.dossier",
        str(dossier.pk),
        dossier.code,
    )
    assert message.office_id == dossier.office_id
    assert ID_NUMBER not in str(message.context)
    assert "Hoa" not in str(message.context)


def test_a_replayed_event_notifies_nobody_twice(sms_on, make_dossier):
    dossier = make_dossier()
    event = record_event(dossier, "filed")
    record_event(dossier, "filed")
    assert dossier_event_notify(event) == 2  # offered again, stored once
    assert Message.objects.count() == 2


def test_without_a_phone_channel_only_the_email_is_written(make_dossier):
    # Default settings: SMS and Zalo have no gateway URL, so they are off.
    dossier = make_dossier()
    record_event(dossier, "filed")
    assert [r[:2] for r in _rows()] == [("email", EMAIL)]


def test_no_address_no_message(sms_on, make_dossier):
    record_event(make_dossier(applicant_phone="", applicant_email=""), "filed")
    assert Message.objects.count() == 0


def test_zalo_goes_first_when_it_has_the_template(zalo_on, make_dossier, settings):
    settings.POSTOPS_NOTIFY_CHANNELS["sms"]["OPTIONS"]["url"] = zalo_on.url
    dossier = make_dossier(applicant_email="")
    record_event(dossier, "filed")
    assert [r[:2] for r in _rows()] == [("zalo", PHONE)]


def test_delivered_notifies_the_agency(make_dossier):
    dossier = make_dossier(status="result_collected")
    record_event(dossier, "delivered", T0 + timedelta(days=10))
    assert _rows() == [
        (
            "email",
            AGENCY_EMAIL,
            "dossier_delivered",
            f"dossier:{dossier.pk}:delivered:email",
            "pending",
        )
    ]
    assert Message.objects.get().context == {
        "dossier": dossier.code,
        "agency_number": "TTHCC-261123-0007",
        "agency": "Trung tâm Phục vụ hành chính công tỉnh Lạng Sơn",
        "delivered_on": "2026-12-03",
    }


def test_returned_to_agency_notifies_the_agency(make_dossier):
    dossier = make_dossier(status="result_collected")
    record_event(dossier, "returned_to_agency", T0 + timedelta(days=12))
    assert _rows() == [
        (
            "email",
            AGENCY_EMAIL,
            "dossier_returned_to_agency",
            f"dossier:{dossier.pk}:returned_to_agency:email",
            "pending",
        )
    ]
    assert Message.objects.get().context["returned_on"] == "2026-12-05"


def test_agency_without_email_gets_nothing(make_dossier, place):
    place["agency"].email = ""
    place["agency"].save()
    record_event(make_dossier(status="result_collected"), "delivered")
    assert Message.objects.count() == 0


@pytest.mark.parametrize("status", ["received", "in_handover", "result_ready", "registered"])
def test_other_statuses_notify_nobody(sms_on, make_dossier, status):
    record_event(make_dossier(), status)
    assert Message.objects.count() == 0


def test_the_message_rolls_back_with_the_event(sms_on, make_dossier):
    dossier = make_dossier()
    with pytest.raises(RuntimeError), transaction.atomic():
        record_event(dossier, "filed")
        assert Message.objects.count() == 2
        raise RuntimeError("the status change failed")
    assert Message.objects.count() == 0
