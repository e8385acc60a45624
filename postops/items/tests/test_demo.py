"""Demo items: seeded over the demo province, idempotent, trackable."""

import pytest
from django.core.management import call_command

from postops.items.models import Item, NumberBlock, TrackingEvent


@pytest.mark.django_db
def test_demo_items_are_seeded_once_and_can_be_tracked(settings, client, capsys):
    settings.DEBUG = True
    call_command("seed_demo", "--province", "20")
    capsys.readouterr()
    call_command("seed_demo_items", "--province", "20")
    out = capsys.readouterr().out
    assert out.startswith("Items: 12 demo items, 18 new number blocks.")
    counts = (Item.objects.count(), TrackingEvent.objects.count(), NumberBlock.objects.count())
    assert counts == (12, 12 + 2 + 3 + 3 + 3 + 4 + 0 + 2 + 3 + 3 + 3 + 4, 18)
    statuses = sorted(Item.objects.values_list("status", flat=True))
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
    call_command("seed_demo_items", "--province", "20")
    assert capsys.readouterr().out.startswith("Items: 12 demo items, 0 new number blocks.")
    assert (
        Item.objects.count(),
        TrackingEvent.objects.count(),
        NumberBlock.objects.count(),
    ) == counts
    number = Item.objects.filter(status="delivered").first().number
    assert client.get(f"/api/v1/track/{number}").json()["status_text"] == "Phát thành công"


@pytest.mark.django_db
def test_demo_items_need_debug(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo_items")
