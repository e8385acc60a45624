"""Demo pickup requests: a few in each status at the demo postman's office (idempotent)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from postops.accounts.models import User
from postops.core import calendar
from postops.dossiers.models import Procedure
from postops.network.models import Office

from . import selectors, services
from .models import PickupRequest

# (name, phone, street, window, final status). Invented people.
_REQUESTS = [
    ("Hoàng Văn Tùng", "0912 400 101", "Thôn Khòn Pổng", "morning", "requested"),
    ("Nông Thị Hạnh", "0983 400 202", "Số 8 Bà Triệu", "afternoon", "requested"),
    ("Lộc Văn Bình", "0978 400 303", "Số 21 Tam Thanh", "morning", "assigned"),
    ("Vi Thị Thoa", "0912 400 404", "Thôn Nà Chuông", "afternoon", "assigned"),
    ("Triệu Thị Nga", "0983 400 505", "Số 3 Lê Lợi", "morning", "collected"),
    ("Dương Văn Khánh", "0978 400 606", "Thôn Pò Đứa", "morning", "failed"),
    ("Mã Thị Huệ", "0912 400 707", "Số 40 Trần Đăng Ninh", "afternoon", "cancelled"),
]


def _last_working_day(day):
    while not calendar.is_working_day(day):
        day -= timedelta(days=1)
    return day


def seed_pickups(provincial: Office) -> list[str]:
    """Seed the pickup demo under ``provincial``: requests for today (or the last working
    day) at demo-postman's office, one per line of ``_REQUESTS``; returns their codes."""
    clerk = User.objects.filter(username="demo-clerk").first()
    supervisor = User.objects.filter(username="demo-supervisor").first()
    postman = User.objects.filter(username="demo-postman").first()
    procedure = Procedure.objects.filter(code="DM.LLTP").first()
    office = (
        postman.offices.filter(kind=Office.Kind.POST_OFFICE, path__startswith=provincial.path)
        .order_by("code")
        .first()
        if postman
        else None
    )
    if None in (clerk, supervisor, postman, procedure, office):
        return []
    day = _last_working_day(timezone.localdate())
    # Recorded early that morning, so both windows of ``day`` are still ahead.
    now = timezone.make_aware(datetime.combine(day, time(7, 0)))
    public = selectors.pickup_office_for_commune(office.commune_id) == office
    codes = []
    for n, (name, phone, street, window, status) in enumerate(_REQUESTS):
        result = services.pickup_request_create(
            None if public and n % 2 == 0 else clerk,
            name=name,
            phone=phone,
            commune_code=office.commune_id,
            street=street,
            procedure=procedure,
            preferred_date=day,
            time_window=window,
            office=office,
            idempotency_key=f"demo-pickup-{provincial.code}-{n}",
            now=now,
        )
        pickup = result.pickup
        codes.append(pickup.code)
        if not result.created or status == "requested":
            continue
        if status == "cancelled":
            services.pickup_cancel(supervisor, pickup, reason="Người dân đã tự nộp tại quầy")
            continue
        pickup = services.pickup_assign(supervisor, pickup, postman)
        if status == "failed":
            services.pickup_fail(postman, pickup, reason="Thiếu bản chính tờ khai; hẹn lại")
        elif status == "collected":
            _collect(postman, pickup, procedure, n)
    return codes


def _collect(postman, pickup: PickupRequest, procedure: Procedure, n: int) -> None:
    documents = {
        d.pk: "original" if d.kind == "original" else "copy" for d in procedure.documents.all()
    }
    address = {"commune_code": pickup.address_commune_code, "street": pickup.address_street}
    services.pickup_collect(
        postman,
        pickup,
        procedure=procedure,
        service_form="both",
        applicant={
            "name": pickup.name,
            "id_number": "020188005555",  # invented, valid form (Lạng Sơn, male, 1988)
            "phone": pickup.phone,
            "address": address,
        },
        documents=documents,
        delivery_address=address,
        seal_number=f"NP-TG-{n + 1:03d}",
        weight_g=250,
        manual_postal_fees=(25000, 25000),  # used only if the tariff has no dossier rates
    )
