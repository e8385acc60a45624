"""Pure tree and code rules (no database)."""

from hypothesis import given
from hypothesis import strategies as st

from postops.network import rules


def test_parent_kinds_table():
    allowed = {
        (kind, parent)
        for kind in rules.KINDS
        for parent in (None, *rules.KINDS)
        if rules.parent_kind_allowed(kind, parent)
    }
    assert allowed == {
        ("provincial", None),
        ("post_office", "provincial"),
        ("commune_post", "post_office"),
        ("bdvhx", "post_office"),
        ("payout_point", "post_office"),
        ("payout_point", "commune_post"),
        ("payout_point", "bdvhx"),
    }


def test_unknown_kind_is_never_allowed():
    assert rules.parent_kind_allowed("branch", None) is False
    assert rules.parent_kind_allowed("branch", "provincial") is False


def test_child_kinds():
    assert rules.child_kinds("provincial") == ("post_office",)
    assert rules.child_kinds("post_office") == ("commune_post", "bdvhx", "payout_point")
    assert rules.child_kinds("bdvhx") == ("payout_point",)
    assert rules.child_kinds("payout_point") == ()


def test_postal_code_examples():
    assert rules.is_postal_code("24000") is True
    assert rules.is_postal_code("01000") is True
    assert rules.is_postal_code("2400") is False
    assert rules.is_postal_code("240000") is False
    assert rules.is_postal_code("24 00") is False
    assert rules.is_postal_code("２４０００") is False  # full-width digits are not ASCII
    assert rules.is_postal_code(24000) is False


@given(st.integers(min_value=0, max_value=99999))
def test_every_zero_padded_five_digit_string_is_a_postal_code(n):
    assert rules.is_postal_code(f"{n:05d}")
    assert not rules.is_postal_code(str(n) + "0" * (6 - len(str(n))))


def test_office_codes():
    assert rules.is_office_code("post_office", "240000") is True
    assert rules.is_office_code("post_office", "24000") is False
    assert rules.is_office_code("post_office", "BC-01") is False
    assert rules.is_office_code("bdvhx", "VHX-DK") is True
    assert rules.is_office_code("bdvhx", "VHX DK") is False
    assert rules.is_office_code("payout_point", "A" * 12) is True
    assert rules.is_office_code("payout_point", "A" * 13) is False
    assert rules.is_office_code("provincial", "") is False


def test_paths():
    assert rules.path_for(None, 1) == "/1/"
    assert rules.path_for("/1/7/", 42) == "/1/7/42/"
    assert rules.path_ids("/1/7/42/") == [1, 7, 42]
    assert rules.path_depth("/1/") == 0
    assert rules.path_depth("/1/7/42/") == 2
    assert rules.path_rebase("/1/7/42/", "/1/7/", "/3/9/7/") == "/3/9/7/42/"


@given(st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=6, unique=True))
def test_path_round_trip(ids):
    path = None
    for pk in ids:
        path = rules.path_for(path, pk)
    assert rules.path_ids(path) == ids
    assert rules.path_depth(path) == len(ids) - 1


@given(
    st.lists(
        st.lists(st.integers(min_value=1, max_value=500), min_size=1, max_size=4),
        min_size=2,
        max_size=30,
    )
)
def test_sorting_by_path_keeps_each_subtree_contiguous(chains):
    # "/" sorts before every digit, so a subtree's paths never interleave with others.
    paths = sorted({"/" + "/".join(map(str, c)) + "/" for c in chains})
    for prefix in paths:
        inside = [i for i, p in enumerate(paths) if p.startswith(prefix)]
        assert inside == list(range(inside[0], inside[0] + len(inside)))
