"""Run sheets follow routing by commune (issue #3, items 7 and 9): an office's round offers
only the items it delivers; items another office delivers wait to be forwarded in a bag;
items with no delivery office are shown apart."""

from datetime import timedelta

import pytest

from postops.core.models import AuditEntry
from postops.delivery import selectors, services
from postops.delivery.models import RunSheet
from postops.items import bag_selectors, bags
from postops.items.models import Item
from postops.items.returns import item_return_to_sender
from postops.items.services import event_record, item_accept

from .conftest import local

DELIVERY_OFFICE = "241000"


def _item(offices, *, destination, at, arrived=None, code="delivery_office_arrival", n=0):
    """An EMS item accepted at the origin office for ``destination`` (an office or None),
    then scanned in at ``at`` (``code``)."""
    arrived = arrived or local(-3, 8, n)
    item = item_accept(
        actor=None,
        office=offices["origin"],
        prefix="EB",
        sender_name="Cửa hàng Hoa Mai",
        receiver_name="Trần Thị Bình",
        receiver_address={"commune_code": "06040", "street": "12 Lê Lợi"},
        weight_g=800,
        accepted_at=arrived - timedelta(days=1),
        destination_office=destination,
    ).item
    if destination is None:
        # Routing found no delivery office (a commune with none, or a legacy address).
        Item.objects.filter(pk=item.pk).update(destination_office=None)
    if at is not None:
        event_record(actor=None, item=item, code=code, office=at, occurred_at=arrived)
    item.refresh_from_db()
    return item


def _numbers(items):
    return [i.number for i in items]


@pytest.fixture
def mixed(offices, make_item):
    """At the delivery office: one item it delivers, one Lộc Bình delivers (arrived there
    by mistake), one with no delivery office; and one that Lộc Bình delivers still at the
    origin office."""
    here = make_item(arrived=local(-3, 8))
    elsewhere = _item(
        offices, destination=offices["other"], at=offices["delivery"], arrived=local(-3, 9)
    )
    unrouted = _item(offices, destination=None, at=offices["delivery"], arrived=local(-3, 10))
    at_origin = _item(offices, destination=offices["other"], at=None)
    return {"here": here, "elsewhere": elsewhere, "unrouted": unrouted, "at_origin": at_origin}


# --- Selectors ----------------------------------------------------------------------------------


def test_the_round_offers_only_the_items_this_office_delivers(offices, mixed):
    delivery = offices["delivery"]
    assert _numbers(selectors.items_waiting_at_office(delivery)) == [mixed["here"].number]
    assert _numbers(selectors.items_unrouted_at_office(delivery)) == [mixed["unrouted"].number]
    groups = bag_selectors.items_to_forward(delivery)
    assert [(g.destination.code, g.total, _numbers(g.items)) for g in groups] == [
        ("242000", 1, [mixed["elsewhere"].number])
    ]
    # The office that delivers it offers nothing: the item is not there yet.
    assert selectors.items_waiting_at_office(offices["other"]) == []


def test_an_item_being_returned_goes_back_to_the_accepting_office(offices, make_item, supervisor):
    item = make_item()
    item_return_to_sender(
        actor=supervisor, item=item, office=offices["delivery"], fee=20_000, occurred_at=local(0)
    )
    item.refresh_from_db()
    # The return leaves the delivery office as it was; the way back is to the origin.
    assert (item.status, item.destination_office, item.last_office) == (
        "returning",
        offices["delivery"],
        offices["delivery"],
    )
    assert selectors.items_waiting_at_office(offices["delivery"]) == []
    groups = bag_selectors.items_to_forward(offices["delivery"])
    assert [(g.destination.code, _numbers(g.items)) for g in groups] == [("240000", [item.number])]
    # Back at the accepting office it is handed to the sender there: neither forwarded
    # again nor put on a postman's round (which would ask the sender for the COD).
    event_record(
        actor=None, item=item, code="sorting_in", office=offices["origin"], occurred_at=local(1)
    )
    assert bag_selectors.items_to_forward(offices["origin"]) == []
    assert selectors.items_waiting_at_office(offices["origin"]) == []
    assert _numbers(selectors.items_back_for_sender(offices["origin"])) == [item.number]
    assert selectors.items_back_for_sender(offices["delivery"]) == []


def test_a_held_item_waiting_for_its_return_stays_on_the_delivery_offices_list(offices, make_item):
    item = make_item()
    event_record(
        actor=None, item=item, code="held", office=offices["delivery"], occurred_at=local(0)
    )
    assert _numbers(selectors.items_waiting_at_office(offices["delivery"])) == [item.number]
    assert bag_selectors.items_to_forward(offices["delivery"]) == []


