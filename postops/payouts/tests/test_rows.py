"""The row rules (``rows``) and the API's ``PayrollRowIn`` agree; village and list order."""

from datetime import date

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from postops.core.text import fold
from postops.payouts import rows, rules
from postops.payouts.importing import _Folder
from postops.payouts.schemas import PayrollRowIn

GOOD = {
    "beneficiary_code": "LS0001",
    "full_name": "Nguyễn Thị Hoa",
    "date_of_birth": "04/03/1950",
    "sex": "Nữ",
    "id_number": "020150001234",
    "address": "Thôn Nà Làng",
    "commune_code": "99901",
    "payout_point_code": "",
    "amount": "3.250.000",
    "arrears": "",
    "months": "1",
    "home_payout": "0",
    "note": "",
}

# Cells as CSV (text) and XLSX (numbers, dates, None) give them, good and bad.
cells = {
    "beneficiary_code": st.sampled_from(["LS0001", "", None, "  A  B ", "X" * 41, 12.0]),
    "full_name": st.sampled_from(["Nguyễn Thị Hoa", "", "  Lê   Văn  A ", "N" * 151]),
    "date_of_birth": st.sampled_from(
        ["04/03/1950", "1950-03-04", "31/02/1950", "x", "", date(1950, 3, 4), "01/01/2999"]
    ),
    "sex": st.sampled_from(["Nữ", "nữ", "NỮ", "F", "Nam", "m", "X", "", None]),
    "id_number": st.sampled_from(
        ["020150001234", "20150001234", "020 150 001 234", "020050001234", "12", "", 20150001234]
    ),
    "address": st.sampled_from(["", None, "Thôn 5", "A" * 256]),
    "village": st.sampled_from(["", None, "Bản Nà Sác"]),
    "commune_code": st.sampled_from(["99901", "9901", 99901, "1234567", "", "abcde"]),
    "payout_point_code": st.sampled_from(["", None, "201001"]),
    "amount": st.sampled_from(
        ["3.250.000", "3250000", "0", "3,5", "-5", "", 3250000, 3250000.0, 3.5, "3 250 000 ₫"]
    ),
    "arrears": st.sampled_from(["", "150.000", "0", "x", None, 0]),
    "months": st.sampled_from(["1", "2", "3", "", None, 2, 2.0]),
    "home_payout": st.sampled_from(["0", "1", "có", "x", "maybe", "", None, True]),
    "note": st.sampled_from(["", "ghi chú", None, "n" * 256]),
}


@st.composite
def row_values(draw):
    values = {}
    for key, strategy in cells.items():
        # An optional column may be missing from the file altogether.
        if key in rows.DEFAULTS and draw(st.booleans()) and draw(st.booleans()):
            continue
        values[key] = draw(strategy)
    return values


def _pydantic(values):
    try:
        model = PayrollRowIn.model_validate(values)
    except ValidationError as exc:
        out = []
        for err in exc.errors(include_url=False):
            key = str(err["loc"][0]) if err["loc"] else (err.get("ctx") or {}).get("column")
            code = "required" if err["type"] == "missing" else err["type"]
            out.append((key, code))
        return None, out
    return model.model_dump(), []


@settings(max_examples=400, deadline=None)
@given(row_values())
def test_row_rules_agree_with_the_api_schema(values):
    clean, problems = rows.check_row(values, timezone.localdate())
    expected_clean, expected_problems = _pydantic(values)
    assert [(key, exc.code) for key, exc in problems] == expected_problems
    assert clean == expected_clean


def test_good_row():
    clean, problems = rows.check_row(GOOD, date(2026, 1, 1))
    assert problems == []
    assert clean == {
        "beneficiary_code": "LS0001",
        "full_name": "Nguyễn Thị Hoa",
        "date_of_birth": date(1950, 3, 4),
        "sex": "F",
        "id_number": "020150001234",
        "address": "Thôn Nà Làng",
        "village": "",
        "commune_code": "99901",
        "payout_point_code": "",
        "amount": 3_250_000,
        "arrears": 0,
        "months": 1,
        "home_payout": False,
        "note": "",
    }


def test_every_failure_in_column_order_with_message_params():
    values = {**GOOD, "full_name": "", "sex": "X", "beneficiary_code": "C" * 41}
    clean, problems = rows.check_row(values, date(2026, 1, 1))
    assert clean is None
    assert [(k, e.code) for k, e in problems] == [
        ("beneficiary_code", "string_too_long"),
        ("full_name", "required"),
        ("sex", "invalid_sex"),
    ]
    assert problems[0][1].message % problems[0][1].params == "Quá dài (tối đa 40 ký tự)."


def test_nothing_to_pay_is_reported_on_the_amount():
    _clean, problems = rows.check_row({**GOOD, "amount": "0"}, date(2026, 1, 1))
    assert [(k, e.code) for k, e in problems] == [("amount", "nothing_to_pay")]


@pytest.mark.parametrize(
    ("address", "village"),
    [
        ("Số 5, Thôn Nà Làng, xã Tân An", "Thôn Nà Làng"),
        ("Bản Nà Sác", "Bản Nà Sác"),
        ("xóm   Đồi,  xã X", "xóm Đồi"),
        ("Tổ 5, phường Đông Kinh", "Tổ 5"),
        ("Tổ dân phố Hòa Bình, phường Y", "Tổ dân phố Hòa Bình"),
        ("Khu phố 2", "Khu phố 2"),
        ("12 Tô Hiệu, phường X", ""),
        ("Khu công nghiệp, Khu 3", "Khu 3"),
        ("Thôn", ""),
        ("", ""),
        ("Số 5 đường Lê Lợi", ""),
    ],
)
def test_village_from_address(address, village):
    assert rules.village_from_address(address, fold) == village


def test_payout_list_order_village_then_given_name():
    people = [
        ("Thôn 10", "Nguyễn Văn An"),
        ("Thôn 2", "Trần Thị Bình"),
        ("Thôn 2", "Lê Văn An"),
        ("", "Hoàng Văn Ánh"),
    ]
    ordered = sorted(people, key=lambda p: rules.payout_list_key(p[0], p[1], fold))
    assert ordered == [
        ("", "Hoàng Văn Ánh"),
        ("Thôn 2", "Lê Văn An"),
        ("Thôn 2", "Trần Thị Bình"),
        ("Thôn 10", "Nguyễn Văn An"),
    ]


@given(st.text(alphabet="aăâbđeêioôơuưyÁÀẢÃẠẤỒỬĐđ \t0123456789", max_size=30))
def test_cached_fold_is_fold(text):
    folder = _Folder()
    assert folder(text) == fold(text)
    assert folder(text) == fold(text)  # from the cache
