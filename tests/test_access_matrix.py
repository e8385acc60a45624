"""Role × page access matrix for the staff UI (issue #2, item 13).

Every role, logged in (and two-factor verified where the role needs it), requests every page;
the expected answer comes from one table, so a new page or role shows up here first.
"""

import pytest

from postops.accounts.models import Role
from postops.network.models import Commune, Office

ALL = set(Role.values)
OK, FORBIDDEN, TO_LOGIN = 200, 403, 302

# path → roles that get 200; the others get 403 (or a redirect to the admin login for /admin/)
PAGES = {
    "/": ALL,
    "/network/offices/": ALL,
    "/network/offices/{office}/": ALL,
    "/network/offices/new/": {Role.ADMIN, Role.MANAGER, Role.SUPERVISOR},
    "/network/offices/{office}/edit/": {Role.ADMIN, Role.MANAGER, Role.SUPERVISOR},
    "/audit/": {Role.AUDITOR, Role.ADMIN, Role.MANAGER},
    "/accounts/api-keys/": {Role.ADMIN},
    "/accounts/api-keys/new/": {Role.ADMIN},
    "/admin/": {Role.ADMIN},
    "/payouts/": {Role.TELLER, Role.BDVHX, Role.SUPERVISOR, Role.POSTMAN},
    "/payouts/people/": {Role.TELLER, Role.BDVHX, Role.SUPERVISOR, Role.MANAGER, Role.POSTMAN},
    "/payouts/cash/": {Role.TELLER, Role.BDVHX, Role.SUPERVISOR, Role.POSTMAN},
    "/payouts/periods/": {Role.SUPERVISOR, Role.MANAGER, Role.ADMIN},
    "/payouts/imports/new/": {Role.SUPERVISOR, Role.MANAGER, Role.ADMIN},
    "/returns/": {Role.CLERK, Role.SUPERVISOR},
    "/cod/": {Role.SUPERVISOR, Role.MANAGER, Role.AUDITOR},
    "/cod/senders/": {Role.SUPERVISOR, Role.MANAGER, Role.AUDITOR},
    "/worklists/stale/": {Role.SUPERVISOR, Role.MANAGER},
    "/worklists/failed/": {Role.SUPERVISOR, Role.MANAGER},
    "/worklists/overdue/": {Role.SUPERVISOR, Role.MANAGER},
    "/worklists/cod/": {Role.SUPERVISOR, Role.MANAGER},
    "/worklists/unrouted/": {Role.SUPERVISOR, Role.MANAGER},
    "/delivery/": {Role.POSTMAN},
    "/delivery/office/": {Role.SUPERVISOR},
    "/delivery/home-payouts/": {Role.SUPERVISOR},
    "/delivery/home-payouts/mine/": {Role.POSTMAN, Role.TELLER, Role.BDVHX},
    "/dossiers/procedures/": ALL - {Role.TELLER, Role.PARTNER},
    "/dossiers/procedures/import/": {Role.ADMIN, Role.MANAGER},
    "/dossiers/intake/": {Role.CLERK, Role.BDVHX, Role.SUPERVISOR},
    "/dossiers/handovers/": {Role.CLERK, Role.SUPERVISOR},
    "/dossiers/agency/": {Role.AGENCY},
    "/dossiers/results/collect/": {Role.CLERK, Role.POSTMAN, Role.BDVHX, Role.SUPERVISOR},
    "/dossiers/results/take-back/": {Role.CLERK, Role.POSTMAN, Role.BDVHX, Role.SUPERVISOR},
    "/dossiers/worklists/send/": {Role.SUPERVISOR, Role.MANAGER},
    "/dossiers/worklists/agency/": {Role.SUPERVISOR, Role.MANAGER, Role.AGENCY},
    "/dossiers/worklists/return/": {Role.SUPERVISOR, Role.MANAGER},
    "/dossiers/worklists/waiting/": {Role.SUPERVISOR, Role.MANAGER},
    "/dossiers/worklists/send/export.csv": {Role.SUPERVISOR, Role.MANAGER},
    "/dossiers/worklists/agency/export.xlsx": {Role.SUPERVISOR, Role.MANAGER, Role.AGENCY},
    "/items/accept/": {Role.CLERK, Role.BDVHX, Role.SUPERVISOR},
    "/items/legacy-communes/search?q=dinh+lap": {Role.CLERK, Role.BDVHX, Role.SUPERVISOR},
    "/items/accept/senders?sender_phone=0912345678": {Role.CLERK, Role.BDVHX, Role.SUPERVISOR},
    "/items/bags/": {Role.CLERK, Role.BDVHX, Role.SUPERVISOR},
    "/items/bags/new/": {Role.CLERK, Role.BDVHX, Role.SUPERVISOR},
    "/complaints/": {Role.COMPLAINTS, Role.SUPERVISOR, Role.MANAGER},
    "/complaints/new/": {Role.COMPLAINTS, Role.SUPERVISOR, Role.MANAGER},
    "/complaints/incidents/": {Role.COMPLAINTS, Role.SUPERVISOR, Role.MANAGER},
    "/reports/": {Role.MANAGER, Role.AUDITOR, Role.ADMIN},
    "/reports/?period=quarter-1&year=2026": {Role.MANAGER, Role.AUDITOR, Role.ADMIN},
    "/items/webhooks/": {Role.PARTNER},
    "/pickups/": {Role.CLERK, Role.SUPERVISOR, Role.MANAGER, Role.AUDITOR},
    "/pickups/new/": {Role.CLERK, Role.SUPERVISOR},
    "/pickups/mine/": {Role.POSTMAN},
    "/notify/": {Role.SUPERVISOR, Role.ADMIN},
}


