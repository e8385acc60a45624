"""Staff pages of the result-return leg: collecting results at an agency (a phone-friendly
scan page and the collection record PDF), and taking undeliverable results back to the
agency (the list per agency and the return record PDF).

Thin: reads through ``return_selectors``, writes through ``returns``.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from postops.accounts.decorators import role_required
from postops.network.selectors import office_scope_ids

from . import pdf, return_selectors, returns, selectors
from .services import StatusConflict
from .views import _context, _int, pdf_response

# Post staff who fetch results at agencies and take them back.
RETURN_STAFF = ("clerk", "postman", "bdvhx", "supervisor")
return_staff = role_required(*RETURN_STAFF)


class CollectionStartForm(forms.Form):
    office = forms.ModelChoiceField(
        label=gettext_lazy("Bưu cục"),
        queryset=None,
        error_messages={"required": gettext_lazy("Chọn bưu cục.")},
    )
    agency = forms.ModelChoiceField(
        label=gettext_lazy("Cơ quan"),
        queryset=None,
        error_messages={"required": gettext_lazy("Chọn cơ quan nhận kết quả.")},
    )

    def __init__(self, *args, offices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices
        self.fields["agency"].queryset = selectors.agency_list()
        if offices.count() == 1:
            self.fields["office"].initial = offices.first()


class CollectScanForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Số phiếu gửi hoặc số hồ sơ của cơ quan"),
        max_length=45,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "autofocus": True,
                "inputmode": "text",
            }
        ),
        error_messages={"required": gettext_lazy("Quét hoặc nhập số phiếu gửi/số hồ sơ.")},
    )
    with_slip = forms.BooleanField(label=gettext_lazy("Trả kèm giấy hẹn"), required=False)


@return_staff
@require_http_methods(["GET", "POST"])
def collection_start(request):
    """Choose the agency and open a collection record."""
    offices = selectors.intake_offices_for_user(request.user)
    form = CollectionStartForm(request.POST or None, offices=offices)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                collection = returns.collection_open(
                    request.user,
                    office=form.cleaned_data["office"],
                    agency=form.cleaned_data["agency"],
                    request=request,
                )
            except ValidationError as exc:
                for name, msgs in exc.message_dict.items():
                    for message in msgs:
                        form.add_error(name if name in form.fields else None, message)
                status = 422
            else:
                return redirect("dossiers:collection_detail", collection.pk)
        else:
            status = 422
    return render(
        request,
        "dossiers/collection_start.html",
        _context(
            request,
            form=form,
            collections=return_selectors.collection_list_for_user(request.user)[:20],
        ),
        status=status,
    )


@return_staff
@never_cache
@require_http_methods(["GET", "POST"])
def collection_detail(request, pk):
    """The scan page at the agency: each scan collects one result onto the record."""
    collection = return_selectors.collection_get_for_user(request.user, pk)
    if collection is None:
        raise Http404
    form = CollectScanForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                result = returns.result_collect(
                    request.user,
                    collection,
                    code=form.cleaned_data["code"],
                    with_slip=form.cleaned_data["with_slip"],
                    request=request,
                )
            except (ValidationError, StatusConflict) as exc:
                if isinstance(exc, StatusConflict):
                    form.add_error("code", _("Hồ sơ này vừa được người khác nhận."))
                else:
                    for msgs in exc.message_dict.values():
                        for message in msgs:
                            form.add_error("code", message)
                status = 422
            except PermissionDenied as exc:
                form.add_error("code", str(exc))
                status = 422
            else:
                dossier = result.dossier
                if result.created:
                    messages.success(
                        request,
                        _("Đã nhận kết quả hồ sơ %(code)s, bưu gửi %(item)s.")
                        % {"code": dossier.code, "item": dossier.return_item.number},
                    )
                else:
                    messages.info(
                        request,
                        _("Kết quả hồ sơ %(code)s đã có trong biên bản này.")
                        % {"code": dossier.code},
                    )
                return redirect("dossiers:collection_detail", collection.pk)
        else:
            status = 422
    return render(
        request,
        "dossiers/collection_detail.html",
        _context(
            request,
            collection=collection,
            dossiers=return_selectors.collection_dossiers(collection),
            form=form,
        ),
        status=status,
    )


@return_staff
@require_http_methods(["GET"])
def collection_pdf(request, pk):
    collection = return_selectors.collection_get_for_user(request.user, pk)
    if collection is None:
        raise Http404
    return pdf_response(pdf.collection_pdf(collection), f"bien-ban-nhan-{collection.code}.pdf")


@return_staff
@require_http_methods(["GET", "POST"])
def take_back_list(request):
    """Results to take back to each agency (two invitations, Decision 45/2016 Art. 10); a
    POST makes the return record for one office and agency."""
    if request.method == "POST":
        office_id = _int(request.POST.get("office"))
        if office_id not in set(office_scope_ids(request.user)):
            raise Http404
        from postops.network.models import Office

        office = Office.objects.get(pk=office_id)
        agency = (
            selectors.agency_list(active_only=False)
            .filter(pk=_int(request.POST.get("agency")))
            .first()
        )
        if agency is None:
            raise Http404
        try:
            record = returns.result_return_create(
                request.user,
                office=office,
                agency=agency,
                receiver_name=request.POST.get("receiver_name", ""),
                request=request,
            )
        except ValidationError as exc:
            for msgs in exc.message_dict.values():
                for message in msgs:
                    messages.error(request, message)
            return redirect("dossiers:take_back_list")
        messages.success(
            request,
            _("Đã lập biên bản trả lại kết quả %(code)s.") % {"code": record.code},
        )
        return redirect("dossiers:result_return_detail", record.pk)
    return render(
        request,
        "dossiers/take_back.html",
        _context(
            request,
            batches=return_selectors.take_back_batches_for_user(request.user),
            dossiers=return_selectors.results_to_take_back(
                office_ids=list(office_scope_ids(request.user))
            ).order_by("agency__code", "code")[:200],
        ),
    )


@return_staff
@require_http_methods(["GET"])
def result_return_detail(request, pk):
    record = return_selectors.result_return_get_for_user(request.user, pk)
    if record is None:
        raise Http404
    return render(
        request,
        "dossiers/result_return_detail.html",
        _context(
            request,
            record=record,
            dossiers=return_selectors.result_return_dossiers(record),
        ),
    )


@return_staff
@require_http_methods(["GET"])
def result_return_pdf(request, pk):
    record = return_selectors.result_return_get_for_user(request.user, pk)
    if record is None:
        raise Http404
    return pdf_response(pdf.result_return_pdf(record), f"bien-ban-tra-lai-{record.code}.pdf")