def test_the_forward_list_groups_by_destination_and_keeps_out_what_left(
    offices, make_office, make_item
):
    delivery = offices["delivery"]
    far = make_office("243000", "Bưu cục Đình Lập", parent=offices["root"])
    to_other = [
        _item(offices, destination=offices["other"], at=delivery, arrived=local(-3, 9, n), n=n)
        for n in range(3)
    ]
    to_far = _item(offices, destination=far, at=delivery, code="sorting_in", arrived=local(-4))
    # Already on its way: in a closed bag (EDE), or departed with a transport scan.
    bagged = _item(offices, destination=far, at=delivery, arrived=local(-3, 7))
    bags.bag_close(
        actor=None,
        origin_office=delivery,
        destination_office=far,
        numbers=[bagged.number],
        closed_at=local(-2),
    )
    departed = _item(offices, destination=far, at=delivery, arrived=local(-3, 6))
    event_record(
        actor=None, item=departed, code="transit_departure", office=delivery, occurred_at=local(-2)
    )
    # Delivered items and items out with a postman are not waiting anywhere.
    make_item()  # delivered here: not to forward
    groups = bag_selectors.items_to_forward(delivery)
    assert [(g.destination.code, g.total, _numbers(g.items), g.more) for g in groups] == [
        ("242000", 3, _numbers(to_other), 0),
        ("243000", 1, [to_far.number], 0),
    ]
    # A limit keeps the oldest; each group still counts all of its items.
    limited = bag_selectors.items_to_forward(delivery, limit=2)
    assert [(g.destination.code, g.total, _numbers(g.items), g.more) for g in limited] == [
        ("242000", 3, _numbers(to_other[:1]), 2),
        ("243000", 1, [to_far.number], 0),
    ]


def test_an_item_on_an_open_round_is_not_to_forward(offices, make_item, supervisor, postman):
    item = make_item()
    services.run_sheet_assign(
        actor=supervisor,
        office=offices["delivery"],
        postman=postman,
        numbers=[item.number],
        now=local(0, 7),
    )
    # Redirected while the postman has it: it is with the postman until the handover.
    Item.objects.filter(pk=item.pk).update(destination_office=offices["other"])
    assert bag_selectors.items_to_forward(offices["delivery"]) == []


# --- Assignment -----------------------------------------------------------------------------------


def test_assignment_refuses_an_item_another_office_delivers(offices, mixed, supervisor, postman):
    result = services.run_sheet_assign(
        actor=supervisor,
        office=offices["delivery"],
        postman=postman,
        numbers=_numbers([mixed["here"], mixed["elsewhere"], mixed["unrouted"]]),
        now=local(0, 7, 30),
    )
    # An unrouted item is accepted: the supervisor typed it after checking the address.
    assert result.added == _numbers([mixed["here"], mixed["unrouted"]])
    assert result.refused == {
        mixed["elsewhere"].number: (
            "Bưu gửi do bưu cục 242000 Bưu cục Lộc Bình phát: chuyển tiếp bằng túi đến bưu "
            "cục đó, không giao phát tại đây."
        )
    }
    assert Item.objects.get(pk=mixed["elsewhere"].pk).status == "at_delivery_office"
    entry = AuditEntry.objects.get(action="delivery.run_sheet_assign")
    assert entry.after["items"] == _numbers([mixed["here"], mixed["unrouted"]])


def test_only_refusals_assign_nothing_and_audit_nothing(offices, mixed, supervisor, postman):
    result = services.run_sheet_assign(
        actor=supervisor,
        office=offices["delivery"],
        postman=postman,
        numbers=[mixed["elsewhere"].number],
        now=local(0, 7, 30),
    )
    assert result.added == []
    assert list(result.refused) == [mixed["elsewhere"].number]
    assert not AuditEntry.objects.filter(action="delivery.run_sheet_assign").exists()
    assert not RunSheet.objects.get().entries.exists()


def test_a_route_takes_its_routed_and_unrouted_items_not_the_others(
    offices, mixed, supervisor, postman
):
    route = services.route_save(
        actor=supervisor,
        office=offices["delivery"],
        code="T1",
        name="Tuyến Đông Kinh",
        commune_codes=["06040"],
        default_postman=postman,
    )
    assert services.items_for_route(route) == sorted(_numbers([mixed["here"], mixed["unrouted"]]))
    result = services.run_sheet_assign_route(actor=supervisor, route=route, now=local(0, 7))
    assert result.refused == {}


# --- The supervisor's page ---------------------------------------------------------------------


