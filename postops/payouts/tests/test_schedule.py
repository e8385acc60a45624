"""Payout schedule per point and period, and the printable list per point (issue #5, item 5)."""

from datetime import date

import pytest

from postops.core.models import AuditEntry
from postops.core.text import fold
from postops.payouts import documents, rules, selectors, services
from postops.payouts.errors import OutOfScope, ScheduleInvalid
from postops.payouts.models import Beneficiary, PayoutSchedule, PayrollLine, PayrollPeriod


def test_schedule_days_and_range():
    assert rules.schedule_days(date(2026, 2, 1), 2, 10) == (date(2026, 2, 2), date(2026, 2, 10))
    with pytest.raises(ValueError):
        rules.schedule_days(date(2026, 2, 1), 11, 30)  # no 30 February
    with pytest.raises(ValueError):
        rules.schedule_days(date(2026, 2, 1), 10, 2)
    month = date(2026, 3, 1)
    assert rules.schedule_range_ok(month, date(2026, 3, 2), date(2026, 3, 10))
    assert rules.schedule_range_ok(month, date(2026, 3, 5), date(2026, 3, 5))
    assert not rules.schedule_range_ok(month, date(2026, 3, 10), date(2026, 3, 2))
    assert not rules.schedule_range_ok(month, date(2026, 3, 25), date(2026, 4, 2))
    assert not rules.schedule_range_ok(month, date(2026, 4, 2), date(2026, 4, 10))


@pytest.fixture
def manager(make_user, network):
    return make_user("manager", offices=[network["root"]])


@pytest.fixture
def lines(period, network, programme):
    """Four people: three at the commune point (two villages), one at the post office."""
    people = [
        ("A1", "Nguyễn Văn An", "Thôn 10, xã Tân An", network["point"]),
        ("A2", "Trần Thị Bình", "Thôn 2", network["point"]),
        ("A3", "Lê Văn An", "Thôn 2", network["point"]),
        ("A4", "Hoàng Thị Cúc", "", network["post_office"]),
    ]
    out = []
    for n, (code, name, address, point) in enumerate(people, start=1):
        person = Beneficiary.objects.create(
            programme=programme,
            code=code,
            full_name=name,
            date_of_birth=date(1945, 1, 1),
            sex="M",
            id_number=f"0200450000{n:02d}",
            address=address,
            village=rules.village_from_address(address, fold),
            commune=network["commune"],
        )
        out.append(
            PayrollLine.objects.create(
                period=period,
                beneficiary=person,
                payout_point=point,
                amount=1_000_000 * n,
                arrears=50_000 if n == 2 else 0,
                months=2 if n == 3 else 1,
            )
        )
    return out


def test_set_schedule_is_audited_and_updates(manager, period, network):
    point = network["point"]
    services.payout_schedule_set(manager, period, point, date(2026, 3, 2), date(2026, 3, 10))
    services.payout_schedule_set(
        manager, period, point, date(2026, 3, 3), date(2026, 3, 10), "Nhà văn hóa thôn"
    )
    schedule = PayoutSchedule.objects.get()
    assert (schedule.first_day, schedule.last_day, schedule.note) == (
        date(2026, 3, 3),
        date(2026, 3, 10),
        "Nhà văn hóa thôn",
    )
    entries = AuditEntry.objects.filter(action="payouts.schedule_set").order_by("pk")
    assert [e.after for e in entries] == [
        {"first_day": "2026-03-02", "last_day": "2026-03-10", "note": ""},
        {"first_day": "2026-03-03", "note": "Nhà văn hóa thôn"},
    ]


def test_schedule_outside_the_month_or_scope_is_refused(make_user, manager, period, network):
    with pytest.raises(ScheduleInvalid):
        services.payout_schedule_set(
            manager, period, network["point"], date(2026, 3, 25), date(2026, 4, 2)
        )
    outsider = make_user("supervisor", offices=[network["other_office"]])
    with pytest.raises(OutOfScope):
        services.payout_schedule_set(
            outsider, period, network["point"], date(2026, 3, 2), date(2026, 3, 10)
        )
    assert PayoutSchedule.objects.count() == 0


