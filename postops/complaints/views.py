"""Complaint pages: the public form and status (``/khieu-nai/``), the staff worklist,
detail with its steps, and incidents. Thin: reads via ``selectors``, writes via ``services``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from postops.accounts.decorators import role_required
from postops.accounts.roles import user_roles
from postops.core.audit import audit_read
from postops.items.api import PublicRateThrottle
from postops.public.layouts import layout_template

from . import selectors, services
from .forms import (
    AnswerForm,
    CompensationForm,
    IncidentForm,
    PaymentForm,
    PublicComplaintForm,
    StaffComplaintForm,
)
from .models import Channel

staff_only = role_required(*selectors.STAFF_ROLES)
incident_staff = role_required(*selectors.INCIDENT_ROLES)


class ComplaintRateThrottle(PublicRateThrottle):
    """Public complaint submissions per hour per client address (``POSTOPS_COMPLAINT_RATE_PER_HOUR``)."""

    scope = "public_complaint"
    period = 3600

    def limit(self) -> int:
        return settings.POSTOPS_COMPLAINT_RATE_PER_HOUR


def _context(request, **extra) -> dict:
    return {"layout": layout_template(user_roles(request.user)), **extra}


# --- Public ----------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def public_form(request):
    """No login. Rate-limited per address, a honeypot field, a one-time token."""
    if request.method == "GET":
        return render(request, "complaints/public_form.html", {"form": PublicComplaintForm()})
    if not ComplaintRateThrottle().allow_request(request):
        return render(
            request,
            "complaints/public_form.html",
            {"form": PublicComplaintForm(request.POST), "rate_limited": True},
            status=429,
        )
    form = PublicComplaintForm(request.POST)
    if form.is_spam():
        # Look like success to the bot; store nothing.
        return redirect("complaints_public:thanks")
    if not form.is_valid():
        return render(request, "complaints/public_form.html", {"form": form}, status=400)
    data = form.cleaned_data
    complaint = services.complaint_file(
        actor=None,
        number=data["number"],
        kind=data["kind"],
        channel=Channel.WEB,
        complainant_name=data["complainant_name"],
        complainant_phone=data["complainant_phone"],
        description=data["description"],
        submit_token=data["token"] or "",
        request=request,
    )
    return redirect("complaints_public:status", code=complaint.code)


def public_thanks(request):
    return render(request, "complaints/public_status.html", {"status": None, "thanks": True})


@never_cache
@require_http_methods(["GET"])
def public_lookup(request):
    """A citizen types the complaint code; lookups share public tracking's rate limit."""
    code = (request.GET.get("code") or "").strip().upper()[:16]
    context = {"form": PublicComplaintForm(), "lookup_code": code}
    if code:
        if not PublicRateThrottle().allow_request(request):
            context["rate_limited"] = True
            return render(request, "complaints/public_form.html", context, status=429)
        if selectors.complaint_public_status(code) is not None:
            return redirect("complaints_public:status", code=code)
        context["lookup_error"] = _("Không tìm thấy khiếu nại có mã này.")
    return render(request, "complaints/public_form.html", context, status=404 if code else 200)


@never_cache
def public_status(request, code: str):
    status = selectors.complaint_public_status(code)
    if status is None:
        raise Http404
    return render(request, "complaints/public_status.html", {"status": status})


# --- Staff -----------------------------------------------------------------------------------


@staff_only
@require_http_methods(["GET"])
def complaint_list(request):
    show = "all" if request.GET.get("show") == "all" else "open"
    page = selectors.complaint_worklist(
        request.user, show=show, cursor=request.GET.get("after", "")
    )
    today = timezone.localdate()
    rows = [
        {
            "complaint": c,
            "overdue": c.is_overdue(today),
            "payment_late": c.payment_late(today),
        }
        for c in page.rows
    ]
    return render(
        request,
        "complaints/list.html",
        _context(request, rows=rows, next_cursor=page.next_cursor, show=show, today=today),
    )


