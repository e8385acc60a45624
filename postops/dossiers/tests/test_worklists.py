"""Worklists of overdue dossiers by cause: which dossier lands where, counts, scope, pages,
filters and exports (issue #4, item 8)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from postops.dossiers import worklists
from postops.dossiers.models import AgencyOfficer, Dossier

from . import helpers

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# Wednesday 17 September 2025: no holiday near it.
TODAY = date(2025, 9, 17)
_seq = {"n": 0}


def make(office, procedure, status, form="both", **dates):
    _seq["n"] += 1
    return Dossier.objects.create(
        code=f"HS-250901-{_seq['n']:05d}",
        procedure=procedure,
        agency=procedure.agency,
        service_form=form,
        channel="counter",
        status=status,
        office=office,
        received_at=datetime(2025, 9, 1, 9, 0, tzinfo=VN),
        applicant_name="Nguyễn Thị Hoa",
        applicant_id_number="020190012345",
        **dates,
    )


@pytest.fixture
def world(tree, centre):
    other = helpers.agency(code="UBND.X", name="Ủy ban nhân dân xã Hữu Lũng")
    proc = helpers.procedure(centre)
    proc_x = helpers.procedure(other, code="2.000001", name="Chứng thực bản sao")
    a, b = tree["po_a"], tree["po_b"]
    late, ok = TODAY - timedelta(days=1), TODAY  # due yesterday: late; due today: not yet
    d = {
        # Send leg: open statuses past post_send_due.
        "send_a": make(a, proc, "received", post_send_due=late - timedelta(days=5)),
        "send_a2": make(a, proc, "in_handover", post_send_due=late),
        "send_b": make(b, proc_x, "received", post_send_due=late),
        "send_ok": make(a, proc, "received", post_send_due=ok),
        "send_filed": make(a, proc, "filed", post_send_due=late - timedelta(days=9)),
        # Agency: filed/registered without result past agency_due.
        "agency_a": make(a, proc, "filed", agency_due=late),
        "agency_b": make(b, proc_x, "registered", form="return", agency_due=late),
        "agency_ok": make(a, proc, "filed", agency_due=ok),
        "agency_done": make(a, proc, "result_ready", agency_due=late, result_ready_on=late),
        # Send-only: the result does not come back through the post, which cannot know.
        "agency_send_only": make(a, proc, "filed", form="send", agency_due=late),
        # Return leg: collected, not delivered past post_return_due.
        "return_a": make(a, proc, "result_collected", post_return_due=late),
        "return_ok": make(a, proc, "result_collected", post_return_due=ok),
        "return_done": make(a, proc, "delivered", post_return_due=late),
        # Waiting: ready at the agency, not collected for 2 working days (default). Ready on
        # Fri 12/9: J+2 = Tue 16/9 < Wed 17/9, late. Ready on Mon 15/9: J+2 = Wed 17/9, not.
        "wait_a": make(a, proc, "result_ready", result_ready_on=date(2025, 9, 12)),
        "wait_ok": make(a, proc, "result_ready", result_ready_on=date(2025, 9, 15)),
        "wait_send_only": make(
            a, proc, "result_ready", form="send", result_ready_on=date(2025, 9, 1)
        ),
    }
    return {"tree": tree, "centre": centre, "other": other, "proc": proc, "proc_x": proc_x, **d}


def codes(user, slug, filters=None, **kw):
    page = worklists.overdue_page(user, worklists.CAUSES[slug], filters, today=TODAY, **kw)
    return [d.code for d in page.rows]


@pytest.fixture
def manager(make_user, tree):
    return make_user("manager", offices=[tree["province"]])


@pytest.mark.django_db
def test_each_dossier_lands_in_its_cause_oldest_first(world, manager):
    w = world
    assert codes(manager, "send") == [w["send_a"].code, w["send_a2"].code, w["send_b"].code]
    assert codes(manager, "agency") == [w["agency_a"].code, w["agency_b"].code]
    assert codes(manager, "return") == [w["return_a"].code]
    assert codes(manager, "waiting") == [w["wait_a"].code]
    assert worklists.overdue_counts(manager, today=TODAY) == {
        "send": 3,
        "agency": 2,
        "return": 1,
        "waiting": 1,
    }


@pytest.mark.django_db
def test_days_late_and_waiting_deadline(world, manager):
    cause = worklists.CAUSES["waiting"]
    [row] = worklists.rows(cause, [world["wait_a"]], TODAY)
    # Ready Fri 12/9, to be collected by Tue 16/9; Wednesday is 1 working day late.
    assert (row.due, row.days_late) == (date(2025, 9, 16), 1)
    [row] = worklists.rows(worklists.CAUSES["send"], [world["send_a"]], TODAY)
    # Due Thu 11/9: Fri, Mon, Tue, Wed.
    assert (row.due, row.days_late) == (date(2025, 9, 11), 4)


@pytest.mark.django_db
@override_settings(POSTOPS_DOSSIER_COLLECT_DAYS=0)
def test_waiting_days_come_from_the_settings(world, manager):
    # Nothing may wait: every result ready before today is late.
    assert codes(manager, "waiting") == [
        world["wait_a"].code,
        world["wait_ok"].code,
        world["agency_done"].code,
    ]


@pytest.mark.django_db
def test_supervisor_sees_own_office_only(world, make_user):
    sup_b = make_user("supervisor", offices=[world["tree"]["po_b"]])
    assert codes(sup_b, "send") == [world["send_b"].code]
    assert codes(sup_b, "agency") == [world["agency_b"].code]
    assert worklists.overdue_counts(sup_b, today=TODAY) == {
        "send": 1,
        "agency": 1,
        "return": 0,
        "waiting": 0,
    }


@pytest.mark.django_db
def test_agency_officer_sees_own_agency_lateness_only(world, make_user):
    officer = make_user("agency")
    AgencyOfficer.objects.create(user=officer, agency=world["other"])
    assert [c.slug for c in worklists.causes_for_user(officer)] == ["agency"]
    assert codes(officer, "agency") == [world["agency_b"].code]
    assert codes(officer, "send") == []
    assert worklists.overdue_counts(officer, today=TODAY) == {"agency": 1}


@pytest.mark.django_db
def test_clerk_follows_no_cause(world, make_user):
    clerk = make_user("clerk", offices=[world["tree"]["po_a"]])
    assert worklists.causes_for_user(clerk) == []
    assert codes(clerk, "send") == []


@pytest.mark.django_db
def test_filters_agency_procedure_office(world, manager):
    w = world
    F = worklists.Filters
    assert codes(manager, "send", F(agency_id=w["other"].pk)) == [w["send_b"].code]
    assert codes(manager, "send", F(procedure_code="1.001234")) == [
        w["send_a"].code,
        w["send_a2"].code,
    ]
    assert codes(manager, "agency", F(office=w["tree"]["po_b"])) == [w["agency_b"].code]
    assert worklists.overdue_counts(manager, F(office=w["tree"]["po_a"]), TODAY) == {
        "send": 2,
        "agency": 1,
        "return": 1,
        "waiting": 1,
    }


@pytest.mark.django_db
def test_office_filter_outside_scope_is_ignored(world, make_user):
    sup_b = make_user("supervisor", offices=[world["tree"]["po_b"]])
    assert worklists.office_filter_for_user(sup_b, world["tree"]["po_a"].pk) is None
    assert (
        worklists.office_filter_for_user(sup_b, world["tree"]["po_b"].pk) == world["tree"]["po_b"]
    )
    assert worklists.office_filter_for_user(sup_b, "x") is None


@pytest.mark.django_db
def test_keyset_pages_walk_the_whole_list_once(world, manager):
    cause = worklists.CAUSES["send"]
    seen, cursor = [], ""
    while True:
        page = worklists.overdue_page(manager, cause, cursor=cursor, limit=1, today=TODAY)
        seen += [d.code for d in page.rows]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == [world["send_a"].code, world["send_a2"].code, world["send_b"].code]


# --- Pages -----------------------------------------------------------------------------------


def _relative(world):
    """Move the fixture's dates so that they are late relative to the real today."""
    shift = timezone.localdate() - TODAY
    for d in Dossier.objects.all():
        for field in ("post_send_due", "agency_due", "post_return_due", "result_ready_on"):
            if getattr(d, field):
                setattr(d, field, getattr(d, field) + shift)
        d.save()


