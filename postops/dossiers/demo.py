"""Demo data for dossiers: agencies of the demo province, a sample procedure catalogue, the
S10 service indicator and number blocks for dossier items, and the demo agency officer.

Demo only (``seed_demo`` refuses to run with DEBUG off). The procedure names are real
national procedures; their codes here are demo codes (``DM.*``), and the fees and processing
times are those commonly published (Phiếu lý lịch tư pháp: 200.000 đ, 10 working days;
birth registration: free, same day; driving licence exchange: 135.000 đ) — check them against
the province's published catalogue before any real use. Idempotent: agencies by code, the
catalogue through the import (unchanged rows are left alone), blocks by office and prefix.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from postops.accounts.models import User
from postops.items import services as item_services
from postops.items.models import NumberBlock, ServiceIndicator, TariffRate, TariffVersion
from postops.network.models import Office

from . import services
from .catalogue import procedures_import
from .models import Agency, AgencyOfficer

# The S10 service indicator of dossier items in the demo (configuration: Vietnam Post's real
# prefix is not public).
DEMO_DOSSIER_PREFIX = "RH"
DEMO_BLOCK_SIZE = 100_000
# Invented dossier tariff for the demo tariff version: (max grams, price) per zone.
_DEMO_DOSSIER_BANDS = {
    "same_commune": [(500, 20000), (2000, 28000)],
    "same_province": [(500, 25000), (2000, 33000)],
    "other_province": [(500, 35000), (2000, 46000)],
}

# (code, name, agency key, level, days, postal, fee, same day, [(document, kind, count)])
SAMPLE_PROCEDURES = [
    (
        "DM.LLTP",
        "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại "
        "Việt Nam",
        "centre",
        "Cấp tỉnh",
        10,
        "có",
        "200.000",
        "không",
        [
            ("Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", "Bản chính", 1),
            ("Thẻ căn cước hoặc hộ chiếu của người được cấp Phiếu", "Bản sao", 1),
        ],
    ),
    (
        "DM.KHAISINH",
        "Đăng ký khai sinh",
        "ubnd",
        "Cấp xã",
        0,
        "có",
        "0",
        "có",
        [
            ("Tờ khai đăng ký khai sinh", "Bản chính", 1),
            ("Giấy chứng sinh", "Bản chính", 1),
        ],
    ),
    (
        "DM.TRICHLUC",
        "Cấp bản sao trích lục hộ tịch",
        "ubnd",
        "Cấp xã",
        0,
        "có",
        "8.000",
        "có",
        [("Tờ khai cấp bản sao trích lục hộ tịch", "Bản chính", 1)],
    ),
    (
        "DM.KETHON",
        "Đăng ký kết hôn",
        "ubnd",
        "Cấp xã",
        0,
        "không",
        "0",
        "có",
        [("Tờ khai đăng ký kết hôn", "Bản chính", 1)],
    ),
    (
        "DM.HKD",
        "Đăng ký thành lập hộ kinh doanh",
        "ubnd",
        "Cấp xã",
        3,
        "có",
        "100.000",
        "không",
        [
            ("Giấy đề nghị đăng ký hộ kinh doanh", "Bản chính", 1),
            ("Thẻ căn cước của chủ hộ kinh doanh", "Bản sao", 1),
        ],
    ),
    (
        "DM.GPLX",
        "Cấp đổi giấy phép lái xe",
        "centre",
        "Cấp tỉnh",
        5,
        "có",
        "135.000",
        "không",
        [
            ("Đơn đề nghị đổi giấy phép lái xe", "Bản chính", 1),
            ("Giấy khám sức khỏe của người lái xe", "Bản chính", 1),
            ("Giấy phép lái xe đang sử dụng", "Bản chính hoặc bản sao", 1),
        ],
    ),
]


@dataclass
class DemoDossiers:
    agencies: int = 0
    procedures_created: int = 0
    blocks_created: int = 0
    dossiers: list[str] = field(default_factory=list)


def _agency(code: str, name: str, kind: str, commune, street: str) -> tuple[Agency, bool]:
    existing = Agency.objects.filter(code=code).first()
    if existing is not None:
        return existing, False
    return (
        services.agency_create(
            None, code=code, name=name, kind=kind, commune=commune, street=street
        ),
        True,
    )


def _catalogue_csv(codes: dict[str, str]) -> io.BytesIO:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        [
            "Mã thủ tục",
            "Tên thủ tục",
            "Mã cơ quan",
            "Cấp thực hiện",
            "Thời hạn giải quyết",
            "Qua bưu chính",
            "Phí, lệ phí",
            "Trả trong ngày",
            "Tên giấy tờ",
            "Loại bản",
            "Số lượng",
        ]
    )
    for code, name, key, level, days, postal, fee, same_day, docs in SAMPLE_PROCEDURES:
        for i, (doc, kind, count) in enumerate(docs):
            head = (
                [code, name, codes[key], level, days, postal, fee, same_day]
                if i == 0
                else [code] + [""] * 7
            )
            writer.writerow([*head, doc, kind, count])
    return io.BytesIO(out.getvalue().encode("utf-8"))


def _demo_dossier_tariff() -> None:
    """Dossier rates in the demo tariff version (only the one labelled ``demo``)."""
    for version in TariffVersion.objects.filter(source="demo"):
        if version.rates.filter(service="dossier").exists():
            continue
        TariffRate.objects.bulk_create(
            [
                TariffRate(version=version, service="dossier", zone=zone, max_weight_g=w, price=p)
                for zone, bands in _DEMO_DOSSIER_BANDS.items()
                for w, p in bands
            ]
        )


def seed_dossiers(provincial: Office) -> DemoDossiers:
    """Seed the dossier demo under the province's office tree (idempotent)."""
    result = DemoDossiers()
    province = provincial.commune.province
    place = province.name
    capital = provincial.commune
    codes = {
        "centre": f"TTHCC.{province.code}",
        "stp": f"STP.{province.code}",
        "ca": f"CA.{province.code}",
        "ubnd": f"UBND.{capital.code}",
    }
    lower_place = place[:1].lower() + place[1:]
    agencies = {}
    for key, name, kind in (
        ("centre", f"Trung tâm Phục vụ hành chính công {lower_place}", "service_centre"),
        ("stp", f"Sở Tư pháp {lower_place}", "department"),
        ("ca", f"Công an {lower_place}", "department"),
        (
            "ubnd",
            f"Ủy ban nhân dân {capital.name[:1].lower()}{capital.name[1:]}",
            "commune_committee",
        ),
    ):
        agencies[key], created = _agency(codes[key], name, kind, capital, "Trung tâm hành chính")
        result.agencies += created

    imported = procedures_import(None, _catalogue_csv(codes), "demo-catalogue.csv")
    if imported.errors:
        raise RuntimeError(f"demo catalogue rejected: {imported.errors}")
    result.procedures_created = imported.created

    officer = User.objects.filter(username="demo-agency").first()
    if officer is not None and not AgencyOfficer.objects.filter(user=officer).exists():
        services.agency_officer_set(None, officer, agencies["centre"])

    item_services.item_config_load(
        data={
            "service_indicators": [
                {
                    "prefix": DEMO_DOSSIER_PREFIX,
                    "service": "dossier",
                    "name": "Hồ sơ, kết quả TTHC (demo)",
                }
            ]
        }
    )
    if ServiceIndicator.objects.filter(prefix=DEMO_DOSSIER_PREFIX, is_active=True).exists():
        base = int(provincial.code[:2]) * 1_000_000
        offices = Office.objects.filter(
            path__startswith=provincial.path,
            kind__in=[Office.Kind.POST_OFFICE, Office.Kind.COMMUNE_POST, Office.Kind.BDVHX],
        ).order_by("code")
        for i, office in enumerate(offices):
            if NumberBlock.objects.filter(office=office, indicator_id=DEMO_DOSSIER_PREFIX).exists():
                continue
            first = base + i * DEMO_BLOCK_SIZE
            item_services.number_block_create(
                actor=None,
                office=office,
                prefix=DEMO_DOSSIER_PREFIX,
                first_serial=first,
                last_serial=first + DEMO_BLOCK_SIZE - 1,
            )
            result.blocks_created += 1
    _demo_dossier_tariff()
    result.dossiers = _demo_dossiers(provincial, agencies["centre"])
    result.dossiers += _demo_return_leg(agencies["centre"])
    return result


