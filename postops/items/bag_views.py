"""Pages of bags between offices (issue #3, item 7): the bag list with a scan box, closing a
bag by scanning its items, the bag page with the one-scan receipt and its report, the bag
label (PDF). Thin: reads through ``bag_selectors``, writes through ``bags``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from postops.accounts.decorators import role_required

from . import bag_selectors, bags, documents, selectors
from .bag_forms import BagCloseForm, BagReceiveForm, BagScanForm
from .models import BagState
from .views import _context

BAG_ROLES = ("clerk", "bdvhx", "supervisor")
bag_staff_required = role_required(*BAG_ROLES)


@bag_staff_required
@require_GET
def bag_list(request):
    return render(
        request,
        "items/bag_list.html",
        _context(request, scan=BagScanForm(), **bag_selectors.bag_list_for_user(request.user)),
    )


@bag_staff_required
@require_GET
def bag_scan(request):
    """The scan box: open the scanned bag's page (where it is received)."""
    form = BagScanForm(request.GET)
    status = 200
    if form.is_valid():
        bag = bag_selectors.bag_get_for_user(request.user, form.cleaned_data["code"])
        if bag is not None:
            return redirect("items:bag_detail", bag.code)
        form.add_error("code", _("Không có túi mang mã này ở các bưu cục của bạn."))
        status = 404
    return render(
        request,
        "items/bag_list.html",
        _context(request, scan=form, **bag_selectors.bag_list_for_user(request.user)),
        status=status,
    )


@bag_staff_required
@require_http_methods(["GET", "POST"])
def bag_close(request):
    offices = selectors.acceptance_offices_for_user(request.user)
    form = BagCloseForm(
        request.POST or None,
        offices=offices,
        initial=None if request.method == "POST" else _prefill(request, offices),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = bags.bag_close(
                actor=request.user,
                origin_office=data["origin_office"],
                destination_office=data["destination_office"],
                numbers=data["numbers"],
                seal_number=data["seal_number"],
                idempotency_key=data["idempotency_key"],
                request=request,
            )
        except bags.BagIdempotencyConflict as exc:
            form.add_error(
                None,
                _("Biểu mẫu này đã đóng túi %(code)s. Mở biểu mẫu mới để đóng túi khác.")
                % {"code": exc.bag.code},
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(name if name in form.fields else None, error)
        else:
            if result.created:
                messages.success(
                    request,
                    _("Đã đóng túi %(code)s với %(count)d bưu gửi.")
                    % {"code": result.bag.code, "count": result.bag.item_count},
                )
            return redirect("items:bag_detail", result.bag.code)
    return render(
        request, "items/bag_close.html", _context(request, form=form, has_office=offices.exists())
    )


def _prefill(request, offices) -> dict:
    """A bag form opened from the "to forward" list (``?origin=<office>&destination=
    <office>``): that destination, and, at an office of the user's, the items waiting there
    for it (:func:`bag_selectors.forward_numbers`), to check against the scanned ones."""
    initial: dict = {}
    destination = _office_param(
        bag_selectors.bag_destination_choices(), request.GET.get("destination")
    )
    if destination is None:
        return initial
    initial["destination_office"] = destination.pk
    origin = _office_param(offices, request.GET.get("origin"))
    if origin is not None and origin.pk != destination.pk:
        initial["origin_office"] = origin.pk
        numbers = bag_selectors.forward_numbers(origin, destination.pk, bags.MAX_BAG_ITEMS)
        if numbers:
            initial["numbers"] = "\n".join(numbers) + "\n"
    return initial


def _office_param(queryset, value):
    try:
        return queryset.filter(pk=int(value)).first()
    except (TypeError, ValueError):
        return None


def _bag_or_404(request, code):
    bag = bag_selectors.bag_get_for_user(request.user, code)
    if bag is None:
        raise Http404
    return bag


@bag_staff_required
@require_GET
def bag_detail(request, code):
    bag = _bag_or_404(request, code)
    receipt = bags.bag_receipt_report(bag) if bag.state == BagState.RECEIVED else None
    return render(
        request,
        "items/bag_detail.html",
        _context(
            request,
            bag=bag,
            lines=bag_selectors.bag_lines(bag),
            receipt=receipt,
            receive_form=BagReceiveForm() if bag.state == BagState.CLOSED else None,
        ),
    )


@bag_staff_required
@require_POST
def bag_receive(request, code):
    bag = _bag_or_404(request, code)
    form = BagReceiveForm(request.POST)
    if form.is_valid():
        found = form.cleaned_data["found"].strip() or None
        try:
            receipt = bags.bag_receive(
                actor=request.user,
                code=bag.code,
                office=bag.destination_office,
                found=found,
                request=request,
            )
        except ValidationError as exc:
            for errors in exc.message_dict.values():
                for error in errors:
                    form.add_error("found" if found else None, error)
        else:
            level = messages.warning if receipt.missing or receipt.extra else messages.success
            level(
                request,
                _(
                    "Đã nhận túi %(code)s: %(arrived)d bưu gửi đến, %(missing)d thiếu, "
                    "%(extra)d thừa."
                )
                % {
                    "code": bag.code,
                    "arrived": len(receipt.arrived),
                    "missing": len(receipt.missing),
                    "extra": len(receipt.extra),
                },
            )
            if receipt.unknown or receipt.invalid:
                messages.warning(
                    request,
                    _("Số hiệu không có trong hệ thống hoặc sai: %(numbers)s")
                    % {"numbers": ", ".join(receipt.unknown + receipt.invalid)},
                )
            return redirect("items:bag_detail", bag.code)
    return render(
        request,
        "items/bag_detail.html",
        _context(
            request,
            bag=bag,
            lines=bag_selectors.bag_lines(bag),
            receipt=None,
            receive_form=form,
        ),
    )


@bag_staff_required
@require_GET
def bag_label(request, code):
    bag = _bag_or_404(request, code)
    response = HttpResponse(documents.bag_label_pdf(bag), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{bag.code}.pdf"'
    return response
