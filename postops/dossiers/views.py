"""Staff pages for dossiers: the procedure catalogue (list, detail, import).

Thin: reads through ``selectors``, writes through ``services``; personal data shown is
logged with ``audit_read``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from postops.accounts.decorators import role_required
from postops.accounts.roles import has_role, user_roles
from postops.core.audit import audit_read
from postops.network.address import address_from_fields
from postops.network.selectors import address_display
from postops.public.layouts import layout_template

from . import pdf, rules, selectors, services
from .catalogue import COLUMNS, procedures_import
from .forms import (
    CatalogueImportForm,
    HandoverConfirmForm,
    IntakeForm,
    ProcedureSearchForm,
    ResultReadyForm,
)
from .models import Dossier

catalogue_readers = role_required(*selectors.CATALOGUE_ROLES)
catalogue_editors = role_required(*selectors.CATALOGUE_EDIT_ROLES)

LIST_LIMIT = 200


def _context(request, **extra) -> dict:
    return {"layout": layout_template(user_roles(request.user)), **extra}


# --- Procedure catalogue ---------------------------------------------------------------------


@catalogue_readers
@require_http_methods(["GET"])
def procedure_list(request):
    form = ProcedureSearchForm(request.GET or None)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    procedures = list(selectors.procedure_search(q, limit=LIST_LIMIT + 1))
    context = _context(
        request,
        form=form,
        q=q,
        procedures=procedures[:LIST_LIMIT],
        truncated=len(procedures) > LIST_LIMIT,
        can_import=has_role(request.user, *selectors.CATALOGUE_EDIT_ROLES),
    )
    if (
        request.headers.get("HX-Request")
        and request.headers.get("HX-Target") == "procedure-results"
    ):
        return render(request, "dossiers/procedure_list.html#procedure_results", context)
    return render(request, "dossiers/procedure_list.html", context)


@catalogue_readers
@require_http_methods(["GET"])
def procedure_detail(request, pk):
    procedure = selectors.procedure_get(pk)
    if procedure is None:
        raise Http404
    return render(
        request,
        "dossiers/procedure_detail.html",
        _context(request, procedure=procedure, can_intake=has_role(request.user, "clerk")),
    )


@catalogue_editors
@require_http_methods(["GET", "POST"])
def procedure_import(request):
    posted = request.method == "POST"
    form = CatalogueImportForm(request.POST if posted else None, request.FILES if posted else None)
    result = None
    status = 200
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        result = procedures_import(request.user, upload.file, upload.name, request=request)
        if result.errors:
            status = 422
    elif posted:
        status = 422
    return render(
        request,
        "dossiers/procedure_import.html",
        _context(request, form=form, result=result, columns=COLUMNS.values()),
        status=status,
    )


# --- Counter intake --------------------------------------------------------------------------

INTAKE_ROLES = ("clerk", "bdvhx", "supervisor")
intake_staff = role_required(*INTAKE_ROLES)
# Who may open a dossier page: post staff of the office, agency officers of the agency,
# auditors and complaints officers (scoping in ``selectors.dossier_list_for_user``).
DOSSIER_READERS = (*selectors.POST_ROLES, "agency", "auditor", "complaints", "admin")
dossier_readers = role_required(*DOSSIER_READERS)

# The applicant's data a dossier page shows (Law 91/2025/QH15: log who read it).
PERSONAL_FIELDS = ("applicant_name", "applicant_id_number", "applicant_phone", "applicant_address")


@intake_staff
@require_http_methods(["GET"])
def intake_start(request):
    form = ProcedureSearchForm(request.GET or None)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    procedures = list(selectors.procedure_search(q, postal_only=True, limit=LIST_LIMIT))
    context = _context(
        request,
        form=form,
        q=q,
        procedures=procedures,
        offices=selectors.intake_offices_for_user(request.user),
    )
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "intake-results":
        return render(request, "dossiers/intake_start.html#intake_results", context)
    return render(request, "dossiers/intake_start.html", context)


def _intake_form(request, procedure, data=None):
    offices = list(selectors.intake_offices_for_user(request.user))
    from postops.network.models import Office

    queryset = Office.objects.filter(pk__in=[o.pk for o in offices]).order_by("code")
    return IntakeForm(data, procedure=procedure, offices=queryset), offices


def intake_fees(form, procedure, office):
    """The fees of a valid intake form: ``(quote, manual fees, fees to show)``.

    The postal part comes from the tariff (``dossier_fee_quote``); when the tariff cannot
    price it the clerk types the listed fees (``manual``). ``fees`` is None when neither is
    there: the form then carries the error. Shared by the counter and the intake at the door.
    """
    data = form.cleaned_data
    quote = selectors.dossier_fee_quote(
        procedure=procedure,
        office=office,
        service_form=data["service_form"],
        delivery_commune_code=(form.delivery_address() or {}).get("commune_code", ""),
        weight_g=data["weight_g"],
    )
    manual = form.manual_fees()
    if quote.fees is None and manual is None:
        form.show_manual_fees = True
        form.add_error(
            "postal_fee_send",
            _("Bảng cước chưa tính được cước hồ sơ: nhập cước theo bảng giá niêm yết."),
        )
        return quote, None, None
    fees = quote.fees or rules.Fees(
        postal_send=manual[0] if rules.carries_dossier(data["service_form"]) else 0,
        postal_return=manual[1] if rules.returns_result(data["service_form"]) else 0,
        agency=procedure.agency_fee,
    )
    return quote, manual, fees


@intake_staff
@never_cache
@require_http_methods(["GET", "POST"])
def intake(request, pk):
    procedure = selectors.procedure_get(pk, postal_only=True)
    if procedure is None:
        raise Http404
    posted = request.method == "POST"
    form, offices = _intake_form(request, procedure, request.POST if posted else None)
    context = _context(request, procedure=procedure, form=form, offices=offices)
    if not offices:
        return render(request, "dossiers/intake_no_office.html", context, status=403)
    if not posted:
        return render(request, "dossiers/intake.html", context)
    step = request.POST.get("step", "")
    if step == "edit" or not form.is_valid():
        if posted and step != "edit" and getattr(form, "shortfalls", None):
            context["guidance_query"] = missing_query(form.shortfalls)
        return render(
            request, "dossiers/intake.html", context, status=200 if step == "edit" else 422
        )

    data = form.cleaned_data
    quote, manual, fees = intake_fees(form, procedure, data["office"])
    if fees is None:
        return render(request, "dossiers/intake.html", context, status=422)
    if step != "confirm":
        context.update(fees=fees, quote=quote, review=True)
        return render(request, "dossiers/intake_review.html", context)

    try:
        result = services.dossier_intake(
            request.user,
            office=data["office"],
            procedure=procedure,
            service_form=data["service_form"],
            applicant=form.applicant(),
            documents=form.documents(),
            delivery_address=form.delivery_address(),
            seal_number=data.get("seal_number", ""),
            weight_g=data["weight_g"],
            payment_method=data["payment_method"],
            agency_number=data.get("agency_number", ""),
            appointment_date=data.get("appointment_date"),
            manual_postal_fees=manual if quote.fees is None else None,
            idempotency_key=data["idempotency_key"],
            request=request,
        )
    except services.IdempotencyConflict as exc:
        messages.warning(request, _("Phiếu này đã được lập trước đó với nội dung khác."))
        return redirect("dossiers:dossier_detail", exc.dossier.pk)
    except services.DocumentsMissing as exc:
        context["guidance_query"] = missing_query(exc.shortfalls)
        add_service_errors(form, exc)
        return render(request, "dossiers/intake.html", context, status=422)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return render(request, "dossiers/intake.html", context, status=422)
    if not result.created:
        messages.info(request, _("Hồ sơ này đã được nhận; không tạo phiếu mới."))
    return redirect("dossiers:dossier_detail", result.dossier.pk)


def add_service_errors(form, exc: ValidationError) -> None:
    """Put the intake service's errors on the form fields they belong to."""
    fields = {
        "applicant_address": "applicant_commune",
        "delivery_address": "delivery_commune",
        "prefix": None,
        "documents": None,
        "procedure": None,
    }
    for field, errors in exc.message_dict.items():
        target = fields.get(field, field)
        if target not in form.fields:
            target = None
        form.add_error(target, errors)


