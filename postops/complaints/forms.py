"""Complaint forms: the public form, the staff intake and the answer/compensation steps."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from postops.core.forms import VndField
from postops.dossiers import rules as dossier_rules

from . import rules, services
from .models import Channel, IncidentKind, Kind, Outcome

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ERRORS = {"required": _("Vui lòng nhập thông tin này.")}


class _SubjectMixin:
    def clean_number(self):
        number = self.cleaned_data["number"]
        try:
            self._facts = services.subject_resolve(number)
        except services.ComplaintError as error:
            raise forms.ValidationError(str(error.message), code=error.code) from None
        return number

    def clean_complainant_phone(self):
        try:
            return dossier_rules.phone_normalize(self.cleaned_data["complainant_phone"])
        except dossier_rules.PhoneError as error:
            raise forms.ValidationError(gettext(error.message), code=error.code) from None


class PublicComplaintForm(_SubjectMixin, forms.Form):
    """``/khieu-nai/``. ``website`` is a honeypot (hidden from people, filled by bots);
    ``token`` is drawn when the form is shown, so a double submit files one complaint."""

    number = forms.CharField(
        label=_("Số hiệu bưu gửi hoặc số phiếu gửi hồ sơ"),
        max_length=40,
        error_messages=ERRORS,
        help_text=_("Ví dụ EB125966888VN hoặc HS-260105-00001."),
    )
    kind = forms.ChoiceField(
        label=_("Nội dung khiếu nại"), choices=Kind.choices, error_messages=ERRORS
    )
    complainant_name = forms.CharField(label=_("Họ và tên"), max_length=150, error_messages=ERRORS)
    complainant_phone = forms.CharField(
        label=_("Số điện thoại"), max_length=20, error_messages=ERRORS
    )
    description = forms.CharField(
        label=_("Mô tả sự việc"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages=ERRORS,
    )
    website = forms.CharField(required=False, label=_("Để trống ô này"))
    token = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4().hex)

    def is_spam(self) -> bool:
        return bool(self.data.get("website"))


class StaffComplaintForm(_SubjectMixin, forms.Form):
    """A complaint taken at the counter, by phone or by letter."""

    number = forms.CharField(
        label=_("Số hiệu bưu gửi hoặc số phiếu gửi hồ sơ"), max_length=40, error_messages=ERRORS
    )
    channel = forms.ChoiceField(label=_("Kênh tiếp nhận"), choices=Channel.choices)
    kind = forms.ChoiceField(label=_("Nội dung khiếu nại"), choices=Kind.choices)
    complainant_name = forms.CharField(label=_("Họ và tên"), max_length=150, error_messages=ERRORS)
    complainant_phone = forms.CharField(
        label=_("Số điện thoại"), max_length=20, error_messages=ERRORS
    )
    description = forms.CharField(
        label=_("Mô tả sự việc"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    received_on = forms.DateField(
        label=_("Ngày tiếp nhận"), widget=DATE_WIDGET, error_messages=ERRORS
    )
    international = forms.BooleanField(label=_("Bưu gửi quốc tế"), required=False)
    token = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4().hex)


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Kết luận"),
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages=ERRORS,
    )
    answer_text = forms.CharField(
        label=_("Nội dung trả lời"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        error_messages=ERRORS,
    )
    lost = forms.BooleanField(label=_("Xác định bưu gửi/hồ sơ bị mất"), required=False)
    damaged = forms.BooleanField(
        label=_("Xác định bưu gửi/hồ sơ bị hư hỏng, suy suyển"), required=False
    )


class CompensationForm(forms.Form):
    basis = forms.ChoiceField(
        label=_("Căn cứ"),
        choices=[
            (rules.Basis.DOMESTIC_LOSS, _("Mất bưu gửi trong nước: 4 lần cước (gồm hoàn cước)")),
            (rules.Basis.DOMESTIC_DAMAGE, _("Hư hỏng, suy suyển: theo thiệt hại thực tế")),
            (rules.Basis.DELAY_REFUND, _("Chậm toàn trình có chứng cứ: hoàn cước")),
            (
                rules.Basis.INTERNATIONAL_LOSS,
                _("Quốc tế: 9 SDR/kg, tối thiểu 30 SDR, cộng hoàn cước"),
            ),
        ],
    )
    amount = VndField(label=_("Số tiền bồi thường (đồng)"), error_messages=ERRORS)
    sdr_rate = forms.IntegerField(label=_("Tỷ giá SDR (đồng)"), min_value=0, required=False)
    decided_on = forms.DateField(
        label=_("Ngày quyết định"), widget=DATE_WIDGET, error_messages=ERRORS
    )

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is None or amount <= 0:
            raise forms.ValidationError(_("Số tiền bồi thường phải lớn hơn 0."), code="min")
        return amount


class PaymentForm(forms.Form):
    paid_on = forms.DateField(label=_("Ngày chi trả"), widget=DATE_WIDGET, error_messages=ERRORS)


class IncidentForm(forms.Form):
    office = forms.ModelChoiceField(label=_("Đơn vị"), queryset=None, error_messages=ERRORS)
    kind = forms.ChoiceField(label=_("Loại sự cố"), choices=IncidentKind.choices)
    number = forms.CharField(
        label=_("Số hiệu bưu gửi hoặc số phiếu gửi hồ sơ"), max_length=40, required=False
    )
    found_on = forms.DateField(label=_("Ngày phát hiện"), widget=DATE_WIDGET, error_messages=ERRORS)
    description = forms.CharField(
        label=_("Mô tả"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
    )

    def __init__(self, *args, offices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices

    def clean_number(self):
        number = self.cleaned_data["number"]
        if number:
            try:
                services.subject_resolve(number)
            except services.ComplaintError as error:
                raise forms.ValidationError(str(error.message), code=error.code) from None
        return number
