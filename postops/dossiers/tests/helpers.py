"""Test data for dossiers: a small office tree in Lạng Sơn, agencies, procedures."""

from __future__ import annotations

from postops.dossiers import services
from postops.dossiers.models import Agency, Procedure, ProcedureDocument
from postops.network.models import Commune, Office


def commune(index: int = 0) -> Commune:
    """A real commune of Lạng Sơn (province 20), loaded by the network migrations."""
    return Commune.objects.filter(province_id="20").order_by("code")[index]


def office(code: str, kind: str, parent: Office | None = None, name: str = "", where=None):
    obj = Office.objects.create(
        code=code,
        name=name or f"Bưu cục {code}",
        kind=kind,
        parent=parent,
        commune=where or commune(0),
        postal_code="24000",
    )
    obj.path = f"{parent.path if parent else '/'}{obj.pk}/"
    Office.objects.filter(pk=obj.pk).update(path=obj.path)
    return obj


def office_tree() -> dict[str, Office]:
    """province ─┬─ po_a      (two post offices under one provincial post office)
    └─ po_b"""
    province = office("200000", Office.Kind.PROVINCIAL, name="Bưu điện tỉnh Lạng Sơn")
    po_a = office("241000", Office.Kind.POST_OFFICE, province, name="Bưu cục Đông Kinh")
    po_b = office(
        "242000", Office.Kind.POST_OFFICE, province, name="Bưu cục Lộc Bình", where=commune(5)
    )
    return {"province": province, "po_a": po_a, "po_b": po_b}


def agency(
    code: str = "TTHCC", name: str = "Trung tâm Phục vụ hành chính công tỉnh Lạng Sơn", **extra
) -> Agency:
    extra.setdefault("kind", Agency.Kind.SERVICE_CENTRE)
    extra.setdefault("commune", commune(1))
    extra.setdefault("street", "Số 1 Hùng Vương")
    return services.agency_create(None, code=code, name=name, **extra)


def procedure(
    agency_obj: Agency,
    code: str = "1.001234",
    name: str = "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
    documents=(
        ("Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", "original", 1),
        ("Thẻ căn cước", "copy", 1),
    ),
    **extra,
) -> Procedure:
    from postops.core.text import fold

    extra.setdefault("level", Procedure.Level.PROVINCE)
    extra.setdefault("processing_days", 10)
    extra.setdefault("agency_fee", 200000)
    proc = Procedure.objects.create(
        code=code, name=name, agency=agency_obj, search_name=fold(f"{code} {name}"), **extra
    )
    for i, (doc_name, kind, count) in enumerate(documents, start=1):
        ProcedureDocument.objects.create(
            procedure=proc, position=i, name=doc_name, kind=kind, count=count
        )
    return proc


def dossier_items_setup(offices, prefix: str = "RH", first: int = 1000):
    """The items configuration intake needs: a dossier S10 indicator, a number block per
    office and a tariff version with dossier rates (500 g: 20/25/35 thousand đồng)."""
    from datetime import date

    from postops.items import services as item_services
    from postops.items.models import ServiceIndicator, TariffRate, TariffVersion

    ServiceIndicator.objects.get_or_create(prefix=prefix, defaults={"service": "dossier"})
    for i, office_obj in enumerate(offices):
        item_services.number_block_create(
            actor=None,
            office=office_obj,
            prefix=prefix,
            first_serial=first + i * 1000,
            last_serial=first + i * 1000 + 999,
        )
    version = TariffVersion.objects.create(
        name="Thử", effective_from=date(2025, 1, 1), vat_percent=10
    )
    for zone, price in (
        ("same_commune", 20000),
        ("same_province", 25000),
        ("other_province", 35000),
    ):
        TariffRate.objects.create(
            version=version, service="dossier", zone=zone, max_weight_g=500, price=price
        )
    return version


def applicant(**extra) -> dict:
    data = {
        "name": "Nguyễn Thị Hoa",
        "id_number": "020190012345",  # Lạng Sơn, female, born 1990
        "phone": "0912 345 678",
        "address": {"commune_code": commune(0).code, "street": "Số 5 Lê Lợi"},
    }
    data.update(extra)
    return data
