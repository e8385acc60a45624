"""API for schedules, cash books and month end (issue #5)."""

import json

import pytest

from postops.accounts.services import api_key_create
from postops.core.models import AuditEntry
from postops.payouts import selectors
from postops.payouts.models import CashMovement, PayoutSchedule, PayrollLine, PayrollPeriod


def put_json(client, url, body, **headers):
    return client.put(url, json.dumps(body), content_type="application/json", headers=headers)


def post_json(client, url, body=None, **headers):
    return client.post(
        url, json.dumps(body or {}), content_type="application/json", headers=headers
    )


@pytest.fixture
def supervisor_key(network):
    _key, raw = api_key_create(None, name="Lịch", role="supervisor", offices=[network["root"]])
    return {"Authorization": f"Bearer {raw}"}


SCHEDULE = {
    "programme": "bhxh",
    "period": "2026-03",
    "first_day": "2026-03-02",
    "last_day": "2026-03-10",
    "note": "Nhà văn hóa",
}


def test_schedule_set_by_a_supervisor_key_then_read(client, supervisor_key, period, network):
    url = "/api/v1/payout-points/201001/schedule"
    response = put_json(client, url, SCHEDULE, **supervisor_key)
    assert response.status_code == 200
    expected = {
        "point": "201001",
        "name": "Điểm chi trả Đông Kinh",
        "schedules": [
            {
                "programme": "bhxh",
                "period": "2026-03",
                "period_status": "imported",
                "first_day": "2026-03-02",
                "last_day": "2026-03-10",
                "note": "Nhà văn hóa",
            }
        ],
        "exceptions": [],
    }
    assert response.json() == expected
    schedule = PayoutSchedule.objects.get()
    assert schedule.updated_by is None
    entry = AuditEntry.objects.get(action="payouts.schedule_set")
    assert entry.actor_label.startswith("api-key:")
    assert client.get(f"{url}?period=2026-03", headers=supervisor_key).json() == expected
    assert client.get(url, headers=supervisor_key).json() == expected


def test_schedule_errors_name_the_field(client, supervisor_key, period, teller):
    url = "/api/v1/payout-points/201001/schedule"
    bad = put_json(client, url, {**SCHEDULE, "last_day": "2026-04-02"}, **supervisor_key)
    assert bad.status_code == 422
    assert bad.json()["code"] == "schedule_invalid"
    assert bad.json()["details"] == [{"field": "first_day"}]
    period_bad = put_json(client, url, {**SCHEDULE, "period": "2026-13"}, **supervisor_key)
    assert period_bad.json()["details"] == [{"field": "period"}]
    unknown = put_json(client, "/api/v1/payout-points/999999/schedule", SCHEDULE, **supervisor_key)
    assert unknown.status_code == 404
    client.force_login(teller)
    assert put_json(client, url, SCHEDULE).status_code == 403
    assert client.get(url).status_code == 200  # a teller reads the days


@pytest.fixture
def teller_client(client, teller):
    client.force_login(teller)
    return client


def test_cash_movements_are_idempotent(teller_client, teller, network):
    url = "/api/v1/cash-books/201001/2026-03-05/movements"
    body = {"kind": "advance", "amount": 50_000_000, "note": "Tạm ứng"}
    first = post_json(teller_client, url, body, **{"Idempotency-Key": "adv-1"})
    assert first.status_code == 201
    again = post_json(teller_client, url, body, **{"Idempotency-Key": "adv-1"})
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert CashMovement.objects.count() == 1
    book = again.json()
    assert (book["office"], book["day"], book["teller"], book["status"]) == (
        "201001",
        "2026-03-05",
        teller.get_username(),
        "open",
    )
    assert (book["advanced"], book["paid_out"], book["expected"], book["variance"]) == (
        50_000_000,
        0,
        50_000_000,
        None,
    )
    other = post_json(teller_client, url, {**body, "amount": 1}, **{"Idempotency-Key": "adv-1"})
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_key_reused"
    post_json(
        teller_client, url, {"kind": "count", "amount": 49_000_000}, **{"Idempotency-Key": "c-1"}
    )
    read = teller_client.get(
        f"/api/v1/cash-books/201001/2026-03-05?teller={teller.get_username()}"
    ).json()
    assert (read["counted"], read["variance"]) == (49_000_000, -1_000_000)
    assert [m["kind"] for m in read["movements"]] == ["advance", "count"]
    assert teller_client.get("/api/v1/cash-books/201001/2026-03-05").status_code == 404


