"""Routing by commune (the delivery office of an item) and the redirection event."""

from datetime import UTC, datetime, timedelta

import pytest

from postops.items import returns, worklists
from postops.items.bags import bag_close, bag_receive
from postops.items.models import CodeList, CodeListEntry, Item, TrackingEvent
from postops.items.routing import delivery_office_for_commune
from postops.items.rules import delivery_office_pick
from postops.items.services import event_record, item_accept
from postops.network.models import Commune, Office

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def clerk(make_user, offices):
    return make_user("clerk", offices=[offices["root"]])


@pytest.fixture
def other_commune(offices):
    """A second commune served by its own commune post office (and a BĐVHX, which does not
    deliver), and a third commune with no office at all."""
    home = offices["origin"].commune_id
    served, empty = Commune.objects.exclude(code=home).order_by("code")[:2]
    for code, kind in (("242000", Office.Kind.COMMUNE_POST), ("242010", Office.Kind.BDVHX)):
        office = Office.objects.create(
            code=code,
            name=f"Bưu điện {code}",
            kind=kind,
            parent=offices["root"],
            commune=served,
            postal_code="24200",
        )
        Office.objects.filter(pk=office.pk).update(path=f"{offices['root'].path}{office.pk}/")
    return {"served": served.code, "empty": empty.code}


def _accept(accept_kwargs, **overrides):
    kwargs = {**accept_kwargs, **overrides}
    return item_accept(actor=None, accepted_at=T0, **kwargs).item


@pytest.mark.parametrize(
    ("candidates", "expected"),
    [
        ([], None),
        ([(1, "bdvhx", "100010"), (2, "payout_point", "100020")], None),
        ([(1, "commune_post", "100001"), (2, "post_office", "100500")], 2),
        ([(3, "post_office", "100900"), (2, "post_office", "100500")], 2),
        ([(1, "commune_post", "100001"), (4, "provincial", "100000")], 1),
    ],
)
def test_delivery_office_pick_prefers_post_office_then_lowest_code(candidates, expected):
    assert delivery_office_pick(candidates) == expected


def test_routing_by_commune(offices, other_commune):
    # The offices fixture puts every office in one commune: the post offices 240000 and
    # 241000 both deliver there; the lower code wins.
    assert delivery_office_for_commune(offices["origin"].commune_id) == offices["origin"]
    assert delivery_office_for_commune(other_commune["served"]).code == "242000"
    assert delivery_office_for_commune(other_commune["empty"]) is None
    assert delivery_office_for_commune("") is None
    Office.objects.filter(code="242000").update(is_active=False)
    assert delivery_office_for_commune(other_commune["served"]) is None


def test_acceptance_routes_by_the_receivers_commune(blocks, accept_kwargs, other_commune):
    kwargs = {**accept_kwargs, "destination_office": None}
    served = _accept(
        kwargs, receiver_address={"commune_code": other_commune["served"], "street": "1 A"}
    )
    assert served.destination_office.code == "242000"
    unrouted = _accept(
        kwargs, receiver_address={"commune_code": other_commune["empty"], "street": "2 B"}
    )
    assert unrouted.destination_office is None
    # An office the caller names wins over routing.
    named = _accept(accept_kwargs)
    assert named.destination_office.code == "241000"


def test_unrouted_items_go_to_the_supervisors_list(
    blocks, accept_kwargs, other_commune, make_user, offices, verified_client
):
    kwargs = {**accept_kwargs, "destination_office": None}
    unrouted = _accept(
        kwargs, receiver_address={"commune_code": other_commune["empty"], "street": "2 B"}
    )
    _accept(kwargs, receiver_address={"commune_code": other_commune["served"], "street": "1 A"})
    supervisor = make_user("supervisor", offices=[offices["origin"]])
    page = worklists.unrouted_items(supervisor)
    assert [i.number for i in page.rows] == [unrouted.number]
    elsewhere = make_user("supervisor", offices=[offices["delivery"]])
    assert worklists.unrouted_items(elsewhere).rows == []
    response = verified_client(supervisor).get("/worklists/unrouted/")
    assert response.status_code == 200
    assert unrouted.number in response.content.decode()


def test_bag_arrival_uses_routing_for_an_item_without_delivery_office(
    blocks, accept_kwargs, offices, other_commune, make_user
):
    item = _accept(accept_kwargs, destination_office=None)  # routed to 240000 (origin)
    Item.objects.filter(pk=item.pk).update(destination_office=None)  # accepted before routing
    root_clerk = make_user("clerk", offices=[offices["root"]])
    event_record(
        actor=None,
        item=item,
        code="sorting_in",
        office=offices["delivery"],
        occurred_at=T0 + timedelta(hours=1),
    )
    bag = bag_close(
        actor=root_clerk,
        origin_office=offices["delivery"],
        destination_office=offices["origin"],
        numbers=[item.number],
    ).bag
    bag_receive(actor=root_clerk, code=bag.code, office=offices["origin"])
    last = TrackingEvent.objects.filter(item=item).order_by("-occurred_at").first()
    assert last.code == "delivery_office_arrival"  # EMG: it is at its delivery office


def test_redirection_is_a_tracking_event_without_the_new_address(
    blocks, accept_kwargs, clerk, offices, other_commune, client
):
    CodeListEntry.objects.create(list=CodeList.ACTION, code="A05", label="Chuyển tiếp")
    item = _accept(accept_kwargs)
    changed = returns.item_redirect(
        actor=clerk,
        item=item,
        office=offices["origin"],
        receiver_name="Lê Văn Cường",
        receiver_address={"commune_code": other_commune["served"], "street": "5 Trần Phú"},
        note="Người gửi gọi điện",
    )
    # New commune, no office named: routed again.
    assert changed.destination_office.code == "242000"
    assert changed.status == "accepted"  # the status stays
    assert changed.last_event_code == "redirected"
    event = TrackingEvent.objects.get(item=item, code="redirected")
    assert (event.office, event.action_code, event.upu_code) == (offices["origin"], "A05", "EMH")
    body = client.get(f"/api/v1/track/{item.number}").json()
    assert body["events"][0]["code"] == "redirected"
    assert body["events"][0]["text"] == "Thay đổi người nhận/địa chỉ theo yêu cầu người gửi"
    text = str(body)
    for secret in ("Trần Phú", "Lê Văn Cường", "Cường", other_commune["served"], "gọi điện"):
        assert secret not in text
    assert body["receiver_name"] == "L* V** C****"


def test_redirection_without_the_action_in_the_code_list_has_no_action(
    blocks, accept_kwargs, clerk, offices, settings
):
    settings.POSTOPS_REDIRECT_ACTION_CODE = "A05"  # not loaded here
    item = _accept(accept_kwargs)
    returns.item_redirect(actor=clerk, item=item, office=offices["origin"], receiver_phone="0900")
    assert TrackingEvent.objects.get(item=item, code="redirected").action_code == ""
    settings.POSTOPS_UPU_EVENT_CODES = {"redirected": None}
    assert TrackingEvent.objects.get(item=item, code="redirected").upu_code is None
