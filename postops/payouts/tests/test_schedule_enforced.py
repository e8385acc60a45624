"""A point pays only on its scheduled days, or on a day a supervisor opened (issue #5)."""

import json
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from postops.core.models import AuditEntry
from postops.payouts import rules, services
from postops.payouts.errors import InvalidRequest, NotAllowed, OutOfScope, OutsideSchedule
from postops.payouts.models import Payout, PayoutSchedule, PayoutScheduleException, PayrollPeriod

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@given(st.dates(), st.dates(), st.dates(), st.booleans())
def test_schedule_allows_is_the_range_or_an_exception(day, a, b, exception):
    first, last = min(a, b), max(a, b)
    assert rules.schedule_allows(day, (first, last), exception) == (
        exception or first <= day <= last
    )
    assert rules.schedule_allows(day, None, exception) == exception


@pytest.fixture
def paying(line):
    PayrollPeriod.objects.filter(pk=line.period_id).update(status="paying")
    return line


@pytest.fixture
def supervisor(make_user, network):
    return make_user("supervisor", offices=[network["root"]], username="giam-sat-lich")


def pay(teller, line, day, key="k", **extra):
    return services.payout_record(
        teller,
        line_id=line.pk,
        idempotency_key=key,
        receiver="self",
        id_document_type="cccd",
        id_document_number="020150001234",
        paid_at=datetime(day.year, day.month, day.day, 9, 0, tzinfo=HCM),
        **extra,
    )


@pytest.mark.parametrize("day", [date(2026, 3, 2), date(2026, 3, 10)])
def test_pays_on_the_first_and_last_scheduled_day(paying, teller, march_2_to_10, day):
    payout, created = pay(teller, paying, day)
    assert created is True
    assert payout.paid_at.date() == day


@pytest.mark.parametrize("day", [date(2026, 3, 1), date(2026, 3, 11)])
def test_refused_the_day_before_and_after(paying, teller, march_2_to_10, day):
    with pytest.raises(OutsideSchedule) as caught:
        pay(teller, paying, day)
    assert caught.value.code == "outside_schedule"
    assert caught.value.details == {
        "day": day.isoformat(),
        "point": "201001",
        "first_day": "2026-03-02",
        "last_day": "2026-03-10",
    }
    assert caught.value.message == (
        f"Ngày {day:%d/%m/%Y} nằm ngoài lịch chi trả của điểm 201001 (từ 02/03/2026 đến "
        "10/03/2026). Cần giám sát viên mở ngoại lệ cho ngày này."
    )
    assert Payout.objects.count() == 0


def test_a_point_without_schedule_does_not_pay(paying, teller):
    with pytest.raises(OutsideSchedule) as caught:
        pay(teller, paying, date(2026, 3, 5))
    assert caught.value.details == {"day": "2026-03-05", "point": "201001"}


def test_the_lines_point_decides_even_when_paid_elsewhere(
    paying, teller, march_2_to_10, network, period
):
    # The post office pays 11–25, but this line belongs to the commune point (2–10): a home
    # payout or one handed over at the post office follows the line's point.
    PayoutSchedule.objects.create(
        period=period,
        point=network["post_office"],
        first_day=date(2026, 3, 11),
        last_day=date(2026, 3, 25),
    )
    with pytest.raises(OutsideSchedule):
        pay(teller, paying, date(2026, 3, 12), office=network["post_office"])
    payout, _ = pay(teller, paying, date(2026, 3, 9), office=network["post_office"])
    assert payout.office == network["post_office"]


def test_supervisor_exception_opens_one_day_and_is_audited(
    paying, teller, supervisor, march_2_to_10, network
):
    with pytest.raises(OutsideSchedule):
        pay(teller, paying, date(2026, 3, 12))
    exception, created = services.payout_schedule_exception_open(
        supervisor, network["point"], date(2026, 3, 12), "  Bão, dời buổi chi thôn 2  "
    )
    assert created is True
    assert (exception.reason, exception.opened_by) == ("Bão, dời buổi chi thôn 2", supervisor)
    again, created = services.payout_schedule_exception_open(
        supervisor, network["point"], date(2026, 3, 12), "lần nữa"
    )
    assert (again.pk, created) == (exception.pk, False)
    entry = AuditEntry.objects.get(action="payouts.schedule_exception_open")
    assert entry.actor == supervisor
    assert entry.after == {
        "point": "201001",
        "day": "2026-03-12",
        "reason": "Bão, dời buổi chi thôn 2",
    }
    with pytest.raises(OutsideSchedule):  # only that day
        pay(teller, paying, date(2026, 3, 13), key="k2")
    payout, created = pay(teller, paying, date(2026, 3, 12))
    assert created is True