def test_cash_movement_errors(teller_client):
    url = "/api/v1/cash-books/201001/2026-03-05/movements"
    no_key = post_json(teller_client, url, {"kind": "advance", "amount": 1})
    assert no_key.status_code == 400
    assert no_key.json()["details"] == [{"field": "Idempotency-Key"}]
    bad_day = post_json(
        teller_client,
        "/api/v1/cash-books/201001/2026-02-30/movements",
        {"kind": "advance", "amount": 1},
        **{"Idempotency-Key": "x"},
    )
    assert (bad_day.status_code, bad_day.json()["details"]) == (422, [{"field": "day"}])
    negative = post_json(
        teller_client, url, {"kind": "advance", "amount": -5}, **{"Idempotency-Key": "y"}
    )
    assert negative.status_code == 422
    outside = post_json(
        teller_client,
        "/api/v1/cash-books/209000/2026-03-05/movements",
        {"kind": "advance", "amount": 1},
        **{"Idempotency-Key": "z"},
    )
    assert outside.status_code == 404


def test_close_then_report_then_reported(supervisor_client, paying_line, teller, period, network):
    close_url = "/api/v1/payrolls/bhxh/2026-03/close"
    report_url = "/api/v1/payrolls/bhxh/2026-03/report"
    assert supervisor_client.get(report_url).status_code == 409
    closed = post_json(supervisor_client, close_url)
    assert closed.status_code == 200
    assert closed.json() == {
        "programme": "bhxh",
        "period": "2026-03",
        "status": "closed",
        "carried": 1,
        "report": report_url,
    }
    assert post_json(supervisor_client, close_url).json() == closed.json()
    assert PayrollLine.objects.filter(carried_from=paying_line).count() == 1
    report = supervisor_client.get(report_url).json()
    period.refresh_from_db()
    checksum = selectors.period_report_checksum(selectors.period_report(period))
    assert report == {
        "programme": "bhxh",
        "period": "2026-03",
        "status": "closed",
        "paid_lines": 0,
        "paid_amount": 0,
        "unpaid_lines": 1,
        "unpaid_amount": 3_400_000,
        "carried_lines": 1,
        "points": [
            {
                "code": "201001",
                "name": "Điểm chi trả Đông Kinh",
                "paid_lines": 0,
                "paid_amount": 0,
                "unpaid_lines": 1,
                "unpaid_amount": 3_400_000,
            }
        ],
        "sha256": checksum,
        "links": {
            "xlsx": f"/payouts/periods/{period.pk}/report.xlsx",
            "pdf": f"/payouts/periods/{period.pk}/report.pdf",
        },
        "reported": None,
    }
    missing = post_json(supervisor_client, "/api/v1/payrolls/bhxh/2026-03/reported", {})
    assert missing.status_code == 422
    done = post_json(
        supervisor_client,
        "/api/v1/payrolls/bhxh/2026-03/reported",
        {"reference": "CV 15/BĐT"},
    ).json()
    assert done["status"] == "reported"
    assert done["reported"]["reference"] == "CV 15/BĐT"
    assert done["reported"]["sha256"] == checksum
    assert done["reported"]["by"] == supervisor_client.user.get_username()
    assert PayrollPeriod.objects.get(pk=period.pk).status == "reported"


def test_month_end_roles(client, teller, period):
    client.force_login(teller)
    assert post_json(client, "/api/v1/payrolls/bhxh/2026-03/close").status_code == 403
    assert client.get("/api/v1/payrolls/bhxh/2026-03/report").status_code == 403


def test_close_refused_before_paying(supervisor_client, period):
    response = post_json(supervisor_client, "/api/v1/payrolls/bhxh/2026-03/close")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
