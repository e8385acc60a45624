"""Forms of the dossier pages. Labels and errors are Vietnamese (translated by gettext)."""

from __future__ import annotations

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from postops.core import cccd
from postops.network.forms import CommuneField

from . import rules
from .models import PaymentMethod, ReceivedKind, ServiceForm

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


class IntakeForm(forms.Form):
    """The counter intake of one procedure's dossier (Decision 45/2016/QĐ-TTg Art. 6).

    One checkbox per document of the procedure's list (``doc_<id>``) with the kind handed in
    (``doc_<id>_kind``); the applicant; the service form and the result address; the seal;
    the fees are computed on the review step. ``idempotency_key`` is made when the page is
    drawn, so a double click or a resent form creates one dossier.
    """

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    office = forms.ModelChoiceField(label=_("Bưu cục nhận"), queryset=None, empty_label=None)
    service_form = forms.ChoiceField(
        label=_("Dịch vụ"),
        choices=ServiceForm.choices,
        initial=ServiceForm.BOTH,
        widget=forms.RadioSelect,
    )
    applicant_name = forms.CharField(
        label=_("Họ và tên người nộp"),
        max_length=150,
        error_messages={"required": _("Cần nhập họ tên người nộp.")},
    )
    applicant_id_number = forms.CharField(
        label=_("Số định danh cá nhân (CCCD)"),
        max_length=20,
        error_messages={"required": _("Cần nhập số định danh cá nhân.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    applicant_phone = forms.CharField(
        label=_("Điện thoại"),
        max_length=20,
        error_messages={"required": _("Cần nhập số điện thoại để báo tình trạng hồ sơ.")},
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    applicant_commune = CommuneField(
        label=_("Xã/phường (người nộp)"),
        error_messages={"required": _("Cần chọn xã/phường.")},
    )
    applicant_street = forms.CharField(
        label=_("Số nhà, đường, thôn (người nộp)"), max_length=255, required=False
    )
    same_address = forms.BooleanField(
        label=_("Nhận kết quả tại địa chỉ người nộp"), required=False, initial=True
    )
    delivery_commune = CommuneField(label=_("Xã/phường nhận kết quả"), required=False)
    delivery_street = forms.CharField(
        label=_("Số nhà, đường, thôn nhận kết quả"), max_length=255, required=False
    )
    agency_number = forms.CharField(
        label=_("Số hồ sơ của cơ quan (trên giấy hẹn)"),
        max_length=45,
        required=False,
        help_text=_("Chỉ khi nhận kết quả của hồ sơ đã nộp tại cơ quan."),
    )
    appointment_date = forms.DateField(
        label=_("Ngày hẹn trả kết quả"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    seal_number = forms.CharField(label=_("Số niêm phong"), max_length=40, required=False)
    weight_g = forms.IntegerField(
        label=_("Khối lượng (g)"),
        min_value=1,
        max_value=30000,
        initial=200,
        error_messages={
            "required": _("Cần nhập khối lượng."),
            "min_value": _("Khối lượng phải là số gam lớn hơn 0."),
            "invalid": _("Khối lượng phải là số gam lớn hơn 0."),
        },
    )
    payment_method = forms.ChoiceField(
        label=_("Hình thức thanh toán"), choices=PaymentMethod.choices, initial=PaymentMethod.CASH
    )
    postal_fee_send = forms.IntegerField(
        label=_("Cước chiều gửi (đồng)"), min_value=0, required=False
    )
    postal_fee_return = forms.IntegerField(
        label=_("Cước chiều trả (đồng)"), min_value=0, required=False
    )

    PERSON_FIELDS = (
        "applicant_name",
        "applicant_id_number",
        "applicant_phone",
        "applicant_commune",
        "applicant_street",
    )
    DELIVERY_FIELDS = ("same_address", "delivery_commune", "delivery_street")
    RETURN_FIELDS = ("agency_number", "appointment_date")

    def __init__(self, *args, procedure, offices, **kwargs):
        super().__init__(*args, **kwargs)
        self.procedure = procedure
        self.requirements = list(procedure.documents.order_by("position"))
        self.fields["office"].queryset = offices
        self.fields["office"].label_from_instance = lambda o: f"{o.code} · {o.name}"
        if len(offices) == 1:
            self.fields["office"].initial = offices[0].pk
            self.fields["office"].widget = forms.HiddenInput()
        for req in self.requirements:
            self.fields[f"doc_{req.pk}"] = forms.BooleanField(label=req.name, required=False)
            self.fields[f"doc_{req.pk}_kind"] = forms.ChoiceField(
                label=_("Loại bản"),
                choices=ReceivedKind.choices,
                initial=ReceivedKind.COPY if req.kind == "copy" else ReceivedKind.ORIGINAL,
            )
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)
        self.show_manual_fees = False

    def document_rows(self):
        """(requirement, checkbox, kind select) for the template's checklist."""
        return [(r, self[f"doc_{r.pk}"], self[f"doc_{r.pk}_kind"]) for r in self.requirements]

    def documents(self) -> dict[int, str]:
        data = self.cleaned_data
        return {
            r.pk: data[f"doc_{r.pk}_kind"] for r in self.requirements if data.get(f"doc_{r.pk}")
        }

    def clean_applicant_id_number(self):
        number = cccd.normalize(self.cleaned_data["applicant_id_number"])
        try:
            cccd.validate(number, today=timezone.localdate())
        except cccd.CccdError as exc:
            raise forms.ValidationError(gettext(exc.message) % exc.params) from None
        return number

    def clean_applicant_phone(self):
        try:
            return rules.phone_normalize(self.cleaned_data["applicant_phone"])
        except rules.PhoneError as exc:
            raise forms.ValidationError(gettext(exc.message)) from None

    def clean_agency_number(self):
        return (self.cleaned_data.get("agency_number") or "").strip().upper()

    def clean(self):
        data = super().clean()
        form = data.get("service_form")
        if form is None:
            return data
        if rules.carries_dossier(form):
            if not (data.get("seal_number") or "").strip():
                self.add_error(
                    "seal_number",
                    _("Cần ghi số niêm phong túi hồ sơ (niêm phong trước mặt người nộp)."),
                )
            shortfalls = rules.document_shortfalls(
                [rules.Requirement(r.pk, r.name, r.kind, r.count) for r in self.requirements],
                {
                    r.pk: data.get(f"doc_{r.pk}_kind")
                    for r in self.requirements
                    if data.get(f"doc_{r.pk}")
                },
            )
            self.shortfalls = shortfalls
            for s in shortfalls:
                self.add_error(
                    f"doc_{s.requirement.key}",
                    _("Thiếu giấy tờ này.") if s.reason == "missing" else _("Cần bản chính."),
                )
        else:
            self.shortfalls = []
            number = data.get("agency_number") or ""
            try:
                rules.agency_number_check(number, self.procedure.agency.code)
            except rules.NumberError as exc:
                self.add_error("agency_number", gettext(exc.message) % exc.params)
        if (
            rules.returns_result(form)
            and not data.get("same_address")
            and not data.get("delivery_commune")
        ):
            self.add_error("delivery_commune", _("Cần chọn xã/phường nhận kết quả."))
        return data

    def applicant(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["applicant_name"],
            "id_number": data["applicant_id_number"],
            "phone": data["applicant_phone"],
            "address": {
                "commune_code": data["applicant_commune"].code,
                "street": data.get("applicant_street", ""),
            },
        }

    def delivery_address(self) -> dict | None:
        data = self.cleaned_data
        if not rules.returns_result(data["service_form"]):
            return None
        if data.get("same_address"):
            return self.applicant()["address"]
        return {
            "commune_code": data["delivery_commune"].code,
            "street": data.get("delivery_street", ""),
        }

    def manual_fees(self) -> tuple[int, int] | None:
        send, back = (
            self.cleaned_data.get("postal_fee_send"),
            self.cleaned_data.get("postal_fee_return"),
        )
        if send is None and back is None:
            return None
        return (send or 0, back or 0)


class HandoverConfirmForm(forms.Form):
    """The agency officer's confirmation of a handover record: when it was signed (the legal
    filing time), by whom, and each dossier's appointment date and the agency's number."""

    signed_at = forms.DateTimeField(
        label=_("Thời điểm ký biên bản"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": _("Cần ghi thời điểm ký biên bản."),
            "invalid": _("Thời điểm không hợp lệ."),
        },
        help_text=_("Thời điểm ký là thời điểm tiếp nhận hồ sơ hợp lệ."),
    )
    receiver_name = forms.CharField(label=_("Cán bộ nhận"), max_length=150, required=False)

    def __init__(self, *args, dossiers, **kwargs):
        super().__init__(*args, **kwargs)
        self.dossiers = list(dossiers)
        if not self.is_bound:
            self.initial.setdefault(
                "signed_at", timezone.localtime().replace(second=0, microsecond=0)
            )
        for d in self.dossiers:
            self.fields[f"appt_{d.pk}"] = forms.DateField(
                label=_("Ngày hẹn trả (%(code)s)") % {"code": d.code},
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                error_messages={"invalid": _("Ngày không hợp lệ.")},
            )
            self.fields[f"num_{d.pk}"] = forms.CharField(
                label=_("Số hồ sơ của cơ quan (%(code)s)") % {"code": d.code},
                max_length=45,
                required=False,
            )

    def rows(self):
        return [(d, self[f"appt_{d.pk}"], self[f"num_{d.pk}"]) for d in self.dossiers]

    def appointments(self) -> dict[str, dict]:
        data = self.cleaned_data
        return {
            d.code: {
                "appointment_date": data.get(f"appt_{d.pk}"),
                "agency_number": data.get(f"num_{d.pk}", ""),
            }
            for d in self.dossiers
        }


class ResultReadyForm(forms.Form):
    ready_on = forms.DateField(
        label=_("Ngày có kết quả"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Cần ghi ngày có kết quả."),
            "invalid": _("Ngày không hợp lệ."),
        },
    )
