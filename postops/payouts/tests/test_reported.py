"""Month-end report delivered to the paying agency: status "reported", recorded (issue #5)."""

import pytest
from django.utils import timezone

from postops.core.models import AuditEntry
from postops.payouts import selectors, services
from postops.payouts.errors import InvalidRequest, InvalidTransition, NotAllowed
from postops.payouts.models import PayrollPeriod


@pytest.fixture
def closed(line):
    PayrollPeriod.objects.filter(pk=line.period_id).update(status="closed")
    line.period.refresh_from_db()
    return line.period


def test_checksum_is_stable_and_follows_the_content(closed, line):
    first = selectors.period_report_checksum(selectors.period_report(closed))
    assert first == selectors.period_report_checksum(selectors.period_report(closed))
    assert len(first) == 64 and int(first, 16) >= 0
    type(line).objects.filter(pk=line.pk).update(amount=line.amount + 1)
    assert selectors.period_report_checksum(selectors.period_report(closed)) != first


def test_mark_reported_records_who_when_reference_and_checksum(closed, make_user):
    supervisor = make_user("supervisor")
    expected = selectors.period_report_checksum(selectors.period_report(closed))
    period = services.period_mark_reported(supervisor, closed, reference="  CV 15/BĐT-BCXH ")
    assert period.status == "reported"
    assert (period.reported_by, period.report_reference) == (supervisor, "CV 15/BĐT-BCXH")
    assert period.report_sha256 == expected
    assert period.reported_at <= timezone.now()
    entry = AuditEntry.objects.get(action="payouts.period_reported")
    assert entry.actor == supervisor
    assert entry.before == {"status": "closed"}
    assert entry.after == {
        "status": "reported",
        "reference": "CV 15/BĐT-BCXH",
        "delivered_at": period.reported_at.isoformat(),
        "sha256": expected,
    }
    with pytest.raises(InvalidTransition):  # once only
        services.period_mark_reported(supervisor, period, reference="again")


def test_mark_reported_refusals(closed, line, make_user, teller):
    supervisor = make_user("supervisor")
    with pytest.raises(NotAllowed):
        services.period_mark_reported(teller, closed, reference="CV 1")
    with pytest.raises(InvalidRequest) as caught:
        services.period_mark_reported(supervisor, closed, reference=" ")
    assert caught.value.details == {"field": "reference"}
    with pytest.raises(InvalidRequest) as caught:
        services.period_mark_reported(
            supervisor,
            closed,
            reference="CV 1",
            delivered_at=timezone.now() + timezone.timedelta(days=1),
        )
    assert caught.value.details == {"field": "delivered_at"}
    PayrollPeriod.objects.filter(pk=closed.pk).update(status="paying")
    closed.refresh_from_db()
    with pytest.raises(InvalidTransition):
        services.period_mark_reported(supervisor, closed, reference="CV 1")
    assert AuditEntry.objects.filter(action="payouts.period_reported").count() == 0


def test_period_page_form_records_the_report(supervisor_client, closed):
    url = f"/payouts/periods/{closed.pk}/"
    page = supervisor_client.get(url).content.decode()
    assert 'id="period-reported-form"' in page
    assert 'data-action="reported"' in page
    empty = supervisor_client.post(f"{url}reported/", {"reference": ""})
    assert empty.status_code == 422
    assert "Nhập số văn bản hoặc số biên nhận." in empty.content.decode()
    response = supervisor_client.post(
        f"{url}reported/", {"reference": "CV 15/BĐT", "delivered_on": ""}
    )
    assert response.status_code == 302
    closed.refresh_from_db()
    assert (closed.status, closed.report_reference) == ("reported", "CV 15/BĐT")
    page = supervisor_client.get(url).content.decode()
    assert f"<code data-report-sha256>{closed.report_sha256}</code>" in page
    assert 'id="period-reported-form"' not in page
