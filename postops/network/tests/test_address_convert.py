"""Converting legacy addresses: offline, from the conversion table."""

import socket

import pytest

from postops.network.address import Address
from postops.network.selectors import address_convert_legacy, address_display

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a socket fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("address conversion must not use the network")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_whole_commune_converts_without_confirmation(no_network):
    addr = Address.build(
        "05980", "Số 3 Trần Đăng Ninh", "legacy", raw="Số 3 Trần Đăng Ninh, P. Đông Kinh"
    )
    result = address_convert_legacy(addr)
    assert result.legacy_commune.name == "Phường Đông Kinh"
    assert [c.code for c in result.candidates] == ["05977"]
    assert result.partial is False
    assert result.needs_confirmation is False
    assert result.address == Address(
        "05977", "Số 3 Trần Đăng Ninh", "2025", "Số 3 Trần Đăng Ninh, P. Đông Kinh"
    )


def test_split_commune_needs_a_person_to_choose(no_network):
    addr = Address.build("06622", "Thôn Bản Chắt", "legacy")
    result = address_convert_legacy(addr)
    assert [(c.code, c.name) for c in result.candidates] == [
        ("06613", "Xã Đình Lập"),
        ("06625", "Xã Kiên Mộc"),
    ]
    assert result.partial is True
    assert result.needs_confirmation is True
    assert result.address is None
    assert result.resolve("06625") == Address("06625", "Thôn Bản Chắt", "2025", "Thôn Bản Chắt")
    with pytest.raises(ValueError):
        result.resolve("05977")


def test_partly_merged_commune_with_one_listed_target_still_needs_confirmation(no_network):
    result = address_convert_legacy(Address.build("00556", "", "legacy"))
    assert [c.code for c in result.candidates] == ["00541"]
    assert result.partial is True
    assert result.needs_confirmation is True


def test_unknown_legacy_code(no_network):
    result = address_convert_legacy(Address.build("99999", "", "legacy"))
    assert result.legacy_commune is None
    assert result.candidates == ()
    assert result.needs_confirmation is True
    assert result.address is None


def test_a_2025_address_is_returned_as_is(no_network):
    addr = Address.build("05977", "12 Lê Lợi")
    result = address_convert_legacy(addr)
    assert result.address == addr
    assert result.needs_confirmation is False
    assert address_convert_legacy(Address.build("99999")).needs_confirmation is True


def test_address_display_names_the_units():
    assert address_display(Address.build("05977", "12 Lê Lợi")) == (
        "12 Lê Lợi, Phường Đông Kinh, Tỉnh Lạng Sơn"
    )
    assert address_display(Address.build("05980", "Số 3", "legacy")) == (
        "Số 3, Phường Đông Kinh, Thành phố Lạng Sơn, Tỉnh Lạng Sơn"
    )
    assert address_display(Address.build("99999", "Số 3")) == "Số 3, [2025 99999]"
