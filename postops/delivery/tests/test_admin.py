"""Delivery admin: routes saved through the service (audited); history read-only."""

from postops.core.models import AuditEntry
from postops.delivery.models import Route


def test_an_administrator_saves_a_route_through_the_service(client, make_user, offices, postman):
    admin = make_user("admin", is_superuser=True, is_staff=True)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(admin)
    device = TOTPDevice.objects.create(user=admin, name="t", confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    data = {
        "office": offices["delivery"].pk,
        "code": "T1",
        "name": "Tuyến 1",
        "commune_codes": "06040, 1234",
        "default_postman": postman.pk,
        "is_active": "on",
    }
    bad = client.post("/admin/delivery/route/add/", data)
    assert bad.status_code == 200
    assert "Mã xã/phường gồm 5 chữ số." in bad.content.decode()
    data["commune_codes"] = "06040, 06043"
    response = client.post("/admin/delivery/route/add/", data)
    assert response.status_code == 302
    route = Route.objects.get()
    assert (route.code, route.commune_codes, route.default_postman) == (
        "T1",
        ["06040", "06043"],
        postman,
    )
    assert AuditEntry.objects.filter(action="delivery.route_save").count() == 1
    for page in ("runsheet", "deliveryattempt", "handover"):
        assert client.get(f"/admin/delivery/{page}/").status_code == 200
        assert client.get(f"/admin/delivery/{page}/add/").status_code == 403
