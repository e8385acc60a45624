"""Forms of the items pages: counter acceptance (issue #3, item 3).

The counter is keyboard and barcode-scanner first: the number field takes a scanned S10
label (or stays empty to take the next number of the office's block), Enter moves to the
next field (``static/js/items-accept.js``), amounts are typed as plain đồng ("350.000" is
read too). Values are checked here for form errors; ``services.item_accept`` checks the
rules again and stores.
"""

from __future__ import annotations

import uuid

from django import forms
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from postops.core import s10
from postops.core.money import MoneyError, parse_vnd
from postops.network.address import SCHEME_2025, SCHEME_LEGACY, Address, AddressError
from postops.network.forms import CommuneField, CommunePickerWidget
from postops.network.models import LegacyCommune
from postops.network.selectors import address_convert_legacy

from . import selectors


class LegacyCommunePickerWidget(CommunePickerWidget):
    """The commune picker, searching the communes of before 1 July 2025."""

    def get_context(self, name, value, attrs):
        context = forms.Widget.get_context(self, name, value, attrs)
        code = context["widget"]["value"]
        commune = None
        if code:
            commune = (
                LegacyCommune.objects.select_related("district__province").filter(code=code).first()
            )
        widget_id = context["widget"]["attrs"].get("id") or f"id_{name}"
        context["widget"].update(
            {
                "search_url": reverse("items:legacy_commune_search"),
                "commune": commune,
                "label": legacy_label(commune) if commune else "",
                "search_id": f"{widget_id}_search",
                "results_id": f"{widget_id}_results",
                "province": "",
            }
        )
        return context


def legacy_label(commune: LegacyCommune) -> str:
    return f"{commune.name}, {commune.district.name}, {commune.district.province.name}"


