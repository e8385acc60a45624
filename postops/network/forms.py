"""Forms of the network app, and the commune picker other apps reuse.

Commune picker: ``CommuneField`` (a form field whose value is a ``Commune``) renders
``CommunePickerWidget``: a search box that asks ``/network/communes/search`` (htmx) for
matches and a hidden input holding the chosen 5-digit code. The behaviour lives in
``static/js/commune-picker.js``; a page using the field must render ``{{ form.media }}``
(e.g. in ``{% block head %}``). Without JavaScript a person can type the 5-digit code in
the search box instead.
"""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import rules
from .models import Commune, Office
from .selectors import office_parent_choices_for_user


class CommunePickerWidget(forms.Widget):
    """Search box + hidden code input; results are buttons that fill the hidden input."""

    template_name = "network/widgets/commune_picker.html"

    class Media:
        js = ["js/commune-picker.js"]

    def __init__(self, attrs=None, province: str | None = None):
        super().__init__(attrs)
        self.province = province

    def format_value(self, value):
        if isinstance(value, Commune):
            return value.code
        return "" if value is None else str(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        code = context["widget"]["value"]
        commune = None
        if code:
            commune = Commune.objects.select_related("province").filter(code=code).first()
        widget_id = context["widget"]["attrs"].get("id") or f"id_{name}"
        context["widget"].update(
            {
                "search_url": reverse("network:commune_search"),
                "commune": commune,
                "label": f"{commune.name}, {commune.province.name}" if commune else "",
                "search_id": f"{widget_id}_search",
                "results_id": f"{widget_id}_results",
                "province": self.province or "",
            }
        )
        return context

    def value_from_datadict(self, data, files, name):
        value = data.get(name, "")
        if not value:
            # Without JavaScript a person can type the 5-digit code in the search box.
            typed = (data.get(f"{name}_q") or "").strip()
            if typed.isdigit() and len(typed) == 5:
                return typed
        return value


class CommuneField(forms.ModelChoiceField):
    """A commune of the 2025 scheme, picked by searching its name."""

    widget = CommunePickerWidget
    default_error_messages = {
        "invalid_choice": _("Không tìm thấy xã/phường này. Hãy tìm và chọn lại."),
    }

    def __init__(self, *, province: str | None = None, **kwargs):
        kwargs.setdefault("queryset", Commune.objects.select_related("province"))
        kwargs.setdefault("widget", CommunePickerWidget(province=province))
        kwargs.setdefault("label", _("Xã/phường"))
        super().__init__(**kwargs)


class OfficeForm(forms.Form):
    """The fields a person edits on an office; the services validate the tree rules."""

    kind = forms.ChoiceField(label=_("Loại"), choices=Office.Kind.choices)
    parent = forms.ModelChoiceField(
        label=_("Đơn vị cấp trên"),
        queryset=Office.objects.none(),
        required=False,
        empty_label=_("— Không có (cấp tỉnh) —"),
    )
    code = forms.CharField(
        label=_("Mã"),
        max_length=12,
        help_text=_("Bưu cục: mã 6 chữ số như trong thông tin định vị bưu gửi."),
    )
    name = forms.CharField(label=_("Tên"), max_length=200)
    commune = CommuneField()
    postal_code = forms.RegexField(
        label=_("Mã bưu chính"),
        regex=r"^\d{5}$",
        max_length=5,
        error_messages={"invalid": _("Cần đúng 5 chữ số.")},
        help_text=_("5 chữ số (Quyết định 2334/QĐ-BKHCN)."),
    )
    street = forms.CharField(label=_("Địa chỉ"), max_length=255, required=False)
    phone = forms.CharField(label=_("Điện thoại"), max_length=20, required=False)
    opening_hours = forms.CharField(label=_("Giờ mở cửa"), max_length=200, required=False)

    def __init__(self, *args, user, office: Office | None = None, **kwargs):
        if office is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "kind": office.kind,
                "parent": office.parent_id,
                "code": office.code,
                "name": office.name,
                "commune": office.commune_id,
                "postal_code": office.postal_code,
                "street": office.street,
                "phone": office.phone,
                "opening_hours": office.opening_hours,
            }
        super().__init__(*args, **kwargs)
        parents = office_parent_choices_for_user(user)
        if office is not None:
            parents = parents.exclude(path__startswith=office.path)
            if office.parent_id:
                # Keep the current parent selectable even when it is outside the user's
                # scope (a supervisor editing their own post office).
                parents = parents | Office.objects.filter(pk=office.parent_id)
        self.fields["parent"].queryset = parents.order_by("path")
        self.fields["parent"].label_from_instance = lambda o: (
            f"{o.code} · {o.name} ({o.get_kind_display()})"
        )
        for field in self.fields.values():
            if field.required:
                field.widget.attrs.setdefault("required", True)
        self.fields["code"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.fields["postal_code"].widget.attrs.update({"inputmode": "numeric"})
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "off"})

    def clean(self):
        data = super().clean()
        kind, code = data.get("kind"), data.get("code")
        if kind and code and not rules.is_office_code(kind, code):
            if kind == rules.POST_OFFICE:
                self.add_error("code", _("Mã bưu cục cần đúng 6 chữ số."))
            else:
                self.add_error(
                    "code", _("Mã chỉ gồm chữ, số, dấu chấm, gạch ngang (tối đa 12 ký tự).")
                )
        return data
