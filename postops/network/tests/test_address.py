"""The address value object (pure)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postops.network.address import (
    Address,
    AddressError,
    address_from_fields,
    address_to_fields,
    normalize_commune_code,
)


def test_build_normalises_and_keeps_raw():
    addr = Address.build(5977, "  12   Lê Lợi ", "2025")
    assert addr == Address(
        commune_code="05977", street="12 Lê Lợi", scheme="2025", raw="12   Lê Lợi"
    )


def test_build_keeps_given_raw_text():
    addr = Address.build(
        "05980",
        "Số 3 Trần Đăng Ninh",
        "legacy",
        raw="Số 3 Trần Đăng Ninh, P. Đông Kinh, TP Lạng Sơn",
    )
    assert addr.raw == "Số 3 Trần Đăng Ninh, P. Đông Kinh, TP Lạng Sơn"
    assert addr.is_legacy is True


def test_invalid_address_lists_every_field():
    with pytest.raises(AddressError) as info:
        Address.build("59 77", "x" * 256, "2019")
    assert info.value.errors == {
        "scheme": ["Hệ địa chỉ phải là “2025” hoặc “legacy” (trước 01/07/2025)."],
        "commune_code": ["Mã xã/phường cần đúng 5 chữ số."],
        "street": ["Địa chỉ chi tiết dài quá 255 ký tự."],
    }


def test_raw_text_is_limited():
    with pytest.raises(AddressError) as info:
        Address.build("05977", "", raw="y" * 501)
    assert info.value.errors == {"raw": ["Địa chỉ gốc dài quá 500 ký tự."]}


def test_display():
    addr = Address.build("05977", "12 Lê Lợi")
    assert addr.display("Phường Đông Kinh, Tỉnh Lạng Sơn") == (
        "12 Lê Lợi, Phường Đông Kinh, Tỉnh Lạng Sơn"
    )
    assert addr.display() == "12 Lê Lợi, [2025 05977]"
    assert Address.build("05980", "", "legacy").display() == "[legacy 05980]"


def test_with_commune_keeps_street_and_raw():
    addr = Address.build("05980", "Số 3", "legacy", raw="Số 3, P. Đông Kinh")
    assert addr.with_commune("5977") == Address("05977", "Số 3", "2025", "Số 3, P. Đông Kinh")


def test_fields_round_trip():
    addr = Address.build("05977", "12 Lê Lợi", raw="12 Lê Lợi, Đông Kinh")
    fields = address_to_fields(addr, "receiver")
    assert fields == {
        "receiver_scheme": "2025",
        "receiver_commune_code": "05977",
        "receiver_street": "12 Lê Lợi",
        "receiver_raw": "12 Lê Lợi, Đông Kinh",
    }

    class Row:
        pass

    row = Row()
    for key, value in fields.items():
        setattr(row, key, value)
    assert address_from_fields(row, "receiver") == addr
    assert address_from_fields(Row(), "receiver") is None


@given(st.integers(min_value=0, max_value=99999))
def test_commune_codes_are_zero_padded(n):
    assert normalize_commune_code(n) == f"{n:05d}"
    assert normalize_commune_code(str(n)) == f"{n:05d}"
    assert Address.build(n).commune_code == f"{n:05d}"


def test_non_digit_codes_are_kept_for_the_validator():
    assert normalize_commune_code("ab") == "ab"
    assert normalize_commune_code(None) == ""
    assert normalize_commune_code("123456") == "123456"


def test_address_mixin_adds_one_field_set_per_prefix():
    from postops.network.models import AddressMixin, address_mixin

    receiver = address_mixin("receiver", "người nhận")
    fields = {f.name: f for f in receiver._meta.fields}
    assert list(fields) == [
        "receiver_scheme",
        "receiver_commune_code",
        "receiver_street",
        "receiver_raw",
    ]
    assert receiver._meta.abstract is True
    assert str(fields["receiver_commune_code"].verbose_name) == "mã xã/phường (người nhận)"
    assert fields["receiver_scheme"].default == "2025"
    assert [c[0] for c in fields["receiver_scheme"].choices] == ["2025", "legacy"]
    assert (fields["receiver_street"].max_length, fields["receiver_raw"].max_length) == (255, 500)
    assert [f.name for f in AddressMixin._meta.fields][0] == "address_scheme"
