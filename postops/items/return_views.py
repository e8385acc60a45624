"""The counter page of one item: a sender's requests (return to sender, withdrawal,
redirection) and the hand-over at the counter (to the receiver, or back to the sender).

Thin: the item is read through ``return_selectors`` (office scope); every change goes
through ``returns`` or ``postops.delivery.services`` (services), which write the tracking
event and the audit entry.
"""

from __future__ import annotations

import contextlib
import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from postops.accounts.decorators import role_required
from postops.accounts.roles import user_roles
from postops.core.audit import audit_read
from postops.delivery import rules as delivery_rules
from postops.delivery import services as delivery_services
from postops.delivery.forms import CounterDeliveryForm
from postops.delivery.models import CounterDelivery
from postops.network.selectors import office_scope_ids
from postops.public.layouts import layout_template

from . import return_rules, returns
from .return_forms import ItemLookupForm, RedirectForm, ReturnForm, WithdrawForm
from .return_selectors import item_for_request, return_charge_for

REQUEST_ROLES = ("clerk", "supervisor")
request_staff_required = role_required(*REQUEST_ROLES)


def _office(request, item):
    """The office the request is recorded at: the user's first office that the item passes
    through, else the user's first office."""
    offices = list(request.user.offices.order_by("path"))
    if not offices:
        raise PermissionDenied
    touched = {item.origin_office_id, item.destination_office_id, item.last_office_id}
    for office in offices:
        if office.pk in touched:
            return office
    return offices[0]


def _page(request, item=None, lookup=None, status=200, **forms):
    context = {
        "layout": layout_template(user_roles(request.user)),
        "lookup": lookup or ItemLookupForm(initial={"number": getattr(item, "number", "")}),
        "item": item,
    }
    if item is not None:
        context.update(
            charge=return_charge_for(item),
            can_return=item.status in {s.value for s in return_rules.RETURNABLE},
            can_redirect=_allowed(return_rules.check_redirect, item.status),
            can_withdraw=_allowed(return_rules.withdrawal_event, item.status),
            return_form=forms.get("return_form") or ReturnForm(),
            withdraw_form=forms.get("withdraw_form") or WithdrawForm(),
            redirect_form=forms.get("redirect_form") or RedirectForm(),
        )
        quote = None
        with contextlib.suppress(ValidationError):
            quote = returns.return_quote(item, return_rules.Cause.SENDER_REQUEST)
        context["quote"] = quote
        office = _counter_office(request.user, item)
        kind = office and delivery_services.counter_delivery_kind(item, office)
        if kind:
            cod = delivery_services.counter_cod_due(item, kind)
            context.update(
                counter_kind=kind,
                counter_office=office,
                counter_cod=cod,
                counter_id_required=delivery_rules.id_check_required(item.service, cod),
                counter_form=forms.get("counter_form")
                or CounterDeliveryForm(initial={"event_id": uuid.uuid4(), "relation": "self"}),
            )
    return render(request, "items/returns.html", context, status=status)


def _counter_office(user, item):
    """The office whose counter may hand the item over: the one that has it, if the user
    works there (or above it)."""
    if item.last_office_id and office_scope_ids(user).filter(pk=item.last_office_id).exists():
        return item.last_office
    return None


def _allowed(check, status) -> bool:
    try:
        check(status)
    except return_rules.ChangeRefused:
        return False
    return True


def _item_or_404(request, number):
    item = item_for_request(request.user, number)
    if item is None:
        raise Http404
    return item


def _back(item):
    return redirect(reverse("returns:page") + "?" + urlencode({"number": item.number}))


def _apply(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = {"receiver_commune_code": "commune", "receiver_street": "street"}.get(
                name, name
            )
            form.add_error(target if target in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@request_staff_required
def returns_page(request):
    lookup = ItemLookupForm(request.GET or None)
    item = None
    if request.GET.get("number") and lookup.is_valid():
        item = item_for_request(request.user, lookup.cleaned_data["number"])
        if item is None:
            lookup.add_error(
                "number", _("Không tìm thấy bưu gửi này trong phạm vi đơn vị của bạn.")
            )
        else:
            audit_read(
                request.user, item, ["sender_name", "receiver_name", "receiver_address"], request
            )
    return _page(request, item, lookup)


@require_POST
@request_staff_required
def item_return(request, number):
    item = _item_or_404(request, number)
    form = ReturnForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = returns.item_return_to_sender(
                actor=request.user,
                item=item,
                office=_office(request, item),
                cause=data["cause"],
                sender_consented=data["sender_consented"],
                fee=data["fee"],
                note=data["note"],
                request=request,
            )
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(
                request,
                _("Đã chuyển hoàn %(number)s; cước chuyển hoàn %(fee)s đồng.")
                % {"number": item.number, "fee": f"{result.charge.amount:,}".replace(",", ".")},
            )
            return _back(item)
    return _page(request, item, status=422, return_form=form)


@require_POST
@request_staff_required
def item_withdraw(request, number):
    item = _item_or_404(request, number)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            result = returns.item_withdraw(
                actor=request.user,
                item=item,
                office=_office(request, item),
                fee=form.cleaned_data["fee"],
                note=form.cleaned_data["note"],
                request=request,
            )
        except ValidationError as exc:
            _apply(form, exc)
        else:
            if result.charge is None:
                messages.success(request, _("Người gửi đã rút lại %(n)s.") % {"n": item.number})
            else:
                messages.success(
                    request,
                    _("%(n)s đã rời bưu cục nhận: chuyển hoàn cho người gửi, cước %(fee)s đồng.")
                    % {"n": item.number, "fee": f"{result.charge.amount:,}".replace(",", ".")},
                )
            return _back(item)
    return _page(request, item, status=422, withdraw_form=form)


@require_POST
@request_staff_required
def item_redirect(request, number):
    item = _item_or_404(request, number)
    form = RedirectForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        address = None
        if data["commune"]:
            address = {
                "commune_code": data["commune"].code,
                "street": data["street"],
                "raw": data["street"],
            }
        try:
            returns.item_redirect(
                actor=request.user,
                item=item,
                office=_office(request, item),
                receiver_name=data["receiver_name"] or None,
                receiver_phone=data["receiver_phone"] or None,
                receiver_address=address,
                note=data["note"],
                request=request,
            )
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(
                request, _("Đã đổi thông tin người nhận của %(n)s.") % {"n": item.number}
            )
            return _back(item)
    return _page(request, item, status=422, redirect_form=form)


@require_POST
@request_staff_required
def item_counter_deliver(request, number):
    """The item handed over at the counter: to its receiver, or back to its sender."""
    item = _item_or_404(request, number)
    form = CounterDeliveryForm(request.POST)
    office = _counter_office(request.user, item)
    if office is None:
        raise PermissionDenied
    if form.is_valid():
        data = form.cleaned_data
        try:
            record = delivery_services.counter_delivery_record(
                actor=request.user,
                item=item,
                office=office,
                event_id=data["event_id"],
                recipient_name=data["recipient_name"],
                relation=data["relation"],
                id_document=data["id_document"],
                id_number=data["id_number"],
                cod_collected=data["cod_collected"],
                note=data["note"],
                request=request,
            )
        except ValidationError as exc:
            _apply(form, exc)
        else:
            if record.kind == CounterDelivery.Kind.SENDER:
                text = _("Đã trả %(n)s lại cho người gửi tại quầy.")
            else:
                text = _("Đã phát %(n)s tại quầy cho người nhận.")
            messages.success(request, text % {"n": item.number})
            return _back(item)
    return _page(request, item, status=422, counter_form=form)
