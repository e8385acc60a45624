"""Agencies, their officers, and API keys tied to an agency (issue #2 item 9, issue #4 item 1)."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from postops.accounts.api_auth import Principal
from postops.accounts.models import ApiKey
from postops.accounts.services import api_key_create
from postops.core.models import AuditEntry
from postops.dossiers import services
from postops.dossiers.models import Agency, AgencyOfficer
from postops.dossiers.selectors import agency_for_actor, agency_list

from . import helpers


@pytest.mark.django_db
def test_agency_create_normalises_and_audits():
    agency = services.agency_create(
        None,
        code=" ubnd.dk ",
        name="  Ủy ban nhân dân   phường Đông Kinh ",
        kind=Agency.Kind.COMMUNE_COMMITTEE,
        commune=helpers.commune(0),
    )
    assert agency.code == "UBND.DK"
    assert agency.name == "Ủy ban nhân dân phường Đông Kinh"
    assert agency.search_name == "ubnd.dk uy ban nhan dan phuong dong kinh"
    entry = AuditEntry.objects.get(action="dossiers.agency_create")
    assert entry.target_id == str(agency.pk)
    assert entry.after["code"] == "UBND.DK"
    assert entry.actor_label == "system"


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["SO-TP", "", "Ý", "A" * 31, ".ABC"])
def test_agency_code_must_fit_dossier_numbers(code):
    with pytest.raises(ValidationError) as exc:
        services.agency_create(
            None, code=code, name="Sở Tư pháp", kind="department", commune=helpers.commune(0)
        )
    assert "code" in exc.value.message_dict


@pytest.mark.django_db
def test_agency_update_audits_changed_fields_only(centre):
    services.agency_update(None, centre, phone="0205 3812345", name=centre.name)
    entry = AuditEntry.objects.get(action="dossiers.agency_update")
    assert entry.before == {"phone": ""}
    assert entry.after == {"phone": "0205 3812345"}
    services.agency_update(None, centre, phone="0205 3812345")
    assert AuditEntry.objects.filter(action="dossiers.agency_update").count() == 1


@pytest.mark.django_db
def test_agency_parent_cycle_is_refused(centre):
    desk = helpers.agency("STP", "Sở Tư pháp", kind="department", parent=centre)
    with pytest.raises(ValidationError) as exc:
        services.agency_update(None, centre, parent=desk)
    assert exc.value.message_dict == {"parent": ["Cơ quan cấp trên tạo thành vòng lặp."]}


@pytest.mark.django_db
def test_agency_list_search_without_diacritics(centre):
    helpers.agency("STP", "Sở Tư pháp", kind="department")
    assert [a.code for a in agency_list("tu phap")] == ["STP"]
    assert [a.code for a in agency_list("")] == ["STP", "TTHCC"]


@pytest.mark.django_db
def test_officer_link_needs_the_agency_role(make_user, centre):
    clerk = make_user("clerk")
    with pytest.raises(ValidationError) as exc:
        services.agency_officer_set(None, clerk, centre)
    assert exc.value.message_dict == {
        "user": ["Chỉ người dùng có vai trò cán bộ cơ quan mới gắn với cơ quan."]
    }
    assert not AgencyOfficer.objects.exists()


@pytest.mark.django_db
def test_officer_link_moves_and_unlinks_with_audit(make_user, centre):
    officer = make_user("agency")
    other = helpers.agency("STP", "Sở Tư pháp", kind="department")
    services.agency_officer_set(None, officer, centre)
    services.agency_officer_set(None, officer, centre)  # no change, no entry
    services.agency_officer_set(None, officer, other)
    assert AgencyOfficer.objects.get(user=officer).agency == other
    assert agency_for_actor(officer) == other
    services.agency_officer_set(None, officer, None)
    assert agency_for_actor(officer) is None
    entries = AuditEntry.objects.filter(action="dossiers.agency_officer_set").order_by("id")
    assert [(e.before, e.after) for e in entries] == [
        ({"agency": None}, {"agency": "TTHCC"}),
        ({"agency": "TTHCC"}, {"agency": "STP"}),
        ({"agency": "STP"}, {"agency": None}),
    ]


@pytest.mark.django_db
def test_agency_for_actor_requires_role_and_active_agency(make_user, centre):
    officer = make_user("agency")
    services.agency_officer_set(None, officer, centre)
    assert agency_for_actor(officer) == centre
    officer.groups.clear()
    officer._postops_roles = None
    assert agency_for_actor(officer) is None
    officer = make_user("agency")
    services.agency_officer_set(None, officer, centre)
    services.agency_update(None, centre, is_active=False)
    assert agency_for_actor(officer) is None
    assert agency_for_actor(None) is None


# --- API keys tied to an agency ----------------------------------------------------------


@pytest.mark.django_db
def test_api_key_create_with_agency(centre):
    key, _raw = api_key_create(None, name="Một cửa tỉnh", role="agency", agency=centre)
    assert key.agency == centre
    entry = AuditEntry.objects.get(action="accounts.api_key_created")
    assert entry.after == {
        "name": "Một cửa tỉnh",
        "role": "agency",
        "offices": [],
        "agency": "TTHCC",
    }
    assert agency_for_actor(key) == centre


@pytest.mark.django_db
def test_api_key_with_agency_needs_the_agency_role(centre):
    with pytest.raises(ValueError, match="only keys with the agency role"):
        api_key_create(None, name="X", role="partner", agency=centre)
    services.agency_update(None, centre, is_active=False)
    with pytest.raises(ValueError, match="not active"):
        api_key_create(None, name="X", role="agency", agency=centre)
    assert not ApiKey.objects.exists()


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_create_api_key_command_with_agency(client, centre):
    out, err = run(
        "create_api_key", "--name", "Một cửa tỉnh", "--role", "agency", "--agency", "TTHCC"
    )
    key = ApiKey.objects.get()
    assert key.agency == centre
    assert err.startswith(
        f"Created API key {key.prefix}… for 'Một cửa tỉnh' with role agency and offices: "
        "(none) for agency TTHCC.\n"
    )
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {out.strip()}")
    assert response.status_code == 200
    assert response.json()["agency"] == {
        "code": "TTHCC",
        "name": "Trung tâm Phục vụ hành chính công tỉnh Lạng Sơn",
    }


@pytest.mark.django_db
def test_create_api_key_command_refuses_bad_agency_options(centre):
    with pytest.raises(CommandError, match="--agency needs --role agency"):
        run("create_api_key", "--name", "X", "--role", "partner", "--agency", "TTHCC")
    with pytest.raises(CommandError, match="Unknown or inactive agency code: NOPE"):
        run("create_api_key", "--name", "X", "--role", "agency", "--agency", "NOPE")
    assert not ApiKey.objects.exists()


@pytest.mark.django_db
def test_principal_agency_for_key_and_officer(make_user, centre):
    key, _ = api_key_create(None, name="K", role="agency", agency=centre)
    assert Principal.for_key(key).agency == centre
    officer = make_user("agency")
    services.agency_officer_set(None, officer, centre)
    assert Principal.for_user(officer).agency == centre
    assert Principal.for_user(make_user("clerk")).agency is None


@pytest.mark.django_db
def test_me_shows_the_officers_agency(make_user, verified_client, centre):
    officer = make_user("agency", username="cb-mot-cua")
    services.agency_officer_set(None, officer, centre)
    body = verified_client(officer).get("/api/v1/me").json()
    assert body["agency"]["code"] == "TTHCC"
    assert body["roles"] == ["agency"]


@pytest.mark.django_db
def test_api_key_staff_page_ties_a_key_to_an_agency(make_user, verified_client, centre):
    admin = make_user("admin")
    client = verified_client(admin)
    response = client.post(
        "/accounts/api-keys/new/", {"name": "Một cửa", "role": "partner", "agency": centre.pk}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "agency": ["Chỉ khóa có vai trò cán bộ cơ quan hành chính mới gắn với cơ quan."]
    }
    response = client.post(
        "/accounts/api-keys/new/", {"name": "Một cửa", "role": "agency", "agency": centre.pk}
    )
    assert response.status_code == 200
    assert ApiKey.objects.get().agency == centre
    listing = client.get("/accounts/api-keys/").content.decode()
    assert '<span class="badge badge-office">TTHCC</span>' in listing
