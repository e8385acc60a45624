"""Staff pages for API keys under /accounts/api-keys/ (administrators only)."""

import pytest

from postops.accounts.models import ApiKey
from postops.accounts.services import api_key_create, api_key_hash
from postops.core.models import AuditEntry

from .api_helpers import office_tree


@pytest.fixture
def tree(db):
    return office_tree()


@pytest.fixture
def admin_client(make_user, verified_client, tree):
    admin = make_user("admin", username="qt-admin", offices=[tree["province"]])
    return verified_client(admin), admin


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/accounts/api-keys/", "/accounts/api-keys/new/", "/accounts/api-keys/1/revoke/"]
)
def test_anonymous_is_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role",
    [
        "clerk",
        "postman",
        "teller",
        "bdvhx",
        "agency",
        "complaints",
        "auditor",
        "partner",
    ],
)
def test_other_roles_are_refused(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get("/accounts/api-keys/").status_code == 403
    assert (
        client.post("/accounts/api-keys/new/", {"name": "x", "role": "partner"}).status_code == 403
    )
    assert ApiKey.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["supervisor", "manager"])
def test_verified_supervisors_and_managers_are_refused_too(make_user, verified_client, role):
    client = verified_client(make_user(role))
    assert client.get("/accounts/api-keys/").status_code == 403


@pytest.mark.django_db
def test_admin_without_two_factor_is_sent_to_verify(client, make_user):
    client.force_login(make_user("admin"))
    response = client.get("/accounts/api-keys/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/")


@pytest.mark.django_db
def test_list_shows_prefix_name_role_offices_and_state(
    admin_client, tree, django_assert_max_num_queries
):
    client, admin = admin_client
    active, _ = api_key_create(admin, name="Shop Hoa Mai", role="partner", offices=[tree["po_a"]])
    old, _ = api_key_create(
        admin, name="BHXH cũ", role="agency", offices=[tree["po_a"], tree["po_b"]]
    )
    ApiKey.objects.filter(pk=old.pk).update(revoked_at="2026-01-02T03:04:05Z")
    for i in range(5):
        api_key_create(admin, name=f"Thêm {i}", role="partner", offices=[tree["po_b"]])

    with django_assert_max_num_queries(12):
        response = client.get("/accounts/api-keys/")
    assert response.status_code == 200
    html = response.content.decode()
    keys = list(response.context["keys"])
    assert [k.name for k in keys][-1] == "BHXH cũ"  # revoked keys last
    assert keys[-2].name == "Shop Hoa Mai"
    assert f"<code>{active.prefix}…</code>" in html
    assert "Shop Hoa Mai" in html
    assert "Đối tác (hệ thống khách hàng)" in html
    assert '<span class="badge badge-office">241000</span>' in html
    assert "chưa dùng" in html
    assert f'href="/accounts/api-keys/{active.pk}/revoke/"' in html
    assert f'href="/accounts/api-keys/{old.pk}/revoke/"' not in html
    assert "thu hồi" in html


@pytest.mark.django_db
def test_create_shows_the_key_once_and_stores_only_its_hash(admin_client, tree):
    client, admin = admin_client
    form = client.get("/accounts/api-keys/new/")
    assert form.status_code == 200
    response = client.post(
        "/accounts/api-keys/new/",
        {"name": "  Shop Hoa Mai ", "role": "partner", "offices": [tree["po_a"].pk]},
    )
    assert response.status_code == 200
    raw = response.context["raw_key"]
    assert f'value="{raw}"' in response.content.decode()
    assert "Khóa chỉ hiện một lần" in response.content.decode()
    assert "no-store" in response["Cache-Control"]

    key = ApiKey.objects.get()
    assert key.name == "Shop Hoa Mai"
    assert key.key_hash == api_key_hash(raw)
    assert key.created_by == admin
    assert list(key.offices.all()) == [tree["po_a"]]
    entry = AuditEntry.objects.get(action="accounts.api_key_created")
    assert entry.actor == admin
    assert raw not in str(entry.after)

    listing = client.get("/accounts/api-keys/").content.decode()
    assert raw not in listing
    assert key.prefix in listing


@pytest.mark.django_db
def test_create_form_shows_errors_per_field_in_vietnamese(admin_client):
    client, _ = admin_client
    response = client.post("/accounts/api-keys/new/", {"name": "", "role": "wizard"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["name"] == ["Trường này là bắt buộc."]
    assert form.errors["role"] == [
        "Hãy chọn một lựa chọn hợp lệ. wizard không phải là một trong các lựa chọn khả thi."
    ]
    assert ApiKey.objects.count() == 0


@pytest.mark.django_db
def test_create_form_offers_only_active_offices(admin_client, tree):
    client, _ = admin_client
    tree["po_b"].is_active = False
    tree["po_b"].save(update_fields=["is_active"])
    response = client.get("/accounts/api-keys/new/")
    offered = list(response.context["form"].fields["offices"].queryset)
    assert tree["po_b"] not in offered
    assert tree["po_a"] in offered


@pytest.mark.django_db
def test_revoke_asks_then_revokes(admin_client, tree):
    client, admin = admin_client
    key, raw = api_key_create(admin, name="Shop", role="partner", offices=[tree["po_a"]])
    confirm = client.get(f"/accounts/api-keys/{key.pk}/revoke/")
    assert confirm.status_code == 200
    assert 'id="api-key-revoke"' in confirm.content.decode()
    key.refresh_from_db()
    assert key.revoked_at is None

    response = client.post(f"/accounts/api-keys/{key.pk}/revoke/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/api-keys/"
    key.refresh_from_db()
    assert key.revoked_at is not None
    entry = AuditEntry.objects.get(action="accounts.api_key_revoked")
    assert entry.actor == admin
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401

    again = client.get(f"/accounts/api-keys/{key.pk}/revoke/")
    assert 'id="api-key-revoke"' not in again.content.decode()


@pytest.mark.django_db
def test_revoke_unknown_key_is_404(admin_client):
    client, _ = admin_client
    assert client.post("/accounts/api-keys/999999/revoke/").status_code == 404
