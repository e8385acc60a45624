"""Forms of the delivery pages. Labels and errors are Vietnamese (translated by gettext).

The postman's delivery and failed-attempt forms are drawn by the page and sent by the
offline queue (``static/js/delivery.js``); their checks live in the services, which answer
per field. The forms here are the online ones: assignment, handover, the counter.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from postops.core import s10
from postops.core.forms import VndField as CoreVndField

from .models import DeliveryAttempt


class VndField(forms.CharField):
    """An amount in whole đồng, typed with or without thousands dots: "350.000" → 350000."""

    default_error_messages = {
        "invalid": _("Nhập số tiền là số đồng nguyên, ví dụ 350.000."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": "20"}
            ),
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        text = value.replace(".", "").replace(" ", "").replace("\u00a0", "").replace("₫", "")
        if not text.isdigit():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return int(text)


class AssignForm(forms.Form):
    postman = forms.ModelChoiceField(
        label=_("Bưu tá"),
        queryset=None,
        empty_label=_("— Chọn bưu tá —"),
        error_messages={"required": _("Chọn bưu tá."), "invalid_choice": _("Chọn bưu tá.")},
    )
    numbers = forms.MultipleChoiceField(
        label=_("Bưu gửi"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    scanned = forms.CharField(
        label=_("Hoặc quét/nhập số hiệu"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Mỗi số hiệu một dòng (máy quét mã vạch tự xuống dòng)."),
    )

    def __init__(self, *args, postmen, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["postman"].queryset = postmen
        self.fields["postman"].label_from_instance = lambda u: u.full_name or u.username
        self.fields["numbers"].choices = [(i.number, i.number) for i in items]

    def clean_scanned(self):
        numbers, bad = [], []
        for line in self.cleaned_data["scanned"].replace(",", "\n").splitlines():
            number = s10.normalize(line)
            if not number:
                continue
            (numbers if s10.is_valid(number) else bad).append(number)
        if bad:
            raise forms.ValidationError(
                _("Số hiệu không hợp lệ: %(numbers)s") % {"numbers": ", ".join(bad)}
            )
        return numbers

    def clean(self):
        data = super().clean()
        wanted = list(dict.fromkeys([*data.get("numbers", []), *data.get("scanned", [])]))
        if not wanted and not self.errors:
            self.add_error("numbers", _("Chọn hoặc quét ít nhất một bưu gửi."))
        data["all_numbers"] = wanted
        return data


class RouteAssignForm(forms.Form):
    postman = forms.ModelChoiceField(
        label=_("Bưu tá"),
        queryset=None,
        required=False,
        empty_label=_("— Bưu tá thường phát của tuyến —"),
    )

    def __init__(self, *args, postmen, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["postman"].queryset = postmen
        self.fields["postman"].label_from_instance = lambda u: u.full_name or u.username


class HandoverSubmitForm(forms.Form):
    declared_cash = VndField(
        label=_("Tiền thu hộ nộp lại (đồng)"),
        error_messages={"required": _("Nhập số tiền thu hộ bạn nộp lại (0 nếu không có).")},
    )


class HandoverConfirmForm(forms.Form):
    returned = forms.MultipleChoiceField(
        label=_("Bưu gửi bưu tá trả lại"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Đánh dấu từng bưu gửi đã nhận lại trong tay."),
    )
    counted_cash = VndField(
        label=_("Tiền thu hộ đếm được (đồng)"),
        error_messages={"required": _("Nhập số tiền đã đếm (0 nếu không có).")},
    )
    variance_reason = forms.CharField(
        label=_("Lý do chênh lệch"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Bắt buộc khi số bưu gửi hoặc số tiền không khớp."),
    )

    def __init__(self, *args, undelivered, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["returned"].choices = [
            (e.item.number, f"{e.item.number} · {e.get_outcome_display()}") for e in undelivered
        ]


class HomePayoutAssignForm(forms.Form):
    staff = forms.ModelChoiceField(
        label=_("Người đi chi"),
        queryset=None,
        empty_label=_("— Chọn người đi chi —"),
        error_messages={
            "required": _("Chọn người đi chi."),
            "invalid_choice": _("Chọn người đi chi."),
        },
    )
    lines = forms.MultipleChoiceField(
        label=_("Người hưởng"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Chọn ít nhất một người hưởng.")},
    )

    def __init__(self, *args, staff, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff
        self.fields["staff"].label_from_instance = lambda u: u.full_name or u.username
        self.fields["lines"].choices = [(str(line.pk), str(line.pk)) for line in lines]


class CounterDeliveryForm(forms.Form):
    """An item handed over at the counter (``services.counter_delivery_record``, which checks
    the ID document and the COD amount). ``event_id`` is made when the page is drawn, so a
    double submit records one hand-over."""

    event_id = forms.UUIDField(widget=forms.HiddenInput)
    recipient_name = forms.CharField(label=_("Họ tên người nhận hàng"), max_length=150)
    relation = forms.ChoiceField(
        label=_("Quan hệ với người có tên trên bưu gửi"),
        choices=DeliveryAttempt._meta.get_field("relation").choices,
    )
    id_document = forms.ChoiceField(
        label=_("Giấy tờ xuất trình"),
        choices=[("", "—"), *DeliveryAttempt._meta.get_field("id_document").choices],
        required=False,
    )
    id_number = forms.CharField(
        label=_("Số giấy tờ"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    cod_collected = CoreVndField(label=_("Tiền thu hộ đã thu (đồng)"), required=False)
    note = forms.CharField(label=_("Ghi chú"), max_length=200, required=False)
