"""Handover to the agency (issue #4, item 5): a batch per agency, the record PDF, the agency's
confirmation recording the legal filing time and the appointment dates."""

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from pypdf import PdfReader

from postops.core.models import AuditEntry
from postops.core.money import format_vnd
from postops.dossiers import pdf, services
from postops.dossiers.models import Dossier, Handover
from postops.items.models import Item

from . import helpers

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def desk(tree, centre, make_user):
    helpers.dossier_items_setup([tree["po_a"], tree["po_b"]])
    clerk = make_user("clerk", offices=[tree["po_a"]], username="gdv-a")
    officer = make_user("agency", username="cb-mot-cua", full_name="Hoàng Văn Minh")
    services.agency_officer_set(None, officer, centre)
    proc = helpers.procedure(centre)
    docs = {d.pk: d.kind if d.kind != "either" else "copy" for d in proc.documents.all()}

    def take(office=None, who=None, **extra):
        return services.dossier_intake(
            who or clerk,
            office=office or tree["po_a"],
            procedure=extra.pop("procedure", proc),
            service_form="send",
            applicant=helpers.applicant(),
            documents=extra.pop("documents", docs),
            seal_number="NP-1",
            weight_g=200,
            **extra,
        ).dossier

    return {"clerk": clerk, "officer": officer, "procedure": proc, "take": take, "tree": tree}


@pytest.mark.django_db
def test_handover_batches_the_agencys_waiting_dossiers(desk, centre, make_user):
    other_agency = helpers.agency("STP", "Sở Tư pháp", kind="department")
    first, second = desk["take"](), desk["take"]()
    other = desk["take"](procedure=helpers.procedure(other_agency, code="9.9", documents=()))
    clerk_b = make_user("clerk", offices=[desk["tree"]["po_b"]])
    elsewhere = desk["take"](office=desk["tree"]["po_b"], who=clerk_b)

    handover = services.handover_create(desk["clerk"], office=desk["tree"]["po_a"], agency=centre)
    assert handover.code == f"BB-{timezone.localdate():%y%m%d}-0001"
    assert (handover.status, handover.dossier_count, handover.agency) == ("open", 2, centre)
    assert sorted(handover.dossiers.values_list("code", flat=True)) == [first.code, second.code]
    for d in (first, second):
        d.refresh_from_db()
        assert (d.status, d.handover) == ("in_handover", handover)
        assert d.outbound_item.status == "out_for_delivery"
    other.refresh_from_db()
    elsewhere.refresh_from_db()
    assert (other.status, elsewhere.status) == ("received", "received")
    assert AuditEntry.objects.get(action="dossiers.handover_create").after["dossiers"] == [
        first.code,
        second.code,
    ]
    with pytest.raises(ValidationError) as exc:
        services.handover_create(desk["clerk"], office=desk["tree"]["po_a"], agency=centre)
    assert exc.value.message_dict == {
        "agency": ["Không có hồ sơ nào đang chờ giao cho cơ quan này."]
    }
    rows = pdf.handover_rows(handover)
    assert [r[1] for r in rows] == [first.code, second.code]
    assert rows[0][2] == first.outbound_item.number
    assert [r[5] for r in rows] == [format_vnd(first.agency_fee), format_vnd(second.agency_fee)]
    assert pdf.handover_fees(handover) == first.agency_fee + second.agency_fee
    data = pdf.handover_pdf(handover)
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)
    assert "BIÊN BẢN GIAO NHẬN HỒ SƠ" in text and first.code in text and second.code in text
    total = format_vnd(first.agency_fee + second.agency_fee)
    assert f"Phí, lệ phí thu hộ bàn giao {total}" in text


@pytest.mark.django_db
def test_provincial_supervisor_batches_the_subtree(desk, centre, make_user):
    desk["take"]()
    supervisor = make_user("supervisor", offices=[desk["tree"]["province"]])
    handover = services.handover_create(supervisor, office=desk["tree"]["province"], agency=centre)
    assert handover.dossier_count == 1
    with pytest.raises(PermissionDenied):
        services.handover_create(desk["clerk"], office=desk["tree"]["po_b"], agency=centre)


@pytest.mark.django_db
def test_confirmation_records_the_legal_filing_time(desk, centre):
    first, second = desk["take"](), desk["take"]()
    handover = services.handover_create(desk["clerk"], office=desk["tree"]["po_a"], agency=centre)
    signed = handover.created_at + timedelta(seconds=30)
    signed_on = timezone.localdate(signed)
    appointment = signed_on + timedelta(days=20)
    result = services.handover_confirm(
        desk["officer"],
        handover,
        signed_at=signed,
        receiver_name="  Hoàng  Văn Minh ",
        appointments={
            first.code: {
                "appointment_date": appointment,
                "agency_number": f"tthcc-{signed_on:%y%m%d}-0007",
            }
        },
    )
    assert result.confirmed
    handover.refresh_from_db()
    assert (handover.status, handover.signed_at, handover.receiver_name) == (
        "confirmed",
        signed,
        "Hoàng Văn Minh",
    )
    assert handover.confirmed_by == desk["officer"]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.filed_at, first.appointment_date) == ("filed", signed, appointment)
    assert first.agency_number == f"TTHCC-{signed_on:%y%m%d}-0007"
    assert second.filed_at == signed and second.appointment_date is None
    # The agency's clock: 10 working days from the filing day.
    from postops.core.calendar import add_working_days

    assert first.agency_due == add_working_days(signed_on, 10)
    assert [e.status for e in first.events.all()] == ["received", "in_handover", "filed"]
    assert first.events.last().occurred_at == signed
    assert Item.objects.get(pk=first.outbound_item_id).status == "delivered"
    entry = AuditEntry.objects.get(action="dossiers.handover_confirm")
    assert entry.actor == desk["officer"]
    # Confirming again changes nothing (idempotent).
    again = services.handover_confirm(desk["officer"], handover, signed_at=signed)
    assert not again.confirmed
    assert AuditEntry.objects.filter(action="dossiers.handover_confirm").count() == 1


