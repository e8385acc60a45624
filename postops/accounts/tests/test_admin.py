import pytest


@pytest.mark.django_db
def test_admin_user_pages_render(verified_client, make_user):
    admin = make_user("admin", is_staff=True, is_superuser=True)
    client = verified_client(admin)
    assert client.get("/admin/accounts/user/").status_code == 200
    assert client.get(f"/admin/accounts/user/{admin.pk}/change/").status_code == 200
    assert client.get("/admin/accounts/user/add/").status_code == 200
    assert client.get("/admin/accounts/apikey/").status_code == 200
    assert client.get("/admin/accounts/apikey/add/").status_code == 403
