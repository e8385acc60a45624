"""Returns and changes at the sender's request, and the 6-month unclaimed rule (Postal Law
49/2010): services in ``postops.items.returns``."""

import uuid
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from postops.cod.models import CodSender, ReturnCharge
from postops.core.models import AuditEntry
from postops.items import returns
from postops.items.models import Item, TariffRate, TariffVersion, TrackingEvent
from postops.items.services import event_record, item_accept

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def tariff(db):
    version = TariffVersion.objects.create(
        name="Bảng cước thử", effective_from=date(2026, 1, 1), vat_percent=8
    )
    TariffRate.objects.bulk_create(
        TariffRate(version=version, service=service, zone=zone, max_weight_g=w, price=p)
        for service in ("ems", "registered")
        for zone in ("same_commune", "same_province", "other_province")
        for w, p in ((500, 15000), (2000, 27000))
    )
    return version


@pytest.fixture
def clerk(make_user, offices):
    return make_user("clerk", offices=[offices["origin"]])


def _accept(accept_kwargs, when=T0, **overrides):
    return item_accept(actor=None, accepted_at=when, **{**accept_kwargs, **overrides}).item


def _move(item, offices, *codes, start=None):
    """Scan ``item`` through ``codes`` at the delivery office, an hour apart."""
    moment = start or item.accepted_at
    for code in codes:
        moment += timedelta(hours=1)
        extra = {"reason_code": "R01", "action_code": "A02"} if code == "delivery_failed" else {}
        event_record(
            actor=None,
            item=item,
            code=code,
            office=offices["delivery"],
            occurred_at=moment,
            **extra,
        )
    item.refresh_from_db()
    return item


# --- Return to sender -----------------------------------------------------------------------


def test_return_on_request_charges_the_tariff_and_writes_event_and_audit(
    blocks, accept_kwargs, tariff, clerk, offices
):
    item = _accept(accept_kwargs)  # EMS, 1,250 g, same commune
    result = returns.item_return_to_sender(
        actor=clerk, item=item, office=offices["origin"], note="Khách đổi ý"
    )
    assert result.created is True
    assert result.item.status == "returning"
    charge = result.charge
    assert (charge.cause, charge.amount, charge.free_reason, charge.tariff_version_id) == (
        "sender_request",
        27000,
        "",
        tariff.pk,
    )
    assert charge.sender is None  # no COD account yet for this sender
    event = TrackingEvent.objects.get(item=item, code="return_started")
    assert (event.office_id, event.actor_id, event.note, event.event_id) == (
        offices["origin"].pk,
        clerk.pk,
        "Khách đổi ý",
        charge.event_id,
    )
    entry = AuditEntry.objects.get(action="items.return_start")
    assert (entry.target_id, entry.actor_id, entry.office_code) == (
        str(item.pk),
        clerk.pk,
        "240000",
    )
    assert entry.before == {"status": "accepted"}
    assert entry.after == {
        "status": "returning",
        "cause": "sender_request",
        "fee": 27000,
        "free": False,
        "sender_consented": False,
    }


def test_return_charge_goes_to_the_senders_cod_account_when_there_is_one(
    blocks, accept_kwargs, tariff, clerk, offices
):
    sender = CodSender.objects.create(
        code="KH000001", name="Hoa Mai", phone="0912345678", office=offices["origin"]
    )
    item = _accept(accept_kwargs)
    charge = returns.item_return_to_sender(actor=clerk, item=item, office=offices["origin"]).charge
    assert charge.sender == sender


def test_undeliverable_basic_letter_up_to_500_g_returns_free_without_asking(
    blocks, accept_kwargs, tariff, codes, offices
):
    letter = _accept(accept_kwargs, prefix="RR", weight_g=500, cod_amount=0)
    _move(letter, offices, "delivery_office_arrival", "out_for_delivery", "delivery_failed")
    result = returns.item_return_to_sender(
        actor=None, item=letter, office=offices["delivery"], cause="undeliverable"
    )
    assert (result.charge.amount, result.charge.free_reason) == (0, "basic_letter")
    assert result.charge.tariff_version is None
    assert result.item.status == "returning"


