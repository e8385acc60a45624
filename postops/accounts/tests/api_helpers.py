"""Helpers for the API tests: a small office tree and API keys."""

from postops.network.models import Commune, Office, Province


def _commune() -> Commune:
    commune = Commune.objects.order_by("code").first()
    if commune is not None:
        return commune
    province = Province.objects.create(
        code="99",
        name="Tỉnh Thử",
        division_type="tỉnh",
        codename="tinh_thu",
        search_name="tinh thu",
    )
    return Commune.objects.create(
        code="99999",
        name="Xã Thử",
        division_type="xã",
        codename="xa_thu",
        province=province,
        search_name="xa thu",
    )


def office(code: str, kind: str, parent: Office | None = None, name: str = "") -> Office:
    """An office with its materialised path ("/<root id>/.../<id>/") set directly."""
    obj = Office.objects.create(
        code=code,
        name=name or f"Đơn vị {code}",
        kind=kind,
        parent=parent,
        commune=_commune(),
        postal_code="24000",
    )
    obj.path = f"{parent.path if parent else '/'}{obj.pk}/"
    Office.objects.filter(pk=obj.pk).update(path=obj.path)
    return obj


def office_tree() -> dict[str, Office]:
    """province ─┬─ po_a ── bdvhx_a ── point_a
              └─ po_b
    other (a second, unrelated root)"""
    province = office("200000", Office.Kind.PROVINCIAL, name="Bưu điện tỉnh Lạng Sơn")
    po_a = office("241000", Office.Kind.POST_OFFICE, province, name="Bưu cục Cao Lộc")
    bdvhx_a = office("241010", Office.Kind.BDVHX, po_a, name="BĐVHX Hợp Thành")
    point_a = office("241011", Office.Kind.PAYOUT_POINT, bdvhx_a, name="Điểm chi trả thôn Nà Làng")
    po_b = office("242000", Office.Kind.POST_OFFICE, province, name="Bưu cục Lộc Bình")
    other = office("900000", Office.Kind.PROVINCIAL, name="Bưu điện tỉnh khác")
    return {
        "province": province,
        "po_a": po_a,
        "bdvhx_a": bdvhx_a,
        "point_a": point_a,
        "po_b": po_b,
        "other": other,
    }
