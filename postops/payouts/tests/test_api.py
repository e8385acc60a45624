import json
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from postops.accounts.services import api_key_create
from postops.payouts.models import ImportJob, Payout, PayrollLine, PayrollPeriod

from .helpers import csv_bytes, person, row


@pytest.fixture
def teller_client(client, teller):
    client.force_login(teller)
    return client


def post_payout(client, line, key="k-1", **body):
    payload = {
        "line_id": line.pk,
        "receiver": "self",
        "id_document": {"type": "cccd", "number": "020150001234"},
    }
    payload.update(body)
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(
        "/api/v1/payouts", json.dumps(payload), content_type="application/json", headers=headers
    )


def test_payout_201_and_replay(teller_client, paying_line):
    response = post_payout(teller_client, paying_line)
    assert response.status_code == 201
    body = response.json()
    assert body["receipt_number"] == "201001-2026-000001"
    assert body["amount"] == 3_400_000
    assert body["line_id"] == paying_line.pk
    assert body["office_code"] == "201001"
    assert "Idempotent-Replayed" not in response.headers
    again = post_payout(teller_client, paying_line)
    assert again.status_code == 201
    assert again.json() == body
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Payout.objects.count() == 1


def test_payout_409_already_paid(teller_client, paying_line):
    post_payout(teller_client, paying_line, key="a")
    response = post_payout(teller_client, paying_line, key="b")
    assert response.status_code == 409
    assert response.json() == {
        "code": "already_paid",
        "message": "Dòng chi trả này đã được chi.",
        "details": [{"receipt_number": "201001-2026-000001"}],
    }


def test_payout_422_identity_mismatch(teller_client, paying_line):
    response = post_payout(
        teller_client, paying_line, id_document={"type": "cccd", "number": "020150009999"}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "identity_mismatch"
    assert Payout.objects.count() == 0


def test_payout_needs_idempotency_key(teller_client, paying_line):
    response = post_payout(teller_client, paying_line, key="")
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_required"


def test_payout_unknown_line_404(teller_client, paying_line):
    payload_line = PayrollLine(pk=999999)
    response = post_payout(teller_client, payload_line)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_payout_role_required(client, make_user, network, paying_line):
    client.force_login(make_user("clerk", offices=[network["post_office"]]))
    response = post_payout(client, paying_line)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_payout_out_of_scope_403(client, make_user, network, paying_line):
    client.force_login(make_user("teller", offices=[network["other_office"]]))
    response = post_payout(client, paying_line)
    assert response.status_code == 403
    assert response.json()["code"] == "out_of_scope"


def test_payout_by_api_key_refused(client, network, paying_line):
    _key, raw = api_key_create(None, name="x", role="teller", offices=[network["post_office"]])
    response = client.post(
        "/api/v1/payouts",
        json.dumps({"line_id": paying_line.pk, "id_document": {"type": "cccd", "number": "1"}}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}", "Idempotency-Key": "z"},
    )
    assert response.status_code == 403
    assert response.json()["code"] == "staff_only"


def test_payout_unauthenticated_401(client, paying_line):
    assert post_payout(client, paying_line).status_code == 401


@pytest.fixture
def partner(network, programme):
    _key, raw = api_key_create(None, name="BHXH", role="partner", offices=[network["root"]])
    return {"Authorization": f"Bearer {raw}"}


def upload(client, headers, data, name="ds.csv", period="2026-06", valid_only=None):
    form = {"file": SimpleUploadedFile(name, data)}
    if valid_only is not None:
        form["valid_only"] = "true" if valid_only else "false"
    return client.post(f"/api/v1/payrolls/bhxh/{period}/imports", form, headers=headers)


def test_import_202_then_job_report(
    client, partner, immediate_tasks, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, partner, csv_bytes([row(), person(1)]))
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "pending"
    assert body["url"] == f"/api/v1/imports/{body['job_id']}"
    report = client.get(body["url"], headers=partner)
    assert report.status_code == 200
    assert report.json() == {
        "status": "done",
        "total": 2,
        "valid": 2,
        "invalid": 0,
        "errors": [],
        "processed": 2,
        "percent": 100,
    }
    period = PayrollPeriod.objects.get(month=date(2026, 6, 1))
    assert period.lines.count() == 2
    assert period.imported_by is None  # a partner key, not a staff user


def test_import_rejected_report_lists_errors(
    client, partner, immediate_tasks, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, partner, csv_bytes([person(1, sex="?")]))
    report = client.get(response.json()["url"], headers=partner).json()
    assert report["status"] == "rejected"
    assert report["errors"] == [
        {
            "row": 2,
            "column": "sex",
            "code": "invalid_sex",
            "message": "Giới tính phải là Nam hoặc Nữ (M hoặc F).",
        }
    ]


def test_import_valid_only_flag(
    client, partner, immediate_tasks, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(
            client, partner, csv_bytes([person(1, sex="?"), person(2)]), valid_only=True
        )
    report = client.get(response.json()["url"], headers=partner).json()
    assert (report["status"], report["valid"], report["invalid"]) == ("done", 1, 1)


def test_import_job_stays_pending_until_worker_runs(client, partner, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = upload(client, partner, csv_bytes([row()]))
    job = ImportJob.objects.get(pk=response.json()["job_id"])
    assert job.status == "pending"
    assert job.file.name.endswith(".csv")


def test_running_job_reports_processed_rows_and_percent(client, partner, period):
    """While a job runs the API gives the page's progress-bar figures; the issue's
    fields keep their names and values."""
    job = ImportJob.objects.create(
        period=period,
        file_name="bhxh.csv",
        file_sha256="",
        status="running",
        stage="reading",
        total=2_500,
        valid=2_490,
        invalid=10,
        rows_expected=10_000,
    )
    body = client.get(f"/api/v1/imports/{job.pk}", headers=partner).json()
    assert body == {
        "status": "running",
        "total": 2_500,
        "valid": 2_490,
        "invalid": 10,
        "errors": [],
        "processed": 2_500,
        "percent": 25,
    }
    ImportJob.objects.filter(pk=job.pk).update(rows_expected=None, total=0, valid=0, invalid=0)
    body = client.get(f"/api/v1/imports/{job.pk}", headers=partner).json()
    assert (body["processed"], body["percent"]) == (0, None)


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/v1/payrolls/xyz/2026-06/imports", 404, "not_found"),
        ("/api/v1/payrolls/bhxh/2026-13/imports", 422, "invalid_period"),
    ],
)
def test_import_bad_programme_or_period(client, partner, path, status, code):
    response = client.post(path, {"file": SimpleUploadedFile("a.csv", b"x")}, headers=partner)
    assert response.status_code == status
    assert response.json()["code"] == code


def test_import_role_required(client, make_user, network):
    client.force_login(make_user("teller", offices=[network["post_office"]]))
    response = client.post(
        "/api/v1/payrolls/bhxh/2026-06/imports", {"file": SimpleUploadedFile("a.csv", b"x")}
    )
    assert response.status_code == 403


def test_unknown_job_404(client, partner):
    assert client.get("/api/v1/imports/424242", headers=partner).status_code == 404