@pytest.mark.django_db
def test_page_shows_counts_rows_and_filters(world, manager, verified_client):
    _relative(world)
    client = verified_client(manager)
    response = client.get("/dossiers/worklists/send/")
    assert response.status_code == 200
    html = response.content.decode()
    for code in ("send_a", "send_a2", "send_b"):
        assert world[code].code in html
    assert world["send_ok"].code not in html
    counts = response.context["causes"]
    assert [(c.slug, n) for c, n in counts] == [
        ("send", 3),
        ("agency", 2),
        ("return", 1),
        ("waiting", 1),
    ]
    response = client.get(f"/dossiers/worklists/send/?agency={world['other'].pk}")
    assert [r.dossier.code for r in response.context["rows"]] == [world["send_b"].code]
    assert client.get("/dossiers/worklists/").url == "/dossiers/worklists/send/"
    assert client.get("/dossiers/worklists/nope/").status_code == 404


@pytest.mark.django_db
def test_unknown_office_filter_shows_a_field_error(world, make_user, verified_client):
    _relative(world)
    sup_b = make_user("supervisor", offices=[world["tree"]["po_b"]])
    client = verified_client(sup_b)
    response = client.get(f"/dossiers/worklists/send/?office={world['tree']['po_a'].pk}")
    assert response.status_code == 200
    assert response.context["form"].errors["office"] == ["Bưu cục không thuộc phạm vi của bạn."]
    assert [r.dossier.code for r in response.context["rows"]] == [world["send_b"].code]


