"""Home payouts on the phone (issue #5 item 7): assignment, the offline identity check's
digests, the batch with payout_record's checks and the client UUID as idempotency key."""

import json
import uuid
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from postops.core.models import AuditEntry
from postops.delivery import rules, selectors, services
from postops.delivery.models import HomePayoutAssignment


@pytest.fixture
def home_lines(offices):
    """Two home-payout lines at a payout point under the delivery office; one paid at the
    point (not at home)."""
    from postops.network.models import Office
    from postops.payouts.models import (
        Beneficiary,
        PayoutSchedule,
        PayrollLine,
        PayrollPeriod,
        Programme,
        Proxy,
    )

    point = Office.objects.create(
        code="241001",
        name="Điểm chi trả Tân Liên",
        kind="payout_point",
        parent=offices["delivery"],
        commune=offices["delivery"].commune,
        postal_code="24100",
    )
    point.path = f"{offices['delivery'].path}{point.pk}/"
    point.save(update_fields=["path"])
    programme, _ = Programme.objects.get_or_create(code="bhxh", defaults={"name": "Lương hưu"})
    period = PayrollPeriod.objects.create(
        programme=programme, month=timezone.localdate().replace(day=1), status="paying"
    )
    # Home payouts follow their point's schedule: the point pays today.
    PayoutSchedule.objects.create(
        period=period, point=point, first_day=timezone.localdate(), last_day=timezone.localdate()
    )

    def person(code, name, id_number):
        return Beneficiary.objects.create(
            programme=programme,
            code=code,
            full_name=name,
            date_of_birth=date(1940, 3, 4),
            sex="F",
            id_number=id_number,
            village="Thôn Nà Làng",
            commune=offices["delivery"].commune,
        )

    hoa = person("LS0001", "Nguyễn Thị Hoa", "020140001234")
    lan = person("LS0002", "Hoàng Văn Lân", "020040005678")
    at_home = PayrollLine.objects.create(
        period=period, beneficiary=hoa, payout_point=point, amount=3_250_000, home_payout=True
    )
    at_home2 = PayrollLine.objects.create(
        period=period, beneficiary=lan, payout_point=point, amount=2_100_000, home_payout=True
    )
    at_point = PayrollLine.objects.create(
        period=period,
        beneficiary=person("LS0003", "Lý Thị Mai", "020160009999"),
        payout_point=point,
        amount=1_000_000,
    )
    proxy = Proxy.objects.create(
        beneficiary=lan,
        full_name="Hoàng Thị Thu",
        id_document_type="cccd",
        id_number="020190004321",
        authorisation_number="UQ-12",
        valid_from=timezone.localdate() - timedelta(days=30),
        valid_to=timezone.localdate() + timedelta(days=200),
        certified=True,
    )
    return {
        "hoa": at_home,
        "lan": at_home2,
        "point": at_point,
        "proxy": proxy,
        "schedule": period.schedule.get(),
    }


def pay(actor, line, n, **extra):
    action = {
        "event_id": str(uuid.UUID(int=n)),
        "kind": "home_payout",
        "occurred_at": timezone.now().isoformat(),
        "line_id": line.pk,
        "receiver": "self",
        "id_document_type": "cccd",
        "id_document_number": line.beneficiary.id_number,
        **extra,
    }
    return services.home_payout_actions_ingest(actor=actor, actions=[action])[0]


def test_a_supervisor_assigns_home_payouts(supervisor, postman, make_user, offices, home_lines):
    lines = [home_lines["hoa"].pk, home_lines["lan"].pk, home_lines["point"].pk]
    assigned = services.home_payout_assign(actor=supervisor, line_ids=lines, staff=postman)
    assert assigned == lines[:2]  # the line paid at the point is not a home payout
    assert HomePayoutAssignment.objects.get(line=home_lines["hoa"]).staff == postman
    assert AuditEntry.objects.filter(action="delivery.home_payout_assign").count() == 1
    teller = make_user("teller", offices=[offices["delivery"]])
    assert services.home_payout_assign(actor=supervisor, line_ids=lines[:1], staff=teller) == [
        lines[0]
    ]
    assert HomePayoutAssignment.objects.get(line=home_lines["hoa"]).staff == teller
    with pytest.raises(ValidationError):
        services.home_payout_assign(
            actor=supervisor, line_ids=lines, staff=make_user("clerk", offices=[offices["root"]])
        )
    with pytest.raises(PermissionDenied):
        services.home_payout_assign(actor=postman, line_ids=lines, staff=postman)
    outsider = make_user("supervisor", offices=[offices["other"]])
    with pytest.raises(ValidationError):
        services.home_payout_assign(actor=outsider, line_ids=lines, staff=postman)