@pytest.fixture
def post_office(db):
    commune = Commune.objects.get(code="06040")
    root = Office.objects.create(
        code="240000",
        name="Bưu điện tỉnh",
        kind="provincial",
        commune=commune,
        postal_code="24000",
    )
    root.path = f"/{root.pk}/"
    root.save()
    office = Office.objects.create(
        code="241100",
        name="Bưu cục Thất Khê",
        kind="post_office",
        commune=commune,
        postal_code="24110",
        parent=root,
    )
    office.path = f"{root.path}{office.pk}/"
    office.save()
    return office


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(ALL))
def test_role_page_matrix(role, make_user, verified_client, post_office):
    # Each role works at the post office; administrators are Django staff for /admin/.
    user = make_user(
        role, offices=[post_office], is_staff=role == Role.ADMIN, is_superuser=role == Role.ADMIN
    )
    client = verified_client(user)
    got, want = {}, {}
    for template, allowed in PAGES.items():
        path = template.format(office=post_office.pk)
        status = client.get(path).status_code
        got[path] = status
        if role in allowed:
            want[path] = OK
        else:
            want[path] = TO_LOGIN if path.startswith("/admin/") else FORBIDDEN
    assert got == want


@pytest.mark.django_db
def test_anonymous_is_sent_to_login_for_every_staff_page(client, post_office):
    for template in PAGES:
        if template == "/":
            continue
        path = template.format(office=post_office.pk)
        response = client.get(path)
        assert response.status_code == TO_LOGIN, path
        assert "login" in response["Location"], path


@pytest.mark.django_db
def test_office_outside_scope_is_not_found(make_user, verified_client, post_office):
    sibling = Office.objects.create(
        code="241200",
        name="Bưu cục khác",
        kind="post_office",
        commune=post_office.commune,
        postal_code="24120",
        parent=post_office.parent,
    )
    sibling.path = f"{post_office.parent.path}{sibling.pk}/"
    sibling.save()
    client = verified_client(make_user(Role.SUPERVISOR, offices=[post_office]))
    assert client.get(f"/network/offices/{sibling.pk}/").status_code == 404
    assert client.get(f"/network/offices/{sibling.pk}/edit/").status_code == 404
