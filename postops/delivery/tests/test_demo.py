"""The delivery demo: a round for demo-postman today, one item left to assign; idempotent."""

from postops.delivery.demo import seed_delivery
from postops.delivery.models import Route, RunSheet
from postops.items.models import Item


def test_seed_delivery_is_idempotent(make_item, make_user, offices):
    make_item()  # number blocks at the origin office
    from postops.items.models import NumberBlock, ServiceIndicator

    # The demo accepts at the second post office (by code): give it numbers too.
    home, origin = offices["origin"], offices["delivery"]
    for prefix in ("CP",):
        ServiceIndicator.objects.get_or_create(prefix=prefix, defaults={"service": "parcel"})
    for prefix in ("CP", "RR", "EB"):
        NumberBlock.objects.create(
            office=origin,
            indicator_id=prefix,
            first_serial=5000,
            last_serial=5999,
            next_serial=5000,
        )
    postman = make_user("postman", username="demo-postman", offices=[home])
    make_user("supervisor", username="demo-supervisor", offices=[home])
    first = seed_delivery(offices["root"])
    assert len(first.numbers) == 5 and len(first.assigned) == 4
    sheet = RunSheet.objects.get(postman=postman)
    assert sheet.entries.count() == 4
    assert Item.objects.get(number=first.numbers[-1]).status == "at_delivery_office"
    assert Route.objects.get(office=home).default_postman == postman
    again = seed_delivery(offices["root"])
    assert again.numbers == first.numbers and again.assigned == []
    assert sheet.entries.count() == 4
