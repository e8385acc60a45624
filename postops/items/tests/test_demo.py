"""Demo items: seeded over the demo province, idempotent, trackable."""

import pytest
from django.core.management import call_command

from postops.items.models import Item, NumberBlock, TrackingEvent
from postops.network.models import Office


@pytest.mark.django_db
def test_demo_items_are_seeded_once_and_can_be_tracked(settings, client, capsys):
    settings.DEBUG = True
    # seed_demo seeds the items too (postops.demo.seed); seed_demo_items alone adds nothing.
    call_command("seed_demo", "--province", "20")
    capsys.readouterr()
    # Other apps' demos add blocks of their own prefixes (dossiers: RH); count the items'.
    blocks = NumberBlock.objects.filter(indicator_id__in=["EB", "CP", "RR"])
    # Other apps' demos add items too (delivery: "demo-delivery-…"); count the items demo's.
    items = Item.objects.filter(idempotency_key__regex=r"^demo-[0-9]+-[0-9]+$")
    events = TrackingEvent.objects.filter(item__in=items)
    counts = (items.count(), events.count(), blocks.count())
    post_offices = Office.objects.filter(kind=Office.Kind.POST_OFFICE).count()
    # One block of each demo prefix (EB, CP, RR) per post office.
    assert counts == (12, 12 + 2 + 3 + 3 + 3 + 4 + 0 + 2 + 3 + 3 + 3 + 4, 3 * post_offices)
    statuses = sorted(items.values_list("state__status", flat=True))
    assert statuses == sorted(
        [
            "accepted",
            "in_transit",
            "at_delivery_office",
            "out_for_delivery",
            "delivery_failed",
            "delivered",
        ]
        * 2
    )
    # Priced by the demo tariff and promised by the zone table, since nobody gave a fee.
    assert not items.filter(fee=0).exists()
    assert not items.filter(tariff_version=None).exists()
    assert not items.filter(promised_date=None).exists()
    call_command("seed_demo_items", "--province", "20")
    assert capsys.readouterr().out.startswith("Items: 12 demo items, 0 new number blocks.")
    assert (items.count(), events.count(), blocks.count()) == counts
    number = items.filter(state__status="delivered").first().number
    assert client.get(f"/api/v1/track/{number}").json()["status_text"] == "Phát thành công"


@pytest.mark.django_db
def test_demo_items_need_debug(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo_items")