@pytest.mark.django_db
def test_agency_officer_page_and_forbidden_cause(world, make_user, verified_client):
    _relative(world)
    officer = make_user("agency")
    AgencyOfficer.objects.create(user=officer, agency=world["centre"])
    client = verified_client(officer)
    assert client.get("/dossiers/worklists/").url == "/dossiers/worklists/agency/"
    response = client.get("/dossiers/worklists/agency/")
    assert [r.dossier.code for r in response.context["rows"]] == [world["agency_a"].code]
    assert "agency" not in response.context["form"].fields
    assert client.get("/dossiers/worklists/send/").status_code == 403


@pytest.mark.django_db
def test_csv_and_xlsx_exports(world, manager, verified_client):
    from openpyxl import load_workbook

    _relative(world)
    client = verified_client(manager)
    response = client.get("/dossiers/worklists/send/export.csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == [
        "Số phiếu gửi",
        "Thủ tục",
        "Cơ quan",
        "Bưu cục",
        "Trạng thái",
        "Hạn",
        "Số ngày làm việc trễ",
    ]
    assert [line[0] for line in lines[1:]] == [
        world["send_a"].code,
        world["send_a2"].code,
        world["send_b"].code,
    ]
    assert lines[1][1:4] == [
        "1.001234 Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
        f"TTHCC {world['centre'].name}",
        "241000",
    ]
    # No personal data in the file.
    assert "020190012345" not in text and "Nguyễn Thị Hoa" not in text
    response = client.get(f"/dossiers/worklists/agency/export.xlsx?agency={world['other'].pk}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert [v[0] for v in values] == ["Số phiếu gửi", world["agency_b"].code]
    assert client.get("/dossiers/worklists/send/export.pdf").status_code == 404


@pytest.mark.django_db
def test_counts_stop_at_the_cap(world, manager, monkeypatch, verified_client):
    monkeypatch.setattr(worklists, "COUNT_CAP", 1)
    assert worklists.overdue_counts(manager, today=TODAY) == {
        "send": 2,
        "agency": 2,
        "return": 1,
        "waiting": 1,
    }
    _relative(world)
    html = verified_client(manager).get("/dossiers/worklists/send/").content.decode()
    assert '<span class="badge" data-count="send">1+</span>' in html
    assert '<span class="badge" data-count="return">1</span>' in html


@pytest.mark.django_db
@given(st.lists(st.dates(min_value=date(2023, 1, 1), max_value=date(2026, 1, 1)), max_size=20))
@settings(max_examples=30, deadline=None)
def test_late_days_match_the_calendar(dues):
    from postops.core.calendar import working_days_between

    late = worklists._LateDays(TODAY)
    for due in dues:
        assert late(due) == working_days_between(due, TODAY)