@staff_only
@require_http_methods(["GET", "POST"])
def complaint_new(request):
    form = StaffComplaintForm(request.POST or None, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        complaint = services.complaint_file(
            actor=request.user,
            number=data["number"],
            kind=data["kind"],
            channel=data["channel"],
            complainant_name=data["complainant_name"],
            complainant_phone=data["complainant_phone"],
            description=data["description"],
            international=data["international"],
            received_on=data["received_on"],
            submit_token=data["token"] or "",
            request=request,
        )
        return redirect("complaints:detail", pk=complaint.pk)
    return render(request, "complaints/new.html", _context(request, form=form))


def _detail_context(request, complaint, **forms) -> dict:
    today = timezone.localdate()
    person = selectors.complainant_display(request.user, complaint)
    if selectors.can_see_personal_data(request.user):
        audit_read(request.user, complaint, ["complainant_name", "complainant_phone"], request)
    suggestion = selectors.compensation_suggestion(complaint)
    return _context(
        request,
        complaint=complaint,
        person=person,
        today=today,
        overdue=complaint.is_overdue(today),
        payment_late=complaint.payment_late(today),
        suggestion=suggestion,
        answer_form=forms.get("answer_form") or AnswerForm(),
        compensation_form=forms.get("compensation_form")
        or CompensationForm(
            initial={
                "basis": suggestion.basis if suggestion else "",
                "amount": suggestion.amount if suggestion else None,
                "sdr_rate": selectors.sdr_rate_default(),
                "decided_on": today,
            }
        ),
        payment_form=forms.get("payment_form") or PaymentForm(initial={"paid_on": today}),
    )


@staff_only
@require_http_methods(["GET"])
def complaint_detail(request, pk: int):
    complaint = selectors.complaint_get_for_user(request.user, pk)
    if complaint is None:
        raise Http404
    return render(request, "complaints/detail.html", _detail_context(request, complaint))


def _act(request, pk, action):
    complaint = selectors.complaint_get_for_user(request.user, pk)
    if complaint is None:
        raise Http404
    try:
        result = action(complaint)
    except services.ComplaintError as error:
        messages.error(request, str(error.message))
        return redirect("complaints:detail", pk=complaint.pk)
    if isinstance(result, dict):  # a form with errors
        return render(
            request,
            "complaints/detail.html",
            _detail_context(request, complaint, **result),
            status=400,
        )
    messages.success(request, _("Đã cập nhật khiếu nại %(code)s.") % {"code": complaint.code})
    return redirect("complaints:detail", pk=complaint.pk)


@staff_only
@require_POST
def complaint_investigate(request, pk: int):
    return _act(request, pk, lambda c: services.complaint_investigate(request.user, c, request))


@staff_only
@require_POST
def complaint_answer(request, pk: int):
    def action(complaint):
        form = AnswerForm(request.POST)
        if not form.is_valid():
            return {"answer_form": form}
        return services.complaint_answer(
            request.user, complaint, request=request, **form.cleaned_data
        )

    return _act(request, pk, action)


@staff_only
@require_POST
def complaint_compensation(request, pk: int):
    def action(complaint):
        form = CompensationForm(request.POST)
        if not form.is_valid():
            return {"compensation_form": form}
        data = form.cleaned_data
        return services.complaint_compensation_decide(
            request.user,
            complaint,
            amount=data["amount"],
            basis=data["basis"],
            decided_on=data["decided_on"],
            sdr_rate=data["sdr_rate"] or 0,
            request=request,
        )

    return _act(request, pk, action)


@staff_only
@require_POST
def complaint_pay(request, pk: int):
    def action(complaint):
        form = PaymentForm(request.POST)
        if not form.is_valid():
            return {"payment_form": form}
        return services.complaint_compensation_pay(
            request.user, complaint, paid_on=form.cleaned_data["paid_on"], request=request
        )

    return _act(request, pk, action)


@staff_only
@require_POST
def complaint_close(request, pk: int):
    return _act(request, pk, lambda c: services.complaint_close(request.user, c, request))


@incident_staff
@require_http_methods(["GET", "POST"])
def incident_list(request):
    offices = selectors.incident_offices_for_user(request.user)
    form = IncidentForm(
        request.POST or None, offices=offices, initial={"found_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.incident_record(
            request.user,
            office=data["office"],
            kind=data["kind"],
            number=data["number"],
            found_on=data["found_on"],
            description=data["description"],
            request=request,
        )
        messages.success(request, _("Đã ghi nhận sự cố."))
        return redirect(reverse("complaints:incidents"))
    incidents = list(selectors.incident_list_for_user(request.user)[:200])
    return render(
        request, "complaints/incidents.html", _context(request, form=form, incidents=incidents)
    )
