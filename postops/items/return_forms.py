"""Forms of the sender-request page. Field errors are Vietnamese; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from postops.core.forms import S10Field, VndField
from postops.network.forms import CommuneField

from .return_rules import Cause


class ItemLookupForm(forms.Form):
    number = S10Field(label=_("Số hiệu bưu gửi"))


class ReturnForm(forms.Form):
    cause = forms.ChoiceField(
        label=_("Lý do chuyển hoàn"),
        choices=[
            (Cause.SENDER_REQUEST.value, _("Người gửi yêu cầu")),
            (Cause.UNDELIVERABLE.value, _("Không phát được")),
        ],
    )
    sender_consented = forms.BooleanField(
        label=_("Người gửi đồng ý trả cước chuyển hoàn"), required=False
    )
    fee = VndField(
        label=_("Cước chuyển hoàn (đồng)"),
        required=False,
        help_text=_("Để trống để tính theo bảng cước hiện hành."),
    )
    note = forms.CharField(label=_("Ghi chú"), max_length=200, required=False)


class WithdrawForm(forms.Form):
    fee = VndField(
        label=_("Cước chuyển hoàn (đồng)"),
        required=False,
        help_text=_("Chỉ khi bưu gửi đã rời bưu cục nhận; để trống để tính theo bảng cước."),
    )
    note = forms.CharField(label=_("Ghi chú"), max_length=200, required=False)


class RedirectForm(forms.Form):
    receiver_name = forms.CharField(label=_("Tên người nhận mới"), max_length=150, required=False)
    receiver_phone = forms.CharField(
        label=_("Điện thoại người nhận"), max_length=20, required=False
    )
    commune = CommuneField(label=_("Xã/phường mới"), required=False)
    street = forms.CharField(label=_("Địa chỉ chi tiết mới"), max_length=255, required=False)
    note = forms.CharField(label=_("Ghi chú"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("street") and not data.get("commune"):
            self.add_error("commune", _("Cần chọn xã/phường cho địa chỉ mới."))
        if not any(data.get(k) for k in ("receiver_name", "receiver_phone", "commune")):
            raise forms.ValidationError(_("Nhập ít nhất một thông tin cần đổi."))
        return data
