"""Form of the staff page that creates an API key."""

from django import forms
from django.utils.translation import gettext_lazy as _

from postops.network.models import Office

from .models import Role


class ApiKeyCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Tên (hệ thống hoặc đối tác dùng khóa)"),
        max_length=100,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )
    role = forms.ChoiceField(label=_("Vai trò"), choices=Role.choices, initial=Role.PARTNER)
    offices = forms.ModelMultipleChoiceField(
        label=_("Đơn vị"),
        queryset=Office.objects.none(),
        required=False,
        help_text=_("Khóa chỉ thấy các đơn vị này và các đơn vị trực thuộc."),
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )

    agency = forms.ModelChoiceField(
        label=_("Cơ quan"),
        queryset=None,
        required=False,
        help_text=_("Chỉ với vai trò cán bộ cơ quan: khóa của hệ thống một cửa của cơ quan này."),
    )

    def __init__(self, *args, **kwargs):
        from postops.dossiers.models import Agency

        super().__init__(*args, **kwargs)
        self.fields["offices"].queryset = Office.objects.filter(is_active=True).order_by("path")
        self.fields["agency"].queryset = Agency.objects.filter(is_active=True).order_by("code")

    def clean(self):
        data = super().clean()
        if data.get("agency") is not None and data.get("role") != Role.AGENCY:
            self.add_error(
                "agency", _("Chỉ khóa có vai trò cán bộ cơ quan hành chính mới gắn với cơ quan.")
            )
        return data

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Vui lòng nhập tên."))
        return name
