"""Pages and API of the result-return leg: the collection scan page, the take-back list,
public tracking by dossier code (page and API), the dossier API's return clock."""

from datetime import date

import pytest
from django.urls import reverse

from postops.accounts.services import api_key_create
from postops.dossiers import returns
from postops.dossiers.models import Dossier, ResultCollection

from .test_returns import leg, local  # noqa: F401  (fixture)


@pytest.fixture
def postman_client(leg, verified_client):  # noqa: F811
    return verified_client(leg["postman"])


@pytest.mark.django_db
def test_collect_by_scanning_on_the_page(leg, centre, postman_client):  # noqa: F811
    dossier = leg["registered"]()
    page = postman_client.get(reverse("dossiers:collection_start"))
    assert page.status_code == 200
    response = postman_client.post(
        reverse("dossiers:collection_start"),
        {"office": leg["office"].pk, "agency": centre.pk},
    )
    collection = ResultCollection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("dossiers:collection_detail", args=[collection.pk])
    url = response["Location"]
    response = postman_client.post(url, {"code": dossier.agency_number})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert (dossier.status, dossier.collection) == ("result_collected", collection)
    again = postman_client.post(url, {"code": dossier.code}, follow=True)
    assert f"Kết quả hồ sơ {dossier.code} đã có trong biên bản này." in again.content.decode()
    assert dossier.return_item.number in again.content.decode()
    wrong = postman_client.post(url, {"code": "HS-261026-99999"})
    assert wrong.status_code == 422
    assert "Không tìm thấy hồ sơ của cơ quan này" in wrong.content.decode()
    empty = postman_client.post(url, {"code": ""})
    assert empty.status_code == 422
    assert "Quét hoặc nhập số phiếu gửi/số hồ sơ." in empty.content.decode()
    record = postman_client.get(reverse("dossiers:collection_pdf", args=[collection.pk]))
    assert record.status_code == 200
    assert record.content.startswith(b"%PDF")
    detail = postman_client.get(reverse("dossiers:dossier_detail", args=[dossier.pk]))
    assert detail.status_code == 200
    assert 'id="clock-return"' in detail.content.decode()


@pytest.mark.django_db
def test_take_back_page_lists_nothing_when_nothing_waits(leg, verified_client):  # noqa: F811
    client = verified_client(leg["clerk"])
    response = client.get(reverse("dossiers:take_back_list"))
    assert response.status_code == 200
    assert "Không có kết quả nào phải trả lại cơ quan." in response.content.decode()
    response = client.post(
        reverse("dossiers:take_back_list"), {"office": leg["office"].pk, "agency": 0}
    )
    assert response.status_code == 404


@pytest.mark.django_db
def test_public_tracking_page_and_api_show_milestones_only(leg, centre, client):  # noqa: F811
    dossier = leg["registered"]()
    collection = returns.collection_open(leg["postman"], office=leg["office"], agency=centre)
    returns.result_collect(
        leg["postman"], collection, code=dossier.code, collected_at=local(2026, 11, 2, 9)
    )
    dossier.refresh_from_db()
    page = client.get(reverse("tracking"), {"numbers": dossier.code})
    html = page.content.decode()
    assert page.status_code == 200
    assert f'data-dossier="{dossier.code}"' in html
    assert 'data-status="result_collected"' in html
    for secret in ("Nguyễn Thị Hoa", "020190012345", "0912345678", dossier.agency_number):
        assert secret not in html
    # Through the return item's number, the dossier's milestones show too.
    page = client.get(reverse("tracking"), {"numbers": dossier.return_item.number})
    assert f'data-dossier="{dossier.code}"' in page.content.decode()

    api = client.get(f"/api/v1/track/dossiers/{dossier.code}")
    assert api.status_code == 200
    body = api.json()
    assert body["code"] == dossier.code
    assert body["status"] == "result_collected"
    assert [m["status"] for m in body["milestones"]] == [
        "registered",
        "result_ready",
        "result_collected",
    ]
    assert body["item_numbers"] == [dossier.return_item.number]
    assert "Nguyễn" not in api.content.decode()
    assert client.get("/api/v1/track/dossiers/nonsense").json()["code"] == "invalid_dossier_code"
    missing = client.get("/api/v1/track/dossiers/HS-000101-00001")
    assert (missing.status_code, missing.json()["code"]) == (404, "dossier_not_found")


@pytest.mark.django_db
def test_agency_api_shows_the_return_clock(leg, centre, client):  # noqa: F811
    dossier = leg["registered"]()
    collection = returns.collection_open(leg["postman"], office=leg["office"], agency=centre)
    returns.result_collect(
        leg["postman"], collection, code=dossier.code, collected_at=local(2026, 11, 2, 9)
    )
    _key, raw = api_key_create(None, name="Một cửa", role="agency", agency=centre)
    body = client.get(f"/api/v1/dossiers/{dossier.code}", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert body["clocks"]["post_return"] == {"due": "2026-11-04", "state": "late"}
    assert "post" in body["late"]
    assert body["return_item_number"] == dossier.return_item.number
    assert body["clocks"]["post_send"] == {"due": None, "state": "not_started"}
    assert date.fromisoformat(body["clocks"]["post_return"]["due"]) == dossier.post_return_due
