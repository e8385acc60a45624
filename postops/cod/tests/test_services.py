"""COD money end to end: collected → office cash → remittance batch → paid → reconciled."""

import uuid
from datetime import timedelta

import pytest

from postops.accounts.models import ApiKey
from postops.cod import services
from postops.cod.models import (
    CodCollection,
    CodMovement,
    CodSender,
    Reconciliation,
    RemittanceLine,
    ReturnCharge,
)
from postops.cod.services import CodError
from postops.core.models import AuditEntry

from .conftest import T0


def _collect(item, postman, *, event_id=None, amount=None, when=None):
    return services.cod_collection_record(
        item,
        item.cod_amount if amount is None else amount,
        postman,
        when or item.accepted_at + timedelta(hours=3),
        event_id or uuid.uuid4(),
    )


def _movements(collection):
    return list(collection.movements.order_by("pk").values_list("kind", "amount"))


# --- Collection -----------------------------------------------------------------------------


def test_collection_opens_the_senders_account_and_records_the_first_movement(
    make_item, postman, offices
):
    item = make_item(cod_amount=350000, sender_phone="+84 912 345 678")
    result = _collect(item, postman)
    assert result.created is True
    collection = result.collection
    assert (collection.amount, collection.state, collection.office, collection.postman) == (
        350000,
        "collected",
        offices["delivery"],
        postman,
    )
    sender = collection.sender
    assert (sender.code, sender.name, sender.phone, sender.office, sender.deduct_fees) == (
        "KH000001",
        "Công ty TNHH Hoa Mai",
        "0912345678",
        offices["origin"],
        False,
    )
    assert _movements(collection) == [("collected", 350000)]
    assert (
        AuditEntry.objects.filter(action="cod.collect", target_id=str(collection.pk)).count() == 1
    )
    assert AuditEntry.objects.filter(action="cod.sender_open").count() == 1
    # A second item of the same sender (same phone written differently) joins the account.
    other = _collect(make_item(cod_amount=120000, sender_phone="0912.345.678"), postman)
    assert other.collection.sender == sender
    assert CodSender.objects.count() == 1


def test_collection_is_idempotent_by_event_id(make_item, postman):
    item = make_item()
    key = uuid.uuid4()
    first = _collect(item, postman, event_id=key)
    again = _collect(item, postman, event_id=str(key))
    assert (again.created, again.collection.pk) == (False, first.collection.pk)
    assert CodCollection.objects.count() == 1
    assert CodMovement.objects.count() == 1


def test_collection_refusals(make_item, postman, make_user, make_office, offices):
    item = make_item(cod_amount=350000)
    with pytest.raises(CodError) as exc:
        _collect(item, postman, amount=300000)
    assert (exc.value.code, exc.value.field) == ("amount_mismatch", "amount")
    with pytest.raises(CodError) as exc:
        _collect(make_item(cod_amount=0), postman, amount=0)
    assert exc.value.code == "no_cod"
    stranger = make_user("postman", offices=[make_office("250000", parent=offices["root"])])
    with pytest.raises(CodError) as exc:
        _collect(item, stranger)
    assert exc.value.code == "office_out_of_scope"
    key = uuid.uuid4()
    _collect(item, postman, event_id=key)
    with pytest.raises(CodError) as exc:
        _collect(item, postman)  # another event id for the same item
    assert exc.value.code == "already_collected"
    with pytest.raises(CodError) as exc:
        _collect(make_item(), postman, event_id=key)  # the same event id, another item
    assert exc.value.code == "event_id_conflict"
    assert CodCollection.objects.count() == 1


def test_partner_key_linked_to_a_sender_decides_the_account(make_item, postman, offices):
    key = ApiKey.objects.create(name="Shop", prefix="abc", key_hash="x" * 64, role="partner")
    sender = CodSender.objects.create(
        code="KH000100", name="Shop Hoa Mai", phone="0900000000", office=offices["origin"]
    )
    sender.api_keys.add(key)
    item = make_item()
    if not hasattr(item, "sender_key_id"):
        pytest.skip("Item.sender_key not available")
    item.sender_key = key
    item.save(update_fields=["sender_key"])
    assert _collect(item, postman).collection.sender == sender


# --- Handover -------------------------------------------------------------------------------


def test_handover_moves_cash_to_the_office_and_records_a_variance_with_reason(
    make_item, postman, supervisor, offices
):
    a = _collect(make_item(cod_amount=350000), postman).collection
    b = _collect(make_item(cod_amount=120000), postman).collection
    with pytest.raises(CodError) as exc:
        services.cod_handover_confirm(
            actor=supervisor,
            office=offices["delivery"],
            postman=postman,
            reference="HO-1",
            counted_amount=460000,
        )
    assert (exc.value.code, exc.value.field) == ("variance_reason_required", "variance_reason")
    assert "-10.000" in exc.value.message
    result = services.cod_handover_confirm(
        actor=supervisor,
        office=offices["delivery"],
        postman=postman,
        reference="HO-1",
        counted_amount=460000,
        variance_reason="Thiếu 10.000 đồng, bưu tá nộp bù ngày mai",
    )
    handover = result.handover
    assert result.created is True
    assert (
        handover.items_count,
        handover.expected_amount,
        handover.counted_amount,
        handover.variance,
    ) == (2, 470000, 460000, -10000)
    for c in (a, b):
        c.refresh_from_db()
        assert (c.state, c.handover) == ("at_office", handover)
    assert _movements(a) == [("collected", 350000), ("handed_over", 350000)]
    entry = AuditEntry.objects.get(action="cod.handover_confirm")
    assert entry.after["variance"] == -10000
    again = services.cod_handover_confirm(
        actor=supervisor,
        office=offices["delivery"],
        postman=postman,
        reference="HO-1",
        counted_amount=460000,
    )
    assert (again.created, again.handover.pk) == (False, handover.pk)
    assert CodMovement.objects.filter(kind="handed_over").count() == 2


