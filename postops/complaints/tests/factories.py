"""Small builders for complaints and reports tests: items and dossiers written directly."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from postops.core import s10
from postops.dossiers.models import Dossier, DossierEvent
from postops.dossiers.tests import helpers
from postops.items.models import Item, ItemState

VN = ZoneInfo("Asia/Ho_Chi_Minh")
_serial = {"n": 100}


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=VN)


def item(
    office,
    *,
    service="ems",
    fee=32_000,
    weight_g=500,
    accepted_on=date(2026, 1, 5),
    accepted_hour=9,
    promised=None,
    status="accepted",
    delivered_on=None,
    prefix="EB",
) -> Item:
    _serial["n"] += 1
    number = s10.build(prefix, _serial["n"])
    item = Item.objects.create(
        number=number,
        service=service,
        sender_name="Công ty Hoa Mai",
        receiver_name="Trần Thị Bình",
        weight_g=weight_g,
        fee=fee,
        origin_office=office,
        accepted_at=at(accepted_on, accepted_hour),
        promised_date=promised,
    )
    item.state = ItemState.objects.create(
        item=item,
        status=status,
        last_event_at=at(delivered_on, 15) if delivered_on else None,
    )
    return item


def dossier(
    office,
    agency,
    procedure,
    *,
    code: str,
    form="both",
    received_on=date(2026, 1, 5),
    send_fee=25_000,
    return_fee=25_000,
    agency_fee=200_000,
    post_send_due=None,
    filed_on=None,
    filed_hour=10,
    post_return_due=None,
    delivered_on=None,
    agency_due=None,
    result_ready_on=None,
) -> Dossier:
    return Dossier.objects.create(
        code=code,
        procedure=procedure,
        agency=agency,
        service_form=form,
        channel="counter",
        status="received",
        office=office,
        received_at=at(received_on, 8),
        applicant_name="Lê Văn Cường",
        applicant_id_number="020090001234",
        postal_fee_send=send_fee,
        postal_fee_return=return_fee,
        agency_fee=agency_fee,
        post_send_due=post_send_due,
        filed_at=at(filed_on, filed_hour) if filed_on else None,
        post_return_due=post_return_due,
        delivered_at=at(delivered_on, 14) if delivered_on else None,
        agency_due=agency_due,
        result_ready_on=result_ready_on,
    )


def delivered_event(dossier_obj: Dossier, on: date) -> DossierEvent:
    return DossierEvent.objects.create(
        dossier=dossier_obj,
        status="delivered",
        previous_status="result_collected",
        occurred_at=at(on, 14),
    )


def world() -> dict:
    tree = helpers.office_tree()
    agency = helpers.agency()
    proc = helpers.procedure(agency)
    return {**tree, "agency": agency, "procedure": proc}
