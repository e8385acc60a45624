"""Pickup requests: creation and routing, the status flow, the intake at the door."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from postops.core.models import AuditEntry
from postops.delivery.models import Route
from postops.dossiers.models import Dossier
from postops.dossiers.services import DocumentsMissing
from postops.dossiers.tests import helpers as dossier_helpers
from postops.items.models import Item
from postops.pickups import rules, services
from postops.pickups.models import PickupRequest

from .helpers import create, intake_kwargs

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.django_db
def test_public_request_is_routed_to_the_office_of_the_commune(world):
    result = create(world, idempotency_key="tok-1")
    p = result.pickup
    assert result.created
    assert (p.status, p.source, p.office) == ("requested", "web", world["po_a"])
    assert (p.name, p.phone, p.address_commune_code, p.address_street) == (
        "Lương Thị Mai",
        "0912345678",
        world["po_a"].commune_id,
        "Thôn Nà Pàn",
    )
    assert rules.is_code(p.code)
    assert p.created_by is None
    entry = AuditEntry.objects.get(action="pickups.request")
    assert entry.actor is None and entry.actor_label == "public"
    assert entry.after["code"] == p.code and entry.after["routed"] is True
    # Names and phones stay out of the audit log.
    assert "0912345678" not in str(entry.after) and "Mai" not in str(entry.after)


@pytest.mark.django_db
def test_same_token_makes_one_request(world):
    first = create(world, idempotency_key="tok-2")
    again = create(world, idempotency_key="tok-2", name="Khác")
    assert not again.created and again.pickup == first.pickup
    assert PickupRequest.objects.count() == 1


@pytest.mark.django_db
def test_route_communes_win_over_the_office_commune(world):
    commune = dossier_helpers.commune(3).code
    Route.objects.create(office=world["po_b"], code="T1", name="Tuyến 1", commune_codes=[commune])
    assert create(world, commune_code=commune).pickup.office == world["po_b"]


@pytest.mark.django_db
def test_commune_without_office_needs_the_chosen_office(world):
    commune = dossier_helpers.commune(3).code
    with pytest.raises(ValidationError) as exc:
        create(world, commune_code=commune)
    assert list(exc.value.message_dict) == ["office"]
    assert create(world, commune_code=commune, office=world["po_b"]).pickup.office == world["po_b"]


@pytest.mark.django_db
def test_invalid_fields_are_reported_in_vietnamese(world):
    with pytest.raises(ValidationError) as exc:
        create(world, name=" ", phone="12345", commune_code="99999", time_window="night")
    assert exc.value.message_dict == {
        "name": ["Cần nhập họ và tên."],
        "phone": [
            "Số điện thoại gồm 10 hoặc 11 chữ số, bắt đầu bằng 0 (hoặc +84), ví dụ 0912 345 678."
        ],
        "commune": ["Không tìm thấy xã/phường này. Hãy tìm và chọn lại."],
        "time_window": ["Chọn khung giờ."],
    }


@pytest.mark.django_db
def test_past_weekend_and_late_windows_are_refused(world):
    monday = datetime(2026, 11, 23, 12, 0, tzinfo=VN)
    cases = {
        monday.date() - timedelta(days=1): "Ngày hẹn đã qua: chọn hôm nay hoặc một ngày sau.",
        monday.date() + timedelta(days=5): (
            "Ngày hẹn là ngày nghỉ: chọn một ngày làm việc (thứ Hai đến thứ Sáu)."
        ),
    }
    for day, message in cases.items():
        with pytest.raises(ValidationError) as exc:
            create(world, preferred_date=day, now=monday)
        assert exc.value.message_dict == {"preferred_date": [message]}
    with pytest.raises(ValidationError) as exc:
        create(world, preferred_date=monday.date(), time_window="morning", now=monday)
    assert exc.value.message_dict == {
        "preferred_date": ["Khung giờ này hôm nay đã qua: chọn khung giờ khác hoặc ngày khác."]
    }
    ok = create(world, preferred_date=monday.date(), time_window="afternoon", now=monday)
    assert ok.created


@pytest.mark.django_db
def test_procedure_not_postal_is_refused(world):
    world["procedure"].postal_allowed = False
    world["procedure"].save()
    with pytest.raises(ValidationError) as exc:
        create(world)
    assert exc.value.message_dict == {
        "procedure": ["Thủ tục này không nhận hồ sơ qua dịch vụ bưu chính công ích."]
    }


@pytest.mark.django_db
def test_clerk_entry_is_a_phone_request_of_their_office(world):
    p = create(world, actor=world["clerk"]).pickup
    assert (p.source, p.created_by, p.office) == ("phone", world["clerk"], world["po_a"])
    # A commune served by another office: the clerk's own office, when given, takes it.
    p2 = create(
        world, actor=world["clerk"], commune_code=world["po_b"].commune_id, office=world["po_a"]
    ).pickup
    assert p2.office == world["po_a"]
    with pytest.raises(ValidationError) as exc:
        create(world, actor=world["clerk"], commune_code=world["po_b"].commune_id)
    assert exc.value.message_dict == {
        "office": ["Bưu cục phục vụ xã/phường này không thuộc đơn vị của bạn."]
    }


@pytest.mark.django_db
def test_assign_reassign_fail_and_send_again(world, make_user):
    p = create(world).pickup
    other = make_user("postman", offices=[world["po_a"]], username="bt-a2")
    services.pickup_assign(world["supervisor"], p, world["postman"])
    p.refresh_from_db()
    assert (p.status, p.postman) == ("assigned", world["postman"])
    services.pickup_assign(world["supervisor"], p, other)
    p.refresh_from_db()
    assert p.postman == other
    services.pickup_fail(other, p, reason="Không có nhà")
    p.refresh_from_db()
    assert (p.status, p.reason) == ("failed", "Không có nhà")
    services.pickup_assign(world["supervisor"], p, world["postman"])
    p.refresh_from_db()
    assert (p.status, p.reason, p.closed_at) == ("assigned", "", None)
    assert list(
        AuditEntry.objects.filter(target_id=str(p.pk), action__startswith="pickups.")
        .order_by("id")
        .values_list("action", flat=True)
    ) == [
        "pickups.request",
        "pickups.assign",
        "pickups.reassign",
        "pickups.fail",
        "pickups.assign",
    ]
    entry = AuditEntry.objects.filter(action="pickups.reassign").get()
    assert (entry.before["postman"], entry.after["postman"]) == (world["postman"].pk, other.pk)


@pytest.mark.django_db
def test_only_postmen_of_the_office_and_supervisors_of_the_office(world):
    p = create(world).pickup
    with pytest.raises(ValidationError) as exc:
        services.pickup_assign(world["supervisor"], p, world["postman_b"])
    assert exc.value.message_dict == {"postman": ["Chọn một bưu tá của bưu cục này."]}
    with pytest.raises(PermissionDenied):
        services.pickup_assign(world["supervisor_b"], p, world["postman"])
    with pytest.raises(PermissionDenied):
        services.pickup_assign(world["clerk"], p, world["postman"])
    with pytest.raises(PermissionDenied):
        services.pickup_fail(world["postman"], p, reason="x")  # not assigned to them


@pytest.mark.django_db
def test_cancel_needs_a_reason_and_is_final(world):
    p = create(world).pickup
    with pytest.raises(ValidationError) as exc:
        services.pickup_cancel(world["supervisor"], p, reason="  ")
    assert exc.value.message_dict == {"reason": ["Cần ghi lý do."]}
    services.pickup_cancel(world["clerk"], p, reason="Người dân tự nộp tại quầy")
    p.refresh_from_db()
    assert (p.status, p.reason) == ("cancelled", "Người dân tự nộp tại quầy")
    with pytest.raises(services.StatusConflict):
        services.pickup_assign(world["supervisor"], p, world["postman"])


@pytest.mark.django_db
def test_collect_at_the_door_makes_a_pickup_dossier_once(world):
    p = create(world).pickup
    services.pickup_assign(world["supervisor"], p, world["postman"])
    result = services.pickup_collect(world["postman"], p, **intake_kwargs(world))
    assert result.created
    d = result.dossier
    assert (d.channel, d.office, d.intake_by, d.seal_number) == (
        "pickup",
        world["po_a"],
        world["postman"],
        "NP-777",
    )
    assert d.outbound_item is not None and d.outbound_item.number.startswith("RH")
    p.refresh_from_db()
    assert (p.status, p.dossier) == ("collected", d)
    # The retry after a lost answer: same dossier, no second item.
    again = services.pickup_collect(world["postman"], p, **intake_kwargs(world))
    assert (again.created, again.dossier) == (False, d)
    assert (Dossier.objects.count(), Item.objects.count()) == (1, 1)
    entry = AuditEntry.objects.get(action="pickups.collect")
    assert (entry.before["status"], entry.after["status"], entry.after["dossier"]) == (
        "assigned",
        "collected",
        d.code,
    )


@pytest.mark.django_db
def test_missing_documents_leave_the_request_open(world):
    p = create(world).pickup
    services.pickup_assign(world["supervisor"], p, world["postman"])
    docs = world["docs"]
    with pytest.raises(DocumentsMissing) as exc:
        services.pickup_collect(
            world["postman"], p, **intake_kwargs(world, documents={docs[1]: "original"})
        )
    assert [(s.requirement.key, s.reason) for s in exc.value.shortfalls] == [(docs[2], "missing")]
    p.refresh_from_db()
    assert (p.status, p.dossier) == ("assigned", None)
    assert Dossier.objects.count() == 0


@pytest.mark.django_db
def test_only_the_assigned_postman_collects(world, make_user):
    p = create(world).pickup
    with pytest.raises(PermissionDenied):
        services.pickup_collect(world["postman"], p, **intake_kwargs(world))
    services.pickup_assign(world["supervisor"], p, world["postman"])
    other = make_user("postman", offices=[world["po_a"]], username="bt-a3")
    with pytest.raises(PermissionDenied):
        services.pickup_collect(other, p, **intake_kwargs(world))
