"""The pickup part of the demo province (``seed_demo`` calls ``seed_pickups``)."""

import pytest

from postops.dossiers.tests import helpers as dossier_helpers
from postops.pickups.demo import seed_pickups
from postops.pickups.models import PickupRequest


@pytest.mark.django_db
def test_seed_pickups_makes_requests_in_each_status_once(make_user):
    tree = dossier_helpers.office_tree()
    office = tree["po_a"]
    for role in ("clerk", "supervisor", "postman"):
        make_user(role, username=f"demo-{role}", offices=[office])
    # What seed_dossiers provides: the demo procedure, dossier numbers and tariff.
    dossier_helpers.dossier_items_setup([office])
    dossier_helpers.procedure(dossier_helpers.agency(), code="DM.LLTP")
    codes = seed_pickups(tree["province"])
    assert len(codes) == 7
    counts = {}
    for status in PickupRequest.objects.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    assert counts == {"requested": 2, "assigned": 2, "collected": 1, "failed": 1, "cancelled": 1}
    collected = PickupRequest.objects.get(status="collected")
    assert collected.dossier.channel == "pickup" and collected.dossier.outbound_item is not None
    assert set(PickupRequest.objects.values_list("office", flat=True)) == {office.pk}
    # Seeding again changes nothing.
    assert seed_pickups(tree["province"]) == codes
    assert PickupRequest.objects.count() == 7
