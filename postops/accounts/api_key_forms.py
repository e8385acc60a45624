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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offices"].queryset = Office.objects.filter(is_active=True).order_by("path")

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Vui lòng nhập tên."))
        return name
