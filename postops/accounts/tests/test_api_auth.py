"""API authentication: Bearer keys, the staff session, principals and their office scope."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from postops.accounts.api_auth import Principal, office_scope_ids_for
from postops.accounts.models import ApiKey
from postops.accounts.services import api_key_create, api_key_hash, api_key_revoke
from postops.core.models import AuditEntry

from .api_helpers import office_tree


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def tree(db):
    return office_tree()


@pytest.fixture
def partner_key(tree):
    key, raw = api_key_create(None, name="Shop Hoa Mai", role="partner", offices=[tree["po_a"]])
    return key, raw


# --- Storage of keys ----------------------------------------------------------------------


@pytest.mark.django_db
def test_key_is_stored_only_as_its_sha256_hash(partner_key):
    key, raw = partner_key
    key.refresh_from_db()
    assert raw.startswith("pok_")
    assert len(raw) == 4 + 43  # "pok_" + 32 random bytes in URL-safe base64
    assert key.key_hash == api_key_hash(raw)
    assert len(key.key_hash) == 64
    assert key.prefix == raw[:12]


@pytest.mark.django_db
def test_raw_key_is_nowhere_in_the_database_nor_in_the_audit_entry(partner_key):
    key, raw = partner_key
    entry = AuditEntry.objects.get(action="accounts.api_key_created")
    assert entry.target_id == str(key.pk)
    assert entry.after == {"name": "Shop Hoa Mai", "role": "partner", "offices": ["241000"]}
    assert raw not in str(entry.before) + str(entry.after)
    # Every row of every table: the raw key (and its secret part) appears nowhere.
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    assert raw not in dump.getvalue()
    assert raw[12:] not in dump.getvalue()


# --- Bearer keys --------------------------------------------------------------------------


@pytest.mark.django_db
def test_valid_key_identifies_the_partner(client, partner_key):
    key, raw = partner_key
    response = client.get("/api/v1/me", **bearer(raw))
    assert response.status_code == 200
    assert response.json() == {
        "kind": "key",
        "name": "Shop Hoa Mai",
        "username": None,
        "key_prefix": key.prefix,
        "roles": ["partner"],
        "offices": [{"code": "241000", "name": "Bưu cục Cao Lộc"}],
        "agency": None,
    }


@pytest.mark.django_db
def test_revoked_key_is_refused(client, partner_key):
    key, raw = partner_key
    api_key_revoke(None, key)
    response = client.get("/api/v1/me", **bearer(raw))
    assert response.status_code == 401
    assert response.json() == {
        "code": "unauthorized",
        "message": "A valid API key or session is required.",
        "details": [],
    }
    assert response["WWW-Authenticate"] == 'Bearer realm="api", error="invalid_token"'


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header",
    ["Bearer pok_not-a-real-key", "Bearer ", "Basic dXNlcjpwYXNz", "pok_without_scheme"],
)
def test_invalid_credentials_get_401_with_bearer_challenge(client, partner_key, header):
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert response["WWW-Authenticate"] == 'Bearer realm="api", error="invalid_token"'


@pytest.mark.django_db
def test_missing_credentials_get_401_with_bearer_challenge(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.django_db
def test_first_use_records_last_used_at(client, partner_key):
    key, raw = partner_key
    assert key.last_used_at is None
    before = timezone.now()
    client.get("/api/v1/me", **bearer(raw))
    key.refresh_from_db()
    assert key.last_used_at is not None
    assert key.last_used_at >= before


@pytest.mark.django_db
def test_last_used_at_is_written_at_most_once_a_minute(client, partner_key):
    key, raw = partner_key
    recent = timezone.now() - timedelta(seconds=30)
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=recent)
    client.get("/api/v1/me", **bearer(raw))
    key.refresh_from_db()
    assert key.last_used_at == recent

    stale = timezone.now() - timedelta(minutes=2)
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=stale)
    client.get("/api/v1/me", **bearer(raw))
    key.refresh_from_db()
    assert key.last_used_at > stale + timedelta(minutes=1)


@pytest.mark.django_db
def test_key_request_does_not_write_when_recently_used(
    client, partner_key, django_assert_num_queries
):
    key, raw = partner_key
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    # Key lookup, then the assigned offices for the answer: no UPDATE.
    with django_assert_num_queries(2):
        response = client.get("/api/v1/me", **bearer(raw))
    assert response.status_code == 200


# --- Principals and office scope ----------------------------------------------------------


@pytest.mark.django_db
def test_key_scope_is_the_subtree_of_its_offices(tree):
    key, _ = api_key_create(None, name="BHXH", role="partner", offices=[tree["po_a"]])
    principal = Principal.for_key(key)
    assert principal.kind == "key"
    assert principal.roles == frozenset({"partner"})
    assert principal.office_ids == {
        tree["po_a"].pk,
        tree["bdvhx_a"].pk,
        tree["point_a"].pk,
    }


@pytest.mark.django_db
def test_key_scope_unites_several_subtrees(tree):
    key, _ = api_key_create(
        None, name="Hai bưu cục", role="partner", offices=[tree["bdvhx_a"], tree["po_b"]]
    )
    assert set(office_scope_ids_for(key)) == {
        tree["bdvhx_a"].pk,
        tree["point_a"].pk,
        tree["po_b"].pk,
    }


@pytest.mark.django_db
def test_key_at_the_provincial_office_sees_the_province_but_not_another_root(tree):
    key, _ = api_key_create(None, name="Tỉnh", role="manager", offices=[tree["province"]])
    ids = Principal.for_key(key).office_ids
    assert tree["other"].pk not in ids
    assert ids == {tree[name].pk for name in ("province", "po_a", "bdvhx_a", "point_a", "po_b")}


@pytest.mark.django_db
def test_key_without_offices_sees_no_office(tree):
    key, _ = api_key_create(None, name="Không đơn vị", role="partner")
    assert Principal.for_key(key).office_ids == frozenset()


@pytest.mark.django_db
def test_user_principal_has_roles_and_the_subtree_of_their_offices(tree, make_user):
    user = make_user("clerk", "teller", offices=[tree["bdvhx_a"]])
    principal = Principal.for_user(user)
    assert principal.kind == "user"
    assert principal.roles == frozenset({"clerk", "teller"})
    assert principal.office_ids == {tree["bdvhx_a"].pk, tree["point_a"].pk}
    assert principal.audit_label == user.username


@pytest.mark.django_db
def test_key_principal_audit_label_names_the_prefix_only(partner_key):
    key, raw = partner_key
    assert Principal.for_key(key).audit_label == f"api-key:{key.prefix}"


# --- Session ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_session_user_identifies_themselves(client, make_user, tree):
    user = make_user(
        "clerk", offices=[tree["po_b"]], username="clerk-lb", full_name="Hoàng Thị Lan"
    )
    client.force_login(user)
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json() == {
        "kind": "user",
        "name": "Hoàng Thị Lan",
        "username": "clerk-lb",
        "key_prefix": None,
        "roles": ["clerk"],
        "offices": [{"code": "242000", "name": "Bưu cục Lộc Bình"}],
        "agency": None,
    }


@pytest.mark.django_db
def test_session_of_a_two_factor_role_needs_verification(client, make_user, verified_client):
    admin = make_user("admin")
    client.force_login(admin)
    response = client.get("/api/v1/me")
    assert response.status_code == 403
    assert response.json() == {
        "code": "two_factor_required",
        "message": "Two-factor verification is required for your role.",
        "details": [],
    }
    assert verified_client(admin).get("/api/v1/me").status_code == 200


@pytest.mark.django_db
def test_a_wrong_key_is_not_rescued_by_a_session(client, make_user):
    client.force_login(make_user("clerk"))
    response = client.get("/api/v1/me", **bearer("pok_wrong"))
    assert response.status_code == 401


@pytest.mark.django_db
def test_key_wins_over_session(client, make_user, partner_key):
    key, raw = partner_key
    client.force_login(make_user("clerk"))
    assert client.get("/api/v1/me", **bearer(raw)).json()["kind"] == "key"


# --- CSRF: required with the session, not with a Bearer key -------------------------------


@pytest.mark.django_db
@pytest.mark.urls("postops.core.tests.api_test_urls")
def test_session_post_without_csrf_token_is_refused(make_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("clerk"))
    response = client.post(
        "/api/test/parcels",
        {"weight_grams": 500, "receiver": {"name": "An"}},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json() == {
        "code": "csrf_failed",
        "message": "CSRF check failed: send the X-CSRFToken header.",
        "details": [],
    }


@pytest.mark.django_db
@pytest.mark.urls("postops.core.tests.api_test_urls")
def test_session_post_with_csrf_token_is_accepted(make_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("clerk"))
    client.get("/api/v1/docs")  # the docs page hands out the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/api/test/parcels",
        {"weight_grams": 500, "receiver": {"name": "An"}},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 200
    assert response.json() == {"kind": "user", "weight_grams": 500}


@pytest.mark.django_db
@pytest.mark.urls("postops.core.tests.api_test_urls")
def test_bearer_post_needs_no_csrf_token(partner_key):
    key, raw = partner_key
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/test/parcels",
        {"weight_grams": 750, "receiver": {"name": "An"}},
        content_type="application/json",
        **bearer(raw),
    )
    assert response.status_code == 200
    assert response.json() == {"kind": "key", "weight_grams": 750}


@pytest.mark.django_db
@pytest.mark.urls("postops.core.tests.api_test_urls")
def test_anonymous_post_gets_401_not_a_csrf_error():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/test/parcels", {}, content_type="application/json")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


# --- Roles --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.urls("postops.core.tests.api_test_urls")
def test_require_roles_refuses_other_roles_with_403(client, partner_key):
    key, raw = partner_key
    response = client.get("/api/test/admin-only", **bearer(raw))
    assert response.status_code == 403
    assert response.json() == {
        "code": "forbidden",
        "message": "Your role does not allow this action.",
        "details": [{"required_roles": ["admin"], "roles": ["partner"]}],
    }


@pytest.mark.django_db
@pytest.mark.urls("postops.core.tests.api_test_urls")
def test_require_roles_lets_the_role_through(client, tree):
    key, raw = api_key_create(None, name="Quản trị", role="admin", offices=[tree["province"]])
    response = client.get("/api/test/admin-only", **bearer(raw))
    assert response.status_code == 200
    assert response.json() == {"ok": True}
