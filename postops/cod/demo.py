"""Demo COD money for ``manage.py seed_demo``: the delivered demo items with COD become
collections, handed over at their office, and one statement waits to be paid. Idempotent:
ids and keys are derived from the province and the item numbers."""

from __future__ import annotations

import uuid

from postops.accounts.models import User
from postops.items.models import Item
from postops.network.models import Office
from postops.network.selectors import office_scope_ids

from . import services
from .models import CodCollection, CodSender, CollectionState

_NAMESPACE = uuid.UUID("0c8b4d1e-6a0f-4f43-9d3c-2d1f6e5a7b90")


def seed_cod(provincial: Office) -> int:
    """Record the COD of delivered demo items; returns how many collections exist."""
    items = list(
        Item.objects.filter(
            origin_office__path__startswith=provincial.path,
            state__status="delivered",
            cod_amount__gt=0,
            cod_collection__isnull=True,
        )
        .select_related("state__last_office", "destination_office")
        .order_by("pk")
    )
    postman = User.objects.filter(username="demo-postman").first()
    for item in items:
        office = item.destination_office or item.last_office
        holder = (
            postman if postman and office_scope_ids(postman).filter(pk=office.pk).exists() else None
        )
        services.cod_collection_record(
            item,
            item.cod_amount,
            holder,
            item.last_event_at,
            uuid.uuid5(_NAMESPACE, f"{provincial.code}-{item.number}"),
            office=office,
        )
    held = CodCollection.objects.filter(
        state=CollectionState.COLLECTED, office__path__startswith=provincial.path
    )
    for office_id, postman_id in set(held.values_list("office_id", "postman_id")):
        group = held.filter(office_id=office_id, postman_id=postman_id)
        services.cod_handover_confirm(
            actor=None,
            office=Office.objects.get(pk=office_id),
            postman=User.objects.filter(pk=postman_id).first(),
            reference=f"demo-{provincial.code}-{office_id}-{postman_id or 0}",
            counted_amount=sum(group.values_list("amount", flat=True)),
        )
    for sender in CodSender.objects.filter(office__path__startswith=provincial.path):
        if sender.collections.filter(state=CollectionState.AT_OFFICE).exists():
            services.remittance_batch_create(
                actor=None, sender=sender, idempotency_key=f"demo-{provincial.code}-{sender.code}"
            )
    return CodCollection.objects.filter(office__path__startswith=provincial.path).count()
