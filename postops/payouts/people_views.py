"""Beneficiaries and their authorisations (issue #5, item 4): find a person, record or
withdraw a written authorisation to collect. Counter and field work (tellers, BĐVHX
attendants, postmen paying at home) and supervisors; office scope comes from the selectors."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from postops.accounts.decorators import role_required
from postops.accounts.roles import user_roles
from postops.core.audit import audit_read, audit_read_many
from postops.public.layouts import layout_template

from . import rules, selectors, services
from .errors import AuthorisationInvalid, PayoutsError
from .forms import BeneficiarySearchForm, ProxyForm, ProxyRevokeForm
from .models import Proxy

PEOPLE_ROLES = ("teller", "bdvhx", "supervisor", "manager", "postman")

people_staff_required = role_required(*PEOPLE_ROLES)


def _layout(request) -> str:
    return layout_template(user_roles(request.user))


@people_staff_required
def beneficiary_search(request):
    form = BeneficiarySearchForm(request.GET or None)
    people, query = [], ""
    if form.is_valid():
        query = form.cleaned_data["q"]
        people = selectors.beneficiary_search(request.user, query)
        if people:
            audit_read_many(request.user, people, ["full_name", "code"], request=request)
    return render(
        request,
        "payouts/beneficiary_search.html",
        {"layout": _layout(request), "form": form, "people": people, "q": query},
    )


def _person_page(request, person, *, proxy_form=None, revoke_forms=None, status=200):
    today = timezone.localdate()
    proxies = selectors.beneficiary_proxies(person)
    revoke_forms = revoke_forms or {}
    for proxy in proxies:
        proxy.state = proxy.state_on(today)
        proxy.revoke_form = revoke_forms.get(proxy.pk) or ProxyRevokeForm(prefix=f"r{proxy.pk}")
    limit = person.programme.max_authorisation_months
    return render(
        request,
        "payouts/beneficiary_detail.html",
        {
            "layout": _layout(request),
            "person": person,
            "proxies": proxies,
            "proxy_form": proxy_form
            or ProxyForm(
                max_months=limit,
                initial={
                    "valid_from": today,
                    "valid_to": rules.authorisation_last_day(today, limit),
                },
            ),
            "limit": limit,
        },
        status=status,
    )


def _person_or_404(request, pk):
    person = selectors.beneficiary_get(request.user, pk)
    if person is None:
        raise Http404
    return person


@people_staff_required
def beneficiary_detail(request, pk):
    person = _person_or_404(request, pk)
    audit_read(request.user, person, ["full_name", "id_number", "address"], request=request)
    return _person_page(request, person)


@require_POST
@people_staff_required
def proxy_add(request, pk):
    person = _person_or_404(request, pk)
    form = ProxyForm(request.POST, max_months=person.programme.max_authorisation_months)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.proxy_create(
                request.user,
                person,
                full_name=data["full_name"],
                id_document_type=data["id_document_type"],
                id_number=data["id_number"],
                authorisation_number=data["authorisation_number"],
                valid_from=data["valid_from"],
                valid_to=data["valid_to"],
                certified=data["certified"],
            )
        except AuthorisationInvalid as exc:
            form.add_error(exc.details.get("field") or None, exc.message)
        except PayoutsError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Đã ghi giấy ủy quyền số %(number)s.") % {"number": data["authorisation_number"]},
            )
            return redirect("payouts:beneficiary", person.pk)
    return _person_page(request, person, proxy_form=form, status=422)


@require_POST
@people_staff_required
def proxy_revoke(request, pk):
    proxy = Proxy.objects.select_related("beneficiary").filter(pk=pk).first()
    if proxy is None:
        raise Http404
    person = _person_or_404(request, proxy.beneficiary_id)
    form = ProxyRevokeForm(request.POST, prefix=f"r{proxy.pk}")
    if form.is_valid():
        try:
            services.proxy_revoke(request.user, proxy, form.cleaned_data["reason"])
        except PayoutsError as exc:
            form.add_error("reason", exc.message)
        else:
            messages.success(
                request,
                _("Đã thu hồi giấy ủy quyền số %(number)s.")
                % {"number": proxy.authorisation_number},
            )
            return redirect("payouts:beneficiary", person.pk)
    return _person_page(request, person, revoke_forms={proxy.pk: form}, status=422)