def missing_query(shortfalls) -> str:
    """The query string the guidance sheet reads: the missing documents and why."""
    return urlencode(
        [("missing", f"{s.requirement.key}:{s.reason}") for s in shortfalls], doseq=True
    )


@intake_staff
@require_http_methods(["GET"])
def guidance_sheet(request, pk):
    """The printable guidance sheet for an incomplete dossier (no personal data on it)."""
    procedure = selectors.procedure_get(pk)
    if procedure is None:
        raise Http404
    missing = {}
    for value in request.GET.getlist("missing"):
        key, _sep, reason = value.partition(":")
        if key.isdigit() and reason in ("missing", "needs_original"):
            missing[int(key)] = reason
    offices = list(selectors.intake_offices_for_user(request.user))
    data = pdf.guidance_pdf(
        procedure, missing, office=offices[0] if offices else None, clerk=str(request.user)
    )
    return pdf_response(data, f"huong-dan-{procedure.code}.pdf")


# --- Dossier pages ---------------------------------------------------------------------------


def _dossier_or_404(request, pk) -> Dossier:
    dossier = selectors.dossier_get_for_user(request.user, pk)
    if dossier is None:
        raise Http404
    return dossier


@dossier_readers
@require_http_methods(["GET"])
def dossier_detail(request, pk):
    dossier = _dossier_or_404(request, pk)
    audit_read(request.user, dossier, PERSONAL_FIELDS, request=request)
    return render(
        request,
        "dossiers/dossier_detail.html",
        _context(
            request,
            dossier=dossier,
            events=selectors.dossier_events(dossier),
            clocks=selectors.dossier_clocks(dossier),
            applicant_address=_address_line(dossier, "applicant"),
            delivery_address=_address_line(dossier, "delivery"),
        ),
    )


