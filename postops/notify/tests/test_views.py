"""The outbox page for supervisors and administrators: office scope, filters, keyset pages,
masked recipients, retry of a dead message (issue #4, item 9)."""

import re

import pytest
from django.utils import timezone

from postops.notify.models import Message

from .conftest import EMAIL

pytestmark = pytest.mark.django_db

PHONE_STORED = "0912 345 678"


def _message(office, n=1, **extra):
    fields = {
        "channel": "sms",
        "recipient": PHONE_STORED,
        "template_key": "dossier_filed",
        "context": {"dossier": f"HS-{n}"},
        "dedupe_key": f"test:{office.pk}:{n}:{extra.get('channel', 'sms')}",
        "source_label": f"HS-{n}",
        "office": office,
        "next_attempt_at": timezone.now(),
    }
    fields.update(extra)
    return Message.objects.create(**fields)


def _ids(response) -> list[int]:
    return [int(x) for x in re.findall(r"<tr>\s*<td>(\d+)</td>", response.content.decode())]


@pytest.fixture
def offices(place):
    return place["tree"]


@pytest.fixture
def supervisor_client(offices, make_user, verified_client):
    return verified_client(make_user("supervisor", offices=[offices["po_a"]]))


def test_supervisor_sees_own_offices_masked(supervisor_client, offices):
    mine = _message(offices["po_a"], 1)
    email = _message(offices["po_a"], 2, channel="email", recipient=EMAIL)
    _message(offices["po_b"], 3)
    response = supervisor_client.get("/notify/")
    assert response.status_code == 200
    assert _ids(response) == [email.pk, mine.pk]
    html = response.content.decode()
    assert "091*****78" in html and "h***@example.vn" in html
    assert PHONE_STORED not in html and EMAIL not in html and "912345678" not in html


def test_administrator_sees_every_office(offices, make_user, verified_client):
    client = verified_client(make_user("admin"))
    a, b = _message(offices["po_a"], 1), _message(offices["po_b"], 2)
    assert _ids(client.get("/notify/")) == [b.pk, a.pk]


def test_filters_by_status_and_channel(supervisor_client, offices):
    sms = _message(offices["po_a"], 1)
    dead = _message(offices["po_a"], 2, status="dead")
    email = _message(offices["po_a"], 3, channel="email", recipient=EMAIL)
    assert _ids(supervisor_client.get("/notify/?status=dead")) == [dead.pk]
    assert _ids(supervisor_client.get("/notify/?channel=email")) == [email.pk]
    assert _ids(supervisor_client.get("/notify/?channel=sms&status=pending")) == [sms.pk]
    # Unknown values are ignored rather than matching nothing.
    assert len(_ids(supervisor_client.get("/notify/?status=bogus&channel=fax"))) == 3


def test_keyset_pages(supervisor_client, offices):
    made = [_message(offices["po_a"], n) for n in range(55)]
    first = supervisor_client.get("/notify/")
    assert _ids(first) == [m.pk for m in reversed(made)][:50]
    after = re.search(r'href="\?after=([^"]+)" rel="next"', first.content.decode()).group(1)
    second = supervisor_client.get(f"/notify/?after={after}")
    assert _ids(second) == [m.pk for m in reversed(made)][50:]
    assert 'rel="next"' not in second.content.decode()


def test_retry_a_dead_message(supervisor_client, offices):
    dead = _message(offices["po_a"], 1, status="dead", attempts=8, next_attempt_at=None)
    response = supervisor_client.post(f"/notify/{dead.pk}/retry/", {"next": "?status=dead"})
    assert (response.status_code, response["Location"]) == (302, "/notify/?status=dead")
    dead.refresh_from_db()
    assert (dead.status, dead.attempts) == ("pending", 0)
    page = supervisor_client.get("/notify/").content.decode()
    assert f"Đã đưa thông báo {dead.pk} vào hàng gửi lại." in page


def test_retry_refuses_what_is_not_dead(supervisor_client, offices):
    sent = _message(offices["po_a"], 1, status="sent")
    response = supervisor_client.post(f"/notify/{sent.pk}/retry/", {"next": "//evil.example"})
    assert (response.status_code, response["Location"]) == (302, "/notify/")
    sent.refresh_from_db()
    assert sent.status == "sent"
    assert (
        "Chỉ gửi lại được thông báo đã ngừng gửi."
        in supervisor_client.get("/notify/").content.decode()
    )


def test_retry_outside_the_scope_is_not_found(supervisor_client, offices):
    other = _message(offices["po_b"], 1, status="dead")
    assert supervisor_client.post(f"/notify/{other.pk}/retry/").status_code == 404
    assert supervisor_client.get(f"/notify/{other.pk}/retry/").status_code == 405


def test_other_roles_are_refused(offices, make_user, verified_client):
    client = verified_client(make_user("clerk", offices=[offices["po_a"]]))
    assert client.get("/notify/").status_code == 403


def test_admin_lists_messages_masked(offices, make_user, verified_client):
    message = _message(offices["po_a"], 1)
    client = verified_client(make_user("admin", is_staff=True, is_superuser=True))
    listing = client.get("/admin/notify/message/").content.decode()
    detail = client.get(f"/admin/notify/message/{message.pk}/change/").content.decode()
    for html in (listing, detail):
        assert "091*****78" in html
        assert PHONE_STORED not in html
