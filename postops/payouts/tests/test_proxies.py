"""Authorisations to collect: pages to find a person, record and withdraw (issue #5, item 4)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from postops.core.models import AuditEntry
from postops.payouts import selectors, services
from postops.payouts.errors import AuthorisationInvalid, InvalidRequest, OutOfScope
from postops.payouts.models import Proxy


@pytest.fixture
def teller_client(client, teller):
    client.force_login(teller)
    return client


def _proxy(beneficiary, **over):
    values = {
        "beneficiary": beneficiary,
        "full_name": "Trần Văn Bình",
        "id_number": "020080001111",
        "authorisation_number": "UQ-1",
        "valid_from": timezone.localdate() - timedelta(days=10),
        "valid_to": timezone.localdate() + timedelta(days=100),
        "certified": True,
    }
    values.update(over)
    return Proxy.objects.create(**values)


def test_search_and_detail(teller_client, beneficiary, line):
    html = teller_client.get("/payouts/people/", {"q": "nguyen thi hoa"}).content.decode()
    assert f"/payouts/people/{beneficiary.pk}/" in html
    assert "020*******34" in html
    html = teller_client.get(f"/payouts/people/{beneficiary.pk}/").content.decode()
    assert "Chương trình này cho phép ủy quyền tối đa 12 tháng" in html
    assert AuditEntry.objects.filter(action="payouts.beneficiary.read").count() == 2


def test_people_outside_scope_are_not_found(client, make_user, network, beneficiary, line):
    client.force_login(make_user("teller", offices=[network["other_office"]]))
    assert "Không tìm thấy" in client.get("/payouts/people/", {"q": "hoa"}).content.decode()
    assert client.get(f"/payouts/people/{beneficiary.pk}/").status_code == 404


def test_add_authorisation(teller_client, beneficiary, teller):
    response = teller_client.post(
        f"/payouts/people/{beneficiary.pk}/proxies/new/",
        {
            "full_name": "Trần Văn Bình",
            "id_document_type": "cccd",
            "id_number": "0200 8000 1111",
            "authorisation_number": "UQ-7",
            "valid_from": "2026-01-15",
            "valid_to": "2027-01-14",
            "certified": "on",
        },
    )
    assert response.status_code == 302
    proxy = Proxy.objects.get()
    assert (proxy.id_number, proxy.certified, proxy.created_by) == ("020080001111", True, teller)


def test_add_authorisation_too_long_or_bad_number(teller_client, beneficiary):
    response = teller_client.post(
        f"/payouts/people/{beneficiary.pk}/proxies/new/",
        {
            "full_name": "Trần Văn Bình",
            "id_document_type": "cccd",
            "id_number": "12345",
            "authorisation_number": "UQ-7",
            "valid_from": "2026-01-15",
            "valid_to": "2027-01-15",
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Quá thời hạn tối đa 12 tháng: muộn nhất là ngày 14/01/2027." in html
    assert "Số CCCD gồm đúng 12 chữ số." in html
    assert Proxy.objects.count() == 0


def test_revoke_authorisation(teller_client, beneficiary, teller):
    proxy = _proxy(beneficiary)
    today = timezone.localdate()
    assert selectors.proxies_valid_on(beneficiary, today) == [proxy]
    missing = teller_client.post(
        f"/payouts/proxies/{proxy.pk}/revoke/", {f"r{proxy.pk}-reason": ""}
    )
    assert missing.status_code == 422
    assert "Ghi lý do thu hồi giấy ủy quyền." in missing.content.decode()
    response = teller_client.post(
        f"/payouts/proxies/{proxy.pk}/revoke/",
        {f"r{proxy.pk}-reason": "Người hưởng đến tự nhận"},
    )
    assert response.status_code == 302
    proxy.refresh_from_db()
    assert (proxy.revoked_by, proxy.revoke_reason) == (teller, "Người hưởng đến tự nhận")
    assert proxy.valid_on(today) is False
    assert proxy.state_on(today) == "revoked"
    assert selectors.proxies_valid_on(beneficiary, today) == []
    entry = AuditEntry.objects.get(action="payouts.proxy_revoke")
    assert entry.after == {"revoked": True, "reason": "Người hưởng đến tự nhận"}
    with pytest.raises(AuthorisationInvalid):
        services.proxy_revoke(teller, proxy, "again")
    html = teller_client.get(f"/payouts/people/{beneficiary.pk}/").content.decode()
    assert "Đã thu hồi" in html


def test_revoked_proxy_cannot_collect(paying_line, teller, beneficiary):
    proxy = _proxy(beneficiary)
    services.proxy_revoke(teller, proxy, "thu hồi")
    with pytest.raises(AuthorisationInvalid):
        services.payout_record(
            teller,
            line_id=paying_line.pk,
            idempotency_key="k1",
            receiver="proxy",
            proxy_id=proxy.pk,
            id_document_type="cccd",
            id_document_number="020080001111",
        )


def test_revoke_needs_reason_and_scope(make_user, network, beneficiary, line):
    proxy = _proxy(beneficiary)
    with pytest.raises(InvalidRequest):
        services.proxy_revoke(make_user("teller", offices=[network["post_office"]]), proxy, " ")
    with pytest.raises(OutOfScope):
        services.proxy_revoke(make_user("teller", offices=[network["other_office"]]), proxy, "x")


@pytest.mark.parametrize(
    ("offset_from", "offset_to", "certified", "state"),
    [
        (-1, 1, True, "valid"),
        (1, 2, True, "not_yet"),
        (-5, -1, True, "expired"),
        (-1, 1, False, "uncertified"),
    ],
)
def test_proxy_states(beneficiary, offset_from, offset_to, certified, state):
    day = date(2026, 6, 1)
    proxy = _proxy(
        beneficiary,
        valid_from=day + timedelta(days=offset_from),
        valid_to=day + timedelta(days=offset_to),
        certified=certified,
    )
    assert proxy.state_on(day) == state
