import pytest
from hypothesis import given
from hypothesis import strategies as st

from postops.core import s10

letters = st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
allowed_first = st.sampled_from(sorted(set("ABCDEFGHIJKLMNOPQRSTUVWXYZ") - set("JKSTW")))
serials = st.integers(min_value=0, max_value=99_999_999)


def test_check_digit_of_the_upu_example():
    # 4·8 + 7·6 + 3·4 + 1·2 + 2·3 + 4·5 + 8·9 + 2·7 = 200; 11 − (200 mod 11) = 9
    assert check_sum("47312482") == 200
    assert s10.check_digit("47312482") == 9


def test_check_digit_of_the_vietnam_example():
    assert check_sum("12596688") == 234
    assert s10.check_digit("12596688") == 8


def test_check_digit_ten_becomes_zero():
    assert check_sum("00300000") == 12  # 12 mod 11 = 1 → C = 10 → 0
    assert s10.check_digit("00300000") == 0


def test_check_digit_eleven_becomes_five():
    assert check_sum("00000000") == 0  # 0 mod 11 = 0 → C = 11 → 5
    assert s10.check_digit("00000000") == 5
    assert check_sum("00000011") == 16  # 16 mod 11 = 5 → C = 6 (no folding)
    assert s10.check_digit("00000011") == 6


def test_check_digit_accepts_an_int():
    assert s10.check_digit(12596688) == 8
    assert s10.check_digit(0) == 5


@pytest.mark.parametrize("bad", ["1234567", "123456789", "1234567a", "", -1, 100_000_000, True])
def test_check_digit_refuses_what_is_not_eight_digits(bad):
    with pytest.raises(s10.S10Error) as exc:
        s10.check_digit(bad)
    assert exc.value.code == "format"


@pytest.mark.parametrize("number", ["RR473124829GB", "EB125966888VN"])
def test_examples_are_valid(number):
    s10.validate(number)
    assert s10.is_valid(number)


@pytest.mark.parametrize(
    "number",
    [
        "EB125966888V",  # too short
        "EB125966888VNX",
        "E8125966888VN",
        "EB12596688XVN",
        "eb125966888vn",  # not normalised
        "EB 125966888VN",
        "EB125966888VN\n",
        "EB١٢٥٩٦٦٨٨٨VN",  # Arabic-Indic digits are not ASCII digits
        "",
    ],
)
def test_format_errors(number):
    with pytest.raises(s10.S10Error) as exc:
        s10.validate(number)
    assert exc.value.code == "format"
    assert not s10.is_valid(number)


def test_wrong_check_digit_names_the_expected_digit():
    with pytest.raises(s10.S10Error) as exc:
        s10.validate("EB125966887VN")
    assert exc.value.code == "check_digit"
    assert exc.value.params == {"serial": "12596688", "expected": 8}
    assert str(exc.value) == (
        "Chữ số kiểm tra sai: với dãy số 12596688, chữ số kiểm tra phải là 8."
    )


@pytest.mark.parametrize("letter", list("JKSTW"))
def test_reserved_first_letter_of_the_service_indicator(letter):
    number = f"{letter}A125966888VN"
    with pytest.raises(s10.S10Error) as exc:
        s10.validate(number)
    assert exc.value.code == "reserved_prefix"
    assert exc.value.params == {"letter": letter}


@pytest.mark.parametrize("country", ["JP", "KR", "SE", "TH", "TW"])
def test_country_codes_starting_with_reserved_letters_are_fine(country):
    assert s10.is_valid(f"RR473124829{country}")


def test_reserved_prefix_is_reported_before_a_wrong_check_digit():
    with pytest.raises(s10.S10Error) as exc:
        s10.validate("JA125966880VN")
    assert exc.value.code == "reserved_prefix"


def test_normalize_strips_spaces_and_upper_cases():
    assert s10.normalize(" eb 125 966 888 vn ") == "EB125966888VN"
    assert s10.normalize("rr\t473124829\u00a0gb") == "RR473124829GB"


def test_build_examples():
    assert s10.build("EB", "12596688") == "EB125966888VN"
    assert s10.build("rr", 47312482, country="gb") == "RR473124829GB"
    assert s10.build("CP", 0) == "CP000000005VN"


@pytest.mark.parametrize(
    ("indicator", "serial", "country", "code"),
    [
        ("E", 1, "VN", "format"),
        ("E1", 1, "VN", "format"),
        ("EB", 1, "V", "format"),
        ("EB", 100_000_000, "VN", "format"),
        ("EB", "1234", "VN", "format"),
        ("SA", 1, "VN", "reserved_prefix"),
        ("WX", 1, "VN", "reserved_prefix"),
    ],
)
def test_build_refuses(indicator, serial, country, code):
    with pytest.raises(s10.S10Error) as exc:
        s10.build(indicator, serial, country)
    assert exc.value.code == code


@given(first=allowed_first, second=letters, serial=serials, country=st.tuples(letters, letters))
def test_built_numbers_validate(first, second, serial, country):
    number = s10.build(first + second, serial, "".join(country))
    assert len(number) == 13
    assert number[2:10] == f"{serial:08d}"
    s10.validate(number)


@given(serial=serials, wrong=st.integers(min_value=1, max_value=9))
def test_any_other_check_digit_is_refused(serial, wrong):
    good = s10.build("EB", serial)
    bad_digit = (int(good[10]) + wrong) % 10
    bad = f"{good[:10]}{bad_digit}{good[11:]}"
    with pytest.raises(s10.S10Error) as exc:
        s10.validate(bad)
    assert exc.value.code == "check_digit"


@given(serial=serials)
def test_check_digit_is_a_single_digit_and_never_ten(serial):
    assert 0 <= s10.check_digit(serial) <= 9


@given(serial=serials, position=st.integers(min_value=0, max_value=7), delta=st.integers(1, 9))
def test_a_single_digit_typo_is_caught_unless_the_folding_collides(serial, position, delta):
    # Weights are non-zero and below 11, so one changed digit always changes S mod 11; only
    # the folding C = 10 → 0 and C = 11 → 5 can give two serials the same printed digit.
    good = s10.build("RR", serial)
    digits = list(good[2:10])
    digits[position] = str((int(digits[position]) + delta) % 10)
    changed = "".join(digits)
    typo = f"RR{changed}{good[10]}VN"
    raw_good = 11 - check_sum(good[2:10]) % 11
    raw_typo = 11 - check_sum(changed) % 11
    assert raw_good != raw_typo
    if raw_good <= 9 and raw_typo <= 9:
        assert not s10.is_valid(typo)


@given(text=st.text(max_size=20))
def test_validate_only_raises_s10_errors(text):
    try:
        s10.validate(s10.normalize(text))
    except s10.S10Error as error:
        assert error.code in {"format", "reserved_prefix", "check_digit"}


def check_sum(serial: str) -> int:
    return sum(int(d) * w for d, w in zip(serial, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
