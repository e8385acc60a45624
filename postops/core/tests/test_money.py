import pytest
from hypothesis import given
from hypothesis import strategies as st

from postops.core.money import MAX_VND, MoneyError, format_vnd, parse_vnd

amounts = st.integers(min_value=0, max_value=MAX_VND)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("3.250.000", 3_250_000),
        ("3250000", 3_250_000),
        ("3 250 000", 3_250_000),
        ("3\u00a0250\u00a0000", 3_250_000),
        ("3\u202f250\u202f000", 3_250_000),
        ("1.250.000 ₫", 1_250_000),
        ("1.250.000₫", 1_250_000),
        ("250000đ", 250_000),
        ("250.000 đ", 250_000),
        ("250.000 Đ", 250_000),
        ("250.000 đồng", 250_000),
        ("250.000 VND", 250_000),
        ("  12  ", 12),
        ("0", 0),
        ("007", 7),
        ("1.000", 1_000),
    ],
)
def test_parse_examples(text, value):
    assert parse_vnd(text) == value


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("₫", "empty"),
        ("3,5", "decimal"),
        ("3.25", "decimal"),
        ("3.250,50", "decimal"),
        ("1.000.000,5", "decimal"),
        ("3,250,000", "format"),
        ("1.0000", "format"),
        ("1 000.000", "format"),
        ("12.34.567", "format"),
        ("1e6", "format"),
        ("abc", "format"),
        ("٣٢٥", "format"),
        ("₫ 100", "format"),
        ("-5", "negative"),
        ("−5.000", "negative"),
        ("99999999999999999999", "too_large"),
        ("9.223.372.036.854.775.808", "too_large"),
    ],
)
def test_parse_refusals(text, code):
    with pytest.raises(MoneyError) as exc:
        parse_vnd(text)
    assert exc.value.code == code


def test_negative_amounts_only_when_allowed():
    assert parse_vnd("-5.000", allow_negative=True) == -5_000
    assert parse_vnd("− 5.000 ₫", allow_negative=True) == -5_000
    assert parse_vnd(-3, allow_negative=True) == -3
    with pytest.raises(MoneyError) as exc:
        parse_vnd(-3)
    assert exc.value.code == "negative"


@pytest.mark.parametrize("value", [1.0, 2.5, True, None, [1]])
def test_parse_refuses_non_text_non_int(value):
    with pytest.raises(MoneyError) as exc:
        parse_vnd(value)
    assert exc.value.code == "type"


def test_parse_passes_ints_through():
    assert parse_vnd(1_250_000) == 1_250_000


def test_decimal_message_is_vietnamese():
    with pytest.raises(MoneyError) as exc:
        parse_vnd("3,5")
    assert str(exc.value) == "Số tiền tính bằng đồng, không có phần thập phân."


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1_250_000, "1.250.000 ₫"),
        (0, "0 ₫"),
        (999, "999 ₫"),
        (1_000, "1.000 ₫"),
        (196_000_000_000, "196.000.000.000 ₫"),
        (-50_000, "-50.000 ₫"),
    ],
)
def test_format_examples(value, text):
    assert format_vnd(value) == text


def test_format_without_symbol():
    assert format_vnd(3_250_000, symbol=False) == "3.250.000"


@pytest.mark.parametrize("value", [1.0, "1000", True, None])
def test_format_refuses_non_int(value):
    with pytest.raises(MoneyError):
        format_vnd(value)


@given(amounts)
def test_format_then_parse_round_trips(value):
    assert parse_vnd(format_vnd(value)) == value
    assert parse_vnd(format_vnd(value, symbol=False)) == value


@given(st.integers(min_value=-MAX_VND, max_value=MAX_VND))
def test_round_trip_with_sign(value):
    assert parse_vnd(format_vnd(value), allow_negative=True) == value


@given(amounts)
def test_formatted_groups_are_three_digits(value):
    groups = format_vnd(value, symbol=False).split(".")
    assert 1 <= len(groups[0]) <= 3
    assert all(len(g) == 3 for g in groups[1:])


@given(st.text(max_size=25))
def test_parse_returns_an_int_or_raises_money_error(text):
    try:
        value = parse_vnd(text)
    except MoneyError:
        return
    assert isinstance(value, int) and 0 <= value <= MAX_VND
