"""Forms of the teller pages. Labels and errors are Vietnamese (translated by gettext)."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from postops.core.forms import VndField

from . import rules

DOCUMENT_CHOICES = [(rules.CCCD, _("Thẻ căn cước/CCCD")), (rules.PASSPORT, _("Hộ chiếu"))]


class LineSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Tìm người nhận"),
        max_length=100,
        required=False,
        help_text=_("Họ tên (gõ có dấu hoặc không dấu), mã số hoặc số CCCD."),
        widget=forms.TextInput(
            attrs={"type": "search", "autocomplete": "off", "data-hotkey-search": "1"}
        ),
    )


class PayoutForm(forms.Form):
    """The ID check at the counter. ``idempotency_key`` is made when the page is drawn, so
    a double click or a resent form carries the same key and pays once."""

    receiver = forms.ChoiceField(label=_("Người nhận tiền"), widget=forms.RadioSelect)
    id_document_type = forms.ChoiceField(
        label=_("Giấy tờ xuất trình"), choices=DOCUMENT_CHOICES, initial=rules.CCCD
    )
    id_document_number = forms.CharField(
        label=_("Số giấy tờ"),
        max_length=20,
        help_text=_("Gõ số trên giấy tờ người nhận đưa ra; hệ thống tự đối chiếu với hồ sơ."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
        error_messages={"required": _("Nhập số giấy tờ người nhận xuất trình.")},
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, proxies=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("self", _("Chính người hưởng"))]
        choices += [
            (
                f"proxy:{p.pk}",
                _("Người được ủy quyền: %(name)s (giấy số %(number)s)")
                % {"name": p.full_name, "number": p.authorisation_number},
            )
            for p in proxies
        ]
        self.fields["receiver"].choices = choices
        self.fields["receiver"].initial = "self"
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)

    def receiver_and_proxy(self) -> tuple[str, int | None]:
        value = self.cleaned_data["receiver"]
        if value.startswith("proxy:"):
            return "proxy", int(value.split(":", 1)[1])
        return "self", None


class ReverseForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do hủy"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Phải ghi lý do hủy lượt chi.")},
    )


class ImportUploadForm(forms.Form):
    """Upload a payroll file for a programme's month (issue #5, item 3)."""

    MAX_BYTES = 50 * 1024 * 1024

    programme = forms.ModelChoiceField(
        label=_("Chương trình"),
        queryset=None,
        empty_label=None,
        error_messages={
            "required": _("Chọn chương trình."),
            "invalid_choice": _("Chọn chương trình."),
        },
    )
    month = forms.CharField(
        label=_("Tháng chi trả"),
        max_length=7,
        help_text=_("Dạng năm-tháng, ví dụ 2026-03."),
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-03"}),
        error_messages={"required": _("Nhập tháng chi trả.")},
    )
    file = forms.FileField(
        label=_("Tệp danh sách"),
        help_text=_("CSV (UTF-8) hoặc Excel .xlsx, tối đa 50 MB; dòng đầu là tiêu đề cột."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
        error_messages={"required": _("Chọn tệp danh sách."), "empty": _("Tệp rỗng.")},
    )
    valid_only = forms.BooleanField(
        label=_("Chỉ nhập các dòng hợp lệ"),
        required=False,
        help_text=_(
            "Để trống: tệp có dòng lỗi sẽ không được nhập dòng nào; bạn xem bảng lỗi rồi "
            "quyết định."
        ),
    )

    def __init__(self, *args, **kwargs):
        from .models import Programme

        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = Programme.objects.filter(is_active=True)

    def clean_month(self):
        try:
            return rules.parse_period(self.cleaned_data["month"])
        except ValueError:
            raise forms.ValidationError(
                _("Tháng không hợp lệ: viết năm-tháng, ví dụ 2026-03.")
            ) from None

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Chỉ nhận tệp .csv hoặc .xlsx."))
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("Tệp lớn hơn 50 MB."))
        return upload


