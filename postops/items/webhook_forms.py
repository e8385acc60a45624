"""The partner's webhook form (``/items/webhooks/``)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class WebhookForm(forms.Form):
    url = forms.CharField(
        label=_("Địa chỉ nhận webhook (URL)"),
        max_length=500,
        help_text=_("Chỉ nhận địa chỉ HTTPS, ví dụ https://cua-hang.vn/postops/webhook."),
        widget=forms.URLInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    is_active = forms.BooleanField(label=_("Đang gửi"), required=False, initial=True)
