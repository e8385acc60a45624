"""Forms of the core app, and form fields for the shared rules (S10, citizen ID, VND)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import cccd, money, s10
from .selectors import AuditFilters


def _rule_error(error) -> ValidationError:
    """A pure module's error (code, untranslated Vietnamese message, params) for a form."""
    return ValidationError(gettext(error.message), code=error.code, params=error.params)


class S10Field(forms.CharField):
    """An S10 item number; spaces and case are forgiven (``normalize``) before validating."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return s10.normalize(value) if value else value

    def validate(self, value):
        super().validate(value)
        if value:
            try:
                s10.validate(value)
            except s10.S10Error as error:
                raise _rule_error(error) from error


class CccdField(forms.CharField):
    """A citizen ID number (structure only: birth date and sex are checked by the form's
    ``clean()`` with ``cccd.validate(number, birth_date, sex)`` when the form has them)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return cccd.normalize(value) if value else value

    def validate(self, value):
        super().validate(value)
        if value:
            try:
                cccd.validate(value)
            except cccd.CccdError as error:
                raise _rule_error(error) from error


class VndField(forms.Field):
    """An amount of đồng typed the Vietnamese way ("1.250.000", "1 250 000 ₫"); gives an int."""

    widget = forms.TextInput

    def __init__(self, *, allow_negative: bool = False, **kwargs):
        self.allow_negative = allow_negative
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "numeric", "maxlength": "40"}

    def prepare_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return money.format_vnd(value, symbol=False)
        return value

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip()
        if value in self.empty_values:
            return None
        try:
            return money.parse_vnd(value, allow_negative=self.allow_negative)
        except money.MoneyError as error:
            raise _rule_error(error) from error


class AuditSearchForm(forms.Form):
    actor = forms.CharField(
        label=_("Người thực hiện (tên đăng nhập)"), max_length=150, required=False
    )
    action = forms.CharField(
        label=_("Hành động (bắt đầu bằng)"),
        max_length=80,
        required=False,
        help_text=_("Ví dụ: accounts. hoặc dossiers.dossier.read"),
    )
    target_type = forms.CharField(
        label=_("Loại đối tượng"),
        max_length=80,
        required=False,
        help_text=_("Dạng ứng_dụng.mô_hình, ví dụ accounts.user"),
    )
    target_id = forms.CharField(label=_("Mã đối tượng"), max_length=64, required=False)
    office_code = forms.CharField(label=_("Mã bưu cục"), max_length=12, required=False)
    date_from = forms.DateField(
        label=_("Từ ngày"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("Đến ngày"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("Ngày kết thúc phải sau hoặc bằng ngày bắt đầu."))
        return cleaned

    def filters(self) -> AuditFilters:
        data = self.cleaned_data
        return AuditFilters(
            actor=data.get("actor", "").strip(),
            action=data.get("action", "").strip(),
            target_type=data.get("target_type", "").strip().lower(),
            target_id=data.get("target_id", "").strip(),
            office_code=data.get("office_code", "").strip(),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
