"""Fixtures for the items app: a small office tree, configured prefixes, code lists."""

from datetime import date

import pytest

from postops.items.models import (
    CodeList,
    CodeListEntry,
    DeliveryStandard,
    NumberBlock,
    ServiceIndicator,
    TariffRate,
    TariffStep,
    TariffVersion,
)


@pytest.fixture
def make_office(db):
    """Create an office (path set as the network services would): ``make_office("240000")``."""
    from postops.network.models import Commune, Office, Province

    commune = Commune.objects.order_by("code").first()
    if commune is None:  # transactional tests flush the units the migration loaded
        province, _ = Province.objects.get_or_create(
            code="20",
            defaults={
                "name": "Lạng Sơn",
                "division_type": "tỉnh",
                "codename": "lang_son",
                "search_name": "lang son",
            },
        )
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
    """Province root → two post offices (origin 240000, delivery 241000) → a BĐVHX."""
    from postops.network.models import Office

    root = make_office("200000", "Bưu điện tỉnh Lạng Sơn", kind=Office.Kind.PROVINCIAL)
    origin = make_office("240000", "Bưu cục Lạng Sơn", parent=root)
    delivery = make_office("241000", "Bưu cục Cao Lộc", parent=root)
    bdvhx = make_office("241010", "Điểm BĐVHX Tân Liên", kind=Office.Kind.BDVHX, parent=delivery)
    return {"root": root, "origin": origin, "delivery": delivery, "bdvhx": bdvhx}


@pytest.fixture
def indicators(db):
    return {
        "EB": ServiceIndicator.objects.create(prefix="EB", service="ems", name="EMS trong nước"),
        "RR": ServiceIndicator.objects.create(prefix="RR", service="registered", name="Bảo đảm"),
        "CP": ServiceIndicator.objects.create(prefix="CP", service="parcel", name="Bưu kiện"),
    }


@pytest.fixture
def blocks(offices, indicators):
    """EB 12596688–12596787 and RR 0–999 at the origin office."""
    return {
        "EB": NumberBlock.objects.create(
            office=offices["origin"],
            indicator=indicators["EB"],
            first_serial=12596688,
            last_serial=12596787,
            next_serial=12596688,
        ),
        "RR": NumberBlock.objects.create(
            office=offices["origin"],
            indicator=indicators["RR"],
            first_serial=0,
            last_serial=999,
            next_serial=0,
        ),
    }


@pytest.fixture
def codes(db):
    rows = [
        (CodeList.REASON, "R01", "Không có người nhận"),
        (CodeList.REASON, "R02", "Người nhận từ chối"),
        (CodeList.ACTION, "A01", "Phát lại lần sau"),
        (CodeList.ACTION, "A02", "Lưu giữ tại bưu cục"),
    ]
    CodeListEntry.objects.bulk_create(
        CodeListEntry(list=lst, code=code, label=label) for lst, code, label in rows
    )
    CodeListEntry.objects.filter(code="R01").update(label_en="Receiver absent")
    CodeListEntry.objects.create(list=CodeList.REASON, code="R99", label="Cũ", is_active=False)


RECEIVER = {"commune_code": "00004", "street": "12 Lê Lợi", "raw": "12 Lê Lợi, P. Đông Kinh"}


@pytest.fixture
def accept_kwargs(offices):
    return {
        "office": offices["origin"],
        "sender_name": "Công ty TNHH Hoa Mai",
        "sender_phone": "0912345678",
        "receiver_name": "Trần Thị Bình",
        "receiver_phone": "0987654321",
        "receiver_address": dict(RECEIVER),
        "weight_g": 1250,
        "prefix": "EB",
        "cod_amount": 350000,
        "fee": 42000,
        "destination_office": offices["delivery"],
    }


@pytest.fixture
def tariff(db):
    version = TariffVersion.objects.create(
        name="Bảng cước 2026",
        effective_from=date(2026, 1, 1),
        vat_percent=10,
        cod_per_mille=8,
        cod_minimum=15000,
        advice_of_delivery_fee=3000,
    )
    for zone, prices in (
        ("same_commune", (10000, 15000)),
        ("same_province", (12000, 18000)),
        ("other_province", (20000, 30000)),
    ):
        TariffRate.objects.create(
            version=version, service="ems", zone=zone, max_weight_g=500, price=prices[0]
        )
        TariffRate.objects.create(
            version=version, service="ems", zone=zone, max_weight_g=2000, price=prices[1]
        )
    TariffStep.objects.create(
        version=version, service="ems", zone="other_province", step_g=500, price=4000
    )
    return version


@pytest.fixture
def standards(db):
    DeliveryStandard.objects.bulk_create(
        [
            DeliveryStandard(service="", zone="same_commune", working_days=1),
            DeliveryStandard(service="", zone="same_province", working_days=2),
            DeliveryStandard(service="", zone="other_province", working_days=4),
            DeliveryStandard(service="registered", zone="other_province", working_days=5),
        ]
    )
