"""Delivery services: run sheets, delivery with proof, failed attempts, the phone's batch,
end-of-day handover."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage

from postops.cod.models import CodCollection, CodHandover, ReturnCharge
from postops.core.models import AuditEntry
from postops.delivery import services
from postops.delivery.models import DeliveryAttempt, Handover, RunSheet, RunSheetEntry
from postops.delivery.services import ActionRejected
from postops.items.models import Item, TrackingEvent

from .conftest import eid, local, png_bytes

SIGNATURE = png_bytes()


def status(item) -> str:
    return Item.objects.get(pk=item.pk).status


def assign(supervisor, postman, office, *items, now=None):
    return services.run_sheet_assign(
        actor=supervisor,
        office=office,
        postman=postman,
        numbers=[i.number for i in items],
        now=now or local(0, 7, 30),
    )


def deliver(postman, item, n=1, at=None, **overrides):
    kwargs = {
        "actor": postman,
        "event_id": eid(n),
        "number": item.number,
        "device_time": at or local(0, 9),
        "recipient_name": "Trần Thị Bình",
        "relation": "self",
        "signature": SIGNATURE,
    }
    kwargs.update(overrides)
    return services.delivery_record(**kwargs)


def fail(postman, item, n, at, reason="R05", action="A01"):
    return services.delivery_fail(
        actor=postman,
        event_id=eid(n),
        number=item.number,
        device_time=at,
        reason_code=reason,
        action_code=action,
    )


# --- Run sheets ---------------------------------------------------------------------------------


def test_a_supervisor_puts_arrived_items_on_a_postmans_run_sheet(
    make_item, supervisor, postman, offices
):
    a, b = make_item(), make_item(cod_amount=350000)
    elsewhere = make_item(office=offices["other"])
    result = services.run_sheet_assign(
        actor=supervisor,
        office=offices["delivery"],
        postman=postman,
        numbers=[a.number, b.number.lower(), elsewhere.number, "EB000000000VN"],
        now=local(0, 7, 30),
    )
    sheet = result.run_sheet
    assert (sheet.office, sheet.postman, sheet.day, sheet.status) == (
        offices["delivery"],
        postman,
        date(2026, 11, 2),
        "open",
    )
    assert result.added == [a.number, b.number]
    assert result.refused == {
        elsewhere.number: "Bưu gửi không nằm chờ phát tại bưu cục này.",
        "EB000000000VN": "Không có bưu gửi số hiệu này.",
    }
    assert list(sheet.entries.values_list("item__number", "position", "outcome")) == [
        (a.number, 1, "pending"),
        (b.number, 2, "pending"),
    ]
    assert status(a) == status(b) == "out_for_delivery"
    edg = TrackingEvent.objects.get(item=a, code="out_for_delivery")
    assert (edg.office, edg.actor, edg.occurred_at) == (
        offices["delivery"],
        supervisor,
        local(0, 7, 30),
    )
    entry = AuditEntry.objects.get(action="delivery.run_sheet_assign")
    assert entry.after["items"] == [a.number, b.number]


def test_an_item_goes_on_one_open_round_only(make_item, make_user, supervisor, postman, offices):
    item = make_item()
    other_postman = make_user("postman", offices=[offices["delivery"]])
    assign(supervisor, postman, offices["delivery"], item)
    again = assign(supervisor, other_postman, offices["delivery"], item)
    assert again.added == []
    assert again.refused == {item.number: "Bưu gửi đang ở bảng kê khác chưa bàn giao."}
    assert RunSheetEntry.objects.filter(item=item).count() == 1


def test_assignment_checks_roles_and_scope(make_item, make_user, supervisor, postman, offices):
    item = make_item()
    outsider = make_user("supervisor", offices=[offices["other"]])
    with pytest.raises(PermissionDenied):
        assign(outsider, postman, offices["delivery"], item)
    with pytest.raises(PermissionDenied):
        assign(postman, postman, offices["delivery"], item)
    clerk = make_user("clerk", offices=[offices["delivery"]])
    with pytest.raises(ValidationError) as exc:
        assign(supervisor, clerk, offices["delivery"], item)
    assert exc.value.message_dict == {"postman": ["Người này không phải bưu tá của bưu cục."]}
    assert status(item) == "at_delivery_office"


def test_a_route_assigns_the_items_for_its_communes(make_item, supervisor, postman, offices):
    near, far = make_item(commune="06040"), make_item(commune="06043")
    route = services.route_save(
        actor=supervisor,
        office=offices["delivery"],
        code="T1",
        name="Tuyến Đông Kinh",
        commune_codes=["06040", " 06040 "],
        default_postman=postman,
    )
    assert route.commune_codes == ["06040"]
    result = services.run_sheet_assign_route(actor=supervisor, route=route, now=local(0, 7))
    assert result.added == [near.number]
    assert status(far) == "at_delivery_office"
    with pytest.raises(ValidationError) as exc:
        services.run_sheet_assign_route(actor=supervisor, route=route, now=local(0, 7))
    assert exc.value.message_dict == {"route": ["Tuyến này không có bưu gửi chờ phát."]}


# --- Delivery with proof -------------------------------------------------------------------------


def test_delivery_with_proof_id_check_and_cod(make_item, supervisor, postman, offices):
    item = make_item(prefix="RR", cod_amount=350000)
    assign(supervisor, postman, offices["delivery"], item)
    result = deliver(
        postman,
        item,
        recipient_name="  Trần   Văn Cường ",
        relation="family",
        id_document="cccd",
        id_number="001 090 012 345",
        cod_collected=350000,
        photo=b"\xff\xd8\xff\xe0photo",
        note="Giao tại cổng",
    )
    assert result.as_dict() == {
        "event_id": str(eid(1)),
        "result": "accepted",
        "outcome": "delivered",
    }
    attempt = DeliveryAttempt.objects.get(event_id=eid(1))
    assert (
        attempt.kind,
        attempt.recipient_name,
        attempt.relation,
        attempt.id_document,
        attempt.id_number_masked,
        attempt.cod_collected,
        attempt.occurred_at,
        attempt.device_time,
        attempt.office,
    ) == (
        "delivered",
        "Trần Văn Cường",
        "family",
        "cccd",
        "001*******45",
        350000,
        local(0, 9),
        local(0, 9),
        offices["delivery"],
    )
    # Only a keyed hash of the number is kept, never the number itself.
    assert len(attempt.id_number_digest) == 64 and "001090012345" not in attempt.id_number_digest
    assert attempt.id_number_digest == services._id_digest("cccd", "001090012345")
    with default_storage.open(attempt.signature.name) as f:
        assert f.read() == SIGNATURE
    assert attempt.signature.name == f"delivery/proof/{date.today():%Y/%m}/{eid(1)}-signature.png"
    assert attempt.photo.name.endswith(f"{eid(1)}-photo.jpg")
    assert status(item) == "delivered"
    event = TrackingEvent.objects.get(event_id=eid(1))
    assert (event.code, event.upu_code, event.actor) == ("delivered", "EMI", postman)
    assert RunSheetEntry.objects.get(item=item).outcome == "delivered"
    # The COD ledger has the cash, under the phone's id.
    collection = CodCollection.objects.get(item=item)
    assert (collection.amount, collection.event_id, collection.postman, collection.state) == (
        350000,
        eid(1),
        postman,
        "collected",
    )
    audit = AuditEntry.objects.get(action="delivery.deliver")
    assert audit.after["cod_collected"] == 350000
    assert "001090012345" not in str(audit.after)


def test_a_resent_delivery_is_a_duplicate_and_changes_nothing(
    make_item, supervisor, postman, offices
):
    item = make_item()
    assign(supervisor, postman, offices["delivery"], item)
    deliver(postman, item)
    counts = (DeliveryAttempt.objects.count(), TrackingEvent.objects.count())
    again = deliver(postman, item)
    assert again.as_dict() == {
        "event_id": str(eid(1)),
        "result": "duplicate",
        "outcome": "delivered",
    }
    assert (DeliveryAttempt.objects.count(), TrackingEvent.objects.count()) == counts
    with pytest.raises(ActionRejected) as exc:
        services.delivery_fail(
            actor=postman,
            event_id=eid(1),
            number=item.number,
            device_time=local(0, 9),
            reason_code="R05",
            action_code="A01",
        )
    assert exc.value.reason == "event_id_conflict"
    # A second delivery of a delivered item, with a new id, is refused by the status.
    with pytest.raises(ActionRejected) as exc:
        deliver(postman, item, n=2)
    assert exc.value.reason == "invalid_transition"
    assert DeliveryAttempt.objects.count() == 1


def test_form_problems_are_reported_per_field_and_store_nothing(
    make_item, supervisor, postman, offices
):
    item = make_item(prefix="RR", cod_amount=350000)
    assign(supervisor, postman, offices["delivery"], item)
    with pytest.raises(ActionRejected) as exc:
        deliver(
            postman,
            item,
            recipient_name=" ",
            relation="friend",
            id_document="cccd",
            id_number="12345",
            cod_collected=300000,
            signature=None,
            photo=b"<svg/>",
        )
    assert exc.value.reason == "invalid_form"
    assert exc.value.details == {
        "recipient_name": ["Nhập họ tên người nhận hàng."],
        "relation": ["Chọn quan hệ của người nhận hàng với người nhận."],
        "id_number": ["Số định danh cá nhân không hợp lệ (12 chữ số)."],
        "cod_collected": ["Số tiền thu phải đúng 350.000 đồng."],
        "signature": ["Người nhận hàng cần ký trên màn hình."],
        "photo": ["Tệp không phải ảnh hợp lệ."],
    }
    with pytest.raises(ActionRejected) as exc:
        deliver(postman, item, id_document="passport", id_number="", cod_collected=None)
    assert exc.value.details == {
        "id_number": ["Bưu gửi này phải kiểm tra giấy tờ: nhập số giấy tờ."],
        "cod_collected": ["Nhập số tiền thu hộ đã thu."],
    }
    assert DeliveryAttempt.objects.count() == 0
    assert status(item) == "out_for_delivery"


def test_an_unexpected_cash_amount_is_refused(make_item, supervisor, postman, offices):
    item = make_item()
    assign(supervisor, postman, offices["delivery"], item)
    with pytest.raises(ActionRejected) as exc:
        deliver(postman, item, cod_collected=5000)
    assert exc.value.details == {"cod_collected": ["Bưu gửi này không có tiền thu hộ."]}
    deliver(postman, item, id_document="cccd", id_number="001090012345")
    attempt = DeliveryAttempt.objects.get()
    assert (attempt.id_document, attempt.id_number_masked, attempt.id_number_digest) == ("", "", "")


def test_a_phone_clock_behind_cannot_file_the_delivery_before_the_item_went_out(
    make_item, supervisor, postman, offices
):
    item = make_item()
    assign(supervisor, postman, offices["delivery"], item, now=local(0, 7, 30))
    deliver(postman, item, at=local(0, 7, 25))
    attempt = DeliveryAttempt.objects.get()
    assert attempt.device_time == local(0, 7, 25)
    assert attempt.occurred_at == local(0, 7, 30) + timedelta(microseconds=1)
    assert status(item) == "delivered"


def test_a_phone_clock_far_ahead_is_refused(make_item, supervisor, postman, offices):
    from django.utils import timezone

    item = make_item()
    assign(supervisor, postman, offices["delivery"], item)
    with pytest.raises(ActionRejected) as exc:
        deliver(postman, item, at=timezone.now() + timedelta(hours=1))
    assert exc.value.reason == "occurred_in_future"


def test_only_the_postman_of_the_round_may_deliver(
    make_item, make_user, supervisor, postman, offices
):
    item = make_item()
    assign(supervisor, postman, offices["delivery"], item)
    other = make_user("postman", offices=[offices["delivery"]])
    with pytest.raises(ActionRejected) as exc:
        deliver(other, item)
    assert exc.value.reason == "not_on_run_sheet"


# --- Failed attempts -----------------------------------------------------------------------------


def test_two_invitations_two_working_days_apart_then_held(make_item, supervisor, postman, offices):
    item = make_item()
    delivery = offices["delivery"]
    assign(supervisor, postman, delivery, item, now=local(0, 7, 30))
    first = fail(postman, item, 1, local(0, 10))
    assert first.as_dict() == {
        "event_id": str(eid(1)),
        "result": "accepted",
        "outcome": "retry",
        "next_attempt_on": "2026-11-04",
    }
    assert status(item) == "delivery_failed"
    emh = TrackingEvent.objects.get(event_id=eid(1))
    assert (emh.code, emh.upu_code, emh.reason_code, emh.action_code) == (
        "delivery_failed",
        "EMH",
        "R05",
        "A01",
    )
    sheet = RunSheet.objects.get()
    services.handover_confirm(
        actor=supervisor,
        run_sheet=sheet,
        returned_numbers=[item.number],
        counted_cash=0,
        now=local(0, 17),
    )
    # Back for the next attempt: still "failed", waiting at the office, no hold event.
    assert status(item) == "delivery_failed"
    assert not TrackingEvent.objects.filter(item=item, code="held").exists()

    assign(supervisor, postman, delivery, item, now=local(2, 7, 30))
    second = fail(postman, item, 2, local(2, 10))
    assert (second.outcome, second.next_attempt_on) == ("hold", None)
    attempt = DeliveryAttempt.objects.get(event_id=eid(2))
    assert (attempt.invitation, attempt.grounds) == (2, "invitations_exhausted")
    sheet2 = RunSheet.objects.get(day=date(2026, 11, 4))
    services.handover_confirm(
        actor=supervisor,
        run_sheet=sheet2,
        returned_numbers=[item.number],
        counted_cash=0,
        now=local(2, 17),
    )
    assert status(item) == "held"
    held = TrackingEvent.objects.get(item=item, code="held")
    assert (held.upu_code, held.occurred_at, held.note) == ("EDF", local(2, 17), "hold")


def test_a_refusal_sends_the_item_back(make_item, supervisor, postman, offices):
    item = make_item()
    assign(supervisor, postman, offices["delivery"], item)
    result = fail(postman, item, 1, local(0, 10), reason="R04", action="A01")
    assert result.outcome == "return"
    services.handover_confirm(
        actor=supervisor,
        run_sheet=RunSheet.objects.get(),
        returned_numbers=[item.number],
        counted_cash=0,
        now=local(0, 17),
    )
    from postops.delivery import selectors

    assert list(selectors.items_due_for_return([offices["delivery"].pk])) == [
        Item.objects.get(pk=item.pk)
    ]


def test_an_undeliverable_registered_letter_goes_back_free_at_the_handover(
    make_item, supervisor, postman, offices
):
    letter = make_item(prefix="RR", weight_g=120)
    assign(supervisor, postman, offices["delivery"], letter)
    assert fail(postman, letter, 1, local(0, 10), reason="R01").outcome == "return"
    services.handover_confirm(
        actor=supervisor,
        run_sheet=RunSheet.objects.get(),
        returned_numbers=[letter.number],
        counted_cash=0,
        now=local(0, 17),
    )
    assert status(letter) == "returning"
    codes = list(letter.events.order_by("occurred_at").values_list("code", flat=True))
    assert codes[-3:] == ["delivery_failed", "held", "return_started"]
    charge = ReturnCharge.objects.get(item=letter)
    assert (charge.cause, charge.amount) == ("undeliverable", 0)


def test_failed_attempt_needs_known_codes(make_item, supervisor, postman, offices):
    item = make_item()
    assign(supervisor, postman, offices["delivery"], item)
    with pytest.raises(ActionRejected) as exc:
        fail(postman, item, 1, local(0, 10), reason="", action="Z9")
    assert exc.value.details == {
        "reason_code": ["Chọn lý do phát không thành công."],
        "action_code": ["Chọn biện pháp xử lý."],
    }


def test_a_delivery_after_a_failed_attempt_the_same_day(make_item, supervisor, postman, offices):
    item = make_item()
    assign(supervisor, postman, offices["delivery"], item)
    fail(postman, item, 1, local(0, 10))
    deliver(postman, item, n=2, at=local(0, 15))
    assert status(item) == "delivered"
    assert RunSheetEntry.objects.get().outcome == "delivered"


# --- The phone's batch ---------------------------------------------------------------------------


def test_a_batch_answers_each_action_in_order(make_item, supervisor, postman, offices):
    a, b = make_item(), make_item(cod_amount=120000)
    assign(supervisor, postman, offices["delivery"], a, b)
    actions = [
        {
            "event_id": str(eid(1)),
            "kind": "deliver",
            "number": a.number,
            "occurred_at": "2026-11-02T09:00:00+07:00",
            "recipient_name": "Trần Thị Bình",
            "relation": "self",
        },
        {
            "event_id": str(eid(2)),
            "kind": "deliver",
            "number": b.number,
            "occurred_at": "2026-11-02T02:10:00Z",
            "recipient_name": "Trần Thị Bình",
            "relation": "self",
            "id_document": "cccd",
            "id_number": "001090012345",
            "cod_collected": "120.000",
        },
        {"event_id": "not-a-uuid", "kind": "deliver", "number": a.number},
        {
            "event_id": str(eid(3)),
            "kind": "teleport",
            "number": a.number,
            "occurred_at": "2026-11-02T09:00:00+07:00",
        },
        {
            "event_id": str(eid(4)),
            "kind": "fail",
            "number": "EB000000001VN",
            "occurred_at": "2026-11-02T09:00:00+07:00",
        },
        {
            "event_id": str(eid(1)),
            "kind": "deliver",
            "number": a.number,
            "occurred_at": "2026-11-02T09:00:00+07:00",
        },
        "junk",
    ]
    files = {str(eid(1)): {"signature": SIGNATURE}, str(eid(2)): {"signature": SIGNATURE}}
    results = services.delivery_actions_ingest(actor=postman, actions=actions, files=files)
    assert [(r.event_id, r.result, r.reason) for r in results] == [
        (str(eid(1)), "accepted", None),
        (str(eid(2)), "accepted", None),
        ("not-a-uuid", "rejected", "invalid_event_id"),
        (str(eid(3)), "rejected", "invalid_action"),
        (str(eid(4)), "rejected", "invalid_item_number"),
        (str(eid(1)), "duplicate", None),
        ("", "rejected", "invalid_action"),
    ]
    assert DeliveryAttempt.objects.get(event_id=eid(2)).cod_collected == 120000
    # Replaying the whole batch changes nothing.
    again = services.delivery_actions_ingest(actor=postman, actions=actions[:2], files=files)
    assert [r.result for r in again] == ["duplicate", "duplicate"]
    assert DeliveryAttempt.objects.count() == 2


def test_a_batch_is_bounded():
    with pytest.raises(ValidationError):
        services.delivery_actions_ingest(actor=None, actions=[{}] * 101, files={})


# --- End-of-day handover -------------------------------------------------------------------------


@pytest.fixture
def round_done(make_item, supervisor, postman, offices):
    """A round of three: one COD item delivered, one failed, one never attempted."""
    cod, failed, untouched = make_item(cod_amount=350000), make_item(), make_item()
    assign(supervisor, postman, offices["delivery"], cod, failed, untouched)
    deliver(
        postman,
        cod,
        n=1,
        id_document="passport",
        id_number="C1234567",
        cod_collected=350000,
    )
    fail(postman, failed, 2, local(0, 10))
    return RunSheet.objects.get(), cod, failed, untouched


def test_the_postman_submits_then_the_supervisor_confirms(round_done, supervisor, postman):
    sheet, cod, failed, untouched = round_done
    figures = services.handover_figures(sheet)
    assert (figures.delivered, figures.expected_items, figures.expected_cash) == (1, 2, 350000)
    services.handover_submit(actor=postman, run_sheet=sheet, declared_cash=350000)
    sheet.refresh_from_db()
    assert (sheet.status, sheet.declared_cash) == ("submitted", 350000)
    with pytest.raises(ValidationError):
        services.handover_submit(actor=postman, run_sheet=sheet, declared_cash=350000)

    handover = services.handover_confirm(
        actor=supervisor,
        run_sheet=sheet,
        returned_numbers=[failed.number, untouched.number],
        counted_cash=350000,
        now=local(0, 17),
    )
    assert (
        handover.expected_items,
        handover.returned_items,
        handover.expected_cash,
        handover.declared_cash,
        handover.counted_cash,
        handover.items_variance,
        handover.cash_variance,
        handover.missing_numbers,
    ) == (2, 2, 350000, 350000, 350000, 0, 0, [])
    sheet.refresh_from_db()
    assert sheet.status == "confirmed" and sheet.is_final
    from postops.delivery.selectors import delivery_is_final

    assert delivery_is_final(cod)
    cod_handover = CodHandover.objects.get()
    assert (
        cod_handover.reference,
        cod_handover.items_count,
        cod_handover.expected_amount,
        cod_handover.counted_amount,
    ) == (f"delivery-run-sheet-{sheet.pk}", 1, 350000, 350000)
    assert CodCollection.objects.get(item=cod).state == "at_office"
    assert status(untouched) == "held" and status(failed) == "delivery_failed"
    assert AuditEntry.objects.filter(action="delivery.handover_confirm").count() == 1
    with pytest.raises(ValidationError):
        services.handover_confirm(
            actor=supervisor, run_sheet=sheet, returned_numbers=[], counted_cash=0
        )
    # An action still queued on the phone arrives after the confirmation: refused.
    with pytest.raises(ActionRejected) as exc:
        deliver(postman, untouched, n=9)
    assert exc.value.reason == "run_sheet_closed"


def test_a_variance_needs_a_reason(round_done, supervisor):
    sheet, cod, failed, untouched = round_done
    with pytest.raises(ValidationError) as exc:
        services.handover_confirm(
            actor=supervisor, run_sheet=sheet, returned_numbers=[failed.number], counted_cash=300000
        )
    assert exc.value.message_dict == {
        "variance_reason": ["Có chênh lệch: phải ghi lý do trước khi xác nhận."]
    }
    with pytest.raises(ValidationError) as exc:
        services.handover_confirm(
            actor=supervisor,
            run_sheet=sheet,
            returned_numbers=[cod.number],
            counted_cash=350000,
        )
    assert exc.value.message_dict == {
        "returned": [f"Không thuộc các bưu gửi phải trả lại: {cod.number}"]
    }
    handover = services.handover_confirm(
        actor=supervisor,
        run_sheet=sheet,
        returned_numbers=[failed.number],
        counted_cash=300000,
        variance_reason="Thiếu 50.000 đồng, bưu tá nộp bổ sung sáng mai; 1 bưu gửi thất lạc.",
    )
    assert (handover.items_variance, handover.cash_variance, handover.missing_numbers) == (
        -1,
        -50000,
        [untouched.number],
    )
    assert (CodHandover.objects.get().variance, CodHandover.objects.get().variance_reason) == (
        -50000,
        "Thiếu 50.000 đồng, bưu tá nộp bổ sung sáng mai; 1 bưu gửi thất lạc.",
    )
    # The missing item is not recorded as held: it is not at the office.
    assert status(untouched) == "out_for_delivery"
    assert Handover.objects.count() == 1


def test_nobody_confirms_their_own_round(make_item, make_user, supervisor, postman, offices):
    both = make_user("supervisor", "postman", offices=[offices["delivery"]])
    item = make_item()
    sheet = assign(supervisor, both, offices["delivery"], item).run_sheet
    with pytest.raises(PermissionDenied):
        services.handover_confirm(
            actor=both, run_sheet=sheet, returned_numbers=[item.number], counted_cash=0
        )
    with pytest.raises(PermissionDenied):
        services.handover_confirm(
            actor=postman, run_sheet=sheet, returned_numbers=[item.number], counted_cash=0
        )
    with pytest.raises(PermissionDenied):
        services.handover_submit(actor=postman, run_sheet=sheet, declared_cash=0)


def test_history_is_append_only(round_done):
    attempt = DeliveryAttempt.objects.first()
    attempt.note = "changed"
    with pytest.raises(PermissionError):
        attempt.save()
    with pytest.raises(PermissionError):
        attempt.delete()
