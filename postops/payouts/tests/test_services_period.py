from datetime import date

import pytest

from postops.core.models import AuditEntry
from postops.payouts import services
from postops.payouts.errors import (
    AuthorisationInvalid,
    FourEyesViolation,
    InvalidRequest,
    InvalidTransition,
)
from postops.payouts.models import PayrollLine, PayrollPeriod


def test_period_get_or_create_is_idempotent(programme, make_user):
    actor = make_user("supervisor")
    first = services.payroll_period_get_or_create(actor, programme, date(2026, 4, 15))
    second = services.payroll_period_get_or_create(actor, programme, date(2026, 4, 1))
    assert first.pk == second.pk
    assert first.month == date(2026, 4, 1)
    assert first.status == "imported"
    assert first.imported_by == actor
    assert AuditEntry.objects.filter(action="payouts.period_create").count() == 1


def test_period_walks_to_reported_with_snapshot(period, line, make_user):
    checker = make_user("supervisor")
    approver = make_user("supervisor")
    services.payroll_period_transition(checker, period, "checked")
    period = services.payroll_period_transition(approver, period, "approved")
    assert period.status == "approved"
    assert period.approved_by == approver
    assert period.approved_line_count == 1
    assert period.approved_total == 3_400_000
    for status in ("paying", "closed"):
        period = services.payroll_period_transition(approver, period, status)
    with pytest.raises(InvalidRequest):  # "reported" needs the agency's reference
        services.payroll_period_transition(approver, period, "reported")
    period = services.period_mark_reported(approver, period, reference="CV 12/BĐT")
    assert period.status == "reported"
    entry = AuditEntry.objects.get(action="payouts.period_approved")
    assert entry.before == {"status": "checked"}
    assert entry.after == {"status": "approved", "line_count": 1, "total": 3_400_000}


def test_importer_cannot_approve(period):
    services.payroll_period_transition(period.imported_by, period, "checked")
    with pytest.raises(FourEyesViolation):
        services.payroll_period_transition(period.imported_by, period, "approved")
    assert PayrollPeriod.objects.get(pk=period.pk).status == "checked"


def test_transition_not_in_table_is_refused(period, make_user):
    with pytest.raises(InvalidTransition):
        services.payroll_period_transition(make_user("supervisor"), period, "paying")


def test_stale_transition_loses_compare_and_set(period, make_user):
    actor = make_user("supervisor")
    stale = PayrollPeriod.objects.get(pk=period.pk)
    services.payroll_period_transition(actor, period, "checked")
    with pytest.raises(InvalidTransition):
        services.payroll_period_transition(actor, stale, "checked")


def test_approval_snapshot_is_frozen(period, line, make_user, beneficiary, network):
    services.payroll_period_transition(make_user("supervisor"), period, "checked")
    period = services.payroll_period_transition(make_user("supervisor"), period, "approved")
    assert PayrollLine.objects.filter(period=period).count() == 1
    assert period.approved_total == 3_400_000


def test_proxy_create_within_limit(beneficiary, teller):
    proxy = services.proxy_create(
        teller,
        beneficiary,
        full_name=" Trần Văn Bình ",
        id_number="0200 8000 1111",
        authorisation_number="UQ-12",
        valid_from=date(2026, 1, 15),
        valid_to=date(2027, 1, 14),
        certified=True,
    )
    assert proxy.full_name == "Trần Văn Bình"
    assert proxy.id_number == "020080001111"
    assert proxy.valid_on(date(2026, 6, 1)) is True
    assert AuditEntry.objects.filter(action="payouts.proxy_create").count() == 1


def test_proxy_longer_than_programme_limit_is_refused(beneficiary, teller):
    with pytest.raises(AuthorisationInvalid) as info:
        services.proxy_create(
            teller,
            beneficiary,
            full_name="Trần Văn Bình",
            id_number="020080001111",
            authorisation_number="UQ-13",
            valid_from=date(2026, 1, 15),
            valid_to=date(2027, 1, 15),
            certified=True,
        )
    assert info.value.details == {"field": "valid_to", "last_allowed": "2027-01-14"}