def test_undeliverable_heavier_item_needs_the_senders_consent_and_pays(
    blocks, accept_kwargs, tariff, codes, offices
):
    letter = _accept(accept_kwargs, prefix="RR", weight_g=501, cod_amount=0)
    _move(letter, offices, "delivery_office_arrival", "out_for_delivery", "delivery_failed")
    with pytest.raises(ValidationError) as exc:
        returns.item_return_to_sender(
            actor=None, item=letter, office=offices["delivery"], cause="undeliverable"
        )
    assert "sender_consented" in exc.value.message_dict
    assert Item.objects.get(pk=letter.pk).status == "delivery_failed"
    result = returns.item_return_to_sender(
        actor=None,
        item=letter,
        office=offices["delivery"],
        cause="undeliverable",
        sender_consented=True,
    )
    assert (result.charge.amount, result.charge.free_reason) == (27000, "")


def test_a_sender_who_recalls_a_basic_letter_pays(blocks, accept_kwargs, tariff, clerk, offices):
    letter = _accept(accept_kwargs, prefix="RR", weight_g=20, cod_amount=0)
    charge = returns.item_return_to_sender(
        actor=clerk, item=letter, office=offices["origin"]
    ).charge
    assert charge.amount == 15000


@pytest.mark.parametrize(
    ("codes_after", "refusal"),
    [
        (("delivery_office_arrival", "delivered"), "delivered"),
        (("return_started",), "already_returning"),
        (("return_started", "delivered"), "finished"),
    ],
)
def test_return_refused_once_delivered_returning_or_finished(
    blocks, accept_kwargs, tariff, clerk, offices, codes_after, refusal
):
    item = _move(_accept(accept_kwargs), offices, *codes_after)
    with pytest.raises(ValidationError) as exc:
        returns.item_return_to_sender(actor=clerk, item=item, office=offices["origin"])
    assert exc.value.code == refusal
    assert not ReturnCharge.objects.exists()


def test_return_is_idempotent_by_event_id(blocks, accept_kwargs, tariff, clerk, offices):
    item = _accept(accept_kwargs)
    key = uuid.uuid4()
    first = returns.item_return_to_sender(
        actor=clerk, item=item, office=offices["origin"], event_id=key
    )
    again = returns.item_return_to_sender(
        actor=clerk, item=item.number, office=offices["origin"], event_id=str(key)
    )
    assert (again.created, again.charge.pk) == (False, first.charge.pk)
    assert TrackingEvent.objects.filter(item=item, code="return_started").count() == 1
    assert AuditEntry.objects.filter(action="items.return_start").count() == 1


def test_without_a_tariff_the_clerk_enters_the_fee(blocks, accept_kwargs, clerk, offices):
    item = _accept(accept_kwargs)
    with pytest.raises(ValidationError) as exc:
        returns.item_return_to_sender(actor=clerk, item=item, office=offices["origin"])
    assert list(exc.value.message_dict) == ["fee"]
    with pytest.raises(ValidationError):
        returns.item_return_to_sender(actor=clerk, item=item, office=offices["origin"], fee=-1)
    charge = returns.item_return_to_sender(
        actor=clerk, item=item, office=offices["origin"], fee=31000
    ).charge
    assert (charge.amount, charge.tariff_version) == (31000, None)


def test_return_outside_the_clerks_offices_is_refused(
    blocks, accept_kwargs, tariff, make_user, make_office, offices
):
    elsewhere = make_office("250000", parent=offices["root"])
    stranger = make_user("clerk", offices=[elsewhere])
    item = _accept(accept_kwargs)
    with pytest.raises(PermissionDenied):
        returns.item_return_to_sender(actor=stranger, item=item, office=elsewhere)
    with pytest.raises(PermissionDenied):
        returns.item_return_to_sender(actor=stranger, item=item, office=offices["origin"])