def test_handover_of_named_items_only_and_refusals(make_item, postman, supervisor, offices):
    a = make_item(cod_amount=100000)
    b = make_item(cod_amount=200000)
    _collect(a, postman)
    _collect(b, postman)
    result = services.cod_handover_confirm(
        actor=supervisor,
        office=offices["delivery"],
        postman=postman,
        reference="HO-2",
        counted_amount=100000,
        numbers=[a.number],
    )
    assert (result.handover.items_count, result.handover.variance) == (1, 0)
    assert CodCollection.objects.get(item=b).state == "collected"
    with pytest.raises(CodError) as exc:
        services.cod_handover_confirm(
            actor=supervisor,
            office=offices["delivery"],
            postman=postman,
            reference="HO-3",
            counted_amount=100000,
            numbers=[a.number],
        )
    assert exc.value.code == "not_held"
    with pytest.raises(CodError) as exc:
        services.cod_handover_confirm(
            actor=postman,
            office=offices["delivery"],
            postman=postman,
            reference="HO-4",
            counted_amount=200000,
        )
    assert exc.value.code == "forbidden"


# --- Remittance, payment, reconciliation ----------------------------------------------------


@pytest.fixture
def at_office(make_item, postman, supervisor, offices):
    """Two collections of one sender handed over to the office."""
    items = [make_item(cod_amount=350000, fee=42000), make_item(cod_amount=120000, fee=30000)]
    collections = [_collect(i, postman).collection for i in items]
    services.cod_handover_confirm(
        actor=supervisor,
        office=offices["delivery"],
        postman=postman,
        reference="HO-A",
        counted_amount=470000,
    )
    return collections


def test_batch_with_fee_deduction_and_a_return_charge(at_office, make_item, supervisor, offices):
    sender = at_office[0].sender
    services.cod_sender_update(actor=supervisor, sender=sender, deduct_fees=True)
    returned = make_item(cod_amount=0, arrive=False)
    charge = ReturnCharge.objects.create(
        item=returned,
        sender=sender,
        cause="sender_request",
        amount=27000,
        event_id=uuid.uuid4(),
        office=offices["origin"],
        created_at=T0,
    )
    result = services.remittance_batch_create(actor=supervisor, sender=sender, idempotency_key="k1")
    batch = result.batch
    assert result.created is True
    assert batch.number == f"BK240000-{batch.pk:06d}"
    assert (
        batch.state,
        batch.items_count,
        batch.cod_total,
        batch.fee_total,
        batch.charges_total,
        batch.net_amount,
        batch.office,
    ) == ("issued", 3, 470000, 72000, 27000, 371000, offices["origin"])
    lines = list(
        batch.lines.order_by("pk").values_list("kind", "cod_amount", "fee", "charge", "net")
    )
    assert lines == [
        ("collection", 350000, 42000, 0, 308000),
        ("collection", 120000, 30000, 0, 90000),
        ("return_charge", 0, 0, 27000, -27000),
    ]
    assert RemittanceLine.objects.get(return_charge=charge).batch == batch
    for c in at_office:
        c.refresh_from_db()
        assert (c.state, c.batch) == ("batched", batch)
    # A double submit returns the first batch; a second batch finds nothing left.
    again = services.remittance_batch_create(actor=supervisor, sender=sender, idempotency_key="k1")
    assert (again.created, again.batch.pk) == (False, batch.pk)
    with pytest.raises(CodError) as exc:
        services.remittance_batch_create(actor=supervisor, sender=sender, idempotency_key="k2")
    assert exc.value.code == "nothing_to_remit"
    assert AuditEntry.objects.get(action="cod.batch_create").after == {
        "number": batch.number,
        "sender": sender.code,
        "items": 3,
        "cod_total": 470000,
        "fee_total": 72000,
        "charges_total": 27000,
        "net": 371000,
    }


