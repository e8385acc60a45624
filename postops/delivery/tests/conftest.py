"""Fixtures for delivery: an office tree, items that arrived at the delivery office, staff."""

import struct
import uuid
import zlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from postops.items.models import CodeList, CodeListEntry, NumberBlock, ServiceIndicator

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
# Monday 2 November 2026, 08:00 in Hà Nội: no public holiday that week.
MONDAY = datetime(2026, 11, 2, 8, 0, tzinfo=HCM)


def local(day_offset: int, hour: int = 8, minute: int = 0) -> datetime:
    """A moment ``day_offset`` calendar days after Monday 2 November 2026, local time."""
    base = MONDAY + timedelta(days=day_offset)
    return base.replace(hour=hour, minute=minute)


def png_bytes(width: int = 4, height: int = 2) -> bytes:
    """A small valid PNG (what the signature canvas sends)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\xff\xff\xff\xff" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def eid(n: int) -> uuid.UUID:
    return uuid.UUID(int=n)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def make_office(db):
    from postops.network.models import Commune, Office, Province

    province, _ = Province.objects.get_or_create(
        code="20",
        defaults={
            "name": "Lạng Sơn",
            "division_type": "tỉnh",
            "codename": "lang_son",
            "search_name": "lang son",
        },
    )
    commune = Commune.objects.filter(province=province).order_by("code").first()
    if commune is None:
        commune = Commune.objects.create(
            code="06040",
            name="Phường Đông Kinh",
            division_type="phường",
            codename="dong_kinh",
            province=province,
            search_name="dong kinh",
        )

    def _make(code, name=None, kind=Office.Kind.POST_OFFICE, parent=None):
        office = Office.objects.create(
            code=code,
            name=name or f"Bưu cục {code}",
            kind=kind,
            parent=parent,
            commune=commune,
            postal_code="24000",
        )
        office.path = f"{parent.path if parent else '/'}{office.pk}/"
        Office.objects.filter(pk=office.pk).update(path=office.path)
        return office

    return _make


@pytest.fixture
def offices(make_office):
    from postops.network.models import Office

    root = make_office("200000", "Bưu điện tỉnh Lạng Sơn", kind=Office.Kind.PROVINCIAL)
    origin = make_office("240000", "Bưu cục Lạng Sơn", parent=root)
    delivery = make_office("241000", "Bưu cục Cao Lộc", parent=root)
    other = make_office("242000", "Bưu cục Lộc Bình", parent=root)
    return {"root": root, "origin": origin, "delivery": delivery, "other": other}


@pytest.fixture
def codes(db):
    rows = [
        (CodeList.REASON, "R01", "Địa chỉ không có hoặc không đúng"),
        (CodeList.REASON, "R04", "Người nhận từ chối nhận"),
        (CodeList.REASON, "R05", "Người nhận vắng mặt, đã để giấy mời"),
        (CodeList.ACTION, "A01", "Phát lại lần sau"),
        (CodeList.ACTION, "A02", "Lưu giữ tại bưu cục"),
        (CodeList.ACTION, "A03", "Chuyển hoàn cho người gửi"),
    ]
    CodeListEntry.objects.bulk_create(
        CodeListEntry(list=lst, code=code, label=label) for lst, code, label in rows
    )


@pytest.fixture
def supervisor(make_user, offices):
    return make_user("supervisor", offices=[offices["delivery"]], full_name="Lê Văn Giám")


@pytest.fixture
def postman(make_user, offices):
    return make_user("postman", offices=[offices["delivery"]], full_name="Phạm Văn Bưu")


@pytest.fixture
def make_item(offices, codes, db):
    """An item accepted at the origin office and arrived at the delivery office (EMG)."""
    from postops.items.services import event_record, item_accept

    for prefix, service in (("EB", "ems"), ("RR", "registered"), ("HS", "dossier")):
        indicator = ServiceIndicator.objects.create(prefix=prefix, service=service)
        NumberBlock.objects.create(
            office=offices["origin"],
            indicator=indicator,
            first_serial=1000,
            last_serial=1999,
            next_serial=1000,
        )

    def _make(prefix="EB", cod_amount=0, commune="06040", arrived=None, office=None, weight_g=800):
        accepted = (arrived or local(-3)) - timedelta(days=1)
        item = item_accept(
            actor=None,
            office=offices["origin"],
            prefix=prefix,
            sender_name="Cửa hàng Hoa Mai",
            receiver_name="Trần Thị Bình",
            receiver_phone="0987654321",
            receiver_address={"commune_code": commune, "street": "12 Lê Lợi"},
            weight_g=weight_g,
            cod_amount=cod_amount,
            accepted_at=accepted,
            destination_office=office or offices["delivery"],
        ).item
        event_record(
            actor=None,
            item=item,
            code="delivery_office_arrival",
            office=office or offices["delivery"],
            occurred_at=arrived or local(-3),
        )
        item.refresh_from_db()
        return item

    return _make
