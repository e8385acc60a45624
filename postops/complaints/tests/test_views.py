"""Complaint pages: the public form (errors per field, honeypot, rate limit, one-time token),
the public status (no personal data), the staff worklist (overdue first, masking) and steps."""

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from postops.complaints import services
from postops.complaints.models import Complaint
from postops.core.models import AuditEntry

from . import factories as f


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db):
    return f.world()


@pytest.fixture
def item(world):
    return f.item(world["po_a"], promised=date(2026, 1, 8))


def _post(client, **overrides):
    data = {
        "number": "",
        "kind": "loss",
        "complainant_name": "Phạm Thị Dung",
        "complainant_phone": "0912 345 678",
        "description": "Chưa nhận được bưu gửi.",
        "website": "",
        "token": "a" * 32,
    }
    data.update(overrides)
    return client.post("/khieu-nai/", data)


def test_public_form_shows_a_fresh_token_and_a_hidden_honeypot(client, db):
    body = client.get("/khieu-nai/").content.decode()
    assert 'name="token"' in body and 'name="website"' in body
    assert "<div hidden" in body and "style=" not in body


def test_public_form_errors_per_field_in_vietnamese(client, world):
    response = _post(
        client,
        number="EB125966880VN",
        complainant_name="",
        complainant_phone="12345",
        description="",
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["number"] == [
        "Nhập số hiệu bưu gửi (ví dụ EB125966888VN) hoặc số phiếu gửi hồ sơ (ví dụ HS-260105-00001)."
    ]
    assert errors["complainant_name"] == ["Vui lòng nhập thông tin này."]
    assert errors["description"] == ["Vui lòng nhập thông tin này."]
    assert errors["complainant_phone"] == [
        "Số điện thoại gồm 10 hoặc 11 chữ số, bắt đầu bằng 0 (hoặc +84), ví dụ 0912 345 678."
    ]
    assert _post(client, number="EB125966888VN").context["form"].errors["number"] == [
        "Không tìm thấy bưu gửi hoặc hồ sơ có số hiệu này."
    ]
    assert not Complaint.objects.exists()


def test_public_complaint_then_status_without_personal_data(client, item):
    response = _post(client, number=item.number)
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/khieu-nai/{complaint.code}/"
    assert (complaint.channel, complaint.complainant_phone, complaint.created_by) == (
        "web",
        "0912345678",
        None,
    )
    page = client.get(response["Location"]).content.decode()
    assert complaint.code in page and item.number in page
    assert "Đã tiếp nhận" in page
    for secret in ("Phạm", "0912345678", "Chưa nhận được"):
        assert secret not in page
    assert client.get("/khieu-nai/KNXXXXXXXX/").status_code == 404


def test_double_submit_files_one_complaint(client, item):
    first = _post(client, number=item.number)
    second = _post(client, number=item.number)
    assert first["Location"] == second["Location"]
    assert Complaint.objects.count() == 1


def test_honeypot_stores_nothing(client, item):
    response = _post(client, number=item.number, website="http://spam.example")
    assert response.status_code == 302 and response["Location"] == "/khieu-nai/da-gui/"
    assert not Complaint.objects.exists()


def test_public_form_is_rate_limited(client, item, settings):
    settings.POSTOPS_COMPLAINT_RATE_PER_HOUR = 2
    for n in range(2):
        assert _post(client, number=item.number, token=f"{n}" * 32).status_code == 302
    response = _post(client, number=item.number, token="z" * 32)
    assert response.status_code == 429
    assert "quá nhiều khiếu nại" in response.content.decode()
    assert Complaint.objects.count() == 2


def _file(world, number, received_on, **extra):
    return services.complaint_file(
        actor=None,
        number=number,
        kind="loss",
        channel="phone",
        complainant_name="Phạm Thị Dung",
        complainant_phone="0912345678",
        received_on=received_on,
        **extra,
    )


def test_worklist_overdue_first_and_scoped(world, make_user, verified_client, client):
    today = timezone.localdate()
    a = _file(world, f.item(world["po_a"]).number, today)  # due in 2 months
    b = _file(world, f.item(world["po_a"]).number, today - timedelta(days=70))  # overdue
    other = _file(world, f.item(world["po_b"]).number, today - timedelta(days=80))
    done = _file(world, f.item(world["po_a"]).number, today - timedelta(days=90))
    services.complaint_answer(None, done, outcome="rejected", answer_text="x")
    officer = make_user("complaints", offices=[world["po_a"]])
    client.force_login(officer)
    response = client.get("/complaints/")
    assert [r["complaint"].code for r in response.context["rows"]] == [b.code, a.code]
    assert [r["overdue"] for r in response.context["rows"]] == [True, False]
    assert "Quá hạn" in response.content.decode()
    everything = client.get("/complaints/?show=all").context["rows"]
    assert {r["complaint"].code for r in everything} == {a.code, b.code, done.code}
    assert client.get(f"/complaints/{other.pk}/").status_code == 404


def test_detail_masks_for_manager_and_logs_reads_for_officer(
    world, make_user, verified_client, client
):
    c = _file(world, f.item(world["po_a"]).number, date(2026, 2, 2))
    manager = make_user("manager", offices=[world["province"]])
    page = verified_client(manager).get(f"/complaints/{c.pk}/").content.decode()
    assert "P*** T** D***" in page and "*******678" in page and "0912345678" not in page
    assert not AuditEntry.objects.filter(action="complaints.complaint.read").exists()
    officer = make_user("complaints", offices=[world["province"]])
    client.force_login(officer)
    page = client.get(f"/complaints/{c.pk}/").content.decode()
    assert "Phạm Thị Dung" in page and "0912345678" in page
    read = AuditEntry.objects.get(action="complaints.complaint.read")
    assert read.actor == officer and read.after == {
        "fields": ["complainant_name", "complainant_phone"]
    }


def test_staff_steps_answer_compensate_pay_close(world, make_user, client):
    item = f.item(world["po_a"], fee=32_000)
    officer = make_user("complaints", offices=[world["province"]])
    client.force_login(officer)
    response = client.post(
        "/complaints/new/",
        {
            "number": item.number,
            "channel": "counter",
            "kind": "loss",
            "complainant_name": "Phạm Thị Dung",
            "complainant_phone": "0912345678",
            "received_on": "2026-02-02",
            "token": "s" * 32,
        },
    )
    c = Complaint.objects.get()
    assert response["Location"] == f"/complaints/{c.pk}/"
    assert (c.channel, c.created_by, c.answer_due) == ("counter", officer, date(2026, 4, 2))
    bad = client.post(f"/complaints/{c.pk}/answer/", {"answer_text": ""})
    assert bad.status_code == 400
    assert bad.context["answer_form"].errors == {
        "outcome": ["Vui lòng nhập thông tin này."],
        "answer_text": ["Vui lòng nhập thông tin này."],
    }
    client.post(f"/complaints/{c.pk}/investigate/")
    client.post(
        f"/complaints/{c.pk}/answer/", {"outcome": "upheld", "answer_text": "Mất.", "lost": "on"}
    )
    page = client.get(f"/complaints/{c.pk}/").content.decode()
    assert "128000 đồng, trong đó hoàn cước 32000 đồng" in page
    zero = client.post(
        f"/complaints/{c.pk}/compensation/",
        {"basis": "domestic_loss", "amount": "0", "decided_on": "2026-02-21"},
    )
    assert zero.context["compensation_form"].errors["amount"] == [
        "Số tiền bồi thường phải lớn hơn 0."
    ]
    client.post(
        f"/complaints/{c.pk}/compensation/",
        {"basis": "domestic_loss", "amount": "128.000", "decided_on": "2026-02-21"},
    )
    client.post(f"/complaints/{c.pk}/pay/", {"paid_on": "2026-03-01"})
    client.post(f"/complaints/{c.pk}/close/")
    c.refresh_from_db()
    assert (c.status, c.compensation_amount, c.paid_on, c.lost) == (
        "closed",
        128_000,
        date(2026, 3, 1),
        True,
    )
    # A step out of order shows a message and changes nothing.
    response = client.post(f"/complaints/{c.pk}/investigate/", follow=True)
    assert "Khiếu nại đã được người khác cập nhật" in response.content.decode()


def test_incident_page_records_an_incident(world, make_user, verified_client):
    supervisor = make_user("supervisor", offices=[world["po_a"]])
    client = verified_client(supervisor)
    bad = client.post(
        "/complaints/incidents/",
        {"office": world["po_a"].pk, "kind": "loss", "number": "XX1", "found_on": ""},
    )
    assert bad.context["form"].errors["found_on"] == ["Vui lòng nhập thông tin này."]
    assert "number" in bad.context["form"].errors
    client.post(
        "/complaints/incidents/",
        {
            "office": world["po_a"].pk,
            "kind": "safety",
            "found_on": "2026-03-01",
            "description": "Cháy nhỏ",
        },
    )
    page = client.get("/complaints/incidents/").content.decode()
    assert "Cháy nhỏ" in page


def test_public_lookup_by_code(client, item):
    _post(client, number=item.number)
    code = Complaint.objects.get().code
    response = client.get("/khieu-nai/tra-cuu/", {"code": f" {code.lower()} "})
    assert response.status_code == 302 and response["Location"] == f"/khieu-nai/{code}/"
    missing = client.get("/khieu-nai/tra-cuu/", {"code": "KN00000000"})
    assert missing.status_code == 404
    assert "Không tìm thấy khiếu nại có mã này." in missing.content.decode()


def test_landing_page_links_to_the_complaint_form(client, db):
    assert 'href="/khieu-nai/"' in client.get("/").content.decode()


def test_worklist_query_count_does_not_grow_with_rows(
    world, make_user, client, django_assert_max_num_queries
):
    for n in range(12):
        _file(world, f.item(world["po_a"]).number, date(2026, 2, 2) + timedelta(days=n))
    client.force_login(make_user("complaints", offices=[world["province"]]))
    with django_assert_max_num_queries(8):
        assert len(client.get("/complaints/").context["rows"]) == 12


def test_admin_lists_complaints_without_personal_data(world, make_user, verified_client):
    c = _file(world, f.item(world["po_a"]).number, date(2026, 2, 2))
    admin_user = make_user("admin", is_staff=True, is_superuser=True)
    client = verified_client(admin_user)
    listing = client.get("/admin/complaints/complaint/").content.decode()
    assert c.code in listing and "Phạm" not in listing
    detail = client.get(f"/admin/complaints/complaint/{c.pk}/change/").content.decode()
    assert c.code in detail and "0912345678" not in detail
    assert client.get("/admin/complaints/incident/").status_code == 200
