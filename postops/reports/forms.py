"""The report's period picker."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import periods

PERIOD_CHOICES = [
    ("quarter-1", _("Quý I")),
    ("quarter-2", _("Quý II")),
    ("quarter-3", _("Quý III")),
    ("quarter-4", _("Quý IV")),
    ("half-1", _("6 tháng đầu năm")),
    ("year-1", _("Cả năm")),
]


class PeriodForm(forms.Form):
    period = forms.ChoiceField(label=_("Kỳ báo cáo"), choices=PERIOD_CHOICES)
    year = forms.IntegerField(
        label=_("Năm"),
        min_value=2000,
        max_value=2099,
        error_messages={
            "required": _("Vui lòng nhập năm."),
            "min_value": _("Năm từ 2000 đến 2099."),
            "max_value": _("Năm từ 2000 đến 2099."),
            "invalid": _("Năm là một số, ví dụ 2026."),
        },
    )

    @staticmethod
    def default_initial() -> dict:
        """The last finished quarter: the report most likely due next."""
        today = timezone.localdate()
        quarter = (today.month - 1) // 3
        year = today.year
        if quarter == 0:
            quarter, year = 4, year - 1
        return {"period": f"quarter-{quarter}", "year": year}

    def get_period(self) -> periods.Period:
        kind, number = self.cleaned_data["period"].split("-")
        return periods.period(kind, self.cleaned_data["year"], int(number))