def test_paying_at_home_checks_identity_and_pays_once(supervisor, postman, make_user, home_lines):
    from postops.payouts.models import Payout

    hoa, lan = home_lines["hoa"], home_lines["lan"]
    services.home_payout_assign(actor=supervisor, line_ids=[hoa.pk, lan.pk], staff=postman)
    wrong = pay(postman, hoa, 1, id_document_number="020140009999")
    assert (wrong.result, wrong.reason) == ("rejected", "identity_mismatch")
    ok = pay(postman, hoa, 2)
    assert ok.as_dict() == {"event_id": str(uuid.UUID(int=2)), "result": "accepted"}
    again = pay(postman, hoa, 2)
    assert again.result == "duplicate"
    other_key = pay(postman, hoa, 3)
    assert (other_key.result, other_key.reason) == ("rejected", "already_paid")
    by_proxy = pay(
        postman,
        lan,
        4,
        receiver="proxy",
        proxy_id=home_lines["proxy"].pk,
        id_document_number="020 190 004 321",
    )
    assert by_proxy.result == "accepted"
    payout = Payout.objects.get(line=hoa)
    assert (payout.idempotency_key, payout.teller, payout.amount) == (
        str(uuid.UUID(int=2)),
        postman,
        3_250_000,
    )
    assert Payout.objects.count() == 2
    # Someone not given the line cannot pay it from the phone.
    other = make_user("postman", offices=[postman.offices.first()])
    stranger = pay(other, home_lines["point"], 5)
    assert (stranger.result, stranger.reason) == ("rejected", "not_assigned")


def test_the_offline_check_digest_matches_webcrypto_pbkdf2():
    # PBKDF2-HMAC-SHA256("cccd:020140001234", salt=b"0123456789abcdef", 20000, 32 bytes);
    # the phone computes the same with crypto.subtle.deriveBits.
    import hashlib

    salt = b"0123456789abcdef"
    expected = hashlib.pbkdf2_hmac("sha256", b"cccd:020140001234", salt, 20_000, 32).hex()
    assert rules.identity_check_digest("cccd", "020 140 001 234", salt) == expected


def test_identity_checks_carry_no_numbers(home_lines):
    lan = home_lines["lan"]
    checks = selectors.home_payout_identity_checks(lan, [home_lines["proxy"]], b"s" * 16)
    assert [(c["receiver"], c["document"]) for c in checks] == [
        ("self", "cccd"),
        (f"proxy:{home_lines['proxy'].pk}", "cccd"),
    ]
    assert "020040005678" not in json.dumps(checks)


def test_home_payout_pages_and_sync(client, verified_client, supervisor, postman, home_lines):
    hoa = home_lines["hoa"]
    page = verified_client(supervisor).get("/delivery/home-payouts/")
    assert page.status_code == 200
    assert "Nguyễn Thị Hoa" in page.content.decode()
    response = verified_client(supervisor).post(
        "/delivery/home-payouts/", {"staff": postman.pk, "lines": [hoa.pk]}
    )
    assert response.status_code == 302
    client.force_login(postman)
    mine = client.get("/delivery/home-payouts/mine/")
    html = mine.content.decode()
    assert mine.status_code == 200
    assert f'data-line="{hoa.pk}"' in html
    assert "020140001234" not in html  # only the masked number and digests
    assert "020*******34" in html
    body = client.post(
        "/delivery/home-payouts/sync/",
        {
            "actions": json.dumps(
                [
                    {
                        "event_id": str(uuid.UUID(int=7)),
                        "kind": "home_payout",
                        "occurred_at": timezone.now().isoformat(),
                        "line_id": hoa.pk,
                        "receiver": "self",
                        "id_document_type": "cccd",
                        "id_document_number": "020140001234",
                    }
                ]
            )
        },
    ).json()
    assert body["results"] == [{"event_id": str(uuid.UUID(int=7)), "result": "accepted"}]
    assert "Đã chi" in client.get("/delivery/home-payouts/mine/").content.decode()


def test_home_payout_follows_the_points_schedule(supervisor, postman, home_lines):
    """The phone's time of payment decides: a payment queued yesterday, outside the point's
    schedule (today only), is refused; the same line pays today."""
    hoa = home_lines["hoa"]
    services.home_payout_assign(actor=supervisor, line_ids=[hoa.pk], staff=postman)
    yesterday = (timezone.now() - timedelta(days=1)).isoformat()
    late = pay(postman, hoa, 11, occurred_at=yesterday)
    assert (late.result, late.reason) == ("rejected", "outside_schedule")
    assert pay(postman, hoa, 12).result == "accepted"
