"""Pages of home pickup requests.

Public (no login, Vietnamese first): the request form ``/thu-gom/`` and the status page by
request code (status only; the phone masked). Staff: the clerk's phone entry, the
supervisor's queue (assign, reassign, cancel), the postman's pickups of the day and the
intake at the door, which makes the dossier and its Phiếu gửi.

Thin: reads through ``selectors``, writes through ``services``; personal data shown is logged
with ``audit_read``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from postops.accounts.decorators import role_required
from postops.accounts.roles import has_role, user_roles
from postops.core.audit import audit_read, audit_read_many
from postops.core.ratelimit import ClientRateThrottle
from postops.dossiers import pdf as dossier_pdf
from postops.dossiers import services as dossier_services
from postops.dossiers.forms import IntakeForm
from postops.dossiers.views import add_service_errors, intake_fees, missing_query, pdf_response
from postops.items.api import PublicRateThrottle
from postops.network.address import address_from_fields
from postops.network.models import Office
from postops.network.selectors import address_display
from postops.public.layouts import layout_template

from . import rules, selectors, services
from .forms import AssignForm, PickupRequestForm, QueueFilterForm, ReasonForm, StatusLookupForm

ENTRY_ROLES = ("clerk", "supervisor")
entry_staff = role_required(*ENTRY_ROLES)
readers = role_required(*selectors.STAFF_READERS, "postman")
queue_readers = role_required(*selectors.STAFF_READERS)
postmen = role_required("postman")

PERSONAL_FIELDS = ("name", "phone", "address")


class PickupRateThrottle(ClientRateThrottle):
    """New public requests per hour per client address (``X-Real-IP``, as public tracking).

    ``POSTOPS_PICKUP_RATE_PER_HOUR`` (default 10) is read on each request."""

    scope = "public_pickup"
    period = 3600

    def limit(self) -> int:
        return settings.POSTOPS_PICKUP_RATE_PER_HOUR


def _context(request, **extra) -> dict:
    return {"layout": layout_template(user_roles(request.user)), **extra}


def _add_errors(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _request_form(request, *, offices=None) -> PickupRequestForm:
    """A bound form for a submit; for a procedure search, an unbound one that keeps what was
    typed (so the search shows no "required" errors yet)."""
    if request.method == "POST" and request.POST.get("action") != "search":
        return PickupRequestForm(request.POST, offices=offices)
    initial = request.POST.dict() if request.method == "POST" else {}
    return PickupRequestForm(initial=initial, offices=offices)


# --- Public --------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def public_request(request):
    form = _request_form(request)
    status = 200
    if form.is_bound:
        if not form.is_valid():
            status = 422
        elif not PickupRateThrottle().allow_request(request):
            form.add_error(
                None, _("Bạn đã gửi nhiều yêu cầu trong thời gian ngắn. Vui lòng thử lại sau.")
            )
            status = 429
        else:
            try:
                result = services.pickup_request_create(
                    None, request=request, **form.create_kwargs()
                )
            except ValidationError as exc:
                _add_errors(form, exc)
                status = 422
            else:
                messages.success(
                    request,
                    _("Đã nhận yêu cầu thu gom. Mã yêu cầu của bạn: %(code)s.")
                    % {"code": result.pickup.code},
                )
                return redirect(f"{reverse('pickups_public:status')}?code={result.pickup.code}")
    return render(request, "pickups/public_request.html", {"form": form}, status=status)


@require_GET
def public_procedures(request):
    """htmx partial: procedures matching the search, as radio buttons."""
    form = PickupRequestForm(initial={"procedure_q": request.GET.get("procedure_q", "")})
    return render(request, "pickups/_procedure_options.html", {"form": form})


@require_GET
def public_status(request):
    form = StatusLookupForm(request.GET or None)
    pickup = None
    status = 200
    if form.is_bound and form.is_valid():
        if PublicRateThrottle().allow_request(request):
            pickup = selectors.pickup_get_by_code(form.cleaned_data["code"])
            if pickup is None:
                form.add_error("code", _("Không tìm thấy yêu cầu có mã này."))
                status = 404
        else:
            form.add_error(None, _("Bạn tra cứu quá nhiều lần. Vui lòng thử lại sau ít phút."))
            status = 429
    return render(
        request, "pickups/public_status.html", {"form": form, "pickup": pickup}, status=status
    )


# --- Staff: phone entry, queue, request page ----------------------------------------------


@entry_staff
@never_cache
@require_http_methods(["GET", "POST"])
def staff_new(request):
    offices = selectors.staff_offices_for_user(request.user)
    form = _request_form(request, offices=offices)
    form.fields.pop("website")  # no honeypot for staff
    status = 200
    if form.is_bound:
        if form.is_valid():
            try:
                result = services.pickup_request_create(
                    request.user, request=request, **form.create_kwargs()
                )
            except ValidationError as exc:
                _add_errors(form, exc)
                status = 422
            else:
                messages.success(
                    request, _("Đã ghi yêu cầu thu gom %(code)s.") % {"code": result.pickup.code}
                )
                return redirect("pickups:detail", result.pickup.pk)
        else:
            status = 422
    return render(request, "pickups/staff_new.html", _context(request, form=form), status=status)


@queue_readers
@require_GET
def queue(request):
    form = QueueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    # Without a status in the query the queue shows what is still open.
    status = filters.get("status", "") if "status" in request.GET else "open"
    offices = list(selectors.staff_offices_for_user(request.user))
    office = next((o for o in offices if str(o.pk) == request.GET.get("office")), None)
    page = selectors.pickup_queue(
        request.user,
        day=filters.get("day"),
        window=filters.get("window") or "",
        status=status,
        office=office,
        cursor=request.GET.get("cursor", ""),
    )
    audit_read_many(request.user, page.rows, PERSONAL_FIELDS, request=request)
    params = request.GET.copy()
    params.pop("cursor", None)
    if page.next_cursor:
        params["cursor"] = page.next_cursor
    return render(
        request,
        "pickups/queue.html",
        _context(
            request,
            form=form,
            page=page,
            rows=[(p, _address(p)) for p in page.rows],
            offices=offices,
            office=office,
            next_query=params.urlencode() if page.next_cursor else "",
            can_enter=has_role(request.user, *ENTRY_ROLES),
        ),
    )


def _address(pickup) -> str:
    addr = address_from_fields(pickup, "address")
    return address_display(addr) if addr else ""


def _pickup_or_404(request, pk):
    pickup = selectors.pickup_get_for_user(request.user, pk)
    if pickup is None:
        raise Http404
    return pickup


@readers
@require_GET
def detail(request, pk):
    pickup = _pickup_or_404(request, pk)
    audit_read(request.user, pickup, PERSONAL_FIELDS, request=request)
    is_supervisor = has_role(request.user, "supervisor")
    context = _context(
        request,
        pickup=pickup,
        address=_address(pickup),
        is_supervisor=is_supervisor,
        can_cancel=has_role(request.user, "supervisor", "clerk")
        and rules.can_move(pickup.status, rules.CANCELLED),
        is_my_pickup=pickup.postman_id == request.user.pk and has_role(request.user, "postman"),
    )
    if is_supervisor and rules.can_move(pickup.status, rules.ASSIGNED):
        context["assign_form"] = AssignForm(
            postmen=selectors.postmen_for_pickup(pickup),
            initial={"postman": pickup.postman_id},
        )
    context["reason_form"] = ReasonForm()
    return render(request, "pickups/detail.html", context)


def _service_errors_to_messages(request, exc: ValidationError) -> None:
    for errors in exc.message_dict.values():
        for message in errors:
            messages.error(request, message)


@role_required("supervisor")
@require_POST
def assign(request, pk):
    pickup = _pickup_or_404(request, pk)
    form = AssignForm(request.POST, postmen=selectors.postmen_for_pickup(pickup))
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("pickups:detail", pickup.pk)
    try:
        services.pickup_assign(request.user, pickup, form.cleaned_data["postman"], request=request)
    except ValidationError as exc:
        _service_errors_to_messages(request, exc)
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(
            request,
            _("Đã giao yêu cầu %(code)s cho %(name)s.")
            % {"code": pickup.code, "name": form.cleaned_data["postman"].full_name},
        )
    return redirect("pickups:detail", pickup.pk)


def _reason_action(request, pk, service, done_message):
    pickup = _pickup_or_404(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Cần ghi lý do."))
    else:
        try:
            service(request.user, pickup, reason=form.cleaned_data["reason"], request=request)
        except ValidationError as exc:
            _service_errors_to_messages(request, exc)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, done_message % {"code": pickup.code})
    if has_role(request.user, "postman") and not has_role(request.user, "supervisor"):
        return redirect("pickups:mine")
    return redirect("pickups:detail", pickup.pk)


@role_required("supervisor", "clerk")
@require_POST
def cancel(request, pk):
    return _reason_action(request, pk, services.pickup_cancel, _("Đã hủy yêu cầu %(code)s."))


@role_required("supervisor", "postman")
@require_POST
def fail(request, pk):
    return _reason_action(
        request, pk, services.pickup_fail, _("Đã ghi thu gom không thành công: %(code)s.")
    )


# --- Postman: the day's pickups and the intake at the door ---------------------------------


@postmen
@require_GET
def mine(request):
    rows = selectors.pickups_for_postman(request.user, timezone.localdate())
    audit_read_many(request.user, rows, PERSONAL_FIELDS, request=request)
    return render(
        request,
        "pickups/mine.html",
        _context(request, rows=[(p, _address(p)) for p in rows], today=timezone.localdate()),
    )


def _my_open_pickup(request, pk):
    pickup = _pickup_or_404(request, pk)
    if pickup.postman_id != request.user.pk:
        raise Http404
    return pickup


def _door_form(pickup, data=None) -> IntakeForm:
    form = IntakeForm(
        data,
        procedure=pickup.procedure,
        offices=Office.objects.filter(pk=pickup.office_id),
        initial={
            "applicant_name": pickup.name,
            "applicant_phone": pickup.phone,
            "applicant_commune": pickup.address_commune_code,
            "applicant_street": pickup.address_street,
        },
    )
    return form


@postmen
@never_cache
@require_http_methods(["GET", "POST"])
def door(request, pk):
    """The counter intake, phone-sized, at the citizen's door (Decision 45/2016/QĐ-TTg Art. 6).
    Missing documents: the guidance sheet and the request stays assigned (or is recorded as
    failed). Then review the fees and confirm: the dossier, its Phiếu gửi and outbound item."""
    pickup = _my_open_pickup(request, pk)
    if pickup.dossier_id:
        return redirect("pickups:detail", pickup.pk)
    if pickup.status != rules.ASSIGNED:
        raise Http404
    posted = request.method == "POST"
    form = _door_form(pickup, request.POST if posted else None)
    audit_read(request.user, pickup, PERSONAL_FIELDS, request=request)
    context = _context(request, pickup=pickup, procedure=pickup.procedure, form=form)
    context["reason_form"] = ReasonForm()
    if not posted:
        return render(request, "pickups/door.html", context)
    step = request.POST.get("step", "")
    if step == "edit" or not form.is_valid():
        if step != "edit" and getattr(form, "shortfalls", None):
            context["guidance_query"] = missing_query(form.shortfalls)
        return render(request, "pickups/door.html", context, status=200 if step == "edit" else 422)
    data = form.cleaned_data
    quote, manual, fees = intake_fees(form, pickup.procedure, pickup.office)
    if fees is None:
        return render(request, "pickups/door.html", context, status=422)
    if step != "confirm":
        context.update(fees=fees, quote=quote)
        return render(request, "pickups/door_review.html", context)
    try:
        result = services.pickup_collect(
            request.user,
            pickup,
            procedure=pickup.procedure,
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
            request=request,
        )
    except dossier_services.DocumentsMissing as exc:
        context["guidance_query"] = missing_query(exc.shortfalls)
        _add_errors(form, exc)
        return render(request, "pickups/door.html", context, status=422)
    except dossier_services.IdempotencyConflict as exc:
        messages.warning(request, _("Hồ sơ của yêu cầu này đã được lập trước đó."))
        return redirect("dossiers:dossier_detail", exc.dossier.pk)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return render(request, "pickups/door.html", context, status=422)
    if not result.created:
        messages.info(request, _("Hồ sơ này đã được nhận; không tạo phiếu mới."))
    else:
        messages.success(
            request, _("Đã nhận hồ sơ %(code)s tại nhà.") % {"code": result.dossier.code}
        )
    return redirect("pickups:detail", pickup.pk)


@postmen
@require_GET
def guidance(request, pk):
    """The printable guidance sheet of the request's procedure (no personal data on it)."""
    pickup = _my_open_pickup(request, pk)
    missing = {}
    for value in request.GET.getlist("missing"):
        key, _sep, reason = value.partition(":")
        if key.isdigit() and reason in ("missing", "needs_original"):
            missing[int(key)] = reason
    data = dossier_pdf.guidance_pdf(
        pickup.procedure, missing, office=pickup.office, clerk=str(request.user)
    )
    return pdf_response(data, f"huong-dan-{pickup.procedure.code}.pdf")
