"""Fixtures of the core tests: a small office tree built straight with the ORM.

LS       provincial   (root)
├─ 240000  post_office
│   └─ 240100  commune_post
└─ 241100  post_office
"""

import pytest

from postops.network.models import Commune, Office, Province


def _office(code, kind, parent, commune):
    office = Office.objects.create(
        code=code,
        name=f"Đơn vị {code}",
        kind=kind,
        parent=parent,
        commune=commune,
        postal_code="24000",
    )
    office.path = f"{parent.path if parent else '/'}{office.pk}/"
    Office.objects.filter(pk=office.pk).update(path=office.path)
    return office


@pytest.fixture
def offices(db):
    province, _ = Province.objects.get_or_create(
        code="20",
        defaults={
            "name": "Lạng Sơn",
            "division_type": "tỉnh",
            "codename": "lang_son",
            "search_name": "lang son",
        },
    )
    commune = Commune.objects.filter(province=province).first()
    if commune is None:
        commune = Commune.objects.create(
            code="05977",
            name="Phường Đông Kinh",
            division_type="phường",
            codename="phuong_dong_kinh",
            province=province,
            search_name="phuong dong kinh",
        )
    root = _office("LS", "provincial", None, commune)
    center = _office("240000", "post_office", root, commune)
    commune_post = _office("240100", "commune_post", center, commune)
    that_khe = _office("241100", "post_office", root, commune)
    return {"root": root, "center": center, "commune_post": commune_post, "that_khe": that_khe}
