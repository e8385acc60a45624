from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from postops.core.models import AuditEntry
from postops.payouts import services
from postops.payouts.errors import (
    AlreadyPaid,
    AlreadyReversed,
    AuthorisationInvalid,
    BeneficiarySuspended,
    IdempotencyKeyReused,
    IdentityMismatch,
    InvalidRequest,
    NotAllowed,
    OutOfScope,
    PeriodNotOpen,
)
from postops.payouts.models import Beneficiary, Payout, PayrollLine, PayrollPeriod, Proxy

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def pay(actor, line, key="key-1", **extra):
    values = {
        "line_id": line.pk,
        "idempotency_key": key,
        "receiver": "self",
        "id_document_type": "cccd",
        "id_document_number": "020150001234",
    }
    values.update(extra)
    return services.payout_record(actor, **values)


def test_pays_the_line_with_a_numbered_receipt(paying_line, teller, network, march_2_to_10):
    paid_at = datetime(2026, 3, 5, 9, 30, tzinfo=HCM)
    payout, created = pay(teller, paying_line, paid_at=paid_at)
    assert created is True
    assert payout.amount == 3_400_000
    assert payout.receipt_number == "201001-2026-000001"
    assert payout.office == network["point"]
    assert payout.teller == teller
    assert payout.paid_at == paid_at
    assert payout.recorded_at >= paid_at
    entry = AuditEntry.objects.get(action="payouts.pay")
    assert entry.target_id == str(payout.pk)
    assert entry.after == {
        "line": paying_line.pk,
        "amount": 3_400_000,
        "receiver": "self",
        "proxy": None,
        "receipt_number": "201001-2026-000001",
    }


def test_replay_with_same_key_returns_first_payout(paying_line, teller):
    first, created = pay(teller, paying_line)
    again, created_again = pay(teller, paying_line)
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Payout.objects.count() == 1


def test_another_key_for_a_paid_line_is_already_paid(paying_line, teller):
    pay(teller, paying_line, key="first")
    with pytest.raises(AlreadyPaid) as info:
        pay(teller, paying_line, key="second")
    assert info.value.details == {"receipt_number": "201001-2026-000001"}
    assert Payout.objects.count() == 1


def test_key_reused_for_another_line(paying_line, teller, network, programme):
    pay(teller, paying_line, key="k")
    other = Beneficiary.objects.create(
        programme=programme,
        code="LS0002",
        full_name="Hoàng Văn Nam",
        id_number="020045000002",
        commune=network["commune"],
    )
    line2 = PayrollLine.objects.create(
        period=paying_line.period, beneficiary=other, payout_point=network["point"], amount=10
    )
    with pytest.raises(IdempotencyKeyReused):
        pay(teller, line2, key="k", id_document_number="020045000002")


def test_receipts_are_consecutive_per_office_and_year(paying_line, teller, network, programme):
    numbers = [pay(teller, paying_line, key="a")[0].receipt_number]
    for n in range(2, 4):
        person = Beneficiary.objects.create(
            programme=programme,
            code=f"X{n}",
            full_name="Lý Thị Mai",
            id_number=f"02015000000{n}",
            commune=network["commune"],
        )
        line = PayrollLine.objects.create(
            period=paying_line.period, beneficiary=person, payout_point=network["point"], amount=5
        )
        numbers.append(
            pay(teller, line, key=f"k{n}", id_document_number=person.id_number)[0].receipt_number
        )
    assert numbers == ["201001-2026-000001", "201001-2026-000002", "201001-2026-000003"]


def test_refused_payout_does_not_use_a_receipt_number(paying_line, teller):
    with pytest.raises(IdentityMismatch):
        pay(teller, paying_line, key="bad", id_document_number="020150009999")
    payout, _ = pay(teller, paying_line, key="good")
    assert payout.receipt_number == "201001-2026-000001"


def test_identity_mismatch_is_refused_and_audited(paying_line, teller):
    with pytest.raises(IdentityMismatch):
        pay(teller, paying_line, id_document_number="020150001235")
    with pytest.raises(IdentityMismatch):
        pay(teller, paying_line, id_document_type="passport")
    assert Payout.objects.count() == 0
    assert AuditEntry.objects.filter(action="payouts.pay_refused").count() == 2
    assert AuditEntry.objects.filter(action="payouts.pay_refused").first().after == {
        "code": "identity_mismatch"
    }


def test_passport_on_record_is_accepted(paying_line, teller):
    Beneficiary.objects.filter(pk=paying_line.beneficiary_id).update(passport_number="C1234567")
    payout, _ = pay(teller, paying_line, id_document_type="passport", id_document_number="c1234567")
    assert payout.id_document_number == "C1234567"


@pytest.fixture
def proxy(paying_line):
    return Proxy.objects.create(
        beneficiary=paying_line.beneficiary,
        full_name="Trần Văn Bình",
        id_number="020080001111",
        authorisation_number="UQ-1",
        valid_from=date(2026, 1, 1),
        valid_to=date(2026, 12, 31),
        certified=True,
    )


