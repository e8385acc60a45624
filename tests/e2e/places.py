"""Administrative units and offices for browser journeys.

A browser test runs without a transaction and the tables are emptied after it (the admin-unit
data migration's rows included), so each journey builds the few units and offices it needs.
Units are get-or-created (two journeys may ask for the same one); offices are created with
their materialised tree path set as ``office_create`` would.
"""

from __future__ import annotations


def province(code: str = "20", name: str = "Tỉnh Lạng Sơn"):
    from postops.core.text import fold
    from postops.network.models import Province

    folded = fold(name)
    return Province.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "division_type": "tỉnh",
            "codename": folded.replace(" ", "_"),
            "search_name": folded,
        },
    )[0]


def commune(code: str, name: str, in_province=None):
    """A commune or ward; its division type is the first word of ``name`` (xã/phường)."""
    from postops.core.text import fold
    from postops.network.models import Commune

    division = "phường" if name.lower().startswith("phường") else "xã"
    return Commune.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "division_type": division,
            "codename": fold(name).replace(" ", "_"),
            "province": in_province or province(),
            "search_name": fold(name),
        },
    )[0]


def office(
    code: str, name: str, at, *, kind: str = "post_office", parent=None, postal_code="24000"
):
    """An office at commune ``at`` under ``parent`` (a root when None), path included."""
    from postops.network.models import Office

    created = Office.objects.create(
        code=code, name=name, kind=kind, parent=parent, commune=at, postal_code=postal_code
    )
    created.path = f"{parent.path if parent else '/'}{created.pk}/"
    Office.objects.filter(pk=created.pk).update(path=created.path)
    return created