def test_bulk_by_kind_and_copy_from_previous_period(manager, period, lines, network):
    assert services.payout_schedule_apply_by_kind(manager, period, "payout_point", 2, 10) == 1
    assert services.payout_schedule_apply_by_kind(manager, period, "post_office", 11, 25) == 1
    days = {s.point.code: (s.first_day.day, s.last_day.day) for s in PayoutSchedule.objects.all()}
    assert days == {"201001": (2, 10), "201000": (11, 25)}
    with pytest.raises(ScheduleInvalid):
        services.payout_schedule_apply_by_kind(manager, period, "post_office", 11, 32)

    april = PayrollPeriod.objects.create(programme=period.programme, month=date(2026, 4, 1))
    assert services.payout_schedule_copy_previous(manager, april) == 2
    assert services.payout_schedule_copy_previous(manager, april) == 0  # all set already
    copied = {
        s.point.code: (s.first_day, s.last_day) for s in PayoutSchedule.objects.filter(period=april)
    }
    assert copied["201001"] == (date(2026, 4, 2), date(2026, 4, 10))


def test_point_list_order_and_totals(period, lines, network):
    ordered = selectors.point_list(period, network["point"])
    assert [line.beneficiary.code for line in ordered] == ["A3", "A2", "A1"]
    rows, people, total = documents.point_list_rows(ordered)
    assert (people, total) == (3, 6_050_000)
    assert rows == [
        documents.VillageRow("Thôn 2", 2, 5_050_000),
        documents.PersonRow(1, "Lê Văn An", "A3", "1945", "020*******03", 3_000_000, "2 tháng"),
        documents.PersonRow(
            2, "Trần Thị Bình", "A2", "1945", "020*******02", 2_050_000, "có truy lĩnh"
        ),
        documents.VillageRow("Thôn 10", 1, 1_000_000),
        documents.PersonRow(3, "Nguyễn Văn An", "A1", "1945", "020*******01", 1_000_000, ""),
    ]


def test_point_list_pdf(client, make_user, verified_client, period, lines, network):
    teller = make_user("teller", offices=[network["post_office"]])
    client.force_login(teller)
    url = f"/payouts/periods/{period.pk}/points/{network['point'].pk}/list.pdf"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    data = response.content
    assert data.startswith(b"%PDF")
    assert b"DejaVuSans" in data  # Vietnamese text in the embedded Unicode font
    entry = AuditEntry.objects.get(action="payouts.point_list.read")
    assert (entry.actor, entry.target_id, entry.after["lines"]) == (
        teller,
        str(network["point"].pk),
        3,
    )
    outsider = make_user("teller", offices=[network["other_office"]])
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_schedule_page_bulk_and_row_forms(supervisor_client, period, lines, network):
    url = f"/payouts/periods/{period.pk}/schedule/"
    html = supervisor_client.get(url).content.decode()
    assert "<code>201001</code> Điểm chi trả Đông Kinh" in html
    assert f"/payouts/periods/{period.pk}/points/{network['point'].pk}/list.pdf" in html

    response = supervisor_client.post(
        url, {"action": "bulk", "kind": "payout_point", "first": "2", "last": "10"}
    )
    assert response.status_code == 302
    assert PayoutSchedule.objects.get().first_day == date(2026, 3, 2)

    bad = supervisor_client.post(
        url, {"action": "bulk", "kind": "payout_point", "first": "12", "last": "40"}
    )
    assert bad.status_code == 422
    assert "Từ 1 đến 31." in bad.content.decode()

    point = network["post_office"]
    row_url = f"{url}{point.pk}/"
    prefix = f"p{point.pk}"
    bad = supervisor_client.post(
        row_url, {f"{prefix}-first_day": "2026-03-20", f"{prefix}-last_day": "2026-04-02"}
    )
    assert bad.status_code == 422
    assert "Hai ngày phải nằm trong tháng 2026-03" in bad.content.decode()
    ok = supervisor_client.post(
        row_url,
        {
            f"{prefix}-first_day": "2026-03-11",
            f"{prefix}-last_day": "2026-03-25",
            f"{prefix}-note": "Quầy số 2",
        },
    )
    assert ok.status_code == 302
    assert PayoutSchedule.objects.get(point=point).note == "Quầy số 2"


def test_schedule_page_forbidden_for_tellers(client, teller, period):
    client.force_login(teller)
    assert client.get(f"/payouts/periods/{period.pk}/schedule/").status_code == 403
