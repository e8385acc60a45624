"""Administrative units loaded by the data migration and by the loader."""

import pytest
from django.core.management import call_command

from postops.network.models import (
    Commune,
    CommuneConversion,
    LegacyCommune,
    LegacyDistrict,
    LegacyProvince,
    Province,
)
from postops.network.services import admin_units_load

pytestmark = pytest.mark.django_db


def test_the_migration_loaded_every_unit():
    assert Province.objects.count() == 34
    assert Commune.objects.count() == 3321
    assert LegacyProvince.objects.count() == 63
    assert LegacyDistrict.objects.count() == 696
    assert LegacyCommune.objects.count() == 10051
    assert CommuneConversion.objects.count() == 10554
    assert CommuneConversion.objects.filter(is_partial=True).count() == 1103


def test_codes_are_zero_padded_strings():
    hanoi = Province.objects.get(code="01")
    assert (hanoi.name, hanoi.division_type) == ("Thành phố Hà Nội", "thành phố trung ương")
    ba_dinh = Commune.objects.get(code="00004")
    assert (ba_dinh.name, ba_dinh.province_id, ba_dinh.search_name) == (
        "Phường Ba Đình",
        "01",
        "phuong ba dinh",
    )
    assert LegacyDistrict.objects.get(code="001").name == "Quận Ba Đình"
    assert {len(c) for c in Commune.objects.values_list("code", flat=True)} == {5}
    assert {len(c) for c in Province.objects.values_list("code", flat=True)} == {2}


def test_codes_reused_with_new_meanings():
    # domain.md §4: 80 was Long An, is now Tây Ninh; 06 Bắc Kạn went into 19 Thái Nguyên.
    assert Province.objects.get(code="80").name == "Tỉnh Tây Ninh"
    assert LegacyProvince.objects.get(code="80").name == "Tỉnh Long An"
    assert LegacyProvince.objects.get(code="06").name == "Tỉnh Bắc Kạn"
    assert not Province.objects.filter(code="06").exists()
    assert Province.objects.get(code="20").name == "Tỉnh Lạng Sơn"


def test_partly_merged_commune_is_flagged_on_every_row():
    rows = CommuneConversion.objects.filter(legacy_commune_id="06622").order_by("commune_id")
    assert [(r.commune_id, r.is_partial) for r in rows] == [("06613", True), ("06625", True)]
    whole = CommuneConversion.objects.get(legacy_commune_id="05980")
    assert (whole.commune_id, whole.is_partial) == ("05977", False)


def test_loader_is_idempotent_and_repairs_rows():
    Commune.objects.filter(code="05977").update(name="sai", search_name="sai")
    CommuneConversion.objects.filter(legacy_commune_id="05980").update(is_partial=True)
    stale = CommuneConversion.objects.create(
        legacy_commune_id="05980", commune_id="00004", is_partial=False
    )

    counts = admin_units_load()

    assert counts.provinces == 34
    assert counts.communes == 3321
    assert counts.legacy_provinces == 63
    assert counts.legacy_districts == 696
    assert counts.legacy_communes == 10051
    assert counts.conversions == 10554
    assert counts.partial_conversions == 1103
    assert counts.skipped_conversions == 11
    assert Commune.objects.count() == 3321
    assert CommuneConversion.objects.count() == 10554
    assert Commune.objects.get(code="05977").name == "Phường Đông Kinh"
    assert Commune.objects.get(code="05977").search_name == "phuong dong kinh"
    assert CommuneConversion.objects.get(legacy_commune_id="05980").is_partial is False
    assert not CommuneConversion.objects.filter(pk=stale.pk).exists()


def test_loader_uses_bulk_statements(django_assert_max_num_queries):
    # A handful of statements per table, never one per row (SQLite batches are smaller).
    with django_assert_max_num_queries(60):
        admin_units_load()


def test_management_command(capsys):
    call_command("load_admin_units")
    assert capsys.readouterr().out.strip() == (
        "provinces=34 communes=3321 legacy_provinces=63 legacy_districts=696 "
        "legacy_communes=10051 conversions=10554 partial=1103 skipped=11"
    )
