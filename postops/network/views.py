"""Staff pages of the postal network and the commune picker's search partial.

Thin: every read goes through ``selectors`` (office scoping), every write through
``services`` (permission, tree rules, audit).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import rules, selectors, services
from .forms import OfficeForm


def _search_text(params) -> str:
    """The picker's query: ``q``, or the ``<field>_q`` box of a commune picker."""
    text = params.get("q")
    if text is None:
        text = next((v for k, v in params.items() if k.endswith("_q")), "")
    return text.strip()[:100]


@require_GET
def commune_search(request):
    """HTML partial for the commune picker: matching communes as buttons (public data)."""
    province = request.GET.get("province") or None
    if province and not (province.isdigit() and len(province) == 2):
        province = None
    text = _search_text(request.GET)
    communes = selectors.commune_search(text, province=province, limit=20)
    return render(
        request,
        "network/partials/commune_results.html",
        {"communes": communes, "q": text},
    )


@login_required
def office_list(request):
    q = request.GET.get("q", "").strip()[:100]
    rows = selectors.office_tree_for_user(request.user, q)
    context = {
        "rows": rows,
        "q": q,
        "can_create": selectors.office_can_edit_any(request.user),
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "office-rows":
        return render(request, "network/office_list.html#office_rows", context)
    return render(request, "network/office_list.html", context)


def _office_or_404(request, pk):
    office = selectors.office_get_for_user(request.user, pk)
    if office is None:
        raise Http404
    return office


@login_required
def office_detail(request, pk):
    office = _office_or_404(request, pk)
    scope = selectors.office_scope_ids(request.user)
    ancestors = [o for o in selectors.office_ancestors(office) if scope.filter(pk=o.pk).exists()]
    can_edit = selectors.office_can_edit(request.user, office)
    return render(
        request,
        "network/office_detail.html",
        {
            "office": office,
            "ancestors": ancestors,
            "children": selectors.office_children_for_user(request.user, office),
            "can_edit": can_edit,
            "can_create_child": can_edit
            and office.is_active
            and bool(rules.child_kinds(office.kind)),
        },
    )


def _apply_errors(form, exc: ValidationError) -> None:
    for field, msgs in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, msgs)


@login_required
def office_create(request):
    if not selectors.office_can_edit_any(request.user):
        raise PermissionDenied
    initial = {}
    parent_id = request.GET.get("parent")
    if parent_id:
        parent = _office_or_404(request, parent_id)
        # Pre-fill the usual child: the first kind allowed under the parent.
        child = next(iter(rules.child_kinds(parent.kind)), "")
        initial = {
            "parent": parent.pk,
            "kind": child,
            "commune": parent.commune_id,
            "postal_code": parent.postal_code,
        }
    form = OfficeForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            office = services.office_create(actor=request.user, request=request, **data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error("parent", str(exc))
        else:
            messages.success(request, _("Đã tạo đơn vị %(code)s.") % {"code": office.code})
            return redirect("network:office_detail", pk=office.pk)
    return render(request, "network/office_form.html", {"form": form, "office": None})


@login_required
def office_edit(request, pk):
    office = _office_or_404(request, pk)
    if not selectors.office_can_edit(request.user, office):
        raise PermissionDenied
    form = OfficeForm(request.POST or None, user=request.user, office=office)
    if request.method == "POST" and form.is_valid():
        try:
            services.office_update(
                actor=request.user, office=office, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error("parent", str(exc))
        else:
            messages.success(request, _("Đã lưu thay đổi."))
            return redirect("network:office_detail", pk=office.pk)
    return render(request, "network/office_form.html", {"form": form, "office": office})


@require_POST
@login_required
def office_set_active(request, pk, active: bool):
    office = _office_or_404(request, pk)
    service = services.office_reactivate if active else services.office_deactivate
    try:
        service(actor=request.user, office=office, request=request)
    except ValidationError as exc:
        for msgs in exc.message_dict.values():
            for msg in msgs:
                messages.error(request, msg)
    else:
        if active:
            messages.success(request, _("Đơn vị đã hoạt động trở lại."))
        else:
            messages.success(request, _("Đơn vị đã ngừng hoạt động."))
    return redirect("network:office_detail", pk=office.pk)
