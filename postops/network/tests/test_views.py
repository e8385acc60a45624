"""Staff pages: office tree, detail, create/edit forms, commune picker partial."""

import pytest

from postops.core.models import AuditEntry
from postops.network.models import Office

pytestmark = pytest.mark.django_db


def test_office_list_needs_login(client):
    response = client.get("/network/offices/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_clerk_sees_only_their_subtree(tree, make_user, client):
    clerk = make_user("clerk", offices=[tree["po_that_khe"]])
    client.force_login(clerk)
    response = client.get("/network/offices/")
    assert response.status_code == 200
    assert [r.office.code for r in response.context["rows"]] == ["241100", "VHX-TK"]
    html = response.content.decode()
    assert "Bưu cục Thất Khê" in html
    assert "Bưu cục Trung tâm Lạng Sơn" not in html
    assert "Thêm đơn vị" not in html  # read-only for clerks
    assert 'class="tree-name depth-1"' in html


def test_list_filter_and_htmx_partial(tree, superuser, verified_client):
    client = verified_client(superuser)
    response = client.get("/network/offices/", {"q": "that khe"})
    assert [r.office.code for r in response.context["rows"]] == ["241100", "VHX-TK"]
    partial = client.get(
        "/network/offices/",
        {"q": "doan ket"},
        headers={"HX-Request": "true", "HX-Target": "office-rows"},
    )
    html = partial.content.decode()
    assert html.lstrip().startswith('<div id="office-rows"')
    assert "<html" not in html
    assert "BĐVHX Đoàn Kết" in html
    assert "Bưu cục Thất Khê" not in html


def test_list_query_count_does_not_grow_with_offices(
    tree, superuser, verified_client, django_assert_max_num_queries
):
    client = verified_client(superuser)
    with django_assert_max_num_queries(12):
        client.get("/network/offices/")


def test_detail_in_and_out_of_scope(tree, make_user, client):
    clerk = make_user("clerk", offices=[tree["po_center"]])
    client.force_login(clerk)
    response = client.get(f"/network/offices/{tree['po_center'].pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "BĐVHX Đoàn Kết" in html and "Bưu điện xã Tam Thanh" in html  # children
    assert "/edit/" not in html
    assert client.get(f"/network/offices/{tree['po_that_khe'].pk}/").status_code == 404
    assert client.get(f"/network/offices/{tree['province'].pk}/").status_code == 404


def test_clerk_cannot_reach_edit_pages(tree, make_user, client):
    clerk = make_user("clerk", offices=[tree["po_center"]])
    client.force_login(clerk)
    office = tree["vhx_doan_ket"]
    assert client.get(f"/network/offices/{office.pk}/edit/").status_code == 403
    assert client.post(f"/network/offices/{office.pk}/edit/", {"name": "x"}).status_code == 403
    assert client.get("/network/offices/new/").status_code == 403
    assert client.post(f"/network/offices/{tree['pp_thon1'].pk}/deactivate/").status_code == 403
    assert Office.objects.get(pk=tree["pp_thon1"].pk).is_active is True


def form_data(office, **overrides):
    data = {
        "kind": office.kind,
        "parent": office.parent_id or "",
        "code": office.code,
        "name": office.name,
        "commune": office.commune_id,
        "commune_q": "",
        "postal_code": office.postal_code,
        "street": office.street,
        "phone": office.phone,
        "opening_hours": office.opening_hours,
    }
    data.update(overrides)
    return data


def test_supervisor_edits_an_office_in_scope(tree, make_user, verified_client):
    supervisor = make_user("supervisor", offices=[tree["po_center"]])
    client = verified_client(supervisor)
    office = tree["vhx_doan_ket"]
    page = client.get(f"/network/offices/{office.pk}/edit/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "data-commune-picker" in html
    assert "js/commune-picker.js" in html
    assert 'value="06001"' in html  # the hidden commune code
    response = client.post(
        f"/network/offices/{office.pk}/edit/",
        form_data(office, phone="0205 3870 000", street="Thôn Pác Sào"),
    )
    assert response.status_code == 302
    assert response["Location"] == f"/network/offices/{office.pk}/"
    office.refresh_from_db()
    assert (office.phone, office.street) == ("0205 3870 000", "Thôn Pác Sào")
    entry = AuditEntry.objects.get(action="network.office_update")
    assert entry.actor == supervisor
    assert entry.before == {"street": "", "phone": ""}
    assert entry.after == {"street": "Thôn Pác Sào", "phone": "0205 3870 000"}


def test_supervisor_cannot_edit_the_sibling_post_office(tree, make_user, verified_client):
    supervisor = make_user("supervisor", offices=[tree["po_center"]])
    client = verified_client(supervisor)
    assert client.get(f"/network/offices/{tree['po_that_khe'].pk}/edit/").status_code == 404


def test_form_errors_are_shown_per_field_in_vietnamese(tree, superuser, verified_client):
    client = verified_client(superuser)
    office = tree["po_that_khe"]
    response = client.post(
        f"/network/offices/{office.pk}/edit/",
        form_data(office, code="2411", postal_code="241", commune="", name=""),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {
        "code": ["Mã bưu cục cần đúng 6 chữ số."],
        "name": ["Trường này là bắt buộc."],
        "commune": ["Trường này là bắt buộc."],
        "postal_code": ["Cần đúng 5 chữ số."],
    }


def test_service_errors_land_on_their_fields(tree, superuser, verified_client):
    client = verified_client(superuser)
    office = tree["cp_tam_thanh"]
    response = client.post(
        f"/network/offices/{office.pk}/edit/",
        form_data(office, parent=tree["pp_thon1"].pk),
    )
    assert response.status_code == 200
    # A payout point is not a valid parent, so it is not even offered.
    assert "parent" in response.context["form"].errors


def test_create_under_a_parent(tree, make_user, verified_client):
    manager = make_user("manager", offices=[tree["province"]])
    client = verified_client(manager)
    parent = tree["po_that_khe"]
    page = client.get(f"/network/offices/new/?parent={parent.pk}")
    assert page.status_code == 200
    assert page.context["form"].initial == {
        "parent": parent.pk,
        "kind": "commune_post",
        "commune": "06040",
        "postal_code": "24100",
    }
    response = client.post(
        "/network/offices/new/",
        {
            "kind": "bdvhx",
            "parent": parent.pk,
            "code": "VHX-KC",
            "name": "BĐVHX Kháng Chiến",
            "commune": "06037",
            "postal_code": "24102",
            "street": "Thôn Nà Pàn",
            "phone": "",
            "opening_hours": "7:00–11:00, 13:30–17:00",
        },
    )
    office = Office.objects.get(code="VHX-KC")
    assert response.status_code == 302
    assert response["Location"] == f"/network/offices/{office.pk}/"
    assert office.path == f"{parent.path}{office.pk}/"
    assert AuditEntry.objects.filter(
        action="network.office_create", target_id=str(office.pk), actor=manager
    ).exists()


def test_commune_typed_as_code_without_javascript(tree, superuser, verified_client):
    client = verified_client(superuser)
    office = tree["vhx_that_khe"]
    response = client.post(
        f"/network/offices/{office.pk}/edit/", form_data(office, commune="", commune_q="06037")
    )
    assert response.status_code == 302
    office.refresh_from_db()
    assert office.commune_id == "06037"


def test_deactivate_from_the_detail_page(tree, superuser, verified_client):
    client = verified_client(superuser)
    refused = client.post(f"/network/offices/{tree['cp_tam_thanh'].pk}/deactivate/", follow=True)
    assert "Hãy ngừng hoạt động các đơn vị cấp dưới trước." in refused.content.decode()
    assert Office.objects.get(pk=tree["cp_tam_thanh"].pk).is_active is True
    response = client.post(f"/network/offices/{tree['pp_thon1'].pk}/deactivate/")
    assert response.status_code == 302
    assert Office.objects.get(pk=tree["pp_thon1"].pk).is_active is False
    assert client.get(f"/network/offices/{tree['pp_thon1'].pk}/deactivate/").status_code == 405
    client.post(f"/network/offices/{tree['pp_thon1'].pk}/reactivate/")
    assert Office.objects.get(pk=tree["pp_thon1"].pk).is_active is True


def test_commune_search_partial(client):
    response = client.get("/network/communes/search", {"q": "dong kinh"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-code="05977"' in html
    assert 'data-label="Phường Đông Kinh, Tỉnh Lạng Sơn"' in html
    assert 'data-code="18586"' in html
    assert "<html" not in html
    # The picker's own box is named "<field>_q"; a province narrows the search.
    html = client.get(
        "/network/communes/search", {"commune_q": "dong kinh", "province": "20"}
    ).content.decode()
    assert 'data-code="05977"' in html and 'data-code="18586"' not in html
    none = client.get("/network/communes/search", {"q": "zzzz"}).content.decode()
    assert "Không tìm thấy xã/phường nào." in none


def test_pages_have_no_inline_script_or_style(tree, superuser, verified_client):
    client = verified_client(superuser)
    office = tree["po_center"]
    for url in (
        "/network/offices/",
        f"/network/offices/{office.pk}/",
        f"/network/offices/{office.pk}/edit/",
        "/network/offices/new/",
    ):
        html = client.get(url).content.decode()
        assert "<script>" not in html and "style=" not in html and "<style" not in html, url
        assert "http://" not in html and "https://" not in html, url
