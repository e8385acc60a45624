from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from vietnam_provinces.legacy import ProvinceCode

from postops.core import cccd

province_codes = st.sampled_from(sorted(cccd.LEGACY_PROVINCE_CODES))
serials = st.integers(min_value=0, max_value=999_999).map(lambda n: f"{n:06d}")
birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31))
sexes = st.sampled_from([cccd.MALE, cccd.FEMALE])


def make_number(province: str, birth_year: int, sex: str, serial: str = "012345") -> str:
    return f"{province}{cccd.century_sex_digit(birth_year, sex)}{birth_year % 100:02d}{serial}"


def test_legacy_province_codes_match_vietnam_provinces_legacy_list():
    assert set(cccd.LEGACY_PROVINCE_CODES) == {f"{int(code):03d}" for code in ProvinceCode}
    assert len(cccd.LEGACY_PROVINCE_CODES) == 63


def test_examples():
    # Hà Nội, male, 1990
    assert cccd.decode("001090012345") == cccd.CccdInfo(
        province_code="001",
        province_name="Hà Nội",
        sex=cccd.MALE,
        birth_year=1990,
        serial="012345",
    )
    # Lạng Sơn, female, 2005
    info = cccd.decode("020305000078")
    assert (info.province_name, info.sex, info.birth_year) == ("Lạng Sơn", cccd.FEMALE, 2005)
    cccd.validate("020305000078", date(2005, 3, 1), cccd.FEMALE, today=date(2026, 1, 1))


@pytest.mark.parametrize(
    ("g", "start", "sex"),
    [
        (0, 1900, "M"),
        (1, 1900, "F"),
        (2, 2000, "M"),
        (3, 2000, "F"),
        (4, 2100, "M"),
        (5, 2100, "F"),
        (6, 2200, "M"),
        (7, 2200, "F"),
        (8, 2300, "M"),
        (9, 2300, "F"),
    ],
)
def test_century_and_sex_digit(g, start, sex):
    info = cccd.decode(f"001{g}07000001")
    assert (info.birth_year, info.sex) == (start + 7, sex)
    assert cccd.century_sex_digit(start + 7, sex) == g


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("00109001234", "length"),
        ("0010900123456", "length"),
        ("", "length"),
        ("00109001234a", "digits"),
        ("00109001234 ", "digits"),
        ("٠٠١٠٩٠٠١٢٣٤٥", "digits"),
        ("000090012345", "province"),
        ("003090012345", "province"),  # 003 was never a province code
        ("097090012345", "province"),
        ("099090012345", "province"),
    ],
)
def test_structural_errors(number, code):
    with pytest.raises(cccd.CccdError) as exc:
        cccd.validate(number)
    assert exc.value.code == code
    assert not cccd.is_valid(number)


def test_province_error_message_is_vietnamese_and_names_the_code():
    with pytest.raises(cccd.CccdError) as exc:
        cccd.validate("003090012345")
    assert str(exc.value) == "Ba chữ số đầu (003) không phải mã tỉnh nơi đăng ký khai sinh."


def test_sex_must_agree_with_the_fourth_digit():
    cccd.validate("001090012345", sex=cccd.MALE)
    with pytest.raises(cccd.CccdError) as exc:
        cccd.validate("001090012345", sex=cccd.FEMALE)
    assert exc.value.code == "century_sex"
    assert exc.value.params == {"digit": "0"}


def test_century_must_agree_with_the_birth_date():
    with pytest.raises(cccd.CccdError) as exc:
        cccd.validate("001290012345", birth_date=date(1990, 5, 1))
    assert exc.value.code == "century_sex"


def test_year_must_agree_with_the_birth_date():
    with pytest.raises(cccd.CccdError) as exc:
        cccd.validate("001091012345", birth_date=date(1990, 5, 1))
    assert exc.value.code == "birth_year"
    assert exc.value.params == {"digits": "91"}


def test_a_birth_year_in_the_future_is_refused_when_today_is_known():
    with pytest.raises(cccd.CccdError) as exc:
        cccd.validate("001490012345", today=date(2026, 1, 1))  # 2190
    assert exc.value.code == "century_sex"
    with pytest.raises(cccd.CccdError) as exc:
        cccd.validate("001227012345", today=date(2026, 1, 1))  # 2027
    assert exc.value.code == "birth_year"
    cccd.validate("001226012345", today=date(2026, 1, 1))


def test_unknown_sex_value_is_a_programming_error():
    with pytest.raises(ValueError, match="sex"):
        cccd.validate("001090012345", sex="male")


def test_mask_keeps_province_and_last_two_digits():
    assert cccd.mask("001090012345") == "001*******45"
    assert cccd.mask("12345") == "*****"
    assert cccd.mask(None) == ""


def test_normalize_drops_spaces_dots_and_dashes():
    assert cccd.normalize(" 001 090-012.345 ") == "001090012345"


@given(province=province_codes, born=birth_dates, sex=sexes, serial=serials)
def test_numbers_built_from_a_person_validate_against_that_person(province, born, sex, serial):
    number = make_number(province, born.year, sex, serial)
    cccd.validate(number, born, sex, today=date(2099, 12, 31))
    info = cccd.decode(number)
    assert (info.province_code, info.birth_year, info.sex, info.serial) == (
        province,
        born.year,
        sex,
        serial,
    )


@given(province=province_codes, born=birth_dates, other=birth_dates, sex=sexes)
def test_another_birth_year_is_refused(province, born, other, sex):
    number = make_number(province, born.year, sex)
    if other.year != born.year:
        with pytest.raises(cccd.CccdError) as exc:
            cccd.validate(number, other, sex)
        assert exc.value.code in {"century_sex", "birth_year"}


@given(number=st.text(max_size=14))
def test_validate_raises_only_cccd_errors(number):
    try:
        cccd.validate(number)
    except cccd.CccdError as error:
        assert error.code in {"length", "digits", "province"}


@given(number=st.from_regex(r"[0-9]{12}", fullmatch=True))
def test_mask_never_shows_digits_four_to_ten(number):
    masked = cccd.mask(number)
    assert len(masked) == 12
    assert masked[3:10] == "*******"
    assert masked[:3] == number[:3] and masked[10:] == number[10:]