# Applicants of the demo dossiers: (name, citizen ID number, phone). Invented people.
_APPLICANTS = [
    ("Hoàng Thị Mai", "020190001234", "0912 300 111"),
    ("Lương Văn Hải", "020085004321", "0983 200 222"),
    ("Nông Thị Lan", "020195006789", "0978 100 333"),
]


def _demo_dossiers(provincial: Office, centre: Agency) -> list[str]:
    """Three dossiers taken in at the demo clerk's office for the centre: two on an open
    handover record (for demo-agency to confirm), one waiting to be handed over."""
    from .models import Handover, Procedure

    clerk = User.objects.filter(username="demo-clerk").first()
    office = clerk.offices.filter(kind=Office.Kind.POST_OFFICE).first() if clerk else None
    procedure = Procedure.objects.filter(code="DM.LLTP").first()
    if office is None or procedure is None:
        return []
    documents = {
        d.pk: "original" if d.kind == "original" else "copy" for d in procedure.documents.all()
    }
    codes = []
    for n, (name, number, phone) in enumerate(_APPLICANTS):
        if n == 2 and not Handover.objects.filter(agency=centre).exists():
            services.handover_create(clerk, office=office, agency=centre)
        result = services.dossier_intake(
            clerk,
            office=office,
            procedure=procedure,
            service_form="both",
            applicant={
                "name": name,
                "id_number": number,
                "phone": phone,
                "address": {"commune_code": office.commune_id, "street": f"Số {12 + n} Lê Lợi"},
            },
            documents=documents,
            delivery_address={"commune_code": office.commune_id, "street": f"Số {12 + n} Lê Lợi"},
            seal_number=f"NP-{provincial.code}-{n + 1:03d}",
            weight_g=250,
            # Used only if the tariff in force has no dossier rates.
            manual_postal_fees=(25000, 25000),
            idempotency_key=f"demo-dossier-{provincial.code}-{n}",
        )
        codes.append(result.dossier.code)
    return codes


