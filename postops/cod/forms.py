"""Forms of the COD pages. Field errors are Vietnamese; the services decide the rules."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from postops.core.forms import VndField


class SenderForm(forms.Form):
    name = forms.CharField(label=_("Tên khách hàng"), max_length=150)
    phone = forms.CharField(label=_("Điện thoại"), max_length=20, required=False)
    bank_name = forms.CharField(label=_("Ngân hàng"), max_length=100, required=False)
    bank_account = forms.CharField(label=_("Số tài khoản"), max_length=40, required=False)
    account_holder = forms.CharField(label=_("Chủ tài khoản"), max_length=150, required=False)
    deduct_fees = forms.BooleanField(
        label=_("Trừ cước vào tiền thu hộ (theo hợp đồng)"), required=False
    )

    def clean_bank_account(self):
        value = self.cleaned_data["bank_account"].replace(" ", "")
        if value and not value.isdigit():
            raise forms.ValidationError(_("Số tài khoản chỉ gồm chữ số."))
        return value


class BatchCreateForm(forms.Form):
    """Hidden idempotency key: a double click makes one statement."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["idempotency_key"].initial = uuid.uuid4().hex


class PayForm(forms.Form):
    bank_reference = forms.CharField(
        label=_("Mã giao dịch ngân hàng"),
        max_length=64,
        help_text=_("Mã trên lệnh chuyển tiền; số phiếu chi nếu trả tiền mặt tại quầy."),
    )


class ReconcileForm(forms.Form):
    bank_amount = VndField(
        label=_("Số tiền trên sao kê ngân hàng (đồng)"), help_text=_("Ví dụ 1.250.000")
    )
    bank_reference = forms.CharField(label=_("Mã giao dịch trên sao kê"), max_length=64)
    note = forms.CharField(label=_("Ghi chú"), max_length=200, required=False)


class KeyLinkForm(forms.Form):
    prefix = forms.CharField(
        label=_("Tiền tố khóa API của khách hàng"),
        max_length=12,
        help_text=_("12 ký tự đầu của khóa, như trong danh sách khóa API."),
    )