def test_return_fee_quote_from_the_tariff(blocks, accept_kwargs, tariff):
    item = _accept(accept_kwargs, weight_g=300)
    quote = returns.return_quote(item, "sender_request")
    assert (quote.fee, quote.free, quote.tariff_version) == (15000, False, tariff)


# --- Withdrawal -----------------------------------------------------------------------------


def test_withdrawal_at_the_accepting_office_ends_the_item(blocks, accept_kwargs, clerk, offices):
    item = _accept(accept_kwargs)
    result = returns.item_withdraw(actor=clerk, item=item, office=offices["origin"])
    assert (result.event, result.item.status, result.charge) == ("withdrawn", "withdrawn", None)
    assert TrackingEvent.objects.filter(item=item, code="withdrawn").count() == 1
    entry = AuditEntry.objects.get(action="items.withdraw")
    assert (entry.before, entry.after) == ({"status": "accepted"}, {"status": "withdrawn"})
    assert not ReturnCharge.objects.exists()


def test_withdrawal_after_dispatch_becomes_a_paid_return(
    blocks, accept_kwargs, tariff, clerk, offices
):
    item = _move(_accept(accept_kwargs), offices, "delivery_office_arrival")
    result = returns.item_withdraw(actor=clerk, item=item, office=offices["origin"])
    assert (result.event, result.item.status) == ("return_started", "returning")
    assert (result.charge.cause, result.charge.amount) == ("withdrawal", 27000)


def test_withdrawal_refused_once_delivered(blocks, accept_kwargs, clerk, offices):
    item = _move(_accept(accept_kwargs), offices, "delivery_office_arrival", "delivered")
    with pytest.raises(ValidationError) as exc:
        returns.item_withdraw(actor=clerk, item=item, office=offices["origin"])
    assert exc.value.code == "delivered"
    assert Item.objects.get(pk=item.pk).status == "delivered"


# --- Redirection ----------------------------------------------------------------------------

NEW_ADDRESS = {"commune_code": "00004", "street": "5 Trần Phú", "raw": "5 Trần Phú"}


def test_redirect_changes_receiver_and_address_and_audits_old_and_new(
    blocks, accept_kwargs, clerk, offices
):
    item = _move(_accept(accept_kwargs), offices, "delivery_office_arrival")
    changed = returns.item_redirect(
        actor=clerk,
        item=item,
        office=offices["origin"],
        receiver_name="Lê Văn Cường",
        receiver_address=NEW_ADDRESS,
        destination_office=offices["bdvhx"],
        note="Người gửi gọi điện",
    )
    assert (changed.receiver_name, changed.receiver_street, changed.destination_office) == (
        "Lê Văn Cường",
        "5 Trần Phú",
        offices["bdvhx"],
    )
    assert changed.receiver_phone == "0987654321"  # not given: unchanged
    assert changed.status == "at_delivery_office"
    entry = AuditEntry.objects.get(action="items.redirect")
    assert entry.before == {
        "receiver_name": "Trần Thị Bình",
        "receiver_street": "12 Lê Lợi",
        "receiver_raw": "12 Lê Lợi, P. Đông Kinh",
        "destination_office_id": offices["delivery"].pk,
    }
    assert entry.after == {
        "receiver_name": "Lê Văn Cường",
        "receiver_street": "5 Trần Phú",
        "receiver_raw": "5 Trần Phú",
        "destination_office_id": offices["bdvhx"].pk,
        "note": "Người gửi gọi điện",
    }


