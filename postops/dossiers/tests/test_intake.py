"""Counter intake (issue #4, item 3): documents checked, applicant, service form, fees, seal,
the outbound item with its S10 number; idempotent; history append-only."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction

from postops.core import s10
from postops.core.models import AuditEntry
from postops.dossiers import services
from postops.dossiers.models import DailySequence, Dossier, DossierEvent, LegStandard
from postops.dossiers.services import DocumentsMissing, IdempotencyConflict, dossier_intake
from postops.items.models import Item, TariffVersion

from . import helpers

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# Monday 8 September 2025, 10:00 in Vietnam.
MONDAY = datetime(2025, 9, 8, 10, 0, tzinfo=VN)


@pytest.fixture
def setup(tree, centre, make_user):
    helpers.dossier_items_setup([tree["po_a"], tree["po_b"]])
    clerk = make_user("clerk", offices=[tree["po_a"]], username="gdv-an")
    proc = helpers.procedure(centre)
    docs = {d.position: d.pk for d in proc.documents.all()}
    return {"clerk": clerk, "office": tree["po_a"], "procedure": proc, "docs": docs}


def intake(setup, **extra):
    docs = setup["docs"]
    kwargs = {
        "office": setup["office"],
        "procedure": setup["procedure"],
        "service_form": "both",
        "applicant": helpers.applicant(),
        "documents": {docs[1]: "original", docs[2]: "copy"},
        "delivery_address": {"commune_code": helpers.commune(0).code, "street": "Số 5 Lê Lợi"},
        "seal_number": "NP-000123",
        "weight_g": 300,
        "received_at": MONDAY,
    }
    kwargs.update(extra)
    return dossier_intake(setup["clerk"], **kwargs)


@pytest.mark.django_db
def test_intake_records_dossier_fees_and_outbound_item(setup, centre):
    result = intake(setup, idempotency_key="k1")
    assert result.created
    d = Dossier.objects.get()
    assert d == result.dossier
    assert d.code == "HS-250908-00001"
    assert (d.status, d.service_form, d.channel) == ("received", "both", "counter")
    assert (d.agency, d.office, d.intake_by) == (centre, setup["office"], setup["clerk"])
    assert (d.applicant_name, d.applicant_id_number, d.applicant_phone) == (
        "Nguyễn Thị Hoa",
        "020190012345",
        "0912345678",
    )
    assert (d.applicant_commune_code, d.applicant_street) == (
        helpers.commune(0).code,
        "Số 5 Lê Lợi",
    )
    assert d.delivery_commune_code == helpers.commune(0).code
    assert (d.seal_number, d.weight_g) == ("NP-000123", 300)
    # Office (commune 0) → agency (commune 1), same province: 25,000 đ; the result comes back
    # from the agency to commune 0: 25,000 đ; the agency's fee 200,000 đ.
    assert (d.postal_fee_send, d.postal_fee_return, d.agency_fee) == (25000, 25000, 200000)
    assert d.total_fee == 250000
    assert d.tariff_version == TariffVersion.objects.get()
    # Same province: J+2 working days from Monday.
    assert d.post_send_due == date(2025, 9, 10)
    assert d.agency_due is None and d.filed_at is None
    assert [(x.position, x.name, x.kind, x.count) for x in d.documents.all()] == [
        (1, "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", "original", 1),
        (2, "Thẻ căn cước", "copy", 1),
    ]
    item = d.outbound_item
    assert item.number.startswith("RH") and s10.is_valid(item.number)
    assert item.number == s10.build("RH", 1000)
    assert (item.service, item.sender_name, item.receiver_name) == (
        "dossier",
        "Nguyễn Thị Hoa",
        centre.name,
    )
    assert (item.receiver_commune_code, item.fee, item.weight_g) == (centre.commune_id, 25000, 300)
    assert item.promised_date == date(2025, 9, 10)
    assert item.contents == "Hồ sơ TTHC HS-250908-00001"
    assert [(e.previous_status, e.status, e.occurred_at) for e in d.events.all()] == [
        ("", "received", MONDAY)
    ]
    entry = AuditEntry.objects.get(action="dossiers.intake")
    assert entry.after == {
        "code": "HS-250908-00001",
        "procedure": "1.001234",
        "agency": "TTHCC",
        "service_form": "both",
        "item": item.number,
        "postal_fee": 50000,
        "agency_fee": 200000,
        "seal_number": "NP-000123",
    }
    assert "020190012345" not in str(entry.after)
    assert entry.office_code == "241000"


@pytest.mark.django_db
def test_send_only_has_no_return_fee_and_codes_follow_each_other(setup):
    first = intake(setup, service_form="send", delivery_address=None).dossier
    second = intake(setup, service_form="send", delivery_address=None).dossier
    assert (first.postal_fee_send, first.postal_fee_return) == (25000, 0)
    assert first.delivery_commune_code == ""
    assert (first.code, second.code) == ("HS-250908-00001", "HS-250908-00002")
    assert DailySequence.objects.get().last == 2


@pytest.mark.django_db
def test_double_submit_creates_one_dossier(setup):
    first = intake(setup, idempotency_key="form-abc")
    again = intake(setup, idempotency_key="form-abc")
    assert (first.created, again.created) == (True, False)
    assert again.dossier.pk == first.dossier.pk
    assert Dossier.objects.count() == 1 and Item.objects.count() == 1
    with pytest.raises(IdempotencyConflict):
        intake(setup, idempotency_key="form-abc", seal_number="NP-999")


@pytest.mark.django_db
def test_missing_document_blocks_and_writes_nothing(setup):
    docs = setup["docs"]
    with pytest.raises(DocumentsMissing) as exc:
        intake(setup, documents={docs[1]: "copy"})
    assert [(s.requirement.name, s.reason) for s in exc.value.shortfalls] == [
        ("Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", "needs_original"),
        ("Thẻ căn cước", "missing"),
    ]
    assert exc.value.message_dict == {
        "documents": ["Hồ sơ chưa đủ giấy tờ theo danh mục của thủ tục."]
    }
    assert not Dossier.objects.exists() and not Item.objects.exists()
    assert not DailySequence.objects.exists()


@pytest.mark.django_db
def test_applicant_and_seal_are_checked(setup):
    bad = helpers.applicant(name=" ", id_number="020390012345", phone="12345")
    bad["address"] = {"commune_code": "99999", "street": ""}
    with pytest.raises(ValidationError) as exc:
        intake(setup, applicant=bad, seal_number=" ", weight_g=0)
    assert exc.value.message_dict == {
        "applicant_name": ["Cần nhập họ tên người nộp."],
        "applicant_id_number": ["Chữ số thứ năm và sáu (90) không khớp với năm sinh đã khai."],
        "applicant_phone": [
            "Số điện thoại gồm 10 hoặc 11 chữ số, bắt đầu bằng 0 (hoặc +84), ví dụ 0912 345 678."
        ],
        "applicant_address": ["Không tìm thấy xã/phường này."],
        "seal_number": ["Cần ghi số niêm phong túi hồ sơ (niêm phong trước mặt người nộp)."],
        "weight_g": ["Khối lượng phải là số gam lớn hơn 0."],
    }
    with pytest.raises(ValidationError) as exc:
        intake(setup, delivery_address=None)
    assert exc.value.message_dict == {"delivery_address": ["Cần nhập địa chỉ."]}
    assert not Dossier.objects.exists()


@pytest.mark.django_db
def test_return_only_dossier_from_the_agency_desk(setup, centre):
    result = intake(
        setup,
        service_form="return",
        documents={},
        seal_number="",
        weight_g=0,
        agency_number="TTHCC-250905-0042",
        appointment_date=date(2025, 9, 19),
    )
    d = result.dossier
    assert (d.status, d.outbound_item, d.seal_number) == ("registered", None, "")
    assert d.agency_number == "TTHCC-250905-0042"
    assert d.appointment_date == date(2025, 9, 19)
    assert (d.postal_fee_send, d.postal_fee_return) == (0, 25000)
    assert d.post_send_due is None
    # Filed Friday 5 September 2025 (the number's date); 10 working days → 19 September.
    assert d.agency_due == date(2025, 9, 19)
    assert not Item.objects.exists()
    with pytest.raises(ValidationError) as exc:
        intake(setup, service_form="return", agency_number="STP-250905-0042")
    assert exc.value.message_dict == {
        "agency_number": ["Số hồ sơ phải bắt đầu bằng mã cơ quan TTHCC."]
    }


@pytest.mark.django_db
def test_without_a_dossier_tariff_the_clerk_enters_the_fee(setup):
    TariffVersion.objects.all().delete()
    with pytest.raises(ValidationError) as exc:
        intake(setup)
    assert exc.value.message_dict == {
        "postal_fee_send": [
            "Bảng cước chưa tính được cước hồ sơ: nhập cước theo bảng giá niêm yết."
        ]
    }
    d = intake(setup, manual_postal_fees=(30000, 28000)).dossier
    assert (d.postal_fee_send, d.postal_fee_return, d.tariff_version) == (30000, 28000, None)
    assert d.outbound_item.fee == 30000


@pytest.mark.django_db
def test_intake_is_refused_outside_the_clerks_offices(setup, tree):
    with pytest.raises(PermissionDenied):
        intake(setup, office=tree["po_b"])


@pytest.mark.django_db
def test_procedure_not_offered_by_post_is_refused(setup, centre):
    proc = helpers.procedure(centre, code="2.0", name="Đăng ký kết hôn", postal_allowed=False)
    with pytest.raises(ValidationError) as exc:
        intake(setup, procedure=proc)
    assert list(exc.value.message_dict) == ["procedure"]


@pytest.mark.django_db
def test_send_leg_time_comes_from_the_configuration(setup, centre):
    LegStandard.objects.filter(zone="same_province").update(days=3)
    assert intake(setup).dossier.post_send_due == date(2025, 9, 11)


@pytest.mark.django_db
def test_without_numbers_left_the_intake_fails_whole(setup, tree, make_user):
    clerk_b = make_user("clerk", offices=[tree["po_b"]])
    from postops.items.models import NumberBlock

    NumberBlock.objects.filter(office=tree["po_b"]).delete()
    with pytest.raises(ValidationError) as exc:
        dossier_intake(
            clerk_b,
            office=tree["po_b"],
            procedure=setup["procedure"],
            service_form="send",
            applicant=helpers.applicant(),
            documents={setup["docs"][1]: "original", setup["docs"][2]: "copy"},
            seal_number="NP-1",
            weight_g=100,
            received_at=MONDAY,
        )
    assert "prefix" in exc.value.message_dict
    assert not Dossier.objects.exists()


# --- Append-only history -------------------------------------------------------------------


@pytest.mark.django_db
def test_history_cannot_be_changed(setup):
    event = intake(setup).dossier.events.get()
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        DossierEvent.objects.filter(pk=event.pk).update(note="x")
    with pytest.raises(PermissionError):
        event.delete()


@pytest.mark.django_db
def test_append_only_triggers_exist(setup):
    event = intake(setup).dossier.events.get()
    with pytest.raises(Exception) as exc, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE dossiers_dossierevent SET note = 'x' WHERE id = %s", [event.pk])
    assert "append-only" in str(exc.value)
    with pytest.raises(Exception) as exc, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM dossiers_dossierevent WHERE id = %s", [event.pk])
    assert "append-only" in str(exc.value)


def test_status_move_is_compare_and_set(db, setup):
    d = intake(setup).dossier
    stale = Dossier.objects.get(pk=d.pk)
    services._move(d, "in_handover", None, MONDAY)
    with pytest.raises(services.StatusConflict):
        services._move(stale, "in_handover", None, MONDAY)
    with pytest.raises(services.StatusConflict):
        services._move(d, "result_ready", None, MONDAY)
    assert [e.status for e in d.events.all()] == ["received", "in_handover"]