def _address_line(dossier, prefix: str) -> str:
    addr = address_from_fields(dossier, prefix)
    return address_display(addr) if addr else ""


@dossier_readers
@require_http_methods(["GET"])
def dossier_receipt(request, pk):
    """The Phiếu gửi hồ sơ as a PDF (personal data: the read is logged)."""
    dossier = _dossier_or_404(request, pk)
    audit_read(request.user, dossier, PERSONAL_FIELDS, request=request)
    return pdf_response(pdf.receipt_pdf(dossier), f"phieu-gui-{dossier.code}.pdf")


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    # Printed forms carry personal data: never kept by browsers or proxies.
    response["Cache-Control"] = "no-store"
    return response


# --- Handover to the agency ------------------------------------------------------------------

HANDOVER_STAFF = ("clerk", "supervisor")
handover_staff = role_required(*HANDOVER_STAFF)
handover_readers = role_required(*HANDOVER_STAFF, "agency", "manager", "auditor", "admin")
agency_officers = role_required("agency")


@handover_staff
@require_http_methods(["GET"])
def handover_list(request):
    return render(
        request,
        "dossiers/handover_list.html",
        _context(
            request,
            pending=selectors.handover_pending_for_user(request.user),
            handovers=selectors.handover_list_for_user(request.user)[:50],
        ),
    )


