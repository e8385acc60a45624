"""Handover pages: the clerk batches per agency, the agency officer confirms in PostOps."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from postops.dossiers import services
from postops.dossiers.models import Dossier, Handover

from . import helpers

pytestmark = pytest.mark.django_db


@pytest.fixture
def flow(tree, centre, make_user, verified_client, client):
    helpers.dossier_items_setup([tree["po_a"]])
    clerk = make_user("clerk", offices=[tree["po_a"]])
    officer = make_user("agency", username="cb-tthcc")
    services.agency_officer_set(None, officer, centre)
    proc = helpers.procedure(centre)
    docs = {d.pk: d.kind for d in proc.documents.all()}
    for _ in range(2):
        services.dossier_intake(
            clerk,
            office=tree["po_a"],
            procedure=proc,
            service_form="send",
            applicant=helpers.applicant(),
            documents=docs,
            seal_number="NP-1",
            weight_g=200,
        )
    return {
        "clerk": verified_client(clerk),
        "officer": officer,
        "tree": tree,
        "make_user": make_user,
        "verified_client": verified_client,
    }


def test_clerk_sees_pending_and_makes_the_record(flow, centre):
    client = flow["clerk"]
    page = client.get("/dossiers/handovers/")
    assert page.status_code == 200
    [batch] = page.context["pending"]
    assert (batch.office, batch.agency, batch.count) == (flow["tree"]["po_a"], centre, 2)
    response = client.post(
        "/dossiers/handovers/new/", {"office": flow["tree"]["po_a"].pk, "agency": centre.pk}
    )
    handover = Handover.objects.get()
    assert response["Location"] == f"/dossiers/handovers/{handover.pk}/"
    detail = client.get(f"/dossiers/handovers/{handover.pk}/")
    assert detail.status_code == 200
    assert detail.context["form"] is None  # the post does not confirm for the agency
    assert client.get(f"/dossiers/handovers/{handover.pk}/bien-ban.pdf").content.startswith(b"%PDF")
    assert client.post(f"/dossiers/handovers/{handover.pk}/", {}).status_code == 403
    # Nothing left to hand over: a second click gives a message, not a second record.
    again = client.post(
        "/dossiers/handovers/new/", {"office": flow["tree"]["po_a"].pk, "agency": centre.pk}
    )
    assert again["Location"] == "/dossiers/handovers/"
    assert Handover.objects.count() == 1


def test_clerk_cannot_hand_over_for_another_office(flow, centre):
    response = flow["clerk"].post(
        "/dossiers/handovers/new/", {"office": flow["tree"]["po_b"].pk, "agency": centre.pk}
    )
    assert response.status_code == 404


def test_agency_officer_confirms_in_postops(flow, centre):
    handover = services.handover_create(None, office=flow["tree"]["po_a"], agency=centre)
    officer = flow["verified_client"](flow["officer"])
    inbox = officer.get("/dossiers/agency/")
    assert [h.code for h in inbox.context["open_handovers"]] == [handover.code]
    page = officer.get(f"/dossiers/handovers/{handover.pk}/")
    form = page.context["form"]
    assert form is not None
    html = page.content.decode()
    assert 'type="datetime-local"' in html
    dossiers = list(Dossier.objects.order_by("code"))
    signed = timezone.localtime(handover.created_at + timedelta(minutes=1))
    appointment = (signed + timedelta(days=15)).date()
    data = {
        "signed_at": signed.strftime("%Y-%m-%dT%H:%M"),
        "receiver_name": "Hoàng Văn Minh",
        f"appt_{dossiers[0].pk}": appointment.isoformat(),
        f"num_{dossiers[0].pk}": "",
        f"appt_{dossiers[1].pk}": "",
        f"num_{dossiers[1].pk}": "",
    }
    response = officer.post(f"/dossiers/handovers/{handover.pk}/", data)
    assert response.status_code == 302, response.context["form"].errors
    handover.refresh_from_db()
    assert handover.status == "confirmed"
    dossiers[0].refresh_from_db()
    assert (dossiers[0].status, dossiers[0].appointment_date) == ("filed", appointment)
    assert dossiers[0].filed_at == handover.signed_at
    inbox = officer.get("/dossiers/agency/")
    assert sorted(d.code for d in inbox.context["waiting"]) == [d.code for d in dossiers]
    html = inbox.content.decode()
    assert re.search(r'action="/dossiers/\d+/result-ready/"', html)
    today = timezone.localdate()
    response = officer.post(
        f"/dossiers/{dossiers[0].pk}/result-ready/", {"ready_on": today.isoformat()}
    )
    assert response["Location"] == "/dossiers/agency/"
    dossiers[0].refresh_from_db()
    assert (dossiers[0].status, dossiers[0].result_ready_on) == ("result_ready", today)


def test_confirm_form_errors_in_vietnamese(flow, centre):
    handover = services.handover_create(None, office=flow["tree"]["po_a"], agency=centre)
    officer = flow["verified_client"](flow["officer"])
    response = officer.post(f"/dossiers/handovers/{handover.pk}/", {"signed_at": ""})
    assert response.status_code == 422
    assert response.context["form"].errors["signed_at"] == ["Cần ghi thời điểm ký biên bản."]
    future = timezone.localtime() + timedelta(days=2)
    response = officer.post(
        f"/dossiers/handovers/{handover.pk}/", {"signed_at": future.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 422
    assert response.context["form"].errors["signed_at"] == ["Thời điểm ký không được ở tương lai."]


def test_other_agency_cannot_see_the_record(flow, centre):
    handover = services.handover_create(None, office=flow["tree"]["po_a"], agency=centre)
    stranger = flow["make_user"]("agency")
    services.agency_officer_set(
        None, stranger, helpers.agency("STP", "Sở Tư pháp", kind="department")
    )
    client = flow["verified_client"](stranger)
    assert client.get(f"/dossiers/handovers/{handover.pk}/").status_code == 404
    dossier = Dossier.objects.first()
    assert client.get(f"/dossiers/{dossier.pk}/").status_code == 404


def test_agency_officer_without_agency_is_told(flow):
    client = flow["verified_client"](flow["make_user"]("agency"))
    response = client.get("/dossiers/agency/")
    assert response.status_code == 200
    assert "chưa được gắn với cơ quan" in response.content.decode()
