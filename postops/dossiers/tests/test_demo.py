"""The dossier part of the demo province (``seed_demo`` calls ``seed_dossiers``)."""

from datetime import date

import pytest

from postops.dossiers.demo import seed_dossiers
from postops.dossiers.models import Agency, AgencyOfficer, Dossier, Handover, Procedure
from postops.dossiers.selectors import procedure_search
from postops.items.models import NumberBlock, TariffRate, TariffVersion


@pytest.mark.django_db
def test_seed_dossiers_adds_agencies_catalogue_and_dossier_numbers(make_user, tree):
    make_user("agency", username="demo-agency")
    make_user("clerk", username="demo-clerk", offices=[tree["po_a"]])
    TariffVersion.objects.create(
        name="Demo", effective_from=date(2025, 7, 1), vat_percent=10, source="demo"
    )
    provincial = tree["province"]
    commune = provincial.commune
    seed_dossiers(provincial)
    assert sorted(Agency.objects.values_list("code", flat=True)) == [
        "CA.20",
        "STP.20",
        "TTHCC.20",
        f"UBND.{commune.code}",
    ]
    centre = Agency.objects.get(code="TTHCC.20")
    assert centre.name == "Trung tâm Phục vụ hành chính công tỉnh Lạng Sơn"
    assert AgencyOfficer.objects.get(user__username="demo-agency").agency == centre
    assert Procedure.objects.count() == 6
    assert [p.code for p in procedure_search("ly lich tu phap")] == ["DM.LLTP"]
    assert Procedure.objects.get(code="DM.LLTP").agency.code == "TTHCC.20"
    assert not Procedure.objects.get(code="DM.KETHON").postal_allowed
    blocks = NumberBlock.objects.filter(indicator_id="RH")
    assert sorted(blocks.values_list("office__code", flat=True)) == ["241000", "242000"]
    assert TariffRate.objects.filter(service="dossier").count() == 6
    # Three dossiers at the demo clerk's office: two on an open handover record for the
    # centre (demo-agency confirms it), one still waiting to be handed over.
    assert Dossier.objects.count() == 3
    handover = Handover.objects.get()
    assert (handover.agency, handover.status, handover.dossier_count) == (centre, "open", 2)
    assert Dossier.objects.filter(status="received").count() == 1
    counts = (
        Agency.objects.count(),
        Procedure.objects.count(),
        blocks.count(),
        Dossier.objects.count(),
        Handover.objects.count(),
    )

    seed_dossiers(provincial)
    assert (
        Agency.objects.count(),
        Procedure.objects.count(),
        blocks.count(),
        Dossier.objects.count(),
        Handover.objects.count(),
    ) == counts
    assert TariffRate.objects.filter(service="dossier").count() == 6


@pytest.mark.django_db
def test_seed_dossiers_shows_every_stage_of_the_return_leg(make_user, tree):
    from postops.items.models import CodeList, CodeListEntry

    CodeListEntry.objects.bulk_create(
        [
            CodeListEntry(list=CodeList.REASON, code="R05", label="Vắng nhà"),
            CodeListEntry(list=CodeList.ACTION, code="A01", label="Phát lại"),
        ]
    )
    make_user("clerk", username="demo-clerk", offices=[tree["po_a"]])
    make_user("postman", username="demo-postman", offices=[tree["po_a"]])
    make_user("supervisor", username="demo-supervisor", offices=[tree["po_a"]])
    TariffVersion.objects.create(
        name="Demo", effective_from=date(2025, 7, 1), vat_percent=10, source="demo"
    )
    seed_dossiers(tree["province"])
    returned = Dossier.objects.filter(channel="agency")
    assert sorted(returned.values_list("status", flat=True)) == [
        "delivered",
        "result_collected",
        "result_collected",
        "result_ready",
        "returned_to_agency",
    ]
    waiting = returned.filter(status="result_collected", return_item__state__status="held").get()
    assert waiting.return_item.last_office == tree["po_a"]
    count = Dossier.objects.count()
    seed_dossiers(tree["province"])
    assert Dossier.objects.count() == count
