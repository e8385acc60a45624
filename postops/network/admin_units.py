"""Loading the administrative units from the ``vietnam-provinces`` package.

Data source: the PyPI package ``vietnam-provinces`` (≥ 2026.1, GPL-3.0), which packages the
official General Statistics Office codes: the 34 provinces and 3,321 communes in force since
1 July 2025, the 63-province/district/commune model before it, and the official old→new
conversion table (``BangChuyendoiĐVHCmoi_cu``). Codes are stored as zero-padded strings:
2 digits for provinces, 3 for districts, 5 for communes.

The loader is used by the data migration ``0003_load_admin_units`` (with historical models)
and by ``manage.py load_admin_units`` (after a package upgrade). It is idempotent: rows are
upserted in bulk (``bulk_create(update_conflicts=True)``), a few statements per table.
"""

from __future__ import annotations

from dataclasses import dataclass

from postops.core.text import fold

BATCH = 2000


@dataclass(frozen=True)
class LoadCounts:
    provinces: int
    communes: int
    legacy_provinces: int
    legacy_districts: int
    legacy_communes: int
    conversions: int
    partial_conversions: int
    skipped_conversions: int


def _p2(code) -> str:
    return f"{int(code):02d}"


def _d3(code) -> str:
    return f"{int(code):03d}"


def _c5(code) -> str:
    return f"{int(code):05d}"


def _upsert(model, rows: list, unique: list[str], update: list[str]) -> None:
    model.objects.bulk_create(
        rows,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=unique,
        update_fields=update,
    )


def admin_units_load(apps=None) -> LoadCounts:
    """Upsert every administrative unit and the old→new conversion; returns the counts.

    ``apps`` is the migration state's app registry when called from a migration (historical
    models), else the live models are used.

    A legacy commune is flagged ``is_partial`` in every one of its conversion rows when the
    official table marks it "partly merged" (its area was split between new communes, or
    only part of it went to the listed one): converting an address from it needs a person to
    confirm. The conversion table lists a few old codes that are not in the package's legacy
    commune list (units dissolved before the legacy snapshot); those rows are skipped and
    counted in ``skipped_conversions``.
    """
    from vietnam_provinces._lookup import PROVINCE_MAPPING, WARD_MAPPING
    from vietnam_provinces._ward_conversion_2025 import OLD_TO_NEW
    from vietnam_provinces.legacy import _lookup as legacy

    if apps is None:
        from django.apps import apps as live_apps

        apps = live_apps
    Province = apps.get_model("network", "Province")
    Commune = apps.get_model("network", "Commune")
    LegacyProvince = apps.get_model("network", "LegacyProvince")
    LegacyDistrict = apps.get_model("network", "LegacyDistrict")
    LegacyCommune = apps.get_model("network", "LegacyCommune")
    CommuneConversion = apps.get_model("network", "CommuneConversion")

    provinces = [
        Province(
            code=_p2(p.code),
            name=p.name,
            division_type=str(p.division_type),
            codename=p.codename,
            search_name=fold(p.name),
        )
        for p in PROVINCE_MAPPING.values()
    ]
    _upsert(Province, provinces, ["code"], ["name", "division_type", "codename", "search_name"])

    communes = [
        Commune(
            code=_c5(w.code),
            name=w.name,
            division_type=str(w.division_type),
            codename=w.codename,
            province_id=_p2(w.province_code),
            search_name=fold(w.name),
        )
        for w in WARD_MAPPING.values()
    ]
    _upsert(
        Commune,
        communes,
        ["code"],
        ["name", "division_type", "codename", "province", "search_name"],
    )

    legacy_provinces = [
        LegacyProvince(
            code=_p2(p.code),
            name=p.name,
            division_type=str(p.division_type),
            search_name=fold(p.name),
        )
        for p in legacy.PROVINCE_MAPPING.values()
    ]
    _upsert(LegacyProvince, legacy_provinces, ["code"], ["name", "division_type", "search_name"])

    districts = [
        LegacyDistrict(
            code=_d3(d.code),
            name=d.name,
            division_type=str(d.division_type),
            province_id=_p2(d.province_code),
            search_name=fold(d.name),
        )
        for d in legacy.DISTRICT_MAPPING.values()
    ]
    _upsert(
        LegacyDistrict, districts, ["code"], ["name", "division_type", "province", "search_name"]
    )

    legacy_communes = [
        LegacyCommune(
            code=_c5(w.code),
            name=w.name,
            division_type=str(w.division_type),
            district_id=_d3(w.district_code),
            search_name=fold(w.name),
        )
        for w in legacy.WARD_MAPPING.values()
    ]
    _upsert(
        LegacyCommune,
        legacy_communes,
        ["code"],
        ["name", "division_type", "district", "search_name"],
    )

    known_legacy = {c.code for c in legacy_communes}
    conversions = []
    skipped = 0
    for entry in OLD_TO_NEW.values():
        old_code = _c5(entry.old_ward.code)
        if old_code not in known_legacy:
            skipped += len(entry.new_wards)
            continue
        for new in entry.new_wards:
            conversions.append(
                CommuneConversion(
                    legacy_commune_id=old_code,
                    commune_id=_c5(new.code),
                    is_partial=bool(entry.old_ward.is_partly_merged),
                )
            )
    _upsert(CommuneConversion, conversions, ["legacy_commune", "commune"], ["is_partial"])
    # Drop pairs the package no longer lists (a corrected table after an upgrade). Done in
    # Python over ~10k pairs: portable, and cheaper than a NOT IN over composite keys.
    wanted = {(c.legacy_commune_id, c.commune_id) for c in conversions}
    stale = [
        pk
        for pk, old, new in CommuneConversion.objects.values_list(
            "pk", "legacy_commune_id", "commune_id"
        )
        if (old, new) not in wanted
    ]
    for start in range(0, len(stale), BATCH):
        CommuneConversion.objects.filter(pk__in=stale[start : start + BATCH]).delete()

    return LoadCounts(
        provinces=len(provinces),
        communes=len(communes),
        legacy_provinces=len(legacy_provinces),
        legacy_districts=len(districts),
        legacy_communes=len(legacy_communes),
        conversions=len(conversions),
        partial_conversions=sum(c.is_partial for c in conversions),
        skipped_conversions=skipped,
    )
