"""Complaint services: filing with deadlines, the status path, compensation, incidents, audit."""

from datetime import date

import pytest

from postops.complaints import services
from postops.complaints.models import Complaint, Incident
from postops.core.models import AuditEntry
from postops.network.models import Commune

from . import factories as f


@pytest.fixture
def world(db):
    return f.world()


@pytest.fixture
def officer(make_user, world):
    return make_user("complaints", offices=[world["province"]])


def _file(actor, number, kind="loss", **extra):
    extra.setdefault("channel", "counter")
    return services.complaint_file(
        actor=actor,
        number=number,
        kind=kind,
        complainant_name="Phạm Thị Dung",
        complainant_phone="0912345678",
        **extra,
    )


def test_item_loss_complaint_deadlines(world, officer):
    item = f.item(world["po_a"], promised=date(2026, 1, 8))
    c = _file(officer, item.number.lower(), received_on=date(2026, 3, 2))
    assert c.code.startswith("KN") and len(c.code) == 10
    assert (c.subject, c.item_id, c.dossier_id, c.office_id) == (
        "item",
        item.pk,
        None,
        world["po_a"].pk,
    )
    assert c.admissible_until == date(2026, 7, 8)
    assert c.admissible is True
    assert c.answer_due == date(2026, 5, 2)
    assert c.status == "received"
    entry = AuditEntry.objects.get(action="complaints.file")
    assert entry.target_id == str(c.pk) and entry.actor == officer
    assert "Phạm" not in str(entry.after) and "0912345678" not in str(entry.after)


def test_late_damage_complaint_is_registered_but_not_admissible(world, officer):
    item = f.item(world["po_a"], status="delivered", delivered_on=date(2026, 1, 9))
    c = _file(officer, item.number, kind="damage", received_on=date(2026, 2, 10))
    assert c.admissible_until == date(2026, 2, 9)
    assert c.admissible is False


def test_international_item_answer_due_three_months(world, officer):
    item = f.item(world["po_a"])
    c = _file(
        officer, item.number, kind="delay", international=True, received_on=date(2026, 11, 30)
    )
    assert c.answer_due == date(2027, 2, 28)


def test_dossier_complaint_five_working_days_same_province(world, officer):
    d = f.dossier(
        world["po_a"],
        world["agency"],
        world["procedure"],
        code="HS-260213-00001",
        post_send_due=date(2026, 2, 13),
    )
    c = _file(officer, "hs-260213-00001", kind="dossier_service", received_on=date(2026, 2, 13))
    assert (c.subject, c.dossier_id, c.between_provinces) == ("dossier", d.pk, False)
    assert c.answer_due == date(2026, 2, 27)  # across Tết 2026
    assert c.admissible_until == date(2026, 8, 13)


def test_dossier_complaint_seven_working_days_between_provinces(world, officer):
    from postops.dossiers.tests import helpers

    other = helpers.agency(
        code="SOTP_HN",
        name="Sở Tư pháp Hà Nội",
        commune=Commune.objects.filter(province_id="01").first(),
    )
    f.dossier(world["po_a"], other, world["procedure"], code="HS-260213-00002")
    c = _file(officer, "HS-260213-00002", kind="delay", received_on=date(2026, 2, 13))
    assert c.between_provinces is True
    assert c.answer_due == date(2026, 3, 3)


def test_unknown_or_malformed_numbers(world, officer):
    with pytest.raises(services.ComplaintError) as err:
        _file(officer, "EB125966888VN")
    assert err.value.code == "not_found"
    with pytest.raises(services.ComplaintError) as err:
        _file(officer, "EB125966880VN")
    assert err.value.code == "number_format"


def test_submit_token_makes_a_repeat_return_the_first(world):
    item = f.item(world["po_a"])
    first = _file(None, item.number, channel="web", submit_token="t" * 32)
    again = _file(None, item.number, channel="web", submit_token="t" * 32)
    assert first.pk == again.pk and Complaint.objects.count() == 1
    assert AuditEntry.objects.get(action="complaints.file").actor_label == "public"