class LegacyCommuneField(forms.ModelChoiceField):
    widget = LegacyCommunePickerWidget
    default_error_messages = {
        "invalid_choice": _("Không tìm thấy xã cũ này. Hãy tìm và chọn lại."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", LegacyCommune.objects.select_related("district__province"))
        kwargs.setdefault("widget", LegacyCommunePickerWidget())
        super().__init__(**kwargs)


class MoneyField(forms.Field):
    """An amount of đồng, typed as digits with or without thousands dots; empty is 0."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off", "maxlength": 20})

    def to_python(self, value):
        text = str(value or "").strip()
        if not text:
            return 0
        try:
            return parse_vnd(text)
        except MoneyError as exc:
            raise forms.ValidationError(gettext(exc.message), code=exc.code) from None


class AcceptForm(forms.Form):
    """One item at the counter. ``idempotency_key`` is made when the page is drawn, so a
    double submit (or a resent form) stores one item."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    office = forms.ModelChoiceField(
        label=_("Bưu cục nhận gửi"), queryset=None, empty_label=None, required=True
    )
    number = forms.CharField(
        label=_("Số hiệu"),
        max_length=20,
        required=False,
        help_text=_("Quét mã vạch trên nhãn in sẵn, hoặc để trống để cấp số mới."),
    )
    prefix = forms.ChoiceField(label=_("Dịch vụ"), required=False)
    sender_phone = forms.CharField(label=_("Điện thoại người gửi"), max_length=20, required=False)
    sender_name = forms.CharField(
        label=_("Tên người gửi"),
        max_length=150,
        error_messages={"required": _("Cần nhập tên người gửi.")},
    )
    sender_commune = CommuneField(label=_("Xã/phường người gửi"), required=False)
    sender_street = forms.CharField(
        label=_("Địa chỉ người gửi (số nhà, đường, thôn)"), max_length=255, required=False
    )
    receiver_name = forms.CharField(
        label=_("Tên người nhận"),
        max_length=150,
        error_messages={"required": _("Cần nhập tên người nhận.")},
    )
    receiver_phone = forms.CharField(
        label=_("Điện thoại người nhận"), max_length=20, required=False
    )
    receiver_commune = CommuneField(
        label=_("Xã/phường người nhận"),
        required=False,
        help_text=_("Gõ tên không dấu, ví dụ “dong kinh”."),
    )
    receiver_legacy_commune = LegacyCommuneField(
        label=_("Hoặc: xã/phường cũ (trước 01/07/2025)"),
        required=False,
        help_text=_("Địa chỉ ghi theo địa giới cũ: gõ tên xã, huyện, tỉnh cũ."),
    )
    receiver_commune_confirm = forms.ChoiceField(
        label=_("Xác nhận xã/phường mới"),
        required=False,
        widget=forms.RadioSelect,
    )
    receiver_street = forms.CharField(
        label=_("Địa chỉ người nhận (số nhà, đường, thôn)"), max_length=255, required=False
    )
    weight_g = forms.IntegerField(
        label=_("Khối lượng (gam)"),
        min_value=1,
        max_value=1_000_000,
        error_messages={
            "required": _("Cần nhập khối lượng."),
            "invalid": _("Khối lượng là số gam nguyên."),
            "min_value": _("Khối lượng phải là số gam lớn hơn 0."),
            "max_value": _("Khối lượng quá lớn."),
        },
    )
    contents = forms.CharField(label=_("Nội dung hàng"), max_length=255, required=False)
    cod_amount = MoneyField(label=_("Tiền thu hộ COD (đồng)"))
    declared_value = MoneyField(label=_("Giá trị khai (đồng)"))
    advice_of_delivery = forms.BooleanField(label=_("Báo phát"), required=False)

    def __init__(self, *args, offices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices
        self.fields["office"].label_from_instance = lambda o: f"{o.code} · {o.name}"
        choices = list(offices[:2])
        if len(choices) == 1:
            self.fields["office"].initial = choices[0].pk
            self.fields["office"].widget = forms.HiddenInput()
        self.fields["prefix"].choices = [
            ("", _("— theo số hiệu quét —")),
            *selectors.service_indicator_choices(),
        ]
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)
        self.conversion = None  # the legacy conversion, when a legacy commune was given
        attrs = {
            "number": {
                "autofocus": True,
                "autocomplete": "off",
                "spellcheck": "false",
                "autocapitalize": "characters",
                "data-scan": "",
            },
            "sender_phone": {
                "inputmode": "tel",
                "autocomplete": "off",
                "hx-get": reverse("items:sender_lookup"),
                "hx-trigger": "input changed delay:400ms, change",
                "hx-target": "#sender-suggestions",
                "hx-sync": "this:replace",
            },
            "receiver_phone": {"inputmode": "tel", "autocomplete": "off"},
            "weight_g": {"inputmode": "numeric", "autocomplete": "off"},
        }
        for name, extra in attrs.items():
            self.fields[name].widget.attrs.update(extra)
        for name in ("sender_name", "receiver_name", "weight_g"):
            self.fields[name].widget.attrs.setdefault("required", True)
        self._confirm_choices()

    def _confirm_choices(self):
        """Offer the candidates of a partly merged legacy commune (bound forms only)."""
        code = self.data.get(self.add_prefix("receiver_legacy_commune")) if self.is_bound else ""
        if not code:
            return
        conversion = address_convert_legacy(Address(commune_code=code, scheme=SCHEME_LEGACY))
        self.fields["receiver_commune_confirm"].choices = [
            (c.code, f"{c.name}, {c.province.name}") for c in conversion.candidates
        ]

    def clean_number(self):
        number = s10.normalize(self.cleaned_data.get("number") or "")
        if number:
            try:
                s10.validate(number)
            except s10.S10Error as exc:
                raise forms.ValidationError(gettext(exc.message) % exc.params) from None
        return number

    def clean(self):
        data = super().clean()
        if not data.get("number") and not data.get("prefix") and "number" not in self.errors:
            self.add_error("prefix", _("Chọn dịch vụ, hoặc quét số hiệu in sẵn."))
        self._clean_receiver_address(data)
        return data

    def _clean_receiver_address(self, data):
        street = data.get("receiver_street", "")
        new, old = data.get("receiver_commune"), data.get("receiver_legacy_commune")
        data["receiver_address"] = None
        if "receiver_commune" in self.errors or "receiver_legacy_commune" in self.errors:
            return
        if new is None and old is None:
            self.add_error(
                "receiver_commune", _("Chọn xã/phường người nhận (mới hoặc theo địa giới cũ).")
            )
            return
        if new is not None:
            raw = f"{street}, {new.name}, {new.province.name}" if street else ""
            data["receiver_address"] = Address.build(new.code, street, SCHEME_2025, raw or None)
            return
        raw = ", ".join(p for p in (street, legacy_label(old)) if p)
        try:
            legacy = Address.build(old.code, street, SCHEME_LEGACY, raw)
        except AddressError as exc:
            self.add_error("receiver_street", list(exc.errors.values())[0])
            return
        conversion = address_convert_legacy(legacy)
        self.conversion = conversion
        if not conversion.candidates:
            self.add_error(
                "receiver_legacy_commune",
                _("Xã cũ này chưa có trong bảng chuyển đổi: chọn xã/phường mới."),
            )
            return
        if conversion.needs_confirmation:
            chosen = data.get("receiver_commune_confirm")
            if chosen in {c.code for c in conversion.candidates}:
                data["receiver_address"] = conversion.resolve(chosen)
            else:
                self.add_error(
                    "receiver_commune_confirm",
                    _("Xã cũ %(old)s nay thuộc nhiều xã/phường mới: hỏi người gửi và chọn một.")
                    % {"old": old.name},
                )
            return
        data["receiver_address"] = conversion.address

    def sender_address(self) -> Address | None:
        commune = self.cleaned_data.get("sender_commune")
        if commune is None:
            return None
        street = self.cleaned_data.get("sender_street", "")
        raw = f"{street}, {commune.name}, {commune.province.name}" if street else None
        return Address.build(commune.code, street, SCHEME_2025, raw)

    def accept_kwargs(self) -> dict:
        """The keyword arguments of ``services.item_accept`` (actor and request apart)."""
        d = self.cleaned_data
        return {
            "office": d["office"],
            "number": d["number"],
            "prefix": "" if d["number"] else d["prefix"],
            "sender_name": d["sender_name"],
            "sender_phone": _digits(d.get("sender_phone", "")),
            "sender_address": self.sender_address(),
            "receiver_name": d["receiver_name"],
            "receiver_phone": _digits(d.get("receiver_phone", "")),
            "receiver_address": d["receiver_address"],
            "weight_g": d["weight_g"],
            "contents": d.get("contents", ""),
            "cod_amount": d.get("cod_amount") or 0,
            "declared_value": d.get("declared_value") or 0,
            "advice_of_delivery": bool(d.get("advice_of_delivery")),
            "idempotency_key": d["idempotency_key"],
        }


def _digits(phone: str) -> str:
    """Phone numbers are stored as digits only, so the sender lookup finds them again."""
    return "".join(ch for ch in phone if ch.isdigit())


# Service errors (``ValidationError.message_dict`` keys) → the form field showing them.
SERVICE_FIELD = {
    "receiver_commune_code": "receiver_commune",
    "receiver_street": "receiver_street",
    "receiver_scheme": "receiver_commune",
    "sender_commune_code": "sender_commune",
    "sender_street": "sender_street",
    "fee": None,
}
