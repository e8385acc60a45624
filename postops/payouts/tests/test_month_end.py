"""Month end: carry unpaid lines (idempotent), flag people uncollected for the programme's
months, the report for the paying agency (XLSX, PDF), progress by point (issue #5, item 9)."""

import io
from datetime import date

import openpyxl
import pytest

from postops.core.models import AuditEntry
from postops.payouts import rules, selectors, services
from postops.payouts.errors import PeriodNotOpen
from postops.payouts.models import (
    Beneficiary,
    PayrollLine,
    PayrollPeriod,
    SuspensionFlag,
)


def test_months_back_and_uncollected_rule():
    assert rules.months_back(date(2026, 2, 1), 3) == [
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]
    listed = [{1, 2, 3}, {1, 2, 3}, {1, 2, 4}]
    collected = [set(), {2}, set()]
    assert rules.uncollected_for(3, listed, collected) == {1}
    assert rules.uncollected_for(2, listed, collected) == {1}  # the last two months only
    assert rules.uncollected_for(None, listed, collected) == set()
    assert rules.uncollected_for(4, listed, collected) == set()


@pytest.fixture
def supervisor(make_user, network):
    return make_user("supervisor", offices=[network["root"]], username="sup")


def _person(programme, network, n, name):
    return Beneficiary.objects.create(
        programme=programme,
        code=f"B{n}",
        full_name=name,
        date_of_birth=date(1950, 1, 1),
        sex="F",
        id_number=f"0201500000{n:02d}",
        commune=network["commune"],
        default_payout_point=network["point"],
    )


@pytest.fixture
def paying(period, network, programme, supervisor, teller, payout_days_open):
    """March paying: Hoa paid, Bình unpaid, Cúc paid then reversed, Dũng suspended."""
    PayrollPeriod.objects.filter(pk=period.pk).update(status="paying")
    period.refresh_from_db()
    people = [
        _person(programme, network, 1, "Nguyễn Thị Hoa"),
        _person(programme, network, 2, "Trần Thị Bình"),
        _person(programme, network, 3, "Lê Thị Cúc"),
        _person(programme, network, 4, "Phạm Thị Dung"),
    ]
    lines = [
        PayrollLine.objects.create(
            period=period,
            beneficiary=person,
            payout_point=network["point"],
            amount=1_000_000 * (n + 1),
            arrears=100_000 if n == 1 else 0,
        )
        for n, person in enumerate(people)
    ]
    for line, key in ((lines[0], "a"), (lines[2], "c")):
        services.payout_record(
            teller,
            line_id=line.pk,
            idempotency_key=key,
            receiver="self",
            id_document_type="cccd",
            id_document_number=line.beneficiary.id_number,
        )
    services.payout_reverse(supervisor, lines[2].payouts.get(), "trả nhầm")
    Beneficiary.objects.filter(pk=people[3].pk).update(is_suspended=True)
    return period, lines


def test_closing_carries_unpaid_lines_once(paying, supervisor):
    period, lines = paying
    services.payroll_period_transition(supervisor, period, "closed")
    april = PayrollPeriod.objects.get(programme=period.programme, month=date(2026, 4, 1))
    carried = PayrollLine.objects.filter(period=april).order_by("carried_from_id")
    assert [(c.carried_from_id, c.beneficiary_id, c.amount, c.arrears) for c in carried] == [
        (lines[1].pk, lines[1].beneficiary_id, 2_000_000, 100_000),
        (lines[2].pk, lines[2].beneficiary_id, 3_000_000, 0),
        (lines[3].pk, lines[3].beneficiary_id, 4_000_000, 0),
    ]
    period.refresh_from_db()
    assert services.period_carry_over(supervisor, period) == 0  # idempotent
    assert PayrollLine.objects.filter(period=april).count() == 3
    entry = AuditEntry.objects.get(action="payouts.carry_over")
    assert entry.after == {"to_period": april.pk, "lines": 3, "total": 9_100_000}


def test_carried_line_sits_beside_the_persons_own_line(paying, supervisor, network):
    period, lines = paying
    april = PayrollPeriod.objects.create(programme=period.programme, month=date(2026, 4, 1))
    PayrollLine.objects.create(
        period=april, beneficiary=lines[1].beneficiary, payout_point=network["point"], amount=5
    )
    services.payroll_period_transition(supervisor, period, "closed")
    assert PayrollLine.objects.filter(period=april, beneficiary=lines[1].beneficiary).count() == 2


def test_carry_refused_into_a_closed_period_and_before_closing(paying, supervisor):
    period, _lines = paying
    with pytest.raises(PeriodNotOpen):
        services.period_carry_over(supervisor, period)
    PayrollPeriod.objects.create(
        programme=period.programme, month=date(2026, 4, 1), status="closed"
    )
    from postops.payouts.errors import PeriodNotOpen as Closed

    with pytest.raises(Closed):
        services.payroll_period_transition(supervisor, period, "closed")
    period.refresh_from_db()
    assert period.status == "paying"  # the whole month end rolled back


