"""COD money under concurrency on a real PostgreSQL: threads with their own connections.

SQLite serialises writers, so these races only exist on PostgreSQL; skipped elsewhere.
"""

import uuid
from datetime import timedelta

import pytest
from django.db import connection

from postops.cod import services
from postops.cod.models import CodCollection, CodMovement, RemittanceBatch, RemittanceLine
from postops.items.tests.test_concurrency import _reload_admin_units, run_in_threads  # noqa: F401

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row-level races need PostgreSQL"),
]


def test_the_same_collection_sent_by_many_devices_is_stored_once(make_item, postman):
    item = make_item(cod_amount=350000)
    key = uuid.uuid4()
    when = item.accepted_at + timedelta(hours=2)

    def collect(_i):
        return services.cod_collection_record(item, 350000, postman, when, key).collection.pk

    ids = run_in_threads(collect)
    assert len(set(ids)) == 1
    assert CodCollection.objects.count() == 1
    assert CodMovement.objects.count() == 1


def test_concurrent_statements_for_one_sender_remit_each_collection_once(
    make_item, postman, supervisor, offices
):
    items = [make_item(cod_amount=100000 + n) for n in range(5)]
    for item in items:
        services.cod_collection_record(
            item, item.cod_amount, postman, item.accepted_at + timedelta(hours=2), uuid.uuid4()
        )
    services.cod_handover_confirm(
        actor=supervisor,
        office=offices["delivery"],
        postman=postman,
        reference="HO-C",
        counted_amount=sum(i.cod_amount for i in items),
    )
    sender = CodCollection.objects.first().sender

    def create(i):
        try:
            return services.remittance_batch_create(
                actor=supervisor, sender=sender, idempotency_key=f"key-{i}"
            ).batch.pk
        except services.CodError as exc:
            return exc.code

    results = run_in_threads(create)
    batches = [r for r in results if isinstance(r, int)]
    assert len(batches) == 1
    assert sorted(r for r in results if not isinstance(r, int)) == ["nothing_to_remit"] * 7
    assert RemittanceBatch.objects.get().net_amount == 500010
    assert RemittanceLine.objects.count() == 5
    assert CodMovement.objects.filter(kind="batched").count() == 5

    batch = RemittanceBatch.objects.get()
    run_in_threads(
        lambda _i: (
            services.remittance_mark_paid(
                actor=supervisor, batch=batch, bank_reference="FT-C"
            ).state
        )
    )
    assert CodMovement.objects.filter(kind="paid").count() == 5
