"""Pages of postal items.

* Public tracking (``/tra-cuu/``) needs no login and shows no personal data: status, events
  with offices, the receiver's name masked.
* Counter acceptance (``/items/accept/``, issue #3 item 3): keyboard and scanner first; the
  price and promised date shown before acceptance (htmx quote partial); a double submit
  stores one item (the form's idempotency key); then the item page with its A6 label and
  receipt (PDF).

Thin: reads through ``selectors`` (office scope), writes through ``services``. Personal data
shown (names, phones, addresses) is logged with ``audit_read``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from postops.accounts.decorators import role_required
from postops.accounts.roles import user_roles
from postops.core.audit import audit_read, audit_read_many
from postops.network.selectors import address_display
from postops.public.layouts import layout_template

from . import documents, selectors, services
from .api import PublicRateThrottle
from .forms import SERVICE_FIELD, AcceptForm
from .models import ServiceIndicator, TariffZone
from .routing import delivery_office_for_address

# Who accepts items: counter clerks, BĐVHX attendants at commune points, and supervisors.
ACCEPT_ROLES = ("clerk", "bdvhx", "supervisor")
# Personal data fields shown on the item page and printed on the label and receipt.
PERSONAL_FIELDS = (
    "sender_name",
    "sender_phone",
    "sender_address",
    "receiver_name",
    "receiver_phone",
    "receiver_address",
)

accept_staff_required = role_required(*ACCEPT_ROLES)


@require_GET
def track_page(request):
    """Citizens type or paste up to 20 numbers; the results come back in place (htmx)."""
    raw = request.GET.get("numbers", "")[:2000]
    queries = selectors.split_numbers(raw)
    context = {
        "numbers": raw,
        "lookups": [],
        "too_many": len(queries) > selectors.MAX_TRACK_NUMBERS,
        "max_numbers": selectors.MAX_TRACK_NUMBERS,
        "rate_limited": False,
    }
    status = 200
    if queries and not context["too_many"]:
        if PublicRateThrottle().allow_request(request):
            # Dossier codes (HS-…) and the dossiers of dossier items: postops.dossiers.
            from postops.dossiers.return_selectors import dossier_track_many, is_dossier_query

            context["dossier_lookups"] = dossier_track_many(queries)
            items = [q for q in queries if not is_dossier_query(q)]
            context["lookups"] = selectors.item_track_many(items) if items else []
        else:
            context["rate_limited"] = True
            status = 429
    template = "items/track.html"
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "track-results":
        template = "items/track.html#track_results"
    return render(request, template, context, status=status)


# --- Counter acceptance --------------------------------------------------------------------


def _context(request, **extra) -> dict:
    return {"layout": layout_template(user_roles(request.user)), **extra}


def _apply_service_errors(form: AcceptForm, exc: ValidationError) -> None:
    for name, messages_ in exc.message_dict.items():
        target = SERVICE_FIELD.get(name, name)
        if target is not None and target not in form.fields:
            target = None
        for message in messages_:
            form.add_error(target, message)


@accept_staff_required
@require_http_methods(["GET", "POST"])
def accept(request):
    """The counter form; a valid POST accepts the item and opens its page."""
    offices = selectors.acceptance_offices_for_user(request.user)
    form = AcceptForm(request.POST or None, offices=offices)
    conflict = None
    if request.method == "POST" and offices.exists() and form.is_valid():
        try:
            result = services.item_accept(
                actor=request.user, request=request, **form.accept_kwargs()
            )
        except services.IdempotencyConflict as exc:
            conflict = exc.item
            form.add_error(
                None,
                _(
                    "Biểu mẫu này đã nhận gửi bưu gửi %(number)s. Mở biểu mẫu mới để nhận "
                    "bưu gửi khác."
                )
                % {"number": exc.item.number},
            )
        except ValidationError as exc:
            _apply_service_errors(form, exc)
        else:
            if result.created:
                messages.success(
                    request,
                    _("Đã nhận gửi %(number)s.") % {"number": result.item.number},
                )
            return redirect("items:detail", result.item.number)
    return render(
        request,
        "items/accept.html",
        _context(request, form=form, has_office=offices.exists(), conflict=conflict),
    )


def _quote_service(form: AcceptForm) -> str | None:
    data = form.cleaned_data
    prefix = data.get("number", "")[:2] or data.get("prefix", "")
    if not prefix:
        return None
    indicator = ServiceIndicator.objects.filter(prefix=prefix, is_active=True).first()
    return indicator.service if indicator else None


@accept_staff_required
@require_POST
def accept_quote(request):
    """htmx partial: price and promised date of what the form holds so far, and the
    confirmation choices of a partly merged legacy commune (out-of-band swap)."""
    offices = selectors.acceptance_offices_for_user(request.user)
    form = AcceptForm(request.POST, offices=offices)
    form.is_valid()  # partial data: use what is valid so far
    data = getattr(form, "cleaned_data", {})
    quote, missing = None, []
    office = data.get("office")
    service = _quote_service(form)
    address = data.get("receiver_address")
    weight = data.get("weight_g")
    if office is None:
        missing.append(_("bưu cục"))
    if service is None:
        missing.append(_("dịch vụ"))
    if address is None:
        missing.append(_("xã/phường người nhận"))
    if not weight:
        missing.append(_("khối lượng"))
    if not missing:
        quote = selectors.acceptance_quote(
            office=office,
            service=service,
            receiver_commune_code=address.commune_code,
            weight_g=weight,
            cod_amount=data.get("cod_amount") or 0,
            declared_value=data.get("declared_value") or 0,
            advice_of_delivery=bool(data.get("advice_of_delivery")),
        )
    return render(
        request,
        "items/partials/quote.html",
        {
            "form": form,
            "quote": quote,
            "missing": missing,
            "error_text": services.TARIFF_ERROR_TEXT.get(quote.error, "")
            if quote and quote.error
            else "",
            "zone_label": TariffZone(quote.zone).label if quote and quote.zone else "",
            "address_text": address_display(address) if address is not None else "",
            # Routing by commune, shown before acceptance (none: the supervisor's list).
            "delivery_office": delivery_office_for_address(address.scheme, address.commune_code)
            if address is not None
            else None,
            "routed": address is not None,
            "conversion": form.conversion,
            "oob": True,
        },
    )


@accept_staff_required
@require_GET
def sender_lookup(request):
    """htmx partial: previous senders with the typed phone number (office scope)."""
    phone = request.GET.get("sender_phone", "")[:20]
    suggestions = selectors.sender_lookup(request.user, phone)
    if suggestions:
        audit_read_many(
            request.user,
            [s.item for s in suggestions],
            ["sender_name", "sender_phone", "sender_address"],
            request=request,
        )
    return render(request, "items/partials/senders.html", {"suggestions": suggestions})


@require_GET
@accept_staff_required
def legacy_commune_search(request):
    """htmx partial for the legacy commune picker (public reference data)."""
    text = request.GET.get("q")
    if text is None:
        text = next((v for k, v in request.GET.items() if k.endswith("_q")), "")
    communes = selectors.legacy_commune_search(text.strip())
    return render(
        request,
        "items/partials/legacy_commune_results.html",
        {"communes": communes, "q": text.strip()},
    )


def _item_or_404(request, number):
    item = selectors.item_get_for_user(request.user, number)
    if item is None:
        raise Http404
    return item


@accept_staff_required
@require_GET
def item_detail(request, number):
    item = _item_or_404(request, number)
    audit_read(request.user, item, PERSONAL_FIELDS, request=request)
    return render(
        request,
        "items/item_detail.html",
        _context(
            request,
            item=item,
            label=documents.label_content(item),
            receipt=documents.receipt_content(item),
        ),
    )


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@accept_staff_required
@require_GET
def item_label(request, number):
    item = _item_or_404(request, number)
    audit_read(request.user, item, PERSONAL_FIELDS, request=request)
    return _pdf_response(documents.label_pdf(item), f"{item.number}-nhan.pdf")


@accept_staff_required
@require_GET
def item_receipt(request, number):
    item = _item_or_404(request, number)
    audit_read(request.user, item, PERSONAL_FIELDS, request=request)
    stamp = timezone.localtime(item.accepted_at)
    return _pdf_response(documents.receipt_pdf(item), f"{item.number}-bien-nhan-{stamp:%Y%m%d}.pdf")
