"""Payroll pages: upload with progress, error report, valid rows only, check and approve."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from postops.payouts import services
from postops.payouts.models import ImportJob, PayrollLine, PayrollPeriod

from .helpers import csv_bytes, person, row


def upload(client, data, name="ds.csv", month="2026-06", valid_only=False, programme=None):
    from postops.payouts.models import Programme

    form = {
        "programme": (programme or Programme.objects.get(code="bhxh")).pk,
        "month": month,
        "file": SimpleUploadedFile(name, data),
    }
    if valid_only:
        form["valid_only"] = "on"
    return client.post("/payouts/imports/new/", form)


@pytest.fixture
def uploaded(supervisor_client, programme, immediate_tasks, django_capture_on_commit_callbacks):
    def _upload(data, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            response = upload(supervisor_client, data, **kwargs)
        assert response.status_code == 302, response.content.decode()[:2000]
        return ImportJob.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))

    return _upload


def test_upload_page(supervisor_client, programme):
    html = supervisor_client.get("/payouts/imports/new/").content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'type="month"' in html
    assert "Chỉ nhập các dòng hợp lệ" in html


def test_upload_runs_the_job_and_shows_the_report(supervisor_client, uploaded):
    job = uploaded(csv_bytes([row(), person(1)]))
    assert (job.status, job.created_lines, job.created_by) == ("done", 2, supervisor_client.user)
    assert job.period.month == date(2026, 6, 1)
    html = supervisor_client.get(f"/payouts/imports/{job.pk}/").content.decode()
    assert "Đã nhập toàn bộ tệp." in html
    assert 'hx-trigger="every 1s"' not in html  # finished: no more polling
    assert f"/payouts/periods/{job.period_id}/" in html


def test_running_job_polls_every_second_with_a_progress_bar(supervisor_client, network, period):
    job = ImportJob.objects.create(
        period=period,
        file_name="ds.csv",
        file_sha256="x",
        status="running",
        stage="reading",
        rows_expected=400,
        total=100,
        valid=99,
        invalid=1,
    )
    html = supervisor_client.get(f"/payouts/imports/{job.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert '<progress class="import-progress" max="100" value="25"' in html
    assert "Đã đọc 100 / khoảng 400 dòng" in html
    # htmx asks for the status block only.
    partial = supervisor_client.get(f"/payouts/imports/{job.pk}/", headers={"HX-Request": "true"})
    body = partial.content.decode()
    assert body.lstrip().startswith('<section id="job-status"')
    assert "<html" not in body
    ImportJob.objects.filter(pk=job.pk).update(stage="writing")
    html = supervisor_client.get(f"/payouts/imports/{job.pk}/").content.decode()
    assert '<progress class="import-progress" aria-label' in html  # indeterminate
    assert "Đang ghi dữ liệu" in html


def test_rejected_file_shows_errors_then_valid_rows_only(supervisor_client, uploaded):
    job = uploaded(csv_bytes([person(1), person(2, amount="x"), person(3, sex="?")]))
    assert job.status == "rejected"
    html = supervisor_client.get(f"/payouts/imports/{job.pk}/").content.decode()
    assert "Tệp có dòng lỗi nên chưa dòng nào được nhập." in html
    assert '<td class="num">3</td><td>amount</td><td><code>money_format</code></td>' in html
    assert '<td class="num">4</td><td>sex</td><td><code>invalid_sex</code></td>' in html
    assert "Chỉ nhập 1 dòng hợp lệ" in html
    assert PayrollLine.objects.count() == 0

    csv_text = supervisor_client.get(f"/payouts/imports/{job.pk}/errors.csv").content.decode()
    assert csv_text.splitlines()[0] == "\ufeffDòng,Cột,Mã lỗi,Nội dung"
    assert csv_text.splitlines()[2] == "4,sex,invalid_sex,Giới tính phải là Nam hoặc Nữ (M hoặc F)."


def test_retry_with_valid_rows_only(
    supervisor_client, uploaded, django_capture_on_commit_callbacks
):
    job = uploaded(csv_bytes([person(1), person(2, amount="x")]))
    with django_capture_on_commit_callbacks(execute=True):
        response = supervisor_client.post(f"/payouts/imports/{job.pk}/valid-only/")
    retry = ImportJob.objects.exclude(pk=job.pk).get()
    assert response["Location"] == f"/payouts/imports/{retry.pk}/"
    assert (retry.status, retry.valid_only, retry.retry_of, retry.created_lines) == (
        "done",
        True,
        job,
        1,
    )
    assert list(PayrollLine.objects.values_list("beneficiary__code", flat=True)) == ["P000001"]


def test_retry_refused_for_a_file_without_valid_rows(supervisor_client, uploaded):
    job = uploaded(csv_bytes([person(2, amount="x")]))
    response = supervisor_client.post(f"/payouts/imports/{job.pk}/valid-only/", follow=True)
    assert "Yêu cầu không hợp lệ." in response.content.decode()
    assert ImportJob.objects.count() == 1


def test_upload_form_errors_in_vietnamese(supervisor_client, programme):
    response = supervisor_client.post("/payouts/imports/new/", {"programme": programme.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nhập tháng chi trả." in html
    assert "Chọn tệp danh sách." in html
    response = upload(supervisor_client, b"x", name="ds.pdf", month="2026-13")
    html = response.content.decode()
    assert "Tháng không hợp lệ: viết năm-tháng, ví dụ 2026-03." in html
    assert "Chỉ nhận tệp .csv hoặc .xlsx." in html


def test_upload_into_an_approved_period_is_refused(supervisor_client, programme):
    PayrollPeriod.objects.create(programme=programme, month=date(2026, 6, 1), status="approved")
    response = upload(supervisor_client, csv_bytes([row()]))
    assert response.status_code == 200
    assert "không nhận thêm tệp" in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_four_eyes_shown_and_enforced(supervisor_client, uploaded, make_user, verified_client):
    job = uploaded(csv_bytes([row(), person(1)]))
    period = job.period
    url = f"/payouts/periods/{period.pk}/"
    supervisor_client.post(f"{url}status/", {"to": "checked"})
    period.refresh_from_db()
    assert (period.status, period.checked_by) == ("checked", supervisor_client.user)

    html = supervisor_client.get(url).content.decode()
    assert "Bạn đã nhập danh sách của kỳ này nên không được duyệt" in html
    assert 'data-action="approved" disabled' in html
    response = supervisor_client.post(f"{url}status/", {"to": "approved"}, follow=True)
    assert "Cần một người khác duyệt." in response.content.decode()
    period.refresh_from_db()
    assert period.status == "checked"

    other = make_user("manager", username="truong-phong")
    client = verified_client(other)
    html = client.get(url).content.decode()
    assert "Bạn không nhập danh sách này nên có thể duyệt." in html
    assert 'data-action="approved" disabled' not in html
    client.post(f"{url}status/", {"to": "approved"})
    period.refresh_from_db()
    assert (period.status, period.approved_by, period.approved_line_count) == ("approved", other, 2)
    assert period.approved_total == 6_500_000


def test_period_page_shows_the_figures_to_check(supervisor_client, uploaded):
    job = uploaded(csv_bytes([row(arrears="150.000"), person(1, months="2", home_payout="1")]))
    html = supervisor_client.get(f"/payouts/periods/{job.period_id}/").content.decode()
    assert '<dd data-summary="lines">2</dd>' in html
    assert '<dd data-summary="total">6.650.000 ₫</dd>' in html
    assert "<code>201001</code> Điểm chi trả Đông Kinh" in html
    assert "/payouts/periods/" in supervisor_client.get("/payouts/periods/").content.decode()


def test_invalid_transition_is_a_message(supervisor_client, period):
    response = supervisor_client.post(
        f"/payouts/periods/{period.pk}/status/", {"to": "paying"}, follow=True
    )
    assert "Kỳ chi trả không thể chuyển sang trạng thái này." in response.content.decode()


@pytest.mark.parametrize("role", ["teller", "clerk", "bdvhx", "auditor"])
def test_other_roles_are_refused(client, make_user, verified_client, period, role):
    client = verified_client(make_user(role))
    assert client.get("/payouts/imports/new/").status_code == 403
    assert client.get(f"/payouts/periods/{period.pk}/").status_code == 403
    assert (
        client.post(f"/payouts/periods/{period.pk}/status/", {"to": "checked"}).status_code == 403
    )


def test_service_retry_keeps_the_file(uploaded, supervisor_client):
    job = uploaded(csv_bytes([person(1), person(2, amount="x")]))
    retry = services.payroll_import_retry_valid_only(supervisor_client.user, job)
    assert retry.file.name == job.file.name