def test_full_path_upheld_loss_with_compensation_and_incident(world, officer):
    item = f.item(world["po_a"], fee=32_000, promised=date(2026, 1, 8))
    c = _file(officer, item.number, received_on=date(2026, 2, 2))
    c = services.complaint_investigate(officer, c)
    assert c.status == "investigating"
    c = services.complaint_answer(
        officer,
        c,
        outcome="upheld",
        answer_text="Bưu gửi bị thất lạc.",
        lost=True,
        answered_on=date(2026, 2, 20),
    )
    assert (c.status, c.outcome, c.lost, c.answered_on) == (
        "answered",
        "upheld",
        True,
        date(2026, 2, 20),
    )
    incident = Incident.objects.get()
    assert (incident.kind, incident.item_id, incident.complaint_id, incident.found_on) == (
        "loss",
        item.pk,
        c.pk,
        date(2026, 2, 20),
    )
    c = services.complaint_compensation_decide(
        officer, c, amount=128_000, basis="domestic_loss", decided_on=date(2026, 2, 21)
    )
    assert (c.compensation_amount, c.status, c.payment_due) == (
        128_000,
        "answered",
        date(2026, 3, 23),
    )
    c = services.complaint_compensation_pay(officer, c, paid_on=date(2026, 3, 24))
    assert c.status == "compensated"
    assert c.payment_late(date(2026, 3, 24)) is True
    c = services.complaint_close(officer, c)
    assert c.status == "closed"
    actions = list(
        AuditEntry.objects.filter(action__startswith="complaints.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "complaints.file",
        "complaints.investigate",
        "complaints.answer",
        "complaints.incident_record",
        "complaints.compensation_decide",
        "complaints.compensation_pay",
        "complaints.close",
    ]


def test_rejected_answer_records_no_incident_and_no_compensation(world, officer):
    item = f.item(world["po_a"])
    c = _file(officer, item.number)
    c = services.complaint_answer(officer, c, outcome="rejected", answer_text="Đã phát.", lost=True)
    assert c.lost is False and not Incident.objects.exists()
    with pytest.raises(services.ComplaintError) as err:
        services.complaint_compensation_decide(
            officer, c, amount=1, basis="domestic_loss", decided_on=date(2026, 1, 1)
        )
    assert err.value.code == "not_upheld"


def test_stale_status_change_is_a_conflict(world, officer):
    item = f.item(world["po_a"])
    c = _file(officer, item.number)
    stale = Complaint.objects.get(pk=c.pk)
    services.complaint_investigate(officer, c)
    with pytest.raises(services.ComplaintError) as err:
        services.complaint_investigate(officer, stale)
    assert err.value.code == "conflict"
    assert AuditEntry.objects.filter(action="complaints.investigate").count() == 1


def test_payment_needs_a_decision_and_not_before_it(world, officer):
    item = f.item(world["po_a"])
    c = services.complaint_answer(
        officer, _file(officer, item.number), outcome="upheld", answer_text="x"
    )
    with pytest.raises(services.ComplaintError) as err:
        services.complaint_compensation_pay(officer, c, paid_on=date(2026, 1, 1))
    assert err.value.code == "no_decision"
    c = services.complaint_compensation_decide(
        officer, c, amount=10, basis="delay_refund", decided_on=date(2026, 1, 10)
    )
    with pytest.raises(services.ComplaintError) as err:
        services.complaint_compensation_pay(officer, c, paid_on=date(2026, 1, 9))
    assert err.value.code == "paid_before_decision"


def test_incident_found_internally(world, officer):
    d = f.dossier(world["po_b"], world["agency"], world["procedure"], code="HS-260105-00009")
    incident = services.incident_record(
        officer,
        office=world["po_b"],
        kind="damage",
        number=d.code,
        found_on=date(2026, 1, 6),
        description="Ướt",
    )
    assert (incident.dossier_id, incident.item_id, incident.kind) == (d.pk, None, "damage")
    assert AuditEntry.objects.filter(
        action="complaints.incident_record", target_id=str(incident.pk)
    ).exists()