def test_paid_then_reconciled_and_mismatch_flagged(at_office, supervisor):
    sender = at_office[0].sender
    batch = services.remittance_batch_create(actor=supervisor, sender=sender).batch
    assert batch.net_amount == 470000
    with pytest.raises(CodError) as exc:
        services.remittance_reconcile(
            actor=supervisor, batch=batch, bank_amount=470000, bank_reference="FT1"
        )
    assert exc.value.code == "not_paid"
    with pytest.raises(CodError) as exc:
        services.remittance_mark_paid(actor=supervisor, batch=batch, bank_reference=" ")
    assert exc.value.field == "bank_reference"
    paid = services.remittance_mark_paid(actor=supervisor, batch=batch, bank_reference="FT26061")
    assert (paid.state, paid.bank_reference, paid.paid_by) == ("paid", "FT26061", supervisor)
    assert [c.state for c in CodCollection.objects.order_by("pk")] == ["paid", "paid"]
    assert _movements(at_office[0]) == [
        ("collected", 350000),
        ("handed_over", 350000),
        ("batched", 350000),
        ("paid", 350000),
    ]
    # Same reference again: nothing changes; another reference: refused.
    assert services.remittance_mark_paid(
        actor=supervisor, batch=batch, bank_reference="FT26061"
    ).paid_at == (paid.paid_at)
    with pytest.raises(CodError) as exc:
        services.remittance_mark_paid(actor=supervisor, batch=batch, bank_reference="FT999")
    assert exc.value.code == "already_paid"
    assert CodMovement.objects.filter(kind="paid").count() == 2

    short = services.remittance_reconcile(
        actor=supervisor, batch=batch, bank_amount=469000, bank_reference="FT26061"
    )
    batch.refresh_from_db()
    assert (short.matched, short.difference, batch.state, batch.difference) == (
        False,
        -1000,
        "mismatch",
        -1000,
    )
    ok = services.remittance_reconcile(
        actor=supervisor, batch=batch, bank_amount=470000, bank_reference="FT26061"
    )
    batch.refresh_from_db()
    assert (ok.matched, ok.difference, batch.state, batch.difference) == (
        True,
        0,
        "reconciled",
        0,
    )
    again = services.remittance_reconcile(
        actor=supervisor, batch=batch, bank_amount=470000, bank_reference="FT26061"
    )
    assert again.pk == ok.pk
    with pytest.raises(CodError) as exc:
        services.remittance_reconcile(
            actor=supervisor, batch=batch, bank_amount=1, bank_reference="FT26061"
        )
    assert exc.value.code == "already_reconciled"
    assert Reconciliation.objects.count() == 2
    assert [
        e.after["matched"]
        for e in AuditEntry.objects.filter(action="cod.batch_reconcile").order_by("pk")
    ] == [False, True]


def test_reconcile_flags_a_different_bank_reference(at_office, supervisor):
    batch = services.remittance_batch_create(actor=supervisor, sender=at_office[0].sender).batch
    services.remittance_mark_paid(actor=supervisor, batch=batch, bank_reference="FT1")
    rec = services.remittance_reconcile(
        actor=supervisor, batch=batch, bank_amount=470000, bank_reference="FT2"
    )
    assert (rec.matched, rec.difference) == (False, 0)
    assert "FT2" in rec.note and "FT1" in rec.note


def test_fees_larger_than_cod_are_refused(make_item, postman, supervisor, offices):
    c = _collect(make_item(cod_amount=10000, fee=42000), postman).collection
    services.cod_handover_confirm(
        actor=supervisor,
        office=offices["delivery"],
        postman=postman,
        reference="HO-S",
        counted_amount=10000,
    )
    services.cod_sender_update(actor=supervisor, sender=c.sender, deduct_fees=True)
    with pytest.raises(CodError) as exc:
        services.remittance_batch_create(actor=supervisor, sender=c.sender)
    assert exc.value.code == "fees_exceed_cod"
    c.refresh_from_db()
    assert c.state == "at_office"


def test_only_supervisors_in_scope_move_money(at_office, make_user, make_office, offices):
    sender = at_office[0].sender
    clerk = make_user("clerk", offices=[offices["origin"]])
    with pytest.raises(CodError) as exc:
        services.remittance_batch_create(actor=clerk, sender=sender)
    assert exc.value.code == "forbidden"
    other = make_user("supervisor", offices=[make_office("250000", parent=offices["root"])])
    with pytest.raises(CodError) as exc:
        services.remittance_batch_create(actor=other, sender=sender)
    assert exc.value.code == "office_out_of_scope"


def test_sender_update_is_audited_and_phone_unique(at_office, supervisor, offices):
    sender = at_office[0].sender
    CodSender.objects.create(
        code="KH000900", name="Khác", phone="0987000000", office=offices["origin"]
    )
    services.cod_sender_update(
        actor=supervisor,
        sender=sender,
        bank_name="Vietcombank",
        bank_account="0011001234567",
        account_holder="CONG TY HOA MAI",
    )
    entry = AuditEntry.objects.get(action="cod.sender_update")
    assert entry.before == {"bank_name": "", "bank_account": "", "account_holder": ""}
    assert entry.after == {
        "bank_name": "Vietcombank",
        "bank_account": "0011001234567",
        "account_holder": "CONG TY HOA MAI",
    }
    with pytest.raises(CodError) as exc:
        services.cod_sender_update(actor=supervisor, sender=sender, phone="+84 987 000 000")
    assert (exc.value.code, exc.value.field) == ("phone_taken", "phone")
