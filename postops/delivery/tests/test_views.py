"""Delivery pages: the postman's app, its sync endpoint, service worker and manifest; the
supervisor's assignment and handover pages; proof files."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from postops.core.models import AuditEntry
from postops.delivery import services
from postops.delivery.models import DeliveryAttempt, RunSheet
from postops.items.models import Item

from .conftest import eid, png_bytes


@pytest.fixture
def today_round(make_item, supervisor, postman, offices):
    """Two items on today's run sheet: a COD registered item and an EMS item."""
    cod = make_item(prefix="RR", cod_amount=350000)
    ems = make_item()
    services.run_sheet_assign(
        actor=supervisor,
        office=offices["delivery"],
        postman=postman,
        numbers=[cod.number, ems.number],
    )
    return cod, ems


def _action(item, n, **extra):
    return {
        "event_id": str(eid(n)),
        "kind": "deliver",
        "number": item.number,
        "occurred_at": timezone.now().isoformat(),
        "recipient_name": "Trần Thị Bình",
        "relation": "self",
        **extra,
    }


def test_the_postman_app_shows_todays_run_sheet(client, postman, today_round):
    cod, ems = today_round
    client.force_login(postman)
    response = client.get("/delivery/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-open-item="{cod.number}"' in html
    assert 'data-cod="350000"' in html and 'data-id-required="1"' in html
    assert f'data-open-item="{ems.number}"' in html
    assert 'rel="manifest" href="/delivery/manifest.webmanifest"' in html
    assert 'data-sync-url="/delivery/sync/"' in html
    assert "<script>" not in html and "style=" not in html
    assert response["Cache-Control"].startswith("max-age=0")
    assert AuditEntry.objects.filter(action="items.item.read", actor=postman).count() == 2


def test_the_app_is_for_postmen_only(client, supervisor, verified_client):
    assert verified_client(supervisor).get("/delivery/").status_code == 403
    anonymous = Client()
    assert anonymous.get("/delivery/").status_code == 302


def test_sync_answers_per_action_and_checks_csrf(postman, today_round):
    cod, ems = today_round
    client = Client(enforce_csrf_checks=True)
    client.force_login(postman)
    ping = client.get("/delivery/sync/")
    assert ping.status_code == 200 and "server_time" in ping.json()
    actions = [
        _action(ems, 1),
        _action(cod, 2, id_document="cccd", id_number="001090012345", cod_collected="350.000"),
        _action(cod, 3),
    ]
    data = {
        "actions": json.dumps(actions),
        f"signature:{eid(1)}": SimpleUploadedFile("signature", png_bytes(), "image/png"),
        f"signature:{eid(2)}": SimpleUploadedFile("signature", png_bytes(), "image/png"),
    }
    assert client.post("/delivery/sync/", data).status_code == 403  # no CSRF token
    client.get("/delivery/")  # sets the csrftoken cookie, as the page does
    for upload in (data[f"signature:{eid(1)}"], data[f"signature:{eid(2)}"]):
        upload.seek(0)
    token = client.cookies["csrftoken"].value
    response = client.post("/delivery/sync/", data, headers={"X-CSRFToken": token})
    assert response.status_code == 200
    body = response.json()
    assert body["results"] == [
        {"event_id": str(eid(1)), "result": "accepted", "outcome": "delivered"},
        {"event_id": str(eid(2)), "result": "accepted", "outcome": "delivered"},
        {
            "event_id": str(eid(3)),
            "result": "rejected",
            "reason": "invalid_transition",
            "message": "Trạng thái bưu gửi không cho phép thao tác này (có thể đã phát).",
        },
    ]
    assert Item.objects.get(pk=cod.pk).status == "delivered"
    # The same request again: duplicates, nothing new.
    data[f"signature:{eid(1)}"].seek(0)
    data[f"signature:{eid(2)}"].seek(0)
    again = client.post("/delivery/sync/", data, headers={"X-CSRFToken": token}).json()
    assert [r["result"] for r in again["results"]] == ["duplicate", "duplicate", "rejected"]
    assert DeliveryAttempt.objects.count() == 2


def test_sync_reports_field_problems(client, postman, today_round):
    cod, _ems = today_round
    client.force_login(postman)
    response = client.post(
        "/delivery/sync/",
        {"actions": json.dumps([_action(cod, 1, id_document="cccd", id_number="123")])},
    )
    (result,) = response.json()["results"]
    assert result["result"] == "rejected" and result["reason"] == "invalid_form"
    assert result["details"] == {
        "id_number": ["Số định danh cá nhân không hợp lệ (12 chữ số)."],
        "cod_collected": ["Nhập số tiền thu hộ đã thu."],
        "signature": ["Người nhận hàng cần ký trên màn hình."],
    }
    too_many = client.post("/delivery/sync/", {"actions": json.dumps([{}] * 101)})
    assert too_many.status_code == 400
    assert too_many.json()["code"] == "invalid_batch"


def test_service_worker_and_manifest(client):
    sw = client.get("/delivery/sw.js")
    assert sw.status_code == 200
    assert sw["Content-Type"] == "text/javascript; charset=utf-8"
    assert sw["Cache-Control"] == "no-cache"
    body = sw.content.decode()
    assert 'const APP_URL = "/delivery/";' in body
    assert '"/static/js/offline-queue.js"' in body and "http" not in body.replace("https", "")
    manifest = client.get("/delivery/manifest.webmanifest")
    assert manifest["Content-Type"].startswith("application/manifest+json")
    data = json.loads(manifest.content)
    assert (data["start_url"], data["scope"], data["display"]) == (
        "/delivery/",
        "/delivery/",
        "standalone",
    )
    assert {i["sizes"] for i in data["icons"]} == {"192x192", "512x512"}
    for icon in data["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_the_postman_hands_over(client, postman, today_round):
    client.force_login(postman)
    sheet = RunSheet.objects.get()
    response = client.post(f"/delivery/run-sheets/{sheet.pk}/submit/", {"declared_cash": "abc"})
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.status == "open"
    client.post(f"/delivery/run-sheets/{sheet.pk}/submit/", {"declared_cash": "0"})
    sheet.refresh_from_db()
    assert (sheet.status, sheet.declared_cash) == ("submitted", 0)
    page = client.get("/delivery/").content.decode()
    assert "chờ trưởng bưu cục xác nhận" in page


# --- Supervisor ------------------------------------------------------------------------------------


def test_the_supervisor_assigns_waiting_items(verified_client, supervisor, postman, make_item):
    a, b = make_item(), make_item(cod_amount=120000)
    client = verified_client(supervisor)
    page = client.get("/delivery/office/")
    assert page.status_code == 200
    html = page.content.decode()
    assert a.number in html and b.number in html and "Phạm Văn Bưu" in html
    bad = client.post(
        f"/delivery/office/{a.last_office_id}/assign/", {"postman": "", "scanned": "EB1"}
    )
    assert bad.status_code == 422
    assert bad.context["form"].errors == {
        "postman": ["Chọn bưu tá."],
        "scanned": ["Số hiệu không hợp lệ: EB1"],
    }
    response = client.post(
        f"/delivery/office/{a.last_office_id}/assign/",
        {"postman": postman.pk, "numbers": [a.number], "scanned": f"{b.number.lower()}\n"},
    )
    assert response.status_code == 302
    sheet = RunSheet.objects.get()
    assert sorted(sheet.entries.values_list("item__number", flat=True)) == sorted(
        [a.number, b.number]
    )
    html = client.get("/delivery/office/").content.decode()
    assert f"/delivery/run-sheets/{sheet.pk}/" in html


def test_the_supervisor_confirms_the_handover(verified_client, supervisor, postman, today_round):
    cod, ems = today_round
    services.delivery_record(
        actor=postman,
        event_id=eid(1),
        number=cod.number,
        device_time=timezone.now(),
        recipient_name="Trần Thị Bình",
        relation="self",
        id_document="cccd",
        id_number="001090012345",
        cod_collected=350000,
        signature=png_bytes(),
    )
    sheet = RunSheet.objects.get()
    client = verified_client(supervisor)
    page = client.get(f"/delivery/run-sheets/{sheet.pk}/")
    html = page.content.decode()
    assert "001*******45" in html and "001090012345" not in html
    attempt = DeliveryAttempt.objects.get()
    assert f"/delivery/attempts/{attempt.pk}/signature/" in html
    short = client.post(
        f"/delivery/run-sheets/{sheet.pk}/", {"returned": [ems.number], "counted_cash": "300.000"}
    )
    assert short.status_code == 422
    assert short.context["form"].errors == {
        "variance_reason": ["Có chênh lệch: phải ghi lý do trước khi xác nhận."]
    }
    ok = client.post(
        f"/delivery/run-sheets/{sheet.pk}/",
        {"returned": [ems.number], "counted_cash": "350.000"},
    )
    assert ok.status_code == 302
    sheet.refresh_from_db()
    assert sheet.status == "confirmed"
    assert "Đã xác nhận bởi Lê Văn Giám" in client.get(ok["Location"]).content.decode()


def test_proof_files_are_served_to_the_postman_and_the_supervisor_only(
    client, verified_client, make_user, supervisor, postman, offices, today_round
):
    _cod, ems = today_round
    services.delivery_record(
        actor=postman,
        event_id=eid(1),
        number=ems.number,
        device_time=timezone.now(),
        recipient_name="Trần Thị Bình",
        relation="self",
        signature=png_bytes(),
    )
    attempt = DeliveryAttempt.objects.get()
    url = f"/delivery/attempts/{attempt.pk}/signature/"
    client.force_login(postman)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == png_bytes()
    assert response["Cache-Control"] == "private, no-store"
    assert client.get(f"/delivery/attempts/{attempt.pk}/photo/").status_code == 404
    assert verified_client(supervisor).get(url).status_code == 200
    other = make_user("supervisor", offices=[offices["other"]])
    assert verified_client(other).get(url).status_code == 404
    other_postman = make_user("postman", offices=[offices["delivery"]])
    client.force_login(other_postman)
    assert client.get(url).status_code == 404
    reads = AuditEntry.objects.filter(action="delivery.deliveryattempt.read")
    assert reads.count() == 2
