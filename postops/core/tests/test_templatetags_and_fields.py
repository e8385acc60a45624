from decimal import Decimal

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation

from postops.core.forms import CccdField, S10Field, VndField


def render(source, **context):
    return Template("{% load postops %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1_250_000, "1.250.000 ₫"),
        (0, "0 ₫"),
        (-5_000, "-5.000 ₫"),
        (Decimal("1000"), "1.000 ₫"),
        ("3.250.000", "3.250.000 ₫"),
        (None, ""),
        ("", ""),
        (Decimal("1.5"), "1.5"),
        ("abc", "abc"),
    ],
)
def test_vnd_filter(value, text):
    assert render("{{ v|vnd }}", v=value) == text


def test_vnd_filter_without_symbol():
    assert render("{{ v|vnd:False }}", v=1_250_000) == "1.250.000"


def test_cccd_mask_filter():
    assert render("{{ v|cccd_mask }}", v="001090012345") == "001*******45"
    assert render("{{ v|cccd_mask }}", v=None) == ""


def test_audit_value_filter():
    assert (
        render("{{ v|audit_value }}", v={"b": 1, "a": "Đ"})
        == "{&quot;a&quot;: &quot;Đ&quot;, &quot;b&quot;: 1}"
    )
    assert render("{{ v|audit_value }}", v=None) == ""
    assert render("{{ v|audit_value }}", v=[1, 2]) == "[1, 2]"


class RuleForm(forms.Form):
    item = S10Field(required=False)
    citizen = CccdField(required=False)
    amount = VndField(required=False)
    refund = VndField(required=False, allow_negative=True)


def test_fields_clean_to_normalised_values():
    form = RuleForm(
        {
            "item": " eb 125 966 888 vn",
            "citizen": "001 090 012 345",
            "amount": "1.250.000 ₫",
            "refund": "-5.000",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "item": "EB125966888VN",
        "citizen": "001090012345",
        "amount": 1_250_000,
        "refund": -5_000,
    }


def test_field_errors_are_vietnamese_per_field():
    with translation.override("vi"):
        form = RuleForm({"item": "EB125966887VN", "citizen": "003090012345", "amount": "3,5"})
        assert form.errors == {
            "item": ["Chữ số kiểm tra sai: với dãy số 12596688, chữ số kiểm tra phải là 8."],
            "citizen": ["Ba chữ số đầu (003) không phải mã tỉnh nơi đăng ký khai sinh."],
            "amount": ["Số tiền tính bằng đồng, không có phần thập phân."],
        }
        assert form.errors.as_data()["item"][0].code == "check_digit"


def test_vnd_field_shows_an_int_initial_value_grouped():
    form = RuleForm(initial={"amount": 1_250_000})
    assert 'value="1.250.000"' in str(form["amount"])
    assert 'inputmode="numeric"' in str(form["amount"])
