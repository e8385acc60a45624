"""Django admin: agencies and officers through the services; dossiers read-only."""

import pytest

from postops.core.models import AuditEntry
from postops.dossiers.models import Agency, AgencyOfficer

from . import helpers

pytestmark = pytest.mark.django_db


def test_agency_admin_create_goes_through_the_service(admin_client):
    data = {
        "code": "stp",
        "name": "Sở Tư pháp tỉnh Lạng Sơn",
        "kind": "department",
        "commune": helpers.commune(0).code,
        "street": "",
        "phone": "",
        "email": "",
        "parent": "",
        "is_active": "on",
        "_save": "Lưu",
    }
    response = admin_client.post("/admin/dossiers/agency/add/", data)
    assert response.status_code == 302
    agency = Agency.objects.get()
    assert agency.code == "STP"
    assert agency.search_name == "stp so tu phap tinh lang son"
    assert AuditEntry.objects.get(action="dossiers.agency_create").actor_label == "qt-admin"


def test_agency_admin_refuses_a_parent_loop(admin_client, centre):
    child = helpers.agency("STP", "Sở Tư pháp", kind="department", parent=centre)
    data = {
        "code": centre.code,
        "name": centre.name,
        "kind": centre.kind,
        "commune": centre.commune_id,
        "street": "",
        "phone": "",
        "email": "",
        "parent": child.pk,
        "is_active": "on",
        "_save": "Lưu",
    }
    response = admin_client.post(f"/admin/dossiers/agency/{centre.pk}/change/", data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["parent"] == [
        "Cơ quan cấp trên tạo thành vòng lặp."
    ]


def test_officer_admin_links_through_the_service(admin_client, make_user, centre):
    clerk = make_user("clerk")
    response = admin_client.post(
        "/admin/dossiers/agencyofficer/add/", {"user": clerk.pk, "agency": centre.pk}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["user"] == [
        "Chỉ người dùng có vai trò cán bộ cơ quan mới gắn với cơ quan."
    ]
    officer = make_user("agency")
    response = admin_client.post(
        "/admin/dossiers/agencyofficer/add/", {"user": officer.pk, "agency": centre.pk}
    )
    assert response.status_code == 302
    link = AgencyOfficer.objects.get()
    assert link.agency == centre
    response = admin_client.post(
        f"/admin/dossiers/agencyofficer/{link.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert not AgencyOfficer.objects.exists()
    assert AuditEntry.objects.filter(action="dossiers.agency_officer_set").count() == 2


def test_dossier_history_and_handovers_are_read_only(admin_client):
    for model in ("dossier", "handover", "dossierevent"):
        assert admin_client.get(f"/admin/dossiers/{model}/").status_code == 200, model
        assert admin_client.get(f"/admin/dossiers/{model}/add/").status_code == 403, model
    for model in ("agency", "procedure", "legstandard", "agencyofficer"):
        assert admin_client.get(f"/admin/dossiers/{model}/").status_code == 200, model


def test_leg_standards_are_seeded_from_circular_17(db):
    from postops.dossiers.models import LegStandard

    general = {
        (s.zone, s.days, s.days_with_slip)
        for s in LegStandard.objects.filter(destination_province__isnull=True)
    }
    assert general == {
        ("same_commune", 1, 2),
        ("same_province", 2, 4),
        ("other_province", 4, 8),
    }
    cities = LegStandard.objects.filter(destination_province__isnull=False)
    assert {"01", "79"} <= {s.destination_province_id for s in cities}
    assert {(s.zone, s.days, s.days_with_slip) for s in cities} == {("other_province", 3, 6)}
