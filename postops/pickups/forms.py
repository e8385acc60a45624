"""Forms of the pickup pages. Labels and errors are Vietnamese (translated by gettext)."""

from __future__ import annotations

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from postops.core import calendar
from postops.dossiers import rules as dossier_rules
from postops.network.forms import CommuneField

from . import rules, selectors
from .models import PickupStatus, TimeWindow


class PickupRequestForm(forms.Form):
    """A home pickup request: the public web form and the clerk's phone entry.

    ``idempotency_key`` is drawn when the page is drawn, so a double submit makes one
    request. ``website`` is a honeypot: hidden from people (CSS), filled by form robots.
    The procedure is chosen from a search of the catalogue (postal-allowed only); the
    template renders ``procedure_options`` as radio buttons.
    """

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    website = forms.CharField(
        label=_("Để trống ô này"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    name = forms.CharField(
        label=_("Họ và tên"),
        max_length=150,
        error_messages={"required": _("Cần nhập họ và tên.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=20,
        error_messages={"required": _("Cần nhập số điện thoại để bưu tá liên hệ.")},
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    commune = CommuneField(
        label=_("Xã/phường"), error_messages={"required": _("Cần chọn xã/phường.")}
    )
    street = forms.CharField(
        label=_("Số nhà, đường, thôn/xóm"),
        max_length=255,
        error_messages={"required": _("Cần nhập số nhà, đường hoặc thôn/xóm.")},
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    procedure_q = forms.CharField(label=_("Tìm thủ tục"), max_length=100, required=False)
    procedure = forms.IntegerField(
        label=_("Thủ tục"),
        required=True,
        error_messages={
            "required": _("Cần chọn thủ tục: tìm theo tên rồi chọn một thủ tục."),
            "invalid": _("Cần chọn thủ tục: tìm theo tên rồi chọn một thủ tục."),
        },
        widget=forms.HiddenInput,
    )
    preferred_date = forms.DateField(
        label=_("Ngày hẹn"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Cần chọn ngày hẹn."), "invalid": _("Ngày không hợp lệ.")},
    )
    time_window = forms.ChoiceField(
        label=_("Khung giờ"),
        choices=TimeWindow.choices,
        initial=TimeWindow.MORNING,
        widget=forms.RadioSelect,
        error_messages={"required": _("Chọn khung giờ."), "invalid_choice": _("Chọn khung giờ.")},
    )
    office = forms.ModelChoiceField(
        label=_("Bưu cục gần nhất"),
        queryset=None,
        required=False,
        empty_label=_("— Tự động theo xã/phường —"),
        help_text=_("Chỉ cần chọn khi hệ thống chưa tìm được bưu cục phục vụ xã/phường."),
    )
    note = forms.CharField(
        label=_("Ghi chú cho bưu tá"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, offices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = (
            offices if offices is not None else selectors.pickup_offices()
        )
        self.fields["office"].label_from_instance = lambda o: f"{o.name} ({o.code})"
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)
            self.initial.setdefault("preferred_date", _next_working_day())
        self.chosen_procedure = None

    @property
    def procedure_options(self):
        """Matches of the typed search, with the chosen procedure first (for the radios)."""
        source = self.data if self.is_bound else self.initial
        q = (source.get("procedure_q") or "").strip()[:100]
        options = list(selectors.procedures_for_pickup(q, limit=15)) if q else []
        chosen = self.chosen_procedure or selectors.procedure_for_pickup(source.get("procedure"))
        if chosen is not None:
            options = [chosen] + [p for p in options if p.pk != chosen.pk]
        return options, (chosen.pk if chosen else None)

    def clean_phone(self):
        try:
            return dossier_rules.phone_normalize(self.cleaned_data["phone"])
        except dossier_rules.PhoneError as exc:
            raise forms.ValidationError(gettext(exc.message)) from None

    def clean_procedure(self):
        procedure = selectors.procedure_for_pickup(self.cleaned_data["procedure"])
        if procedure is None:
            raise forms.ValidationError(
                _("Thủ tục này không nhận hồ sơ qua dịch vụ bưu chính công ích.")
            )
        self.chosen_procedure = procedure
        return procedure

    def clean(self):
        data = super().clean()
        if (data.get("website") or "").strip():
            # A person never sees the field; say nothing that helps a robot adapt.
            raise forms.ValidationError(_("Không gửi được yêu cầu. Vui lòng thử lại."))
        day, window = data.get("preferred_date"), data.get("time_window")
        if day and window:
            try:
                rules.check_preferred(day, window, timezone.localtime(), calendar.is_working_day)
            except rules.WhenError as exc:
                self.add_error("preferred_date", gettext(exc.message) % exc.params)
        return data

    def create_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "phone": data["phone"],
            "commune_code": data["commune"].code,
            "street": data["street"],
            "procedure": data["procedure"],
            "preferred_date": data["preferred_date"],
            "time_window": data["time_window"],
            "note": data.get("note", ""),
            "office": data.get("office"),
            "idempotency_key": data["idempotency_key"],
        }


def _next_working_day():
    day = timezone.localdate()
    return calendar.add_working_days(day, 1)


class StatusLookupForm(forms.Form):
    code = forms.CharField(
        label=_("Mã yêu cầu"),
        max_length=20,
        error_messages={"required": _("Nhập mã yêu cầu, ví dụ TG7K2M9QXA.")},
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )


class QueueFilterForm(forms.Form):
    day = forms.DateField(
        label=_("Ngày hẹn"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Ngày không hợp lệ.")},
    )
    window = forms.ChoiceField(
        label=_("Khung giờ"), required=False, choices=[("", _("Tất cả"))] + TimeWindow.choices
    )
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[("open", _("Đang mở")), ("", _("Tất cả"))] + PickupStatus.choices,
    )


class AssignForm(forms.Form):
    postman = forms.ModelChoiceField(
        label=_("Bưu tá"),
        queryset=None,
        error_messages={
            "required": _("Chọn bưu tá."),
            "invalid_choice": _("Chọn một bưu tá của bưu cục này."),
        },
    )

    def __init__(self, *args, postmen, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["postman"].queryset = postmen
        self.fields["postman"].label_from_instance = lambda u: u.full_name or u.get_username()


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do"),
        max_length=255,
        error_messages={"required": _("Cần ghi lý do.")},
    )
