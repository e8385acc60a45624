"""Cash books per payout point or teller per day (issue #5, item 8).

Cash advanced, handed back and counted are typed; cash paid out comes from the payouts. A
variance needs a supervisor's sign-off with a reason before the day can be closed.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from postops.accounts.decorators import role_required
from postops.accounts.roles import has_role, user_roles
from postops.public.layouts import layout_template

from . import rules, selectors, services
from .errors import PayoutsError
from .forms import CashMovementForm, CashOpenForm, CashSignoffForm

CASH_ROLES = ("teller", "bdvhx", "supervisor", "postman")

cash_staff_required = role_required(*CASH_ROLES)


def _day(value) -> date:
    return (parse_date(value) if value else None) or timezone.localdate()


@cash_staff_required
def cash_books(request):
    day = _day(request.GET.get("day") or request.POST.get("day"))
    offices = selectors.cash_offices_for_actor(request.user)
    form = CashOpenForm(request.POST or None, offices=offices, initial={"day": day})
    if request.method == "POST" and form.is_valid():
        teller = request.user if form.cleaned_data["whose"] == "me" else None
        try:
            book = services.cash_day_open(
                request.user, form.cleaned_data["office"], form.cleaned_data["day"], teller=teller
            )
        except PayoutsError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("payouts:cash_day", book.pk)
    books = []
    for book in selectors.cash_books_for_actor(request.user, day):
        book.figures = selectors.cash_day_figures(book)
        books.append(book)
    return render(
        request,
        "payouts/cash_books.html",
        {
            "layout": layout_template(user_roles(request.user)),
            "day": day,
            "books": books,
            "form": form,
        },
    )


def _book_page(request, book, *, movement_form=None, signoff_form=None, status=200):
    figures = selectors.cash_day_figures(book)
    signed = selectors.cash_day_signed_variance(book)
    can_close, why = rules.cash_day_can_close(figures, signed)
    movements, signoffs = selectors.cash_day_history(book)
    is_supervisor = has_role(request.user, "supervisor")
    return render(
        request,
        "payouts/cash_day.html",
        {
            "layout": layout_template(user_roles(request.user)),
            "book": book,
            "figures": figures,
            "signed": signed,
            "can_close": can_close,
            "why": why,
            "movements": movements,
            "signoffs": signoffs,
            "movement_form": movement_form or CashMovementForm(),
            "signoff_form": signoff_form or CashSignoffForm(),
            "can_sign": (
                is_supervisor
                and book.teller_id != request.user.pk
                and figures.variance not in (None, 0)
                and signed != figures.variance
            ),
        },
        status=status,
    )


def _book_or_404(request, pk):
    book = selectors.cash_day_get(request.user, pk)
    if book is None:
        raise Http404
    return book


@cash_staff_required
def cash_day(request, pk):
    return _book_page(request, _book_or_404(request, pk))


@require_POST
@cash_staff_required
def cash_movement(request, pk):
    book = _book_or_404(request, pk)
    form = CashMovementForm(request.POST)
    if form.is_valid():
        try:
            services.cash_movement_record(
                request.user,
                book,
                form.cleaned_data["kind"],
                form.cleaned_data["amount"],
                form.cleaned_data["note"],
            )
        except PayoutsError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("payouts:cash_day", book.pk)
    return _book_page(request, book, movement_form=form, status=422)


@require_POST
@cash_staff_required
def cash_sign_off(request, pk):
    book = _book_or_404(request, pk)
    if not has_role(request.user, "supervisor"):
        raise PermissionDenied
    form = CashSignoffForm(request.POST)
    if form.is_valid():
        try:
            services.cash_variance_sign_off(request.user, book, form.cleaned_data["reason"])
        except PayoutsError as exc:
            form.add_error("reason", exc.message)
        else:
            return redirect("payouts:cash_day", book.pk)
    return _book_page(request, book, signoff_form=form, status=422)


@require_POST
@cash_staff_required
def cash_close(request, pk):
    book = _book_or_404(request, pk)
    try:
        services.cash_day_close(request.user, book)
    except PayoutsError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Đã chốt sổ quỹ ngày %(day)s.") % {"day": book.day.strftime("%d/%m/%Y")}
        )
    return redirect("payouts:cash_day", book.pk)