def test_people_uncollected_for_the_programmes_months_are_flagged(
    programme, network, supervisor, paying
):
    programme.suspend_after_months = 2
    programme.save()
    march, lines = paying
    feb = PayrollPeriod.objects.create(programme=programme, month=date(2026, 2, 1), status="closed")
    for line in lines:
        PayrollLine.objects.create(
            period=feb, beneficiary=line.beneficiary, payout_point=network["point"], amount=1
        )
    services.payroll_period_transition(supervisor, march, "closed")
    flags = SuspensionFlag.objects.filter(period=march).order_by("beneficiary__code")
    # Bình, Cúc (reversed) and Dung collected nothing in February or March; Hoa did.
    assert [(f.beneficiary.code, f.months_uncollected) for f in flags] == [
        ("B2", 2),
        ("B3", 2),
        ("B4", 2),
    ]
    march.refresh_from_db()
    assert services.period_flag_uncollected(supervisor, march) == 0

    flag = flags[0]
    services.suspension_flag_decide(supervisor, flag, suspend=True, reason="3 tháng không nhận")
    flag.beneficiary.refresh_from_db()
    assert (flag.status, flag.beneficiary.is_suspended) == ("suspended", True)


def test_report_lists_and_downloads(paying, supervisor, verified_client, client):
    period, lines = paying
    services.payroll_period_transition(supervisor, period, "closed")
    report = selectors.period_report(period)
    assert (report["paid_lines"], report["paid_amount"]) == (1, 1_000_000)
    assert (report["unpaid_lines"], report["unpaid_amount"]) == (3, 9_100_000)
    assert [row[0] for row in report["paid"]] == ["B1"]
    assert [(row[0], row[4], row[5], row[6]) for row in report["unpaid"]] == [
        ("B3", 3_000_000, "reversed", True),
        ("B4", 4_000_000, "suspended", True),
        ("B2", 2_100_000, "not_collected", True),
    ]

    client = verified_client(supervisor)
    response = client.get(f"/payouts/periods/{period.pk}/report.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Tổng hợp", "Đã chi", "Chưa chi"]
    summary = list(book["Tổng hợp"].iter_rows(values_only=True))
    title = f"Báo cáo chi trả {period.programme.name} kỳ 2026-03"
    assert summary[0] == (title, None, None, None, None, None)
    assert summary[-1] == ("Tổng cộng", None, 1, 1_000_000, 3, 9_100_000)
    paid = list(book["Đã chi"].iter_rows(values_only=True))
    assert paid[1][:6] == (1, "B1", "Nguyễn Thị Hoa", "201001", "Điểm chi trả Đông Kinh", 1_000_000)
    unpaid = list(book["Chưa chi"].iter_rows(values_only=True))
    assert unpaid[1][1:] == (
        "B3",
        "Lê Thị Cúc",
        "201001",
        "Điểm chi trả Đông Kinh",
        3_000_000,
        "Lượt chi đã bị hủy",
        "Có",
    )
    assert unpaid[-1][2:6] == ("Tổng cộng", None, None, 9_100_000)

    pdf = client.get(f"/payouts/periods/{period.pk}/report.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="payouts.report.read").count() == 2
    assert client.get(f"/payouts/periods/{period.pk}/report.doc").status_code == 404


def test_report_only_after_closing(paying, supervisor, verified_client):
    period, _lines = paying
    client = verified_client(supervisor)
    response = client.get(f"/payouts/periods/{period.pk}/report.xlsx", follow=True)
    assert "Báo cáo có sau khi khóa sổ kỳ chi trả." in response.content.decode()


def test_progress_page_polls_while_paying(paying, supervisor, verified_client, teller, client):
    period, _lines = paying
    progress = selectors.period_progress(supervisor, period)
    assert progress["totals"] == {
        "lines": 4,
        "total": 10_100_000,
        "paid_lines": 1,
        "paid_amount": 1_000_000,
        "percent": 25,
    }
    client.force_login(teller)
    html = client.get(f"/payouts/periods/{period.pk}/progress/").content.decode()
    assert 'hx-trigger="every 5s"' in html
    assert '<dd data-progress="people">1 / 4</dd>' in html
    assert '<progress max="100" value="25"' in html
    partial = client.get(
        f"/payouts/periods/{period.pk}/progress/", headers={"HX-Request": "true"}
    ).content.decode()
    assert partial.lstrip().startswith('<section id="progress"')


def test_suspension_page_and_decision(paying, programme, supervisor, verified_client):
    programme.suspend_after_months = 1
    programme.save()
    period, lines = paying
    services.payroll_period_transition(supervisor, period, "closed")
    client = verified_client(supervisor)
    url = f"/payouts/periods/{period.pk}/suspensions/"
    html = client.get(url).content.decode()
    assert "Trần Thị Bình" in html
    flag = SuspensionFlag.objects.get(beneficiary=lines[1].beneficiary)
    response = client.post(f"{url}{flag.pk}/", {"decision": "dismiss", "reason": ""}, follow=True)
    assert "Ghi lý do cho quyết định." in response.content.decode()
    client.post(f"{url}{flag.pk}/", {"decision": "dismiss", "reason": "Đang nằm viện"})
    flag.refresh_from_db()
    assert (flag.status, flag.reason) == ("dismissed", "Đang nằm viện")
