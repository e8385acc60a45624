"""The auditor page /audit/: who may see it, what it finds, how it pages, what it hides."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from postops.core import selectors
from postops.core.audit import audit_record
from postops.core.models import AuditEntry

pytestmark = pytest.mark.django_db

URL = "/audit/"
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def test_url_name():
    assert reverse("core:audit_list") == URL


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("clerk", 403),
        ("postman", 403),
        ("teller", 403),
        ("bdvhx", 403),
        ("supervisor", 403),
        ("agency", 403),
        ("complaints", 403),
        ("partner", 403),
        ("auditor", 200),
        ("admin", 200),
        ("manager", 200),
    ],
)
def test_role_access(role, status, make_user, verified_client, offices):
    user = make_user(role, offices=[offices["root"]])
    response = verified_client(user).get(URL)
    assert response.status_code == status
    # The page view is audited; a refused one writes nothing.
    assert AuditEntry.objects.filter(action="core.auditentry.search").count() == (
        1 if status == 200 else 0
    )


@pytest.fixture
def auditor_client(make_user, verified_client, offices):
    auditor = make_user("auditor", username="ksv", offices=[offices["root"]])
    return verified_client(auditor)


def _actions(response):
    return [entry.action for entry, _ in response.context["rows"]]


def test_lists_newest_first_with_before_after_table(auditor_client, offices):
    audit_record(None, "a.first", office=offices["center"], actor_label="u1")
    audit_record(
        None,
        "a.second",
        office=offices["center"],
        actor_label="u2",
        before={"status": "new"},
        after={"status": "sent", "seal": "S-1"},
    )
    response = auditor_client.get(URL)
    assert response.status_code == 200
    assert _actions(response) == ["a.second", "a.first"]
    entry, diff = response.context["rows"][0]
    assert diff == [("status", "new", "sent"), ("seal", None, "S-1")]
    html = response.content.decode()
    assert '<th scope="row">status</th><td>new</td><td>sent</td>' in html
    assert '<th scope="row">seal</th><td></td><td>S-1</td>' in html


def test_filters(auditor_client, offices, make_user):
    audit_record(
        None,
        "dossiers.dossier.hand_over",
        office=offices["center"],
        actor_label="an",
        target_type="dossiers.dossier",
        target_id="7",
    )
    audit_record(
        None,
        "dossiers.dossier.read",
        office=offices["that_khe"],
        actor_label="binh",
        target_type="dossiers.dossier",
        target_id="8",
    )
    audit_record(
        None,
        "payouts.payout.record",
        office=offices["center"],
        actor_label="an",
        target_type="payouts.payout",
        target_id="7",
    )

    def found(**params):
        return _actions(auditor_client.get(URL, params))

    assert found(actor="an") == ["payouts.payout.record", "dossiers.dossier.hand_over"]
    assert found(actor="a") == []  # exact username, not a substring
    assert found(action="dossiers.") == ["dossiers.dossier.read", "dossiers.dossier.hand_over"]
    assert found(action="dossiers.dossier.read") == ["dossiers.dossier.read"]
    assert found(target_type="dossiers.dossier", target_id="7") == ["dossiers.dossier.hand_over"]
    assert found(target_type="DOSSIERS.Dossier", target_id="8") == ["dossiers.dossier.read"]
    assert found(office_code="241100") == ["dossiers.dossier.read"]
    assert found(actor="an", action="dossiers.") == ["dossiers.dossier.hand_over"]


def test_date_range_uses_local_days_both_ends_included(auditor_client, offices, monkeypatch):
    from django.utils import timezone

    stamps = {
        "before": datetime(2026, 3, 9, 23, 59, tzinfo=HCM),
        "first_minute": datetime(2026, 3, 10, 0, 0, tzinfo=HCM),
        "last_minute": datetime(2026, 3, 11, 23, 59, tzinfo=HCM),
        "after": datetime(2026, 3, 12, 0, 0, tzinfo=HCM),
    }
    for action, when in stamps.items():
        monkeypatch.setattr(timezone, "now", lambda when=when: when)
        audit_record(None, f"t.{action}", office=offices["center"])
    monkeypatch.undo()
    response = auditor_client.get(URL, {"date_from": "2026-03-10", "date_to": "2026-03-11"})
    assert _actions(response) == ["t.last_minute", "t.first_minute"]
    response = auditor_client.get(URL, {"action": "t.", "date_from": "2026-03-12"})
    assert _actions(response) == ["t.after"]
    response = auditor_client.get(URL, {"action": "t.", "date_to": "2026-03-09"})
    assert _actions(response) == ["t.before"]


def test_invalid_dates_show_errors_per_field_in_vietnamese(auditor_client):
    response = auditor_client.get(URL, {"date_from": "2026-03-12", "date_to": "2026-03-10"})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "date_to": ["Ngày kết thúc phải sau hoặc bằng ngày bắt đầu."]
    }
    assert response.context["rows"] == []
    response = auditor_client.get(URL, {"date_from": "hôm qua"})
    assert response.context["form"].errors == {"date_from": ["Nhập một ngày hợp lệ."]}


def test_keyset_pagination(auditor_client, offices, monkeypatch):
    monkeypatch.setattr(selectors, "AUDIT_PAGE_SIZE", 2)
    for n in range(5):
        audit_record(None, f"p.{n}", office=offices["center"])
    first = auditor_client.get(URL, {"action": "p."})
    assert _actions(first) == ["p.4", "p.3"]
    next_url = first.context["next_url"]
    assert next_url.startswith("?action=p.&after=")
    second = auditor_client.get(URL + next_url)
    assert _actions(second) == ["p.2", "p.1"]
    assert second.context["first_url"] == "?action=p."
    third = auditor_client.get(URL + second.context["next_url"])
    assert _actions(third) == ["p.0"]
    assert third.context["next_url"] is None


def test_pagination_is_stable_when_new_entries_arrive(auditor_client, offices, monkeypatch):
    monkeypatch.setattr(selectors, "AUDIT_PAGE_SIZE", 2)
    for n in range(4):
        audit_record(None, f"p.{n}", office=offices["center"])
    first = auditor_client.get(URL, {"action": "p."})
    audit_record(None, "p.new", office=offices["center"])
    second = auditor_client.get(URL + first.context["next_url"])
    assert _actions(second) == ["p.1", "p.0"]


def test_same_timestamp_is_ordered_by_id(auditor_client, offices, monkeypatch):
    from django.utils import timezone

    moment = datetime(2026, 3, 10, 9, 0, tzinfo=HCM)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    for n in range(3):
        audit_record(None, f"same.{n}", office=offices["center"])
    monkeypatch.undo()
    monkeypatch.setattr(selectors, "AUDIT_PAGE_SIZE", 2)
    first = auditor_client.get(URL, {"action": "same."})
    assert _actions(first) == ["same.2", "same.1"]
    second = auditor_client.get(URL + first.context["next_url"])
    assert _actions(second) == ["same.0"]


def test_no_offset_and_bounded_queries(auditor_client, offices):
    for n in range(30):
        audit_record(None, f"q.{n}", office=offices["center"], before={"n": n}, after={"n": n + 1})
    with CaptureQueriesContext(connection) as queries:
        response = auditor_client.get(URL)
    assert response.status_code == 200
    selects = [
        q["sql"]
        for q in queries
        if "core_auditentry" in q["sql"] and q["sql"].lstrip().upper().startswith("SELECT")
    ]
    assert len(selects) == 1
    assert "OFFSET" not in selects[0].upper()
    assert len(queries) <= 12


def test_a_bad_cursor_starts_from_the_newest(auditor_client, offices):
    audit_record(None, "c.only", office=offices["center"])
    response = auditor_client.get(URL, {"after": "not-a-cursor"})
    assert _actions(response) == ["c.only"]


def test_viewing_the_page_is_audited(auditor_client):
    auditor_client.get(URL, {"action": "accounts.", "actor": "an"})
    entry = AuditEntry.objects.get(action="core.auditentry.search")
    assert entry.actor_label == "ksv"
    assert entry.role == "auditor"
    assert entry.office_code == "LS"
    assert entry.target_type == "core.auditentry"
    assert entry.after == {"filters": {"actor": "an", "action": "accounts."}, "cursor": ""}
    assert entry.request_id


class TestScope:
    @pytest.fixture
    def entries(self, offices):
        audit_record(None, "s.root", office=offices["root"])
        audit_record(None, "s.center", office=offices["center"])
        audit_record(None, "s.commune_post", office=offices["commune_post"])
        audit_record(None, "s.that_khe", office=offices["that_khe"])
        audit_record(None, "s.no_office", actor_label="anonymous")

    def _seen(self, client):
        return sorted(a for a in _actions(client.get(URL, {"action": "s."})))

    def test_provincial_viewer_sees_everything(self, make_user, verified_client, offices, entries):
        manager = make_user("manager", offices=[offices["root"]])
        assert self._seen(verified_client(manager)) == [
            "s.center",
            "s.commune_post",
            "s.no_office",
            "s.root",
            "s.that_khe",
        ]

    def test_office_viewer_sees_only_the_subtree(
        self, make_user, verified_client, offices, entries
    ):
        auditor = make_user("auditor", offices=[offices["center"]])
        assert self._seen(verified_client(auditor)) == ["s.center", "s.commune_post"]

    def test_viewer_without_office_sees_nothing(self, make_user, verified_client, entries):
        auditor = make_user("auditor")
        assert self._seen(verified_client(auditor)) == []

    def test_superuser_sees_everything(self, make_user, verified_client, entries):
        root = make_user(username="root", is_superuser=True, is_staff=True)
        assert len(self._seen(verified_client(root))) == 5

    def test_office_filter_cannot_widen_the_scope(
        self, make_user, verified_client, offices, entries
    ):
        auditor = make_user("auditor", offices=[offices["center"]])
        response = verified_client(auditor).get(URL, {"office_code": "241100"})
        assert _actions(response) == []

    def test_inactive_user_sees_nothing(self, make_user, offices, entries):
        auditor = make_user("auditor", offices=[offices["root"]], is_active=False)
        assert list(selectors.audit_entries_for_user(auditor)) == []
