"""Office writes: tree rules, paths (whole subtree on a move), permissions, audit."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from postops.core.models import AuditEntry
from postops.network import services
from postops.network.models import Commune, Office

pytestmark = pytest.mark.django_db


def refresh(tree):
    return {k: Office.objects.get(pk=v.pk) for k, v in tree.items()}


def test_create_sets_path_search_name_and_audits(tree, superuser):
    t = tree
    assert t["province"].path == f"/{t['province'].pk}/"
    assert t["pp_thon1"].path == (
        f"/{t['province'].pk}/{t['po_center'].pk}/{t['cp_tam_thanh'].pk}/{t['pp_thon1'].pk}/"
    )
    assert Office.objects.get(pk=t["pp_thon1"].pk).path == t["pp_thon1"].path
    assert t["vhx_doan_ket"].search_name == "bdvhx doan ket"
    entry = AuditEntry.objects.get(action="network.office_create", target_id=str(t["po_center"].pk))
    assert entry.actor == superuser
    assert entry.target_type == "network.office"
    assert entry.before == {}
    assert entry.after == {
        "code": "240000",
        "name": "Bưu cục Trung tâm Lạng Sơn",
        "kind": "post_office",
        "parent": t["province"].pk,
        "commune": "05977",
        "postal_code": "24001",
        "street": "",
        "phone": "",
        "opening_hours": "",
        "is_active": True,
    }


def create(actor, **overrides):
    data = {
        "code": "241200",
        "name": "Bưu cục Mới",
        "kind": "post_office",
        "parent": None,
        "commune": Commune.objects.get(code="05977"),
        "postal_code": "24200",
    }
    data.update(overrides)
    return services.office_create(actor=actor, **data)


@pytest.mark.parametrize(
    ("kind", "parent_key", "message"),
    [
        ("post_office", None, "Loại đơn vị này phải có đơn vị cấp trên."),
        ("post_office", "po_center", "“Bưu cục” không thể trực thuộc “Bưu cục”."),
        (
            "commune_post",
            "province",
            "“Bưu điện xã” không thể trực thuộc “Bưu điện tỉnh”.",
        ),
        (
            "bdvhx",
            "cp_tam_thanh",
            "“Điểm Bưu điện - Văn hóa xã” không thể trực thuộc “Bưu điện xã”.",
        ),
        (
            "payout_point",
            "pp_thon1",
            "“Điểm chi trả” không thể trực thuộc “Điểm chi trả”.",
        ),
    ],
)
def test_parent_kind_rules(tree, superuser, kind, parent_key, message):
    parent = tree[parent_key] if parent_key else None
    code = "241200" if kind == "post_office" else "X1"
    with pytest.raises(ValidationError) as info:
        create(superuser, kind=kind, parent=parent, code=code)
    assert info.value.message_dict == {"parent": [message]}


def test_a_second_provincial_root_is_allowed(superuser, tree):
    other = create(
        superuser,
        code="CB",
        kind="provincial",
        name="Bưu điện tỉnh Cao Bằng",
        commune=Commune.objects.filter(province_id="04").first(),
    )
    assert other.path == f"/{other.pk}/"


def test_field_errors(tree, superuser):
    with pytest.raises(ValidationError) as info:
        create(superuser, parent=tree["province"], code="24000", postal_code="2420")
    assert info.value.message_dict == {
        "postal_code": ["Cần đúng 5 chữ số."],
        "code": ["Mã bưu cục cần đúng 6 chữ số."],
    }


def test_duplicate_code(tree, superuser):
    with pytest.raises(ValidationError) as info:
        create(superuser, parent=tree["province"], code="240000")
    assert list(info.value.message_dict) == ["code"]


def test_commune_must_be_in_the_parents_province(tree, superuser):
    with pytest.raises(ValidationError) as info:
        create(superuser, parent=tree["province"], commune=Commune.objects.get(code="00004"))
    assert info.value.message_dict == {
        "commune": ["Xã/phường phải thuộc cùng tỉnh với đơn vị cấp trên."]
    }


def test_update_audits_only_changed_fields(tree, make_user):
    manager = make_user("manager", offices=[tree["province"]])
    office = services.office_update(
        actor=manager,
        office=tree["po_that_khe"],
        phone=" 0205 3881 234 ",
        opening_hours="7:00–17:00",
        name="Bưu cục Thất Khê",
    )
    assert (office.phone, office.opening_hours) == ("0205 3881 234", "7:00–17:00")
    entry = AuditEntry.objects.get(action="network.office_update")
    assert entry.actor == manager
    assert entry.role == "manager"
    assert entry.office_code == "241100"
    assert entry.before == {"phone": "", "opening_hours": ""}
    assert entry.after == {"phone": "0205 3881 234", "opening_hours": "7:00–17:00"}


def test_update_without_change_writes_nothing(tree, superuser):
    services.office_update(
        actor=superuser, office=tree["po_center"], name="Bưu cục Trung tâm Lạng Sơn"
    )
    assert not AuditEntry.objects.filter(action="network.office_update").exists()


def test_update_refuses_unknown_fields(tree, superuser):
    with pytest.raises(TypeError):
        services.office_update(actor=superuser, office=tree["po_center"], path="/9/")


def test_moving_an_office_rewrites_the_whole_subtree(tree, superuser):
    t = tree
    services.office_update(actor=superuser, office=t["cp_tam_thanh"], parent=t["po_that_khe"])
    t = refresh(tree)
    base = f"/{t['province'].pk}/{t['po_that_khe'].pk}/"
    assert t["cp_tam_thanh"].path == f"{base}{t['cp_tam_thanh'].pk}/"
    assert t["pp_thon1"].path == f"{base}{t['cp_tam_thanh'].pk}/{t['pp_thon1'].pk}/"
    # Siblings and the rest of the tree are untouched.
    assert t["vhx_doan_ket"].path == (
        f"/{t['province'].pk}/{t['po_center'].pk}/{t['vhx_doan_ket'].pk}/"
    )
    assert t["vhx_that_khe"].path == f"{base}{t['vhx_that_khe'].pk}/"
    entry = AuditEntry.objects.get(action="network.office_update")
    assert entry.before == {"parent": t["po_center"].pk}
    assert entry.after == {"parent": t["po_that_khe"].pk}


def test_an_office_cannot_move_into_its_own_subtree(tree, superuser):
    with pytest.raises(ValidationError) as info:
        services.office_update(
            actor=superuser, office=tree["po_center"], parent=tree["cp_tam_thanh"]
        )
    assert (
        "Không thể chuyển đơn vị vào chính nó hoặc đơn vị cấp dưới của nó."
        in (info.value.message_dict["parent"])
    )
    assert Office.objects.get(pk=tree["po_center"].pk).path == tree["po_center"].path


def test_kind_change_must_keep_children_valid(tree, superuser):
    # A BĐVHX may hold payout points too: allowed.
    services.office_update(actor=superuser, office=tree["cp_tam_thanh"], kind="bdvhx")
    with pytest.raises(ValidationError) as info:
        services.office_update(actor=superuser, office=tree["po_that_khe"], kind="commune_post")
    assert info.value.message_dict["kind"] == [
        "Các đơn vị cấp dưới không thể trực thuộc loại này: VHX-TK."
    ]


def test_deactivate_and_reactivate(tree, superuser):
    with pytest.raises(ValidationError) as info:
        services.office_deactivate(actor=superuser, office=tree["cp_tam_thanh"])
    assert info.value.message_dict == {
        "is_active": ["Hãy ngừng hoạt động các đơn vị cấp dưới trước."]
    }
    services.office_deactivate(actor=superuser, office=tree["pp_thon1"])
    office = services.office_deactivate(actor=superuser, office=tree["cp_tam_thanh"])
    assert office.is_active is False
    entry = AuditEntry.objects.filter(action="network.office_deactivate").latest("pk")
    assert (entry.target_id, entry.before, entry.after) == (
        str(tree["cp_tam_thanh"].pk),
        {"is_active": True},
        {"is_active": False},
    )
    # No active office under an inactive one.
    with pytest.raises(ValidationError) as info:
        services.office_reactivate(actor=superuser, office=tree["pp_thon1"])
    assert info.value.message_dict == {"is_active": ["Đơn vị cấp trên đã ngừng hoạt động."]}
    with pytest.raises(ValidationError):
        create(superuser, kind="payout_point", code="X2", parent=office)
    services.office_reactivate(actor=superuser, office=office)
    assert Office.objects.get(pk=office.pk).is_active is True
    assert AuditEntry.objects.filter(action="network.office_reactivate").count() == 1


def test_deactivating_twice_is_a_no_op(tree, superuser):
    services.office_deactivate(actor=superuser, office=tree["pp_thon1"])
    services.office_deactivate(actor=superuser, office=tree["pp_thon1"])
    assert AuditEntry.objects.filter(action="network.office_deactivate").count() == 1


@pytest.mark.parametrize("role", ["clerk", "postman", "teller", "bdvhx", "auditor", "complaints"])
def test_roles_without_edit_rights_are_refused(tree, make_user, role):
    user = make_user(role, offices=[tree["province"]])
    with pytest.raises(PermissionDenied):
        services.office_update(actor=user, office=tree["po_center"], phone="1")
    with pytest.raises(PermissionDenied):
        create(user, parent=tree["province"])
    with pytest.raises(PermissionDenied):
        services.office_deactivate(actor=user, office=tree["pp_thon1"])
    assert not AuditEntry.objects.filter(actor=user).exists()


def test_supervisor_edits_only_within_scope(tree, make_user):
    supervisor = make_user("supervisor", offices=[tree["po_center"]])
    services.office_update(actor=supervisor, office=tree["vhx_doan_ket"], phone="0205 1")
    with pytest.raises(PermissionDenied):
        services.office_update(actor=supervisor, office=tree["po_that_khe"], phone="0205 2")
    with pytest.raises(PermissionDenied):
        create(supervisor, parent=tree["province"])
    # Moving a unit to a parent outside the scope is refused too.
    with pytest.raises(PermissionDenied):
        services.office_update(
            actor=supervisor, office=tree["vhx_doan_ket"], parent=tree["po_that_khe"]
        )
    child = create(
        supervisor,
        kind="bdvhx",
        code="VHX-QK",
        name="BĐVHX Quốc Khánh",
        parent=tree["po_center"],
        commune=Commune.objects.get(code="06004"),
    )
    assert child.parent == tree["po_center"]


def test_only_administrators_create_roots(make_user):
    manager = make_user("manager")
    with pytest.raises(PermissionDenied):
        create(manager, kind="provincial", code="LS")
    admin = make_user("admin")
    root = create(admin, kind="provincial", code="LS")
    assert root.parent is None