def test_exception_needs_supervisor_reason_and_scope(make_user, supervisor, teller, network):
    day = date(2026, 3, 12)
    with pytest.raises(NotAllowed):
        services.payout_schedule_exception_open(teller, network["point"], day, "lý do")
    with pytest.raises(InvalidRequest):
        services.payout_schedule_exception_open(supervisor, network["point"], day, "  ")
    outsider = make_user("supervisor", offices=[network["other_office"]])
    with pytest.raises(OutOfScope):
        services.payout_schedule_exception_open(outsider, network["point"], day, "lý do")
    assert PayoutScheduleException.objects.count() == 0


@pytest.fixture
def teller_client(client, teller):
    client.force_login(teller)
    return client


def test_api_answers_422_outside_schedule(teller_client, paying, march_2_to_10):
    response = teller_client.post(
        "/api/v1/payouts",
        json.dumps(
            {
                "line_id": paying.pk,
                "receiver": "self",
                "id_document": {"type": "cccd", "number": "020150001234"},
                "paid_at": "2026-03-11T09:00:00+07:00",
            }
        ),
        content_type="application/json",
        headers={"Idempotency-Key": "k-out"},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "outside_schedule"
    assert body["details"] == [
        {
            "day": "2026-03-11",
            "point": "201001",
            "first_day": "2026-03-02",
            "last_day": "2026-03-10",
        }
    ]


def test_pay_page_shows_the_error_in_vietnamese(teller_client, paying, march_2_to_10):
    url = f"/payouts/lines/{paying.pk}/"
    page = teller_client.get(url).content.decode()
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)
    response = teller_client.post(
        url,
        {
            "receiver": "self",
            "id_document_type": "cccd",
            "id_document_number": "020150001234",
            "idempotency_key": key,
        },
    )
    today = timezone.localdate()
    assert response.status_code == 200
    text = response.content.decode()
    assert f"Ngày {today:%d/%m/%Y} nằm ngoài lịch chi trả của điểm 201001" in text
    assert Payout.objects.count() == 0


def test_open_today_then_the_page_pays(teller_client, paying, supervisor, network):
    services.payout_schedule_exception_open(
        supervisor, network["point"], timezone.localdate(), "Chi bù"
    )
    url = f"/payouts/lines/{paying.pk}/"
    page = teller_client.get(url).content.decode()
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)
    form = {
        "receiver": "self",
        "id_document_type": "cccd",
        "id_document_number": "020150001234",
        "idempotency_key": key,
    }
    response = teller_client.post(url, form)
    assert response.status_code == 302
    assert Payout.objects.get().line == paying


def test_schedule_page_opens_a_day(supervisor_client, paying, network):
    url = f"/payouts/periods/{paying.period_id}/schedule/"
    page = supervisor_client.get(url).content.decode()
    assert 'id="schedule-exceptions"' in page
    missing = supervisor_client.post(
        f"{url}exceptions/", {"ex-point": network["point"].pk, "ex-day": "2026-03-12"}
    )
    assert missing.status_code == 422
    assert "Ghi lý do chi ngoài lịch." in missing.content.decode()
    response = supervisor_client.post(
        f"{url}exceptions/",
        {"ex-point": network["point"].pk, "ex-day": "2026-03-12", "ex-reason": "Mưa lũ"},
    )
    assert response.status_code == 302
    exception = PayoutScheduleException.objects.get()
    assert (exception.point, exception.day, exception.reason) == (
        network["point"],
        date(2026, 3, 12),
        "Mưa lũ",
    )
    assert "Mưa lũ" in supervisor_client.get(url).content.decode()
