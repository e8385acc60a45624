"""Office scoping and lists."""

import pytest

from postops.accounts.models import ApiKey
from postops.network import selectors, services

pytestmark = pytest.mark.django_db


def ids(tree, *keys):
    return {tree[k].pk for k in keys}


ALL = (
    "province",
    "po_center",
    "cp_tam_thanh",
    "pp_thon1",
    "vhx_doan_ket",
    "po_that_khe",
    "vhx_that_khe",
)


def test_subtree_ids(tree):
    assert set(selectors.office_subtree_ids(tree["po_center"])) == ids(
        tree, "po_center", "cp_tam_thanh", "pp_thon1", "vhx_doan_ket"
    )
    assert set(selectors.office_subtree_ids(tree["pp_thon1"])) == ids(tree, "pp_thon1")


def test_scope_of_a_clerk_at_one_post_office_excludes_the_sibling(tree, make_user):
    clerk = make_user("clerk", offices=[tree["po_that_khe"]])
    assert set(selectors.office_scope_ids(clerk)) == ids(tree, "po_that_khe", "vhx_that_khe")


def test_scope_is_the_union_of_subtrees(tree, make_user):
    user = make_user(
        "teller", offices=[tree["cp_tam_thanh"], tree["po_that_khe"], tree["pp_thon1"]]
    )
    assert set(selectors.office_scope_ids(user)) == ids(
        tree, "cp_tam_thanh", "pp_thon1", "po_that_khe", "vhx_that_khe"
    )


def test_scope_special_cases(tree, make_user, superuser):
    from django.contrib.auth.models import AnonymousUser

    assert set(selectors.office_scope_ids(superuser)) == ids(tree, *ALL)
    assert set(selectors.office_scope_ids(make_user("manager"))) == set()
    assert set(selectors.office_scope_ids(AnonymousUser())) == set()
    assert set(selectors.office_scope_ids(None)) == set()
    inactive = make_user("manager", offices=[tree["province"]], is_active=False)
    assert set(selectors.office_scope_ids(inactive)) == set()


def test_scope_of_an_api_key(tree):
    from django.utils import timezone

    key = ApiKey.objects.create(name="Shop", prefix="pk_1", key_hash="h" * 64, role="partner")
    key.offices.set([tree["po_center"]])
    assert set(selectors.office_scope_ids(key)) == ids(
        tree, "po_center", "cp_tam_thanh", "pp_thon1", "vhx_doan_ket"
    )
    key.revoked_at = timezone.now()
    assert set(selectors.office_scope_ids(key)) == set()


def test_scope_follows_a_moved_subtree(tree, make_user, superuser):
    clerk = make_user("clerk", offices=[tree["po_that_khe"]])
    services.office_update(actor=superuser, office=tree["cp_tam_thanh"], parent=tree["po_that_khe"])
    assert set(selectors.office_scope_ids(clerk)) == ids(
        tree, "po_that_khe", "vhx_that_khe", "cp_tam_thanh", "pp_thon1"
    )


def test_scope_is_usable_as_a_subquery(tree, make_user, django_assert_num_queries):
    from postops.network.models import Office

    clerk = make_user("clerk", offices=[tree["po_that_khe"]])
    scope = selectors.office_scope_ids(clerk)  # one query: the user's office paths
    with django_assert_num_queries(1):
        codes = sorted(Office.objects.filter(id__in=scope).values_list("code", flat=True))
    assert codes == ["241100", "VHX-TK"]


def test_list_and_get_for_user(tree, make_user):
    clerk = make_user("clerk", offices=[tree["po_center"]])
    assert [o.code for o in selectors.office_list_for_user(clerk)] == [
        "240000",
        "BDX-TT",
        "CT-TT1",
        "VHX-DK",
    ]
    assert selectors.office_get_for_user(clerk, tree["vhx_doan_ket"].pk) == tree["vhx_doan_ket"]
    assert selectors.office_get_for_user(clerk, tree["po_that_khe"].pk) is None
    assert selectors.office_get_for_user(clerk, tree["province"].pk) is None
    assert selectors.office_get_for_user(clerk, "abc") is None


def test_list_filter_is_diacritics_insensitive(tree, superuser):
    def codes(q):
        return [o.code for o in selectors.office_list_for_user(superuser, q)]

    assert codes("that khe") == ["241100", "VHX-TK"]
    assert codes("ĐOÀN KẾT") == ["VHX-DK"]
    assert codes("2411") == ["241100"]  # code prefix
    assert codes("2410") == ["241100", "VHX-TK"]  # code or postal code prefix
    assert codes("24101") == ["VHX-TK"]  # postal code prefix
    assert codes("vhx") == ["VHX-DK", "VHX-TK"]
    assert codes("nothing here") == []


def test_tree_rows_order_siblings_by_code_and_give_depths(tree, superuser, make_user):
    rows = selectors.office_tree_for_user(superuser)
    assert [(r.office.code, r.depth) for r in rows] == [
        ("LS", 0),
        ("240000", 1),
        ("BDX-TT", 2),
        ("CT-TT1", 3),
        ("VHX-DK", 2),
        ("241100", 1),
        ("VHX-TK", 2),
    ]
    supervisor = make_user("supervisor", offices=[tree["po_that_khe"]])
    assert [(r.office.code, r.depth) for r in selectors.office_tree_for_user(supervisor)] == [
        ("241100", 0),
        ("VHX-TK", 1),
    ]


def test_tree_rows_query_count(tree, superuser, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        rows = selectors.office_tree_for_user(superuser)
        [r.office.commune.province.name for r in rows]


@pytest.mark.parametrize(
    ("role", "office_key", "target_key", "expected"),
    [
        ("admin", "province", "pp_thon1", True),
        ("manager", "province", "po_that_khe", True),
        ("supervisor", "po_center", "vhx_doan_ket", True),
        ("supervisor", "po_center", "po_that_khe", False),
        ("supervisor", "po_center", "province", False),
        ("clerk", "province", "po_center", False),
        ("auditor", "province", "po_center", False),
        ("bdvhx", "vhx_doan_ket", "vhx_doan_ket", False),
    ],
)
def test_can_edit(tree, make_user, role, office_key, target_key, expected):
    user = make_user(role, offices=[tree[office_key]])
    assert selectors.office_can_edit(user, tree[target_key]) is expected


def test_parent_choices(tree, make_user):
    supervisor = make_user("supervisor", offices=[tree["po_center"]])
    assert [o.code for o in selectors.office_parent_choices_for_user(supervisor)] == [
        "240000",
        "BDX-TT",
        "VHX-DK",
    ]
    clerk = make_user("clerk", offices=[tree["po_center"]])
    assert list(selectors.office_parent_choices_for_user(clerk)) == []