def test_proxy_with_valid_authorisation(paying_line, teller, proxy, march_2_to_10):
    payout, _ = pay(
        teller,
        paying_line,
        receiver="proxy",
        proxy_id=proxy.pk,
        id_document_number="020080001111",
        paid_at=datetime(2026, 3, 5, 9, 0, tzinfo=HCM),
    )
    assert payout.proxy == proxy
    assert payout.receiver == "proxy"


def test_proxy_must_show_their_own_document(paying_line, teller, proxy):
    with pytest.raises(IdentityMismatch):
        pay(
            teller,
            paying_line,
            receiver="proxy",
            proxy_id=proxy.pk,
            paid_at=datetime(2026, 3, 5, 9, 0, tzinfo=HCM),
        )


@pytest.mark.parametrize(
    ("change", "paid_day"),
    [
        ({"valid_to": date(2026, 2, 28)}, datetime(2026, 3, 5, 8, 0, tzinfo=HCM)),  # expired
        ({}, datetime(2025, 12, 31, 23, 0, tzinfo=HCM)),  # not yet valid
        ({"certified": False}, datetime(2026, 3, 5, 8, 0, tzinfo=HCM)),
    ],
)
def test_proxy_authorisation_must_be_valid_that_day(paying_line, teller, proxy, change, paid_day):
    Proxy.objects.filter(pk=proxy.pk).update(**change)
    with pytest.raises(AuthorisationInvalid):
        pay(
            teller,
            paying_line,
            receiver="proxy",
            proxy_id=proxy.pk,
            id_document_number="020080001111",
            paid_at=paid_day,
        )


def test_validity_day_is_local_date(paying_line, teller, proxy):
    # 05/03/2026 00:30 in Hà Nội is still 04/03 in UTC, but locally the authorisation
    # (valid to 04/03) has ended.
    Proxy.objects.filter(pk=proxy.pk).update(valid_to=date(2026, 3, 4))
    late = datetime(2026, 3, 5, 0, 30, tzinfo=HCM)
    with pytest.raises(AuthorisationInvalid):
        pay(
            teller,
            paying_line,
            receiver="proxy",
            proxy_id=proxy.pk,
            id_document_number="020080001111",
            paid_at=late,
        )


def test_proxy_of_another_person_is_refused(paying_line, teller, proxy, network, programme):
    other = Beneficiary.objects.create(
        programme=programme,
        code="LS0009",
        full_name="Khác",
        id_number="020045000009",
        commune=network["commune"],
    )
    Proxy.objects.filter(pk=proxy.pk).update(beneficiary=other)
    with pytest.raises(AuthorisationInvalid):
        pay(teller, paying_line, receiver="proxy", proxy_id=proxy.pk)


def test_period_must_be_paying(line, teller):
    with pytest.raises(PeriodNotOpen):
        pay(teller, line)


def test_out_of_scope_teller_is_refused(paying_line, make_user, network):
    stranger = make_user("teller", offices=[network["other_office"]])
    with pytest.raises(OutOfScope):
        pay(stranger, paying_line)


def test_suspended_beneficiary_is_not_paid(paying_line, teller):
    Beneficiary.objects.filter(pk=paying_line.beneficiary_id).update(is_suspended=True)
    with pytest.raises(BeneficiarySuspended):
        pay(teller, paying_line)


@pytest.mark.parametrize(
    "extra",
    [
        {"key": ""},
        {"key": "x" * 65},
        {"receiver": "neighbour"},
        {"receiver": "proxy"},
        {"proxy_id": 1},
        {"paid_at": "future"},
    ],
)
def test_invalid_requests(paying_line, teller, extra):
    if extra.get("paid_at") == "future":
        extra["paid_at"] = timezone.now() + timedelta(hours=1)
    with pytest.raises(InvalidRequest):
        pay(teller, paying_line, **extra)


def test_reversal_by_supervisor(paying_line, teller, make_user, network):
    payout, _ = pay(teller, paying_line)
    supervisor = make_user("supervisor", offices=[network["post_office"]])
    reversal = services.payout_reverse(supervisor, payout, " Chi nhầm người ")
    assert reversal.reason == "Chi nhầm người"
    assert reversal.supervisor == supervisor
    entry = AuditEntry.objects.get(action="payouts.reverse")
    assert entry.after == {"reason": "Chi nhầm người", "amount": 3_400_000}
    with pytest.raises(AlreadyReversed):
        services.payout_reverse(supervisor, payout, "Lần nữa")


def test_reversal_needs_supervisor_and_reason(paying_line, teller, make_user, network):
    payout, _ = pay(teller, paying_line)
    with pytest.raises(NotAllowed):
        services.payout_reverse(teller, payout, "Lý do")
    supervisor = make_user("supervisor", offices=[network["post_office"]])
    with pytest.raises(InvalidRequest):
        services.payout_reverse(supervisor, payout, "  ")
    elsewhere = make_user("supervisor", offices=[network["other_office"]])
    with pytest.raises(OutOfScope):
        services.payout_reverse(elsewhere, payout, "Lý do")


def test_period_fixture_month(paying_line):
    assert PayrollPeriod.objects.get(pk=paying_line.period_id).status == "paying"
