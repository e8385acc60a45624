"""Staff pages for dossiers: the procedure catalogue (list, detail, import).

Thin: reads through ``selectors``, writes through ``services``; personal data shown is
logged with ``audit_read``.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from postops.accounts.decorators import role_required
from postops.accounts.roles import has_role, user_roles
from postops.public.layouts import layout_template

from . import selectors
from .catalogue import COLUMNS, procedures_import
from .forms import CatalogueImportForm, ProcedureSearchForm

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