@pytest.mark.django_db
def test_confirmation_checks(desk, centre, make_user):
    d = desk["take"]()
    handover = services.handover_create(desk["clerk"], office=desk["tree"]["po_a"], agency=centre)
    other_officer = make_user("agency")
    services.agency_officer_set(
        None, other_officer, helpers.agency("STP", "Sở Tư pháp", kind="department")
    )
    with pytest.raises(PermissionDenied):
        services.handover_confirm(other_officer, handover)
    with pytest.raises(PermissionDenied):
        services.handover_confirm(desk["clerk"], handover)
    with pytest.raises(ValidationError) as exc:
        services.handover_confirm(
            desk["officer"], handover, signed_at=timezone.now() + timedelta(hours=2)
        )
    assert exc.value.message_dict == {"signed_at": ["Thời điểm ký không được ở tương lai."]}
    with pytest.raises(ValidationError) as exc:
        services.handover_confirm(
            desk["officer"], handover, signed_at=handover.created_at - timedelta(hours=1)
        )
    assert exc.value.message_dict == {
        "signed_at": ["Thời điểm ký không được trước khi lập biên bản."]
    }
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        services.handover_confirm(
            desk["officer"],
            handover,
            appointments={
                d.code: {"appointment_date": today - timedelta(days=1), "agency_number": "X-1"},
                "HS-000000-00000": {},
            },
        )
    assert exc.value.message_dict == {
        "dossiers": ["Hồ sơ không có trong biên bản: HS-000000-00000."],
        "appointment_date": [f"Ngày hẹn của hồ sơ {d.code} trước ngày tiếp nhận."],
        "agency_number": [
            f"{d.code}: Số hồ sơ phải có dạng <mã cơ quan>-YYMMDD-XXXX, ví dụ TTHCC-250701-0001."
        ],
    }
    assert Handover.objects.get().status == "open"
    assert Dossier.objects.get().status == "in_handover"


# --- Agency registrations and results ------------------------------------------------------


@pytest.mark.django_db
def test_register_return_only_dossier_idempotently(desk, centre):
    filed = datetime(2025, 9, 5, 9, 30, tzinfo=VN)
    args = {
        "agency": centre,
        "agency_number": "TTHCC-250905-0042",
        "procedure_code": "1.001234",
        "applicant": {"name": "Trần Văn Bình", "id_number": "020085001234", "phone": "0987654321"},
        "delivery_address": {"commune_code": helpers.commune(2).code, "street": "Thôn Nà Pàn"},
        "filed_at": filed,
        "appointment_date": date(2025, 9, 19),
    }
    result = services.dossier_register(desk["officer"], **args)
    d = result.dossier
    assert result.created
    assert (d.status, d.channel, d.service_form, d.office) == (
        "registered",
        "agency",
        "return",
        None,
    )
    assert (d.filed_at, d.agency_due) == (filed, date(2025, 9, 19))
    assert d.postal_fee_return == 25000
    again = services.dossier_register(desk["officer"], **args)
    assert (again.created, again.dossier.pk) == (False, d.pk)
    with pytest.raises(services.IdempotencyConflict):
        services.dossier_register(desk["officer"], **{**args, "appointment_date": None})
    assert Dossier.objects.count() == 1


@pytest.mark.django_db
def test_register_checks_fields(desk, centre):
    with pytest.raises(ValidationError) as exc:
        services.dossier_register(
            desk["officer"],
            agency=centre,
            agency_number="STP-250905-0042",
            procedure_code="nope",
            applicant={"name": "", "id_number": "1"},
            delivery_address={},
        )
    assert sorted(exc.value.message_dict) == [
        "agency_number",
        "applicant_id_number",
        "applicant_name",
        "delivery_address",
        "procedure_code",
    ]


@pytest.mark.django_db
def test_result_ready_stops_the_agency_clock(desk, centre):
    d = desk["take"]()
    handover = services.handover_create(desk["clerk"], office=desk["tree"]["po_a"], agency=centre)
    with pytest.raises(services.StatusConflict):
        services.dossier_result_ready(desk["officer"], d, ready_on=timezone.localdate())
    services.handover_confirm(desk["officer"], handover)
    d.refresh_from_db()
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        services.dossier_result_ready(desk["officer"], d, ready_on=today + timedelta(days=1))
    assert services.dossier_result_ready(desk["officer"], d, ready_on=today) is True
    d.refresh_from_db()
    assert (d.status, d.result_ready_on) == ("result_ready", today)
    assert services.dossier_result_ready(desk["officer"], d, ready_on=today) is False
    with pytest.raises(services.StatusConflict):
        services.dossier_result_ready(desk["officer"], d, ready_on=today - timedelta(days=1))
    from postops.dossiers.selectors import dossier_clocks

    clocks = dossier_clocks(d)
    assert (clocks.post_send, clocks.agency, clocks.late) == ("done", "done", [])
