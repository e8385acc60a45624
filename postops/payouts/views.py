"""Teller pages: find the person, check the ID, pay, print the receipt (issue #5, item 6).

Thin: reads through ``selectors`` (office scope), writes through ``services``. Personal
data shown (names, amounts, ID numbers) is logged with ``audit_read``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from postops.accounts.decorators import role_required
from postops.accounts.roles import has_role, user_roles
from postops.core.audit import audit_read, audit_read_many
from postops.public.layouts import layout_template

from . import selectors, services
from .errors import (
    AlreadyPaid,
    AuthorisationInvalid,
    IdentityMismatch,
    PayoutsError,
)
from .forms import LineSearchForm, PayoutForm, ReverseForm
from .models import Payout

PAYING_ROLES = ("teller", "bdvhx", "supervisor", "postman")


paying_staff_required = role_required(*PAYING_ROLES)


def _context(request, **extra) -> dict:
    return {"layout": layout_template(user_roles(request.user)), **extra}


@paying_staff_required
def teller_search(request):
    form = LineSearchForm(request.GET or None)
    lines = []
    query = ""
    if form.is_valid():
        query = form.cleaned_data["q"]
        lines = selectors.payroll_line_search(request.user, query)
        if lines:
            audit_read_many(request.user, lines, ["beneficiary", "amount"], request=request)
    context = _context(request, form=form, lines=lines, q=query)
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "line-results":
        return render(request, "payouts/teller_search.html#line_results", context)
    return render(request, "payouts/teller_search.html", context)


def _line_or_404(request, pk):
    line = selectors.payroll_line_get(request.user, pk)
    if line is None:
        raise Http404
    return line


@paying_staff_required
def line_pay(request, pk):
    line = _line_or_404(request, pk)
    payout = selectors.payout_for_line(line)
    if payout is not None and request.method != "POST":
        return redirect("payouts:receipt", payout.pk)
    proxies = selectors.proxies_valid_on(line.beneficiary, timezone.localdate())
    form = PayoutForm(request.POST or None, proxies=proxies)
    if request.method == "POST" and form.is_valid():
        receiver, proxy_id = form.receiver_and_proxy()
        try:
            payout, _created = services.payout_record(
                request.user,
                line_id=line.pk,
                idempotency_key=form.cleaned_data["idempotency_key"],
                receiver=receiver,
                proxy_id=proxy_id,
                id_document_type=form.cleaned_data["id_document_type"],
                id_document_number=form.cleaned_data["id_document_number"],
                request=request,
            )
        except IdentityMismatch as exc:
            form.add_error("id_document_number", exc.message)
        except AuthorisationInvalid as exc:
            form.add_error("receiver", exc.message)
        except AlreadyPaid as exc:
            messages.warning(request, exc.message)
            return redirect("payouts:receipt", selectors.payout_for_line(line).pk)
        except PayoutsError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("payouts:receipt", payout.pk)
    if request.method != "POST":
        audit_read(request.user, line.beneficiary, ["full_name", "id_number"], request=request)
        audit_read(request.user, line, ["amount", "arrears"], request=request)
    return render(
        request,
        "payouts/line_pay.html",
        _context(request, line=line, form=form, proxies=proxies),
    )


def _payout_or_404(request, pk) -> Payout:
    payout = selectors.payout_get(request.user, pk)
    if payout is None:
        raise Http404
    return payout


@paying_staff_required
def payout_receipt(request, pk):
    payout = _payout_or_404(request, pk)
    audit_read(request.user, payout, ["amount", "id_document_number"], request=request)
    return render(
        request,
        "payouts/receipt.html",
        _context(
            request,
            payout=payout,
            line=payout.line,
            reversal=selectors.payout_reversal(payout),
            can_reverse=has_role(request.user, "supervisor"),
            reverse_form=ReverseForm(),
        ),
    )


@require_POST
@paying_staff_required
def payout_reverse(request, pk):
    payout = _payout_or_404(request, pk)
    form = ReverseForm(request.POST)
    if form.is_valid():
        try:
            services.payout_reverse(request.user, payout, form.cleaned_data["reason"], request)
        except PayoutsError as exc:
            if exc.code == "forbidden":
                raise PermissionDenied from None
            form.add_error("reason", exc.message)
        else:
            messages.success(
                request, _("Đã hủy lượt chi %(number)s.") % {"number": payout.receipt_number}
            )
            return redirect("payouts:receipt", payout.pk)
    return render(
        request,
        "payouts/receipt.html",
        _context(
            request,
            payout=payout,
            line=payout.line,
            reversal=selectors.payout_reversal(payout),
            can_reverse=has_role(request.user, "supervisor"),
            reverse_form=form,
        ),
        status=422,
    )
