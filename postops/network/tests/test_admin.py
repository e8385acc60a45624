"""Django admin: offices go through the services; administrative units are read-only."""

import pytest

from postops.core.models import AuditEntry
from postops.network.models import Office

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(superuser, verified_client):
    return verified_client(superuser)


def test_unit_admins_are_read_only(admin_client):
    for model in (
        "province",
        "commune",
        "legacyprovince",
        "legacydistrict",
        "legacycommune",
        "communeconversion",
    ):
        assert admin_client.get(f"/admin/network/{model}/").status_code == 200, model
        assert admin_client.get(f"/admin/network/{model}/add/").status_code == 403, model
    response = admin_client.get("/admin/network/commune/", {"q": "dong kinh"})
    assert response.context["cl"].result_count == 2
    page = admin_client.get("/admin/network/commune/05977/change/")
    assert page.status_code == 200
    assert 'name="name"' not in page.content.decode()


def test_office_admin_list_filters_and_search(admin_client, tree):
    response = admin_client.get("/admin/network/office/", {"q": "that khe"})
    assert response.status_code == 200
    assert sorted(o.code for o in response.context["cl"].result_list) == ["241100", "VHX-TK"]
    response = admin_client.get("/admin/network/office/", {"kind__exact": "bdvhx"})
    assert sorted(o.code for o in response.context["cl"].result_list) == ["VHX-DK", "VHX-TK"]


def test_office_admin_change_goes_through_the_service(admin_client, tree):
    office = tree["cp_tam_thanh"]
    data = {
        "code": office.code,
        "name": office.name,
        "kind": office.kind,
        "parent": tree["po_that_khe"].pk,
        "commune": office.commune_id,
        "postal_code": office.postal_code,
        "street": "",
        "phone": "0205 1",
        "opening_hours": "",
        "_save": "Lưu",
    }
    response = admin_client.post(f"/admin/network/office/{office.pk}/change/", data)
    assert response.status_code == 302
    child = Office.objects.get(pk=tree["pp_thon1"].pk)
    assert child.path == f"{tree['po_that_khe'].path}{office.pk}/{child.pk}/"
    entry = AuditEntry.objects.get(action="network.office_update")
    assert entry.after == {"parent": tree["po_that_khe"].pk, "phone": "0205 1"}


def test_office_admin_shows_tree_errors_on_the_form(admin_client, tree):
    data = {
        "code": "241300",
        "name": "Bưu cục lạc chỗ",
        "kind": "post_office",
        "parent": tree["po_center"].pk,
        "commune": "05977",
        "postal_code": "24300",
        "street": "",
        "phone": "",
        "opening_hours": "",
    }
    response = admin_client.post("/admin/network/office/add/", data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "parent": ["“Bưu cục” không thể trực thuộc “Bưu cục”."]
    }
    data["parent"] = tree["province"].pk
    response = admin_client.post("/admin/network/office/add/", data)
    assert response.status_code == 302
    office = Office.objects.get(code="241300")
    assert office.path == f"{tree['province'].path}{office.pk}/"
    assert AuditEntry.objects.filter(
        action="network.office_create", target_id=str(office.pk)
    ).exists()


def test_offices_cannot_be_deleted_in_the_admin(admin_client, tree):
    office = tree["pp_thon1"]
    assert admin_client.get(f"/admin/network/office/{office.pk}/delete/").status_code == 403