def test_the_page_shows_the_forward_list_and_the_unrouted_items(
    verified_client, offices, mixed, supervisor, postman
):
    client = verified_client(supervisor)
    page = client.get("/delivery/office/")
    assert page.status_code == 200
    html = page.content.decode()
    assert page.context["form"].fields["numbers"].choices == [
        (mixed["here"].number, mixed["here"].number)
    ]
    assert [r["item"].number for r in page.context["unrouted"]] == [mixed["unrouted"].number]
    assert "1 bưu gửi chưa xác định bưu cục phát" in html
    assert "/worklists/unrouted/" in html
    forward = page.context["forward"]
    assert [(f["group"].destination.code, [i.number for i, _s in f["rows"]]) for f in forward] == [
        ("242000", [mixed["elsewhere"].number])
    ]
    delivery, other = offices["delivery"], offices["other"]
    bag_url = f"/items/bags/new/?origin={delivery.pk}&amp;destination={other.pk}"
    assert bag_url in html
    assert "Chờ chuyển tiếp" in html and "Đóng túi đi 242000" in html
    # Assigning by hand is refused with the office's name.
    response = client.post(
        f"/delivery/office/{delivery.pk}/assign/",
        {"postman": postman.pk, "scanned": mixed["elsewhere"].number},
        follow=True,
    )
    assert (
        f"{mixed['elsewhere'].number}: Bưu gửi do bưu cục 242000 Bưu cục Lộc Bình phát"
        in response.content.decode()
    )


def test_the_page_reads_in_a_fixed_number_of_queries(
    verified_client, offices, make_office, make_item, supervisor, django_assert_num_queries
):
    client = verified_client(supervisor)
    delivery = offices["delivery"]
    make_item()
    _item(offices, destination=offices["other"], at=delivery)
    _item(offices, destination=None, at=delivery)
    client.get("/delivery/office/")  # warm the session and the caches
    # 22 for the page whatever it lists, plus the audit of the receivers read
    # (``audit_read_many``: the actor's office and one insert): the forwarded items add none.
    with django_assert_num_queries(22 + 2):
        assert client.get("/delivery/office/").status_code == 200
    # Many more items, to three destinations: the same number of queries.
    far = make_office("243000", "Bưu cục Đình Lập", parent=offices["root"])
    near = make_office("244000", "Bưu cục Văn Quan", parent=offices["root"])
    for n in range(1, 4):
        make_item(arrived=local(-3, 9, n))
        for destination in (offices["other"], far, near):
            _item(offices, destination=destination, at=delivery, arrived=local(-3, 10, n))
        _item(offices, destination=None, at=delivery, arrived=local(-3, 11, n))
    with django_assert_num_queries(22 + 2):
        page = client.get("/delivery/office/")
    assert [len(f["rows"]) for f in page.context["forward"]] == [4, 3, 3]
    assert len(page.context["rows"]) == 4 and len(page.context["unrouted"]) == 4


# --- The bag form, filled from the list -------------------------------------------------------


def test_the_bag_link_fills_the_form_with_the_items_for_that_destination(
    verified_client, offices, mixed, supervisor, make_user
):
    delivery, other = offices["delivery"], offices["other"]
    client = verified_client(supervisor)
    page = client.get(f"/items/bags/new/?origin={delivery.pk}&destination={other.pk}")
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["destination_office"] == other.pk
    assert form.initial["origin_office"] == delivery.pk
    assert form.initial["numbers"] == f"{mixed['elsewhere'].number}\n"
    # The bag closes as filled.
    data = {
        "idempotency_key": form.initial["idempotency_key"],
        "origin_office": delivery.pk,
        "destination_office": other.pk,
        "numbers": form.initial["numbers"],
    }
    assert client.post("/items/bags/new/", data).status_code == 302
    assert bag_selectors.items_to_forward(delivery) == []


def test_the_bag_form_fills_only_the_destination_for_an_office_not_the_users(
    verified_client, offices, mixed, make_user
):
    clerk = make_user("clerk", offices=[offices["origin"]])
    client = verified_client(clerk)
    delivery, other = offices["delivery"], offices["other"]
    form = client.get(f"/items/bags/new/?origin={delivery.pk}&destination={other.pk}").context[
        "form"
    ]
    assert form.initial["destination_office"] == other.pk
    assert "numbers" not in form.initial and "origin_office" not in form.initial
    bad = client.get("/items/bags/new/?origin=x&destination=999999").context["form"]
    assert "destination_office" not in bad.initial


def test_the_accepting_office_sees_its_returns_back_for_the_sender(
    verified_client, offices, make_item, make_user, supervisor
):
    item = make_item()
    item_return_to_sender(
        actor=supervisor, item=item, office=offices["delivery"], fee=20_000, occurred_at=local(0)
    )
    event_record(
        actor=None, item=item, code="sorting_in", office=offices["origin"], occurred_at=local(1)
    )
    client = verified_client(make_user("supervisor", offices=[offices["origin"]]))
    page = client.get("/delivery/office/")
    assert [i.number for i in page.context["back_for_sender"]] == [item.number]
    assert page.context["rows"] == [] and page.context["forward"] == []
    assert "1 bưu gửi chuyển hoàn đã về" in page.content.decode()
