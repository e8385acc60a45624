"""Pure COD rules: phone keys, statement planning, reconciliation."""

from hypothesis import given
from hypothesis import strategies as st

from postops.cod import rules
from postops.cod.rules import Charge, Collected, plan_remittance


def test_phone_key_normalises_vietnamese_numbers():
    assert rules.phone_key("0912 345 678") == "0912345678"
    assert rules.phone_key("+84 912.345.678") == "0912345678"
    assert rules.phone_key("84912345678") == "0912345678"
    assert rules.phone_key("(028) 3829-1234") == "02838291234"
    assert rules.phone_key("") == ""
    assert rules.phone_key(None) == ""


def test_state_moves_one_step_forward():
    assert rules.NEXT == {
        rules.State.COLLECTED: rules.State.AT_OFFICE,
        rules.State.AT_OFFICE: rules.State.BATCHED,
        rules.State.BATCHED: rules.State.PAID,
    }


def test_plan_without_fee_deduction_remits_the_cod_and_deducts_charges_oldest_first():
    plan = plan_remittance(
        [Collected(2, 200_000, 30_000), Collected(1, 150_000, 25_000)],
        [Charge(7, 300_000), Charge(8, 20_000), Charge(9, 100_000)],
        deduct_fees=False,
    )
    assert [(ln.kind, ln.source_id, ln.net) for ln in plan.lines] == [
        ("collection", 1, 150_000),
        ("collection", 2, 200_000),
        ("return_charge", 7, -300_000),
        ("return_charge", 8, -20_000),
    ]
    assert (plan.cod_total, plan.fee_total, plan.charges_total, plan.net) == (
        350_000,
        0,
        320_000,
        30_000,
    )
    assert plan.items_count == 4


def test_plan_with_fee_deduction():
    plan = plan_remittance([Collected(1, 350_000, 42_000)], [], deduct_fees=True)
    assert [(ln.cod_amount, ln.fee, ln.charge, ln.net) for ln in plan.lines] == [
        (350_000, 42_000, 0, 308_000)
    ]
    assert plan.net == 308_000
    assert not rules.fees_exceed_cod(plan)
    small = plan_remittance([Collected(1, 10_000, 42_000)], [], deduct_fees=True)
    assert small.net == -32_000
    assert rules.fees_exceed_cod(small)


money = st.integers(min_value=0, max_value=50_000_000)


@given(
    cods=st.lists(st.tuples(st.integers(1, 50_000_000), money), max_size=20),
    charges=st.lists(money, max_size=20),
    deduct=st.booleans(),
)
def test_plan_totals_add_up_and_charges_never_make_the_net_negative(cods, charges, deduct):
    collected = [Collected(i + 1, c, f) for i, (c, f) in enumerate(cods)]
    plan = plan_remittance(
        collected, [Charge(100 + i, a) for i, a in enumerate(charges)], deduct_fees=deduct
    )
    collections_net = sum(c - (f if deduct else 0) for c, f in cods)
    assert plan.net == plan.cod_total - plan.fee_total - plan.charges_total
    assert plan.net == sum(line.net for line in plan.lines)
    assert plan.cod_total == sum(c for c, _ in cods)
    # Every collection is on the statement, each once.
    assert sorted(ln.source_id for ln in plan.lines if ln.kind == "collection") == [
        c.id for c in collected
    ]
    if collections_net >= 0:
        assert plan.net >= 0
    else:
        assert plan.charges_total == 0  # nothing deducted from a negative net
    # A charge left out did not fit in what remained.
    taken = {ln.source_id for ln in plan.lines if ln.kind == "return_charge"}
    assert all(a > plan.net for i, a in enumerate(charges) if 100 + i not in taken)


def test_reconcile_flags_any_difference():
    assert rules.reconcile(308_000, 308_000) == rules.Reconciled(0, True)
    assert rules.reconcile(308_000, 300_000) == rules.Reconciled(-8_000, False)
    assert rules.reconcile(308_000, 308_001) == rules.Reconciled(1, False)


def test_handover_variance():
    assert rules.handover_variance(700_000, 650_000) == -50_000
    assert rules.handover_variance(700_000, 700_000) == 0
