import pytest

from .helpers import create


@pytest.mark.django_db
def test_admin_lists_requests_read_only(make_user, verified_client, world):
    p = create(world).pickup
    admin = make_user("admin", username="qt", is_staff=True, is_superuser=True)
    client = verified_client(admin)
    listing = client.get("/admin/pickups/pickuprequest/")
    assert listing.status_code == 200 and p.code in listing.content.decode()
    assert client.get("/admin/pickups/pickuprequest/add/").status_code == 403
    assert client.get(f"/admin/pickups/pickuprequest/{p.pk}/change/").status_code == 200
    page = client.get(f"/admin/pickups/pickuprequest/{p.pk}/change/").content.decode()
    assert "0912345678" not in page and "Lương Thị Mai" not in page
