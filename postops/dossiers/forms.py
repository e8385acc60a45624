"""Forms of the dossier pages. Labels and errors are Vietnamese (translated by gettext)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_CATALOGUE_BYTES = 20 * 1024 * 1024


class ProcedureSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Tìm thủ tục"),
        max_length=100,
        required=False,
        help_text=_("Tên thủ tục (gõ có dấu hoặc không dấu) hoặc mã thủ tục."),
    )


class CatalogueImportForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp danh mục (CSV hoặc Excel .xlsx)"),
        error_messages={"required": _("Chọn tệp danh mục thủ tục.")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CATALOGUE_BYTES:
            raise forms.ValidationError(_("Tệp quá lớn (tối đa 20 MB)."))
        if not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError(_("Chỉ nhận tệp .csv hoặc .xlsx."))
        return upload
