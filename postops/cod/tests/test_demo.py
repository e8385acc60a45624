"""Demo COD money: collections, handover and one statement; a second run changes nothing."""

from datetime import timedelta

from postops.cod.demo import seed_cod
from postops.cod.models import CodCollection, CodHandover, RemittanceBatch
from postops.items.services import event_record


def test_seed_cod_is_idempotent(make_item, offices):
    delivered = []
    for cod in (250000, 480000, 0):
        item = make_item(cod_amount=cod)
        event_record(
            actor=None,
            item=item,
            code="delivered",
            office=offices["delivery"],
            occurred_at=item.accepted_at + timedelta(hours=4),
        )
        delivered.append(item)
    make_item(cod_amount=100000)  # not delivered: no collection
    assert seed_cod(offices["root"]) == 2
    assert seed_cod(offices["root"]) == 2
    assert CodHandover.objects.count() == 1
    batch = RemittanceBatch.objects.get()
    assert (batch.items_count, batch.net_amount, batch.state) == (2, 730000, "issued")
    assert set(CodCollection.objects.values_list("state", flat=True)) == {"batched"}