@handover_staff
@require_http_methods(["POST"])
def handover_create(request):
    offices = {o.pk: o for o in selectors.intake_offices_for_user(request.user)}
    office = offices.get(_int(request.POST.get("office")))
    agency = selectors.agency_list().filter(pk=_int(request.POST.get("agency"))).first()
    if office is None or agency is None:
        raise Http404
    try:
        handover = services.handover_create(
            request.user, office=office, agency=agency, request=request
        )
    except ValidationError as exc:
        for messages_ in exc.message_dict.values():
            for message in messages_:
                messages.error(request, message)
        return redirect("dossiers:handover_list")
    messages.success(
        request,
        _("Đã lập biên bản %(code)s gồm %(count)d hồ sơ.")
        % {"code": handover.code, "count": handover.dossier_count},
    )
    return redirect("dossiers:handover_detail", handover.pk)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _handover_or_404(request, pk):
    handover = selectors.handover_get_for_user(request.user, pk)
    if handover is None:
        raise Http404
    return handover


@handover_readers
@require_http_methods(["GET", "POST"])
def handover_detail(request, pk):
    handover = _handover_or_404(request, pk)
    dossiers = list(selectors.handover_dossiers(handover))
    is_receiver = selectors.agency_for_actor(request.user) == handover.agency
    form = None
    status = 200
    if is_receiver and handover.status == handover.Status.OPEN:
        posted = request.method == "POST"
        form = HandoverConfirmForm(request.POST if posted else None, dossiers=dossiers)
        if posted and form.is_valid():
            try:
                services.handover_confirm(
                    request.user,
                    handover,
                    signed_at=form.cleaned_data["signed_at"],
                    receiver_name=form.cleaned_data["receiver_name"],
                    appointments=form.appointments(),
                    request=request,
                )
            except ValidationError as exc:
                _confirm_errors(form, exc, dossiers)
                status = 422
            else:
                messages.success(
                    request,
                    _("Đã xác nhận tiếp nhận %(count)d hồ sơ theo biên bản %(code)s.")
                    % {"count": len(dossiers), "code": handover.code},
                )
                return redirect("dossiers:handover_detail", handover.pk)
        elif posted:
            status = 422
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "dossiers/handover_detail.html",
        _context(request, handover=handover, dossiers=dossiers, form=form, is_receiver=is_receiver),
        status=status,
    )


def _confirm_errors(form, exc: ValidationError, dossiers) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@handover_readers
@require_http_methods(["GET"])
def handover_pdf(request, pk):
    handover = _handover_or_404(request, pk)
    audit_read(request.user, handover, ["applicant_name"], request=request)
    return pdf_response(pdf.handover_pdf(handover), f"bien-ban-{handover.code}.pdf")


@agency_officers
@require_http_methods(["GET"])
def agency_inbox(request):
    agency = selectors.agency_for_actor(request.user)
    handovers = selectors.handover_list_for_user(request.user)
    waiting = (
        selectors.dossier_list_for_user(request.user)
        .filter(status__in=["filed", "registered"])
        .order_by("agency_due", "code")[:200]
        if agency
        else []
    )
    return render(
        request,
        "dossiers/agency_inbox.html",
        _context(
            request,
            agency=agency,
            open_handovers=handovers.filter(status="open"),
            confirmed=handovers.filter(status="confirmed")[:30],
            waiting=waiting,
            result_form=ResultReadyForm(initial={"ready_on": timezone.localdate()}),
        ),
    )


@agency_officers
@require_http_methods(["POST"])
def dossier_result_ready(request, pk):
    dossier = _dossier_or_404(request, pk)
    form = ResultReadyForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("dossiers:agency_inbox")
    try:
        services.dossier_result_ready(
            request.user, dossier, ready_on=form.cleaned_data["ready_on"], request=request
        )
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for message in errors:
                messages.error(request, message)
    except services.StatusConflict:
        messages.error(
            request, _("Hồ sơ %(code)s chưa thể ghi có kết quả.") % {"code": dossier.code}
        )
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, _("Đã ghi có kết quả hồ sơ %(code)s.") % {"code": dossier.code})
    return redirect("dossiers:agency_inbox")
