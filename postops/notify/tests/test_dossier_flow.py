"""Through the real dossier services: the agency signs the handover record, each dossier on it
becomes ``filed`` and its citizen gets exactly one notice with the appointment date."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from postops.dossiers import services as dossier_services
from postops.dossiers.tests import helpers
from postops.notify import services
from postops.notify.models import Message

pytestmark = pytest.mark.django_db


def test_handover_confirmation_notifies_each_citizen_once(sms_on, place, make_user):
    tree, centre = place["tree"], place["agency"]
    helpers.dossier_items_setup([tree["po_a"]])
    clerk = make_user("clerk", offices=[tree["po_a"]])
    officer = make_user("agency")
    dossier_services.agency_officer_set(None, officer, centre)
    proc = place["procedure"]
    docs = {d.pk: d.kind if d.kind != "either" else "copy" for d in proc.documents.all()}
    dossiers = [
        dossier_services.dossier_intake(
            clerk,
            office=tree["po_a"],
            procedure=proc,
            service_form="send",
            applicant=helpers.applicant(phone=phone),
            documents=docs,
            seal_number="NP-1",
            weight_g=200,
        ).dossier
        for phone in ("0912 345 678", "0987 654 321")
    ]
    assert Message.objects.count() == 0  # intake and handover tell nobody
    handover = dossier_services.handover_create(clerk, office=tree["po_a"], agency=centre)
    signed = handover.created_at
    appointment = timezone.localdate(signed) + timedelta(days=14)
    appointments = {d.code: {"appointment_date": appointment} for d in dossiers}

    dossier_services.handover_confirm(
        officer, handover, signed_at=signed, appointments=appointments
    )
    dossier_services.handover_confirm(
        officer, handover, signed_at=signed, appointments=appointments
    )

    rows = list(Message.objects.order_by("id").values_list("channel", "recipient", "context"))
    assert [(c, r) for c, r, _ in rows] == [("sms", "0912345678"), ("sms", "0987654321")]
    assert [ctx["dossier"] for _, _, ctx in rows] == [d.code for d in dossiers]
    assert {ctx["appointment_date"] for _, _, ctx in rows} == {appointment.isoformat()}
    assert {ctx["filed_on"] for _, _, ctx in rows} == {timezone.localdate(signed).isoformat()}
    assert services.notifications_send_due() == {"sent": 2, "failed": 0, "dead": 0}
    assert [r["json"]["to"] for r in sms_on.requests] == ["84912345678", "84987654321"]
    assert f"Ngày hẹn trả kết quả: {appointment:%d/%m/%Y}." in sms_on.requests[0]["json"]["text"]
    assert isinstance(appointment, date)
