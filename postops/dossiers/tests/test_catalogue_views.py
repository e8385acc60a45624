"""Staff pages of the procedure catalogue and the import command."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from postops.dossiers.models import Procedure

from . import helpers
from .test_catalogue import GOOD, csv_file

pytestmark = pytest.mark.django_db


def test_list_searches_without_diacritics(make_user, verified_client, centre):
    helpers.procedure(centre)
    helpers.procedure(
        centre, code="2.000986", name="Đăng ký khai sinh", documents=(), same_day=True
    )
    client = verified_client(make_user("clerk"))
    response = client.get("/dossiers/procedures/", {"q": "ly lich tu phap"})
    assert response.status_code == 200
    assert [p.code for p in response.context["procedures"]] == ["1.001234"]
    html = response.content.decode()
    assert "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam" in html
    assert "200.000 ₫" in html
    assert "Nhập danh mục từ tệp" not in html  # clerks do not import


def test_list_htmx_answers_with_the_results_only(make_user, verified_client, centre):
    helpers.procedure(
        centre, code="2.000986", name="Đăng ký khai sinh", documents=(), same_day=True
    )
    client = verified_client(make_user("clerk"))
    response = client.get(
        "/dossiers/procedures/",
        {"q": "khai sinh"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="procedure-results",
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="procedure-results">')
    assert "<html" not in html
    assert "trong ngày" in html


def test_detail_lists_documents(make_user, verified_client, centre):
    proc = helpers.procedure(centre)
    html = verified_client(make_user("agency")).get(f"/dossiers/procedures/{proc.pk}/").content
    html = html.decode()
    assert "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp" in html
    assert "Bản sao" in html
    assert "10 ngày làm việc" in html
    assert (
        verified_client(make_user("agency")).get("/dossiers/procedures/999999/").status_code == 404
    )


def test_import_page_for_managers(make_user, verified_client, centre):
    client = verified_client(make_user("manager"))
    upload = SimpleUploadedFile("catalogue.csv", csv_file(GOOD).getvalue(), "text/csv")
    response = client.post("/dossiers/procedures/import/", {"file": upload})
    assert response.status_code == 200
    assert "Đã nhập: 3 thủ tục mới, 0 thủ tục cập nhật, 0 không đổi." in response.content.decode()
    assert Procedure.objects.count() == 3


def test_import_page_shows_row_errors(make_user, verified_client, centre):
    client = verified_client(make_user("admin"))
    bad = [GOOD[0], "1.1;Thủ tục;TTHCC;Cấp huyện;1;;;;;;"]
    upload = SimpleUploadedFile("bad.csv", csv_file(bad).getvalue(), "text/csv")
    response = client.post("/dossiers/procedures/import/", {"file": upload})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Tệp có 1 lỗi; chưa nhập dòng nào." in html
    assert "<td>2</td><td>Cấp thực hiện</td><td><code>invalid_level</code></td>" in html
    response = client.post("/dossiers/procedures/import/", {})
    assert response.status_code == 422
    assert response.context["form"].errors == {"file": ["Chọn tệp danh mục thủ tục."]}
    upload = SimpleUploadedFile("x.pdf", b"%PDF", "application/pdf")
    response = client.post("/dossiers/procedures/import/", {"file": upload})
    assert response.context["form"].errors == {"file": ["Chỉ nhận tệp .csv hoặc .xlsx."]}


def test_import_command(tmp_path, centre, capsys):
    path = tmp_path / "catalogue.csv"
    path.write_bytes(csv_file(GOOD).getvalue())
    out = io.StringIO()
    call_command("import_procedures", str(path), stdout=out)
    report = json.loads(out.getvalue())
    assert report == {
        "rows": 5,
        "procedures": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "errors": [],
    }
    path.write_bytes(csv_file([GOOD[0], "1.1;;TTHCC;Cấp xã;1;;;;;;"]).getvalue())
    with pytest.raises(SystemExit) as exc:
        call_command("import_procedures", str(path), stdout=out)
    assert exc.value.code == 1
