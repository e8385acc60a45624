"""The result-return leg (issue #4 item 7; Decision 45/2016 Art. 9–10): collection at the
agency, the return item, delivery with the ID check and a proxy's authorisation, two
invitations then back to the agency, the return clock and public tracking."""

import io
import struct
import uuid
import zlib
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from pypdf import PdfReader

from postops.core.models import AuditEntry
from postops.delivery import services as delivery
from postops.dossiers import pdf, return_selectors, returns, rules, selectors, services
from postops.dossiers.models import Dossier, DossierEvent
from postops.items.models import CodeList, CodeListEntry

from . import helpers

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def local(y, m, d, hour=8, minute=0):
    return datetime(y, m, d, hour, minute, tzinfo=VN)


def png() -> bytes:
    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"\x00\xff\xff\xff\xff" * 2
    header = struct.pack(">IIBBBBB", 1, 2, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def leg(tree, centre, make_user):
    helpers.dossier_items_setup([tree["po_a"], tree["po_b"]])
    CodeListEntry.objects.bulk_create(
        CodeListEntry(list=lst, code=code, label=label)
        for lst, code, label in (
            (CodeList.REASON, "R05", "Người nhận vắng mặt, đã để giấy mời"),
            (CodeList.ACTION, "A01", "Phát lại lần sau"),
        )
    )
    clerk = make_user("clerk", offices=[tree["po_a"]], username="gdv-a")
    postman = make_user("postman", offices=[tree["po_a"]], username="bt-a")
    supervisor = make_user("supervisor", offices=[tree["po_a"]], username="tbc-a")
    proc = helpers.procedure(centre, processing_days=3)

    def registered(number="TTHCC-261026-0001", filed=local(2026, 10, 26, 9), ready=None):
        dossier = services.dossier_register(
            None,
            agency=centre,
            agency_number=number,
            procedure_code=proc.code,
            applicant=helpers.applicant(),
            delivery_address={"commune_code": helpers.commune(0).code, "street": "Số 5 Lê Lợi"},
            filed_at=filed,
        ).dossier
        services.dossier_result_ready(
            None, dossier, ready_on=ready or timezone.localdate(filed) + timedelta(days=2)
        )
        dossier.refresh_from_db()
        return dossier

    return {
        "make_user": make_user,
        "tree": tree,
        "clerk": clerk,
        "postman": postman,
        "supervisor": supervisor,
        "procedure": proc,
        "registered": registered,
        "office": tree["po_a"],
    }


@pytest.mark.django_db
def test_collect_creates_the_return_item_and_is_idempotent(leg, centre):
    dossier = leg["registered"]()
    collection = returns.collection_open(leg["postman"], office=leg["office"], agency=centre)
    assert collection.code == f"NK-{timezone.localdate():%y%m%d}-0001"
    collected_at = local(2026, 11, 2, 9)  # a Monday
    result = returns.result_collect(
        leg["postman"], collection, code=dossier.agency_number.lower(), collected_at=collected_at
    )
    assert result.created is True
    dossier.refresh_from_db()
    item = dossier.return_item
    assert (dossier.status, dossier.collection, dossier.collected_at) == (
        "result_collected",
        collection,
        collected_at,
    )
    # A dossier the agency registered is now answered for by the collecting office.
    assert dossier.office == leg["office"]
    # Agency and delivery address both in Lạng Sơn: J+2 (Circular 17 Art. 7) → Wednesday.
    assert dossier.post_return_due == date(2026, 11, 4)
    assert item.number.startswith("RH") and item.service == "dossier"
    assert (item.status, item.last_office, item.promised_date) == (
        "at_delivery_office",
        leg["office"],
        date(2026, 11, 4),
    )
    assert (item.receiver_name, item.sender_name) == ("Nguyễn Thị Hoa", centre.name)
    assert item.fee == dossier.postal_fee_return
    event = DossierEvent.objects.filter(dossier=dossier).order_by("-id").first()
    assert (event.status, event.previous_status, event.note) == (
        "result_collected",
        "result_ready",
        collection.code,
    )
    assert AuditEntry.objects.get(action="dossiers.result_collect").after["item"] == item.number

    # The same result scanned again onto the same record: nothing new.
    again = returns.result_collect(leg["postman"], collection, code=dossier.code)
    assert again.created is False
    assert again.dossier.return_item_id == item.pk
    assert Dossier.objects.filter(return_item__isnull=False).count() == 1
    # Onto another record: refused.
    other = returns.collection_open(leg["postman"], office=leg["office"], agency=centre)
    with pytest.raises(ValidationError) as exc:
        returns.result_collect(leg["postman"], other, code=dossier.code)
    assert exc.value.message_dict == {
        "code": [f"Kết quả hồ sơ {dossier.code} đã được nhận theo biên bản {collection.code}."]
    }
    rows = pdf.collection_rows(collection)
    assert rows == [("1", dossier.code, dossier.agency_number, item.number, leg["procedure"].name)]
    text = _pdf_text(pdf.collection_pdf(collection))
    assert "BIÊN BẢN GIAO NHẬN KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH" in text
    assert f"Số: {collection.code}" in text
    assert dossier.code in text and item.number in text
    assert "Hai bên đã kiểm đếm đủ 1 kết quả" in text


@pytest.mark.django_db
def test_collect_refuses_results_not_ready_unknown_or_send_only(leg, centre):
    collection = returns.collection_open(leg["postman"], office=leg["office"], agency=centre)
    dossier = services.dossier_register(
        None,
        agency=centre,
        agency_number="TTHCC-261026-0002",
        procedure_code=leg["procedure"].code,
        applicant=helpers.applicant(),
        delivery_address={"commune_code": helpers.commune(0).code, "street": "Số 5"},
        filed_at=local(2026, 10, 26, 9),
    ).dossier
    with pytest.raises(ValidationError) as exc:
        returns.result_collect(leg["postman"], collection, code=dossier.code)
    assert exc.value.message_dict == {"code": [f"Hồ sơ {dossier.code} chưa có kết quả."]}
    with pytest.raises(ValidationError) as exc:
        returns.result_collect(leg["postman"], collection, code="HS-261026-99999")
    assert exc.value.message_dict == {
        "code": ["Không tìm thấy hồ sơ của cơ quan này với số phiếu/số hồ sơ đã nhập."]
    }
    send_only = leg["registered"]("TTHCC-261026-0003")
    Dossier.objects.filter(pk=send_only.pk).update(service_form="send")
    with pytest.raises(ValidationError) as exc:
        returns.result_collect(leg["postman"], collection, code=send_only.code)
    assert exc.value.message_dict == {
        "code": [f"Hồ sơ {send_only.code} không đăng ký nhận kết quả qua bưu điện."]
    }
    ready = leg["registered"]("TTHCC-261026-0004", ready=date(2026, 10, 30))
    with pytest.raises(ValidationError) as exc:
        returns.result_collect(
            leg["postman"], collection, code=ready.code, collected_at=local(2026, 10, 29, 9)
        )
    assert exc.value.message_dict == {
        "collected_at": ["Thời điểm nhận không được trước ngày có kết quả."]
    }


def test_return_leg_days_rule():
    assert rules.return_leg_days(2, same_day=False, zone="same_province") == 2
    assert rules.return_leg_days(4, same_day=True, zone="same_province") == 1
    assert rules.return_leg_days(1, same_day=True, zone="same_commune") == 0
    assert rules.return_leg_days(0, same_day=True, zone="other_province") == 0
    assert rules.return_clock_done(date(2026, 11, 5), date(2026, 11, 3)) == date(2026, 11, 3)
    assert rules.return_clock_done(None, None) is None
    assert rules.record_code("TL", date(2026, 11, 2), 7) == "TL-261102-0007"


@pytest.mark.django_db
def test_same_day_procedure_and_slip_variant(leg, centre):
    fast = helpers.procedure(centre, code="2.000", same_day=True, documents=())
    dossier = leg["registered"]()
    Dossier.objects.filter(pk=dossier.pk).update(procedure=fast)
    dossier.refresh_from_db()
    # Same province, same-day procedure: J+1.
    assert returns.return_leg_due(dossier, date(2026, 11, 2), with_slip=False) == date(2026, 11, 3)
    Dossier.objects.filter(pk=dossier.pk).update(procedure=leg["procedure"])
    dossier.refresh_from_db()
    # Same province with an appointment slip: J+4 (Circular 17 Art. 7).
    assert returns.return_leg_due(dossier, date(2026, 11, 2), with_slip=True) == date(2026, 11, 6)


def _deliver(leg, item, **extra):
    data = {
        "actor": leg["postman"],
        "event_id": uuid.uuid4(),
        "number": item.number,
        "device_time": timezone.now(),
        "recipient_name": "Nguyễn Thị Hoa",
        "relation": "self",
        "signature": png(),
        "id_document": "cccd",
        "id_number": "020190012345",
    }
    data.update(extra)
    return delivery.delivery_record(**data)


@pytest.mark.django_db
def test_delivered_return_item_delivers_the_dossier(leg, centre):
    dossier = leg["registered"]()
    collection = returns.collection_open(leg["postman"], office=leg["office"], agency=centre)
    returns.result_collect(leg["postman"], collection, code=dossier.code)
    dossier.refresh_from_db()
    item = dossier.return_item
    assigned = delivery.run_sheet_assign(
        actor=leg["supervisor"], office=leg["office"], postman=leg["postman"], numbers=[item.number]
    )
    assert assigned.added == [item.number]
    result = _deliver(leg, item, id_document="passport", id_number="C1234567")
    assert result.outcome == "delivered"
    dossier.refresh_from_db()
    assert dossier.status == "delivered"
    assert dossier.delivered_at is not None
    assert dossier.recipient_relation == "self"
    assert dossier.events.order_by("-id").first().previous_status == "result_collected"
    clocks = selectors.dossier_clocks(dossier)
    assert clocks.post_return == rules.ClockState.DONE
    assert clocks.late == []


@pytest.mark.django_db
def test_proxy_needs_a_written_authorisation(leg, centre):
    dossier = leg["registered"]()
    collection = returns.collection_open(leg["postman"], office=leg["office"], agency=centre)
    returns.result_collect(leg["postman"], collection, code=dossier.code)
    dossier.refresh_from_db()
    item = dossier.return_item
    delivery.run_sheet_assign(
        actor=leg["supervisor"], office=leg["office"], postman=leg["postman"], numbers=[item.number]
    )
    with pytest.raises(delivery.ActionRejected) as exc:
        _deliver(leg, item, relation="family", recipient_name="Trần Văn Nam")
    assert exc.value.details == {
        "authorisation_number": [
            "Người nhận thay phải xuất trình giấy ủy quyền: nhập số và ngày giấy ủy quyền."
        ]
    }
    with pytest.raises(delivery.ActionRejected) as exc:
        _deliver(
            leg,
            item,
            relation="family",
            authorisation_number="12/UQ",
            authorisation_date=timezone.localdate() + timedelta(days=1),
        )
    assert exc.value.details == {
        "authorisation_date": ["Ngày giấy ủy quyền không được ở tương lai."]
    }
    dossier.refresh_from_db()
    assert dossier.status == "result_collected"
    _deliver(
        leg,
        item,
        relation="family",
        recipient_name="Trần Văn Nam",
        authorisation_number="12/UQ",
        authorisation_date=date(2026, 11, 1),
        id_number="020090012345",
    )
    dossier.refresh_from_db()
    assert (dossier.status, dossier.recipient_relation) == ("delivered", "family")
    assert (dossier.authorisation_number, dossier.authorisation_date) == (
        "12/UQ",
        date(2026, 11, 1),
    )


def two_invitations(leg, centre):
    """A result collected on Monday 2 November 2026; the citizen is out on Tuesday and
    Thursday (two invitations two working days apart), so the item is held for return."""
    dossier = leg["registered"]()
    collection = returns.collection_open(leg["postman"], office=leg["office"], agency=centre)
    returns.result_collect(
        leg["postman"], collection, code=dossier.code, collected_at=local(2026, 11, 2, 9)
    )
    dossier.refresh_from_db()
    item = dossier.return_item
    outcomes = [_round(leg, item, 3), _round(leg, item, 5)]
    dossier.refresh_from_db()
    item.refresh_from_db()
    return dossier, item, outcomes


def _round(leg, item, day, hour_fail=10):
    delivery.run_sheet_assign(
        actor=leg["supervisor"],
        office=leg["office"],
        postman=leg["postman"],
        numbers=[item.number],
        now=local(2026, 11, day, 8),
    )
    outcome = delivery.delivery_fail(
        actor=leg["postman"],
        event_id=uuid.uuid4(),
        number=item.number,
        device_time=local(2026, 11, day, hour_fail),
        reason_code="R05",
        action_code="A01",
    )
    sheet = item.run_sheet_entries.order_by("-pk").first().run_sheet
    delivery.handover_confirm(
        actor=leg["supervisor"],
        run_sheet=sheet,
        returned_numbers=[item.number],
        counted_cash=0,
        now=local(2026, 11, day, 17),
    )
    return outcome


@pytest.mark.django_db
def test_two_invitations_then_back_to_the_agency(leg, centre):
    dossier = leg["registered"]()
    collection = returns.collection_open(leg["postman"], office=leg["office"], agency=centre)
    returns.result_collect(
        leg["postman"], collection, code=dossier.code, collected_at=local(2026, 11, 2, 9)
    )
    dossier.refresh_from_db()
    item = dossier.return_item

    def round_(day, hour_fail=10):
        delivery.run_sheet_assign(
            actor=leg["supervisor"],
            office=leg["office"],
            postman=leg["postman"],
            numbers=[item.number],
            now=local(2026, 11, day, 8),
        )
        outcome = delivery.delivery_fail(
            actor=leg["postman"],
            event_id=uuid.uuid4(),
            number=item.number,
            device_time=local(2026, 11, day, hour_fail),
            reason_code="R05",
            action_code="A01",
        )
        sheet = item.run_sheet_entries.order_by("-pk").first().run_sheet
        delivery.handover_confirm(
            actor=leg["supervisor"],
            run_sheet=sheet,
            returned_numbers=[item.number],
            counted_cash=0,
            now=local(2026, 11, day, 17),
        )
        return outcome

    first = round_(3)  # Tuesday: first invitation
    assert (first.outcome, first.next_attempt_on) == ("retry", "2026-11-05")
    dossier.refresh_from_db()
    assert dossier.first_attempt_on == date(2026, 11, 3)
    assert list(return_selectors.results_to_take_back(office=leg["office"])) == []
    second = round_(5)  # Thursday: two working days later, the second invitation
    assert second.outcome == "return"
    item.refresh_from_db()
    assert item.status == "held"
    assert [d.code for d in return_selectors.results_to_take_back(office=leg["office"])] == [
        dossier.code
    ]
    batches = return_selectors.take_back_batches_for_user(leg["clerk"])
    assert [(b.office, b.agency, b.count) for b in batches] == [(leg["office"], centre, 1)]

    record = returns.result_return_create(
        leg["clerk"], office=leg["office"], agency=centre, receiver_name="Hoàng Văn Minh"
    )
    assert record.code == f"TL-{timezone.localdate():%y%m%d}-0001"
    dossier.refresh_from_db()
    item.refresh_from_db()
    assert (dossier.status, dossier.result_return, item.status) == (
        "returned_to_agency",
        record,
        "returned",
    )
    assert AuditEntry.objects.get(action="dossiers.result_return").after["dossiers"] == [
        dossier.code
    ]
    assert pdf.result_return_rows(record) == [
        ("1", dossier.code, dossier.agency_number, item.number, "2")
    ]
    text = _pdf_text(pdf.result_return_pdf(record))
    assert "BIÊN BẢN TRẢ LẠI KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH" in text
    assert f"Số: {record.code}" in text
    assert dossier.code in text and item.number in text
    assert "trả lại 1 kết quả nguyên niêm phong" in text
    with pytest.raises(ValidationError):
        returns.result_return_create(leg["clerk"], office=leg["office"], agency=centre)
    # The post attempted on Tuesday, before the due Wednesday: its clock is on time.
    clocks = selectors.dossier_clocks(dossier, today=date(2026, 11, 20))
    assert (clocks.post_return, clocks.post_return_due) == (
        rules.ClockState.DONE,
        date(2026, 11, 4),
    )


@pytest.mark.django_db
def test_return_clock_late_when_nothing_happened(leg, centre):
    dossier = leg["registered"]()
    collection = returns.collection_open(leg["postman"], office=leg["office"], agency=centre)
    returns.result_collect(
        leg["postman"], collection, code=dossier.code, collected_at=local(2026, 11, 2, 9)
    )
    dossier.refresh_from_db()
    clocks = selectors.dossier_clocks(dossier, today=date(2026, 11, 5))
    assert clocks.post_return == rules.ClockState.LATE
    assert clocks.late == ["post"]
    assert selectors.dossier_clocks(dossier, today=date(2026, 11, 4)).late == []


@pytest.mark.django_db
def test_public_tracking_shows_milestones_without_personal_data(leg, centre):
    dossier = leg["registered"]()
    collection = returns.collection_open(leg["postman"], office=leg["office"], agency=centre)
    returns.result_collect(leg["postman"], collection, code=dossier.code)
    dossier.refresh_from_db()
    tracking = return_selectors.dossier_track(dossier.code.lower())
    assert tracking.code == dossier.code
    assert tracking.status == "result_collected"
    assert [m.status for m in tracking.milestones] == [
        "registered",
        "result_ready",
        "result_collected",
    ]
    assert tracking.item_numbers == [dossier.return_item.number]
    text = repr(tracking)
    for secret in ("Nguyễn", "020190012345", "0912", "Lê Lợi", dossier.agency_number):
        assert secret not in text
    assert return_selectors.dossier_track("HS-000101-00001") is None
    assert return_selectors.dossier_track("nonsense") is None
    assert return_selectors.dossier_code_for_item(dossier.return_item.number) == dossier.code


@pytest.mark.django_db
def test_other_items_do_not_touch_dossiers(leg, centre):
    from postops.items.services import event_record

    dossier = leg["registered"]()
    collection = returns.collection_open(leg["postman"], office=leg["office"], agency=centre)
    returns.result_collect(leg["postman"], collection, code=dossier.code)
    dossier.refresh_from_db()
    before = DossierEvent.objects.count()
    # A dossier-service item of no dossier delivered at the counter: no dossier moves.
    from postops.items.services import item_accept

    other = item_accept(
        actor=None,
        office=leg["office"],
        prefix="RH",
        sender_name="Cửa hàng",
        receiver_name="Người nhận",
        receiver_address={"commune_code": helpers.commune(0).code, "street": "1"},
        weight_g=100,
    ).item
    event_record(actor=None, item=other, code="delivery_office_arrival", office=leg["office"])
    event_record(actor=None, item=other, code="delivered", office=leg["office"])
    other.refresh_from_db()
    assert other.status == "delivered"
    assert DossierEvent.objects.count() == before
    dossier.refresh_from_db()
    assert dossier.status == "result_collected"


@pytest.mark.django_db
def test_a_result_collected_by_someone_else_meanwhile_is_refused(leg, centre):
    dossier = leg["registered"]()
    collection = returns.collection_open(leg["postman"], office=leg["office"], agency=centre)
    stale = Dossier.objects.get(pk=dossier.pk)
    returns.result_collect(leg["postman"], collection, code=dossier.code)
    other = returns.collection_open(leg["postman"], office=leg["office"], agency=centre)
    # The second scan read the dossier before the first one was stored.
    with pytest.raises(services.StatusConflict):
        services._move(stale, rules.Status.RESULT_COLLECTED, None, timezone.now())
    with pytest.raises(ValidationError):
        returns.result_collect(leg["postman"], other, code=dossier.code)
    assert Dossier.objects.filter(return_item__isnull=False).count() == 1


@pytest.mark.django_db
def test_take_back_page_makes_the_return_record(leg, centre, verified_client):
    from django.urls import reverse

    dossier, item, outcomes = two_invitations(leg, centre)
    assert [o.outcome for o in outcomes] == ["retry", "return"]
    client = verified_client(leg["clerk"])
    page = client.get(reverse("dossiers:take_back_list"))
    assert page.status_code == 200
    assert dossier.code in page.content.decode()
    response = client.post(
        reverse("dossiers:take_back_list"),
        {"office": leg["office"].pk, "agency": centre.pk, "receiver_name": "Hoàng Văn Minh"},
    )
    dossier.refresh_from_db()
    record = dossier.result_return
    assert response.status_code == 302
    assert response["Location"] == reverse("dossiers:result_return_detail", args=[record.pk])
    assert (dossier.status, record.receiver_name) == ("returned_to_agency", "Hoàng Văn Minh")
    detail = client.get(response["Location"])
    assert record.code in detail.content.decode()
    pdf_response = client.get(reverse("dossiers:result_return_pdf", args=[record.pk]))
    assert pdf_response.content.startswith(b"%PDF")
    # A postman of another office cannot see the record.
    stranger = verified_client(
        leg["make_user"]("clerk", offices=[leg["tree"]["po_b"]], username="gdv-b")
    )
    assert stranger.get(response["Location"]).status_code == 404


def _pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.mark.django_db
def test_result_for_a_commune_another_office_delivers_travels_there(leg, centre):
    """po_b stands in commune 5: a result collected by po_a for an address there is routed
    to po_b and waits at po_a for a bag, not on po_a's run sheets."""
    dossier = leg["registered"]()
    Dossier.objects.filter(pk=dossier.pk).update(delivery_commune_code=helpers.commune(5).code)
    dossier.refresh_from_db()
    collection = returns.collection_open(leg["postman"], office=leg["office"], agency=centre)
    returns.result_collect(leg["postman"], collection, code=dossier.code)
    dossier.refresh_from_db()
    item = dossier.return_item
    assert dossier.status == "result_collected"
    assert (item.status, item.origin_office, item.destination_office) == (
        "accepted",
        leg["office"],
        leg["tree"]["po_b"],
    )
    # The same result for an address po_a serves is ready for its run sheet at once.
    local_one = leg["registered"](number="TTHCC-261026-0002")
    returns.result_collect(leg["postman"], collection, code=local_one.code)
    local_one.refresh_from_db()
    assert local_one.return_item.destination_office == leg["office"]
    assert local_one.return_item.status != "accepted"
