"""Pickup pages: the public form and status page, the clerk's entry, the queue, the door."""

import re

import pytest
from django.core.cache import cache

from postops.core.models import AuditEntry
from postops.dossiers.models import Dossier
from postops.pickups import services
from postops.pickups.models import PickupRequest

from .helpers import create


def _post_data(world, next_day, **extra):
    data = {
        "idempotency_key": "form-token-1",
        "website": "",
        "name": "Lương Thị Mai",
        "phone": "0912345678",
        "commune": world["po_a"].commune_id,
        "street": "Thôn Nà Pàn",
        "procedure": str(world["procedure"].pk),
        "preferred_date": next_day.isoformat(),
        "time_window": "morning",
        "note": "Gọi trước 15 phút",
        "action": "submit",
    }
    data.update(extra)
    return data


@pytest.mark.django_db
def test_public_form_renders_without_login(client, world):
    response = client.get("/thu-gom/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Yêu cầu thu gom hồ sơ tại nhà" in html
    assert 'name="idempotency_key"' in html and 'name="website"' in html
    assert "<script>" not in html and "style=" not in html


@pytest.mark.django_db
def test_public_submit_then_status_page_with_masked_phone(client, world, next_day):
    response = client.post("/thu-gom/", _post_data(world, next_day))
    assert response.status_code == 302
    p = PickupRequest.objects.get()
    assert response["Location"] == f"/thu-gom/trang-thai/?code={p.code}"
    assert (p.source, p.office, p.note) == ("web", world["po_a"], "Gọi trước 15 phút")
    # The double click: same token, one request.
    again = client.post("/thu-gom/", _post_data(world, next_day))
    assert again.status_code == 302 and again["Location"] == response["Location"]
    assert PickupRequest.objects.count() == 1
    page = client.get(response["Location"]).content.decode()
    assert p.code in page and "Đã tiếp nhận yêu cầu" in page
    assert "091****678" in page
    assert "0912345678" not in page and "Lương Thị Mai" not in page and "Nà Pàn" not in page


@pytest.mark.django_db
def test_public_form_errors_per_field_in_vietnamese(client, world, next_day):
    response = client.post(
        "/thu-gom/",
        _post_data(world, next_day, name="", phone="123", procedure="", commune=""),
    )
    assert response.status_code == 422
    form = response.context["form"]
    assert form.errors == {
        "name": ["Cần nhập họ và tên."],
        "phone": [
            "Số điện thoại gồm 10 hoặc 11 chữ số, bắt đầu bằng 0 (hoặc +84), ví dụ 0912 345 678."
        ],
        "commune": ["Cần chọn xã/phường."],
        "procedure": ["Cần chọn thủ tục: tìm theo tên rồi chọn một thủ tục."],
    }
    assert PickupRequest.objects.count() == 0


@pytest.mark.django_db
def test_honeypot_filled_creates_nothing(client, world, next_day):
    response = client.post("/thu-gom/", _post_data(world, next_day, website="http://spam"))
    assert response.status_code == 422
    assert response.context["form"].non_field_errors() == [
        "Không gửi được yêu cầu. Vui lòng thử lại."
    ]
    assert PickupRequest.objects.count() == 0


@pytest.mark.django_db
def test_public_requests_are_rate_limited_per_client(client, world, next_day, settings):
    settings.POSTOPS_PICKUP_RATE_PER_HOUR = 2
    cache.clear()
    for i in range(2):
        r = client.post("/thu-gom/", _post_data(world, next_day, idempotency_key=f"t{i}"))
        assert r.status_code == 302
    r = client.post("/thu-gom/", _post_data(world, next_day, idempotency_key="t3"))
    assert r.status_code == 429
    assert PickupRequest.objects.count() == 2


@pytest.mark.django_db
def test_procedure_search_keeps_the_form_and_lists_postal_procedures(client, world, next_day):
    response = client.post(
        "/thu-gom/", {"procedure_q": "ly lich tu phap", "name": "Mai", "action": "search"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'value="{world["procedure"].pk}"' in html and "Mai" in html
    assert not response.context["form"].is_bound  # no "required" errors on a search
    partial = client.get("/thu-gom/thu-tuc/", {"procedure_q": "lý lịch"})
    assert "Cấp Phiếu lý lịch tư pháp" in partial.content.decode()


@pytest.mark.django_db
def test_status_of_unknown_code(client, world):
    response = client.get("/thu-gom/trang-thai/", {"code": "TG22222222"})
    assert response.status_code == 404
    assert response.context["form"].errors == {"code": ["Không tìm thấy yêu cầu có mã này."]}


@pytest.mark.django_db
def test_clerk_enters_a_phone_request(verified_client, world, next_day):
    client = verified_client(world["clerk"])
    assert client.get("/pickups/new/").status_code == 200
    data = _post_data(world, next_day, office=str(world["po_a"].pk))
    data.pop("website")
    response = client.post("/pickups/new/", data)
    p = PickupRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/pickups/{p.pk}/"
    assert (p.source, p.created_by) == ("phone", world["clerk"])


@pytest.mark.django_db
def test_queue_is_scoped_filtered_and_audited(verified_client, world, next_day):
    mine = create(world).pickup
    create(world, commune_code=world["po_b"].commune_id)  # another office's request
    client = verified_client(world["supervisor"])
    response = client.get("/pickups/")
    assert response.status_code == 200
    assert [p.code for p in response.context["page"].rows] == [mine.code]
    assert AuditEntry.objects.filter(
        action="pickups.pickuprequest.read", target_id=str(mine.pk)
    ).exists()
    afternoon = client.get("/pickups/", {"window": "afternoon", "status": "open"})
    assert afternoon.context["page"].rows == []
    other = verified_client(world["supervisor_b"])
    assert other.get(f"/pickups/{mine.pk}/").status_code == 404


@pytest.mark.django_db
def test_queue_keyset_pages(verified_client, world):
    from django.utils import timezone

    from postops.core import calendar

    day1 = calendar.add_working_days(timezone.localdate(), 1)
    day2 = calendar.add_working_days(timezone.localdate(), 2)
    made = [create(world, preferred_date=d).pickup for d in (day2, day1, day1)]
    client = verified_client(world["supervisor"])
    first = client.get("/pickups/", {"status": "open"})
    from postops.pickups import selectors

    page = selectors.pickup_queue(world["supervisor"], limit=2)
    assert [p.pk for p in page.rows] == [made[1].pk, made[2].pk]
    rest = selectors.pickup_queue(world["supervisor"], limit=2, cursor=page.next_cursor)
    assert [p.pk for p in rest.rows] == [made[0].pk] and rest.next_cursor is None
    assert first.status_code == 200


@pytest.mark.django_db
def test_supervisor_assigns_and_cancels_on_the_page(verified_client, world):
    p = create(world).pickup
    client = verified_client(world["supervisor"])
    page = client.get(f"/pickups/{p.pk}/").content.decode()
    assert 'id="assign-form"' in page and "Hoàng Văn Bưu" in page
    r = client.post(f"/pickups/{p.pk}/assign/", {"postman": world["postman"].pk})
    assert r.status_code == 302
    p.refresh_from_db()
    assert (p.status, p.postman) == ("assigned", world["postman"])
    r = client.post(f"/pickups/{p.pk}/assign/", {"postman": world["postman_b"].pk})
    p.refresh_from_db()
    assert p.postman == world["postman"]  # not a postman of this office
    client.post(f"/pickups/{p.pk}/cancel/", {"reason": "Người dân hủy"})
    p.refresh_from_db()
    assert (p.status, p.reason) == ("cancelled", "Người dân hủy")


@pytest.mark.django_db
def test_postman_does_the_intake_at_the_door(verified_client, world):
    p = create(world).pickup
    services.pickup_assign(world["supervisor"], p, world["postman"])
    client = verified_client(world["postman"])
    assert client.get("/pickups/mine/").status_code == 200  # today's, or earlier, only
    door = client.get(f"/pickups/{p.pk}/door/")
    assert door.status_code == 200
    form = door.context["form"]
    assert form["applicant_name"].value() == "Lương Thị Mai"
    docs = world["docs"]
    data = {
        "idempotency_key": "door-1",
        "office": world["po_a"].pk,
        "service_form": "both",
        "applicant_name": "Lương Thị Mai",
        "applicant_id_number": "020190012345",
        "applicant_phone": "0912345678",
        "applicant_commune": world["po_a"].commune_id,
        "applicant_street": "Thôn Nà Pàn",
        "same_address": "on",
        "seal_number": "NP-1",
        "weight_g": "300",
        "payment_method": "cash",
        f"doc_{docs[1]}": "on",
        f"doc_{docs[1]}_kind": "original",
        f"doc_{docs[2]}_kind": "copy",
    }
    missing = client.post(f"/pickups/{p.pk}/door/", {**data, "step": "review"})
    assert missing.status_code == 422
    assert f"/pickups/{p.pk}/guidance.pdf?missing={docs[2]}%3Amissing" in missing.content.decode()
    data[f"doc_{docs[2]}"] = "on"
    review = client.post(f"/pickups/{p.pk}/door/", {**data, "step": "review"})
    assert review.status_code == 200 and review.context["fees"].total == 250000
    done = client.post(f"/pickups/{p.pk}/door/", {**data, "step": "confirm"})
    assert done.status_code == 302 and done["Location"] == f"/pickups/{p.pk}/"
    d = Dossier.objects.get()
    assert d.channel == "pickup"
    page = client.get(done["Location"]).content.decode()
    assert f"/dossiers/{d.pk}/phieu-gui.pdf" in page
    assert re.search(r"RH\d{9}VN", page)
    # A resent confirm makes no second dossier.
    client.post(f"/pickups/{p.pk}/door/", {**data, "step": "confirm"})
    assert Dossier.objects.count() == 1
    assert client.get(f"/pickups/{p.pk}/guidance.pdf").status_code == 200


@pytest.mark.django_db
def test_another_postman_cannot_open_the_door_page(verified_client, world, make_user):
    p = create(world).pickup
    services.pickup_assign(world["supervisor"], p, world["postman"])
    other = make_user("postman", offices=[world["po_a"]], username="bt-x")
    assert verified_client(other).get(f"/pickups/{p.pk}/door/").status_code == 404
