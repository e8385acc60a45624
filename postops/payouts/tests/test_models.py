from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from postops.payouts.models import (
    Payout,
    PayoutReversal,
    PayrollLine,
    PayrollPeriod,
    Programme,
    Proxy,
)


@pytest.mark.django_db
def test_data_migration_seeds_three_programmes():
    rows = list(
        Programme.objects.order_by("code").values_list(
            "code", "suspend_after_months", "home_payout_age", "max_authorisation_months"
        )
    )
    assert rows == [("bhxh", 6, 80, 12), ("btxh", 3, None, 12), ("ncc", None, None, 12)]


def test_period_approver_must_differ_from_importer(period):
    period.approved_by = period.imported_by
    with pytest.raises(IntegrityError), transaction.atomic():
        period.save()


def test_one_period_per_programme_and_month(period):
    with pytest.raises(IntegrityError), transaction.atomic():
        PayrollPeriod.objects.create(programme=period.programme, month=date(2026, 3, 1))


def test_line_months_must_be_one_or_two(period, beneficiary, network):
    with pytest.raises(IntegrityError), transaction.atomic():
        PayrollLine.objects.create(
            period=period,
            beneficiary=beneficiary,
            payout_point=network["point"],
            amount=1,
            months=3,
        )


def test_line_amount_not_negative(period, beneficiary, network):
    with pytest.raises(IntegrityError), transaction.atomic():
        PayrollLine.objects.create(
            period=period, beneficiary=beneficiary, payout_point=network["point"], amount=-1
        )


def test_line_total_adds_arrears(line):
    assert line.total == 3_400_000


def test_beneficiary_search_name_is_folded(beneficiary):
    assert beneficiary.search_name == "nguyen thi hoa"


def test_proxy_range_constraint(beneficiary):
    with pytest.raises(IntegrityError), transaction.atomic():
        Proxy.objects.create(
            beneficiary=beneficiary,
            full_name="Trần Văn Bình",
            id_number="020080001111",
            authorisation_number="UQ-1",
            valid_from=date(2026, 2, 1),
            valid_to=date(2026, 1, 1),
        )


def _payout(line, teller, office, **extra):
    values = {
        "line": line,
        "idempotency_key": "k-1",
        "receiver": "self",
        "id_document_type": "cccd",
        "id_document_number": "020150001234",
        "amount": line.total,
        "teller": teller,
        "office": office,
        "paid_at": timezone.now(),
        "receipt_year": 2026,
        "receipt_sequence": 1,
        "receipt_number": "201001-2026-000001",
    }
    values.update(extra)
    return Payout.objects.create(**values)


def test_payout_unique_per_line(line, make_user, network):
    teller = make_user("teller")
    _payout(line, teller, network["point"])
    with pytest.raises(IntegrityError), transaction.atomic():
        _payout(
            line,
            teller,
            network["point"],
            idempotency_key="k-2",
            receipt_sequence=2,
            receipt_number="201001-2026-000002",
        )


def test_payout_proxy_required_when_receiver_is_proxy(line, make_user, network):
    with pytest.raises(IntegrityError), transaction.atomic():
        _payout(line, make_user("teller"), network["point"], receiver="proxy")


def test_payout_and_reversal_are_append_only(line, make_user, network):
    teller = make_user("teller")
    payout = _payout(line, teller, network["point"])
    payout.amount = 1
    with pytest.raises(PermissionError):
        payout.save()
    with pytest.raises(PermissionError):
        payout.delete()
    with pytest.raises(PermissionError):
        Payout.objects.filter(pk=payout.pk).update(amount=1)
    with pytest.raises(PermissionError):
        Payout.objects.filter(pk=payout.pk).delete()
    reversal = PayoutReversal.objects.create(
        payout=payout, supervisor=make_user("supervisor"), reason="Chi nhầm người"
    )
    with pytest.raises(PermissionError):
        reversal.delete()


def test_raw_sql_update_refused_on_postgresql(line, make_user, network):
    from django.db import DatabaseError, connection

    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    payout = _payout(line, make_user("teller"), network["point"])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE payouts_payout SET amount = 0 WHERE id = %s", [payout.pk])