@pytest.mark.parametrize(
    ("codes_after", "refusal"),
    [
        (("delivery_office_arrival", "delivered"), "delivered"),
        (("return_started",), "already_returning"),
    ],
)
def test_redirect_refused_once_delivered_or_returning(
    blocks, accept_kwargs, clerk, offices, codes_after, refusal
):
    item = _move(_accept(accept_kwargs), offices, *codes_after)
    with pytest.raises(ValidationError) as exc:
        returns.item_redirect(
            actor=clerk, item=item, office=offices["origin"], receiver_name="Lê Văn Cường"
        )
    assert exc.value.code == refusal
    assert Item.objects.get(pk=item.pk).receiver_name == "Trần Thị Bình"


def test_redirect_checks_each_field(blocks, accept_kwargs, clerk, offices):
    item = _accept(accept_kwargs)
    with pytest.raises(ValidationError) as exc:
        returns.item_redirect(
            actor=clerk,
            item=item,
            office=offices["origin"],
            receiver_name=" ",
            receiver_address={"commune_code": "99999", "street": "x"},
        )
    assert set(exc.value.message_dict) == {"receiver_name", "receiver_commune_code"}
    with pytest.raises(ValidationError) as exc:
        returns.item_redirect(
            actor=clerk, item=item, office=offices["origin"], receiver_name="Trần Thị Bình"
        )
    assert exc.value.code == "no_change"
    assert not AuditEntry.objects.filter(action="items.redirect").exists()


# --- Unclaimed ------------------------------------------------------------------------------

NOW = datetime(2026, 9, 2, 3, 0, tzinfo=UTC)


def test_unclaimed_after_6_months_idempotent(blocks, accept_kwargs, codes, offices):
    held = _move(
        _accept(accept_kwargs, when=NOW - timedelta(days=184)),
        offices,
        "delivery_office_arrival",
        "held",
    )
    exactly = _move(
        _accept(accept_kwargs, when=datetime(2026, 3, 2, 3, 0, tzinfo=UTC)),
        offices,
        "delivery_office_arrival",
        "out_for_delivery",
        "delivery_failed",
    )
    young = _move(
        _accept(accept_kwargs, when=datetime(2026, 3, 2, 3, 1, tzinfo=UTC)),
        offices,
        "delivery_office_arrival",
        "held",
    )
    in_transit = _move(
        _accept(accept_kwargs, when=NOW - timedelta(days=200)), offices, "sorting_in"
    )
    delivered = _move(
        _accept(accept_kwargs, when=NOW - timedelta(days=200)),
        offices,
        "delivery_office_arrival",
        "delivered",
    )
    run = returns.items_mark_unclaimed(now=NOW)
    assert (run.checked, run.marked, run.skipped) == (2, 2, 0)
    statuses = dict(Item.objects.values_list("number", "state__status"))
    assert statuses == {
        held.number: "unclaimed",
        exactly.number: "unclaimed",
        young.number: "held",
        in_transit.number: "in_transit",
        delivered.number: "delivered",
    }
    event = TrackingEvent.objects.get(item=held, code="unclaimed")
    assert (event.office_id, event.actor_id, event.actor_label) == (
        offices["delivery"].pk,
        None,
        "system",
    )
    assert event.event_id == uuid.uuid5(returns.UNCLAIMED_NAMESPACE, held.number)
    again = returns.items_mark_unclaimed(now=NOW)
    assert (again.checked, again.marked) == (0, 0)
    assert TrackingEvent.objects.filter(code="unclaimed").count() == 2
    assert AuditEntry.objects.filter(action="items.unclaimed_run").count() == 1


def test_unclaimed_command_and_task(blocks, accept_kwargs, offices, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    _move(
        _accept(accept_kwargs, when=datetime(2025, 1, 6, tzinfo=UTC)),
        offices,
        "delivery_office_arrival",
        "held",
    )
    out = StringIO()
    call_command("mark_unclaimed_items", stdout=out)
    assert out.getvalue().strip() == "Đã kiểm tra 1 bưu gửi, chuyển 1 thành vô thừa nhận."
    result = returns.items_mark_unclaimed_task.enqueue()
    assert result.return_value == {"checked": 0, "marked": 0, "skipped": 0}
