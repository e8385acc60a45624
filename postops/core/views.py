from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import selectors, services
from .forms import AuditSearchForm


@require_GET
@never_cache
def healthz(request):
    """Liveness: the process answers."""
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def readyz(request):
    """Readiness: the database answers and every migration is applied."""
    checks = {"database": "ok", "migrations": "ok"}
    status = 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        checks["database"] = "unreachable"
        checks["migrations"] = "unknown"
        return JsonResponse({"status": "unavailable", "checks": checks}, status=503)
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        checks["migrations"] = f"{len(pending)} pending"
        status = 503
    return JsonResponse(
        {"status": "ok" if status == 200 else "unavailable", "checks": checks}, status=status
    )


@login_required
@require_GET
@never_cache
def audit_list(request):
    """The auditor page: search the audit trail within the viewer's office scope.

    Auditors, administrators and provincial managers only (others get 403). Every view of
    the page, including each further page, is itself recorded in the audit trail.
    """
    if not selectors.audit_can_view(request.user):
        raise PermissionDenied
    criteria = {k: v for k, v in request.GET.items() if k != "after"}
    form = AuditSearchForm(criteria or None)
    cursor = request.GET.get("after", "")
    page = selectors.AuditPage()
    searched = False
    if form.is_bound and not form.is_valid():
        filters = None
    else:
        filters = form.filters() if form.is_bound else selectors.AuditFilters()
        page = selectors.audit_entry_list_for_user(
            request.user, filters, cursor=cursor, limit=selectors.AUDIT_PAGE_SIZE
        )
        services.audit_search_record(
            request.user, filters.as_dict(), cursor=cursor, request=request
        )
        searched = True
    query = request.GET.copy()
    query.pop("after", None)
    first_url = f"?{query.urlencode()}" if query else "?"
    next_url = None
    if page.next_cursor:
        query["after"] = page.next_cursor
        next_url = f"?{query.urlencode()}"
    rows = [(entry, selectors.audit_entry_diff(entry)) for entry in page.entries]
    return render(
        request,
        "core/audit_list.html",
        {
            "form": form,
            "rows": rows,
            "next_url": next_url,
            "first_url": first_url,
            "is_continued": bool(cursor),
            "searched": searched,
            "filters": filters,
        },
    )
