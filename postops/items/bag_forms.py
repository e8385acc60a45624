"""Forms of the bag pages: close a bag by scanning its items, receive it with one scan."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from . import bag_selectors


class BagCloseForm(forms.Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    origin_office = forms.ModelChoiceField(
        label=_("Bưu cục đóng túi"), queryset=None, empty_label=None
    )
    destination_office = forms.ModelChoiceField(
        label=_("Bưu cục nhận túi"),
        queryset=None,
        error_messages={"required": _("Chọn bưu cục nhận túi.")},
    )
    seal_number = forms.CharField(label=_("Số niêm phong"), max_length=40, required=False)
    numbers = forms.CharField(
        label=_("Bưu gửi trong túi"),
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false", "autocomplete": "off"}),
        help_text=_("Quét lần lượt từng bưu gửi: mỗi số hiệu một dòng."),
        error_messages={"required": _("Túi chưa có bưu gửi nào.")},
    )

    def __init__(self, *args, offices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["origin_office"].queryset = offices
        self.fields["destination_office"].queryset = bag_selectors.bag_destination_choices()
        for name in ("origin_office", "destination_office"):
            self.fields[name].label_from_instance = lambda o: f"{o.code} · {o.name}"
        choices = list(offices[:2])
        if len(choices) == 1:
            self.fields["origin_office"].initial = choices[0].pk
            self.fields["origin_office"].widget = forms.HiddenInput()
        self.fields["numbers"].widget.attrs["autofocus"] = True
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)


class BagScanForm(forms.Form):
    code = forms.CharField(
        label=_("Mã túi"),
        max_length=30,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "off", "spellcheck": "false"}
        ),
        help_text=_("Quét mã vạch trên nhãn túi."),
    )


class BagReceiveForm(forms.Form):
    found = forms.CharField(
        label=_("Bưu gửi lấy ra khỏi túi (không bắt buộc)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "autocomplete": "off"}),
        help_text=_(
            "Để trống: nhận cả túi bằng một lần quét. Quét từng bưu gửi để kiểm đếm: "
            "hệ thống báo bưu gửi thiếu và thừa."
        ),
    )
