"""Items handed over at the counter: to the receiver (with COD and ID check), or back to the
sender after a return (issue #3 items 9 and 11)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from postops.cod.models import CodCollection
from postops.core.models import AuditEntry
from postops.delivery import services
from postops.delivery.models import CounterDelivery
from postops.items.models import Item, TrackingEvent
from postops.items.returns import item_return_to_sender
from postops.items.services import event_record

from .conftest import eid, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(make_user, offices):
    return make_user("clerk", username="gdv-caoloc", offices=[offices["delivery"]])


def hand_over(clerk, item, office, n=1, **overrides):
    kwargs = {
        "actor": clerk,
        "item": Item.objects.select_related("state").get(pk=item.pk),
        "office": office,
        "event_id": eid(n),
        "recipient_name": "Trần Thị Bình",
        "relation": "self",
    }
    kwargs.update(overrides)
    return services.counter_delivery_record(**kwargs)


def errors_of(excinfo) -> dict:
    return {name: [str(m) for m in msgs] for name, msgs in excinfo.value.message_dict.items()}


def test_the_receiver_collects_a_cod_item_at_the_counter(make_item, clerk, offices):
    item = make_item(prefix="RR", cod_amount=350_000)
    with pytest.raises(ValidationError) as excinfo:
        hand_over(clerk, item, offices["delivery"], recipient_name=" ", cod_collected=300_000)
    # Registered and COD: the ID document is checked; the amount must be exact.
    assert errors_of(excinfo) == {
        "recipient_name": ["Nhập họ tên người nhận hàng."],
        "id_document": ["Chọn loại giấy tờ người nhận xuất trình."],
        "cod_collected": ["Số tiền thu phải đúng 350.000 đồng."],
    }
    assert not CounterDelivery.objects.exists()
    assert Item.objects.get(pk=item.pk).status == "at_delivery_office"

    record = hand_over(
        clerk,
        item,
        offices["delivery"],
        id_document="cccd",
        id_number="001190012345",
        cod_collected=350_000,
    )

    assert (record.kind, record.cod_collected, record.id_number_masked) == (
        "receiver",
        350_000,
        "001*******45",
    )
    assert "001190012345" not in record.id_number_digest
    assert Item.objects.get(pk=item.pk).status == "delivered"
    event = TrackingEvent.objects.get(event_id=eid(1))
    assert (event.code, event.upu_code, event.office_id) == (
        "delivered",
        "EMI",
        offices["delivery"].pk,
    )
    collection = CodCollection.objects.get(item=item)
    assert (collection.amount, collection.postman_id, collection.office_id) == (
        350_000,
        clerk.pk,
        offices["delivery"].pk,
    )
    audit = AuditEntry.objects.get(action="delivery.counter_deliver")
    assert audit.after == {
        "number": item.number,
        "kind": "receiver",
        "relation": "self",
        "id_document": "cccd",
        "cod_collected": 350_000,
    }
    assert "001190012345" not in str(audit.after)


def test_a_resent_form_records_one_hand_over(make_item, clerk, offices):
    item = make_item()
    first = hand_over(clerk, item, offices["delivery"])
    again = hand_over(clerk, item, offices["delivery"])
    assert again.pk == first.pk
    assert CounterDelivery.objects.count() == 1
    assert TrackingEvent.objects.filter(item=item, code="delivered").count() == 1
    other = make_item()
    with pytest.raises(ValidationError) as excinfo:
        hand_over(clerk, other, offices["delivery"])  # same id, another item
    assert excinfo.value.code == "conflict"


def test_a_returned_item_goes_back_to_its_sender_without_cod(make_item, make_user, offices):
    item = make_item(cod_amount=200_000)
    supervisor = make_user("supervisor", username="tbc-caoloc", offices=[offices["delivery"]])
    item_return_to_sender(
        actor=supervisor,
        item=item,
        office=offices["delivery"],
        sender_consented=True,
        fee=20_000,
        occurred_at=local(-2),
    )
    event_record(
        actor=None,
        item=item,
        code="delivery_office_arrival",
        office=offices["origin"],
        occurred_at=local(-1),
    )
    counter = make_user("clerk", username="gdv-langson", offices=[offices["origin"]])
    # Not at the delivery office any more, and not the receiver's to collect.
    with pytest.raises(ValidationError) as excinfo:
        hand_over(make_user("clerk", offices=[offices["delivery"]]), item, offices["delivery"])
    assert excinfo.value.code == "invalid_transition"
    with pytest.raises(ValidationError) as excinfo:
        hand_over(counter, item, offices["origin"], cod_collected=200_000)
    assert errors_of(excinfo) == {
        "cod_collected": ["Bưu gửi chuyển hoàn không thu tiền thu hộ của người gửi."]
    }

    record = hand_over(counter, item, offices["origin"], recipient_name="Cửa hàng Hoa Mai")

    assert (record.kind, record.cod_collected) == ("sender", 0)
    assert Item.objects.get(pk=item.pk).status == "returned"
    assert not CodCollection.objects.filter(item=item).exists()


def test_what_the_counter_refuses(make_item, make_user, clerk, supervisor, postman, offices):
    from postops.delivery.tests.test_services import assign, fail

    # Back from a failed attempt but its round not handed over yet: the postman has it.
    on_round = make_item()
    assign(supervisor, postman, offices["delivery"], on_round, now=local(0, 7, 30))
    fail(postman, on_round, 9, local(0, 10))
    with pytest.raises(ValidationError) as excinfo:
        hand_over(clerk, on_round, offices["delivery"])
    assert excinfo.value.code == "on_round"
    # Still on its way: not at this office.
    accepted = make_item(office=offices["other"])
    with pytest.raises(ValidationError) as excinfo:
        hand_over(clerk, accepted, offices["delivery"], n=2)
    assert excinfo.value.code == "invalid_transition"
    # A dossier result: the dossier pages hand it over (proxy rules).
    dossier = make_item(prefix="HS")
    with pytest.raises(ValidationError):
        hand_over(clerk, dossier, offices["delivery"], n=3)
    # A clerk of another office.
    outsider = make_user("clerk", username="gdv-locbinh", offices=[offices["other"]])
    with pytest.raises(PermissionDenied):
        hand_over(outsider, make_item(), offices["delivery"], n=4)
    assert not CounterDelivery.objects.exists()


def test_the_counter_page_hands_a_held_item_over(client, make_item, clerk, offices):
    item = make_item()
    client.force_login(clerk)
    page = client.get("/returns/", {"number": item.number})
    assert page.status_code == 200
    assert 'id="counter-form"' in page.text
    assert "Phát tại quầy" in page.text
    event_id = page.context["counter_form"].initial["event_id"]

    bad = client.post(
        f"/returns/{item.number}/counter/",
        {"event_id": event_id, "recipient_name": "", "relation": "self"},
    )
    assert bad.status_code == 422
    assert "Trường này là bắt buộc." in bad.text  # on the name field
    assert not CounterDelivery.objects.exists()

    done = client.post(
        f"/returns/{item.number}/counter/",
        {"event_id": event_id, "recipient_name": "Trần Thị Bình", "relation": "family"},
        follow=True,
    )
    assert f"Đã phát {item.number} tại quầy cho người nhận." in done.text
    assert Item.objects.get(pk=item.pk).status == "delivered"
    assert 'id="counter-form"' not in done.text
