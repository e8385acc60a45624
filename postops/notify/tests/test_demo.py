"""Demo outbox rows: one sent and one dead SMS notice, seeded once."""

import pytest

from postops.notify.demo import DEAD_AFTER, seed_notify
from postops.notify.models import Message, MessageAttempt

from .conftest import T0

pytestmark = pytest.mark.django_db


def test_seed_notify_shows_a_sent_and_a_dead_message_once(make_dossier):
    first = make_dossier(status="filed", filed_at=T0)
    second = make_dossier(status="delivered", filed_at=T0)
    make_dossier(status="filed", applicant_phone="")  # no phone: no SMS notice
    make_dossier(status="result_ready", office=None)  # no office: no supervisor would see it
    make_dossier(status="in_handover")  # not at the agency yet
    ids = seed_notify()
    assert seed_notify() == ids
    rows = list(
        Message.objects.order_by("id").values_list("source_label", "channel", "status", "attempts")
    )
    assert rows == [
        (first.code, "sms", "sent", 1),
        (second.code, "sms", "dead", DEAD_AFTER),
    ]
    assert MessageAttempt.objects.count() == 1 + DEAD_AFTER
    assert Message.objects.get(status="sent").context["filed_on"] == "2026-11-23"