class ScheduleForm(forms.Form):
    """The days one point pays a period (both in the period's month)."""

    first_day = forms.DateField(
        label=_("Từ ngày"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Nhập ngày bắt đầu."), "invalid": _("Ngày không hợp lệ.")},
    )
    last_day = forms.DateField(
        label=_("Đến ngày"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Nhập ngày kết thúc."), "invalid": _("Ngày không hợp lệ.")},
    )
    note = forms.CharField(label=_("Ghi chú"), max_length=200, required=False)

    def __init__(self, *args, month=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.month = month

    def clean(self):
        data = super().clean()
        first, last = data.get("first_day"), data.get("last_day")
        if (
            first
            and last
            and self.month is not None
            and not rules.schedule_range_ok(self.month, first, last)
        ):
            self.add_error(
                "last_day",
                _("Hai ngày phải nằm trong tháng %(month)s, ngày bắt đầu không sau ngày kết thúc.")
                % {"month": rules.format_period(self.month)},
            )
        return data


KIND_CHOICES = [
    ("payout_point", _("Điểm chi trả (thôn, xã)")),
    ("bdvhx", _("Điểm Bưu điện - Văn hóa xã")),
    ("commune_post", _("Bưu điện xã")),
    ("post_office", _("Bưu cục")),
]


class ScheduleBulkForm(forms.Form):
    """The same days for every point of one kind ("commune points 2–10")."""

    kind = forms.ChoiceField(label=_("Loại điểm"), choices=KIND_CHOICES)
    first = forms.IntegerField(
        label=_("Từ ngày (trong tháng)"),
        min_value=1,
        max_value=31,
        error_messages={
            "required": _("Nhập ngày bắt đầu."),
            "min_value": _("Từ 1 đến 31."),
            "max_value": _("Từ 1 đến 31."),
        },
    )
    last = forms.IntegerField(
        label=_("Đến ngày"),
        min_value=1,
        max_value=31,
        error_messages={
            "required": _("Nhập ngày kết thúc."),
            "min_value": _("Từ 1 đến 31."),
            "max_value": _("Từ 1 đến 31."),
        },
    )

    def __init__(self, *args, month=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.month = month

    def clean(self):
        data = super().clean()
        first, last = data.get("first"), data.get("last")
        if first and last and self.month is not None:
            try:
                rules.schedule_days(self.month, first, last)
            except ValueError:
                self.add_error(
                    "last",
                    _(
                        "Các ngày phải có trong tháng %(month)s, ngày bắt đầu không sau ngày kết thúc."
                    )
                    % {"month": rules.format_period(self.month)},
                )
        return data


class BeneficiarySearchForm(forms.Form):
    q = forms.CharField(
        label=_("Tìm người hưởng"),
        max_length=100,
        required=False,
        help_text=_("Họ tên (gõ có dấu hoặc không dấu), mã số hoặc số CCCD."),
    )


class ProxyForm(forms.Form):
    """A written authorisation to collect payments (Law 41/2024/QH15: at most the
    programme's number of months, certified)."""

    full_name = forms.CharField(
        label=_("Họ và tên người được ủy quyền"),
        max_length=150,
        error_messages={"required": _("Nhập họ và tên người được ủy quyền.")},
    )
    id_document_type = forms.ChoiceField(
        label=_("Loại giấy tờ"), choices=DOCUMENT_CHOICES, initial=rules.CCCD
    )
    id_number = forms.CharField(
        label=_("Số giấy tờ"),
        max_length=20,
        error_messages={"required": _("Nhập số giấy tờ của người được ủy quyền.")},
    )
    authorisation_number = forms.CharField(
        label=_("Số giấy ủy quyền"),
        max_length=50,
        error_messages={"required": _("Nhập số giấy ủy quyền.")},
    )
    valid_from = forms.DateField(
        label=_("Hiệu lực từ ngày"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Nhập ngày bắt đầu."), "invalid": _("Ngày không hợp lệ.")},
    )
    valid_to = forms.DateField(
        label=_("Hiệu lực đến ngày"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Nhập ngày kết thúc."), "invalid": _("Ngày không hợp lệ.")},
    )
    certified = forms.BooleanField(
        label=_("Giấy ủy quyền đã được chứng thực"),
        required=False,
        help_text=_("Giấy chưa chứng thực được lưu nhưng chưa dùng để nhận tiền được."),
    )

    def __init__(self, *args, max_months: int = 12, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_months = max_months
        self.fields["valid_to"].help_text = _(
            "Tối đa %(n)s tháng kể từ ngày bắt đầu (quy định của chương trình)."
        ) % {"n": max_months}

    def clean_id_number(self):
        number = rules.normalise_document_number(self.cleaned_data["id_number"])
        if self.data.get(self.add_prefix("id_document_type"), rules.CCCD) == rules.CCCD and not (
            len(number) == 12 and number.isdigit()
        ):
            raise forms.ValidationError(_("Số CCCD gồm đúng 12 chữ số."))
        return number

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end:
            if end < start:
                self.add_error("valid_to", _("Ngày kết thúc phải sau ngày bắt đầu."))
            elif not rules.authorisation_period_ok(start, end, self.max_months):
                last = rules.authorisation_last_day(start, self.max_months)
                self.add_error(
                    "valid_to",
                    _("Quá thời hạn tối đa %(n)s tháng: muộn nhất là ngày %(last)s.")
                    % {"n": self.max_months, "last": last.strftime("%d/%m/%Y")},
                )
        return data


class ProxyRevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do thu hồi"),
        max_length=300,
        error_messages={"required": _("Ghi lý do thu hồi giấy ủy quyền.")},
    )


def payout_point_field() -> forms.ModelChoiceField:
    """A choice of payout point; the form sets the queryset to the user's points."""
    return forms.ModelChoiceField(
        label=_("Điểm chi trả"),
        queryset=None,
        empty_label=None,
        error_messages={
            "required": _("Chọn điểm chi trả."),
            "invalid_choice": _("Chọn điểm chi trả."),
        },
    )


class CashOpenForm(forms.Form):
    office = payout_point_field()
    whose = forms.ChoiceField(
        label=_("Sổ quỹ của"),
        choices=[("point", _("Cả điểm chi trả")), ("me", _("Riêng tôi"))],
        initial="me",
    )
    day = forms.DateField(widget=forms.HiddenInput)

    def __init__(self, *args, offices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices


class CashMovementForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Loại"),
        choices=[
            ("advance", _("Tạm ứng tiền mặt")),
            ("return", _("Nộp lại tiền thừa")),
            ("count", _("Kiểm đếm cuối ngày")),
        ],
    )
    amount = VndField(
        label=_("Số tiền (đồng)"),
        help_text=_("Ví dụ 50.000.000"),
        error_messages={"required": _("Nhập số tiền.")},
    )
    note = forms.CharField(label=_("Ghi chú"), max_length=200, required=False)


class CashSignoffForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do chênh lệch"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Ghi lý do chênh lệch.")},
    )


class PeriodReportedForm(forms.Form):
    """The month-end report handed to the paying agency: its reference and when."""

    reference = forms.CharField(
        label=_("Số văn bản gửi hoặc số biên nhận của cơ quan chi trả"),
        max_length=100,
        error_messages={"required": _("Nhập số văn bản hoặc số biên nhận.")},
    )
    delivered_on = forms.DateField(
        label=_("Ngày gửi"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Để trống nếu là hôm nay."),
        error_messages={"invalid": _("Ngày không hợp lệ.")},
    )


class ScheduleExceptionForm(forms.Form):
    """A supervisor opens one day for payouts at a point outside its schedule."""

    point = payout_point_field()
    day = forms.DateField(
        label=_("Ngày"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Chọn ngày."), "invalid": _("Ngày không hợp lệ.")},
    )
    reason = forms.CharField(
        label=_("Lý do"),
        max_length=300,
        error_messages={"required": _("Ghi lý do chi ngoài lịch.")},
    )

    def __init__(self, *args, points=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["point"].queryset = points