# Return-only dossiers the centre registered, one per stage of the return leg:
# (sequence, applicant, stage). Invented people.
_RETURN_LEG = [
    (1, ("Đinh Văn Tùng", "020088007001", "0915 400 101"), "result_ready"),
    (2, ("Vi Thị Hằng", "020196007002", "0916 400 102"), "result_collected"),
    (3, ("Chu Văn Khánh", "020079007003", "0917 400 103"), "delivered"),
    (4, ("Hà Thị Nga", "020192007004", "0918 400 104"), "returned_to_agency"),
    (5, ("Lộc Văn Bình", "020083007005", "0919 400 105"), "to_take_back"),
]


def _working_days_back(today, count: int) -> list:
    """The ``count`` working days before ``today``, oldest first."""
    from datetime import timedelta

    from postops.core.calendar import is_working_day

    days, day = [], today
    while len(days) < count:
        day -= timedelta(days=1)
        if is_working_day(day):
            days.append(day)
    return sorted(days)


def _demo_return_leg(centre: Agency) -> list[str]:
    """Dossiers at each stage of the return leg (Decision 45/2016 Art. 9–10), at the demo
    postman's office: a result ready to collect, one collected, one delivered, one taken
    back to the agency after two invitations, and one waiting to be taken back. Idempotent:
    skipped once the centre's first demo number exists."""
    import uuid
    from datetime import datetime, time

    from django.utils import timezone

    from postops.delivery import services as delivery
    from postops.items.rules import Event

    from . import returns
    from .models import Dossier, Procedure

    postman = User.objects.filter(username="demo-postman").first()
    supervisor = User.objects.filter(username="demo-supervisor").first()
    clerk = User.objects.filter(username="demo-clerk").first()
    procedure = Procedure.objects.filter(code="DM.LLTP").first()
    office = postman.offices.filter(kind=Office.Kind.POST_OFFICE).first() if postman else None
    if office is None or supervisor is None or clerk is None or procedure is None:
        return []
    today = timezone.localdate()
    d1, d2, d3, d4, d5, d6 = _working_days_back(today, 6)

    def at(day, hour):
        return timezone.make_aware(datetime.combine(day, time(hour)))

    numbers = {seq: f"{centre.code}-{d1:%y%m%d}-{seq:04d}" for seq, _person, _stage in _RETURN_LEG}
    if Dossier.objects.filter(agency=centre, agency_number=numbers[1]).exists():
        return []
    collection = None
    codes = []
    absent = []
    for seq, (name, id_number, phone), stage in _RETURN_LEG:
        dossier = services.dossier_register(
            None,
            agency=centre,
            agency_number=numbers[seq],
            procedure_code=procedure.code,
            applicant={"name": name, "id_number": id_number, "phone": phone},
            delivery_address={"commune_code": office.commune_id, "street": f"Số {seq} Bà Triệu"},
            filed_at=at(d1, 9),
        ).dossier
        codes.append(dossier.code)
        services.dossier_result_ready(None, dossier, ready_on=d2)
        if stage == "result_ready":
            continue
        if collection is None:
            collection = returns.collection_open(postman, office=office, agency=centre)
        returns.result_collect(postman, collection, code=dossier.code, collected_at=at(d3, 10))
        dossier.refresh_from_db()
        item = dossier.return_item
        if stage == "delivered":
            # Collected by the citizen at the counter (EMI at the office).
            item_services.event_record(
                actor=None, item=item, code=Event.DELIVERED, office=office, occurred_at=at(d4, 9)
            )
        elif stage in ("returned_to_agency", "to_take_back"):
            absent.append(item)
    # Two invitations two working days apart (d4, d6) on the postman's rounds, then held.
    for day in (d4, d6) if absent else ():
        delivery.run_sheet_assign(
            actor=supervisor,
            office=office,
            postman=postman,
            numbers=[i.number for i in absent],
            now=at(day, 8),
        )
        for item in absent:
            delivery.delivery_fail(
                actor=postman,
                event_id=uuid.uuid5(uuid.NAMESPACE_URL, f"demo:{item.number}:{day}"),
                number=item.number,
                device_time=at(day, 10),
                reason_code="R05",
                action_code="A01",
            )
        sheet = absent[0].run_sheet_entries.order_by("-pk").first().run_sheet
        delivery.handover_confirm(
            actor=supervisor,
            run_sheet=sheet,
            returned_numbers=[i.number for i in absent],
            counted_cash=0,
            variance_reason="demo",
            now=at(day, 17),
        )
    if len(codes) == len(_RETURN_LEG):
        returned = Dossier.objects.get(code=codes[3])
        returns.result_return_create(
            clerk,
            office=office,
            agency=centre,
            codes=[returned.code],
            receiver_name="Cán bộ một cửa (demo)",
        )
    return codes
