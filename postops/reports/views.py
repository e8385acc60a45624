"""The report to the provincial authority: pick the period, see the figures, download XLSX
or PDF. Managers, auditors and administrators, over the offices in their scope."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from postops.accounts.decorators import role_required
from postops.accounts.roles import user_roles
from postops.core.audit import audit_record
from postops.public.layouts import layout_template

from . import documents, selectors
from .forms import PeriodForm

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def _scope_label(user) -> str:
    names = list(user.offices.order_by("path").values_list("name", flat=True)[:3])
    return ", ".join(names) or "—"


@role_required(*selectors.REPORT_ROLES)
@require_http_methods(["GET"])
def report_page(request):
    form = PeriodForm(request.GET or None, initial=PeriodForm.default_initial())
    context = {"layout": layout_template(user_roles(request.user)), "form": form}
    if not form.is_bound or not form.is_valid():
        return render(request, "reports/report.html", context, status=400 if form.is_bound else 200)
    period = form.get_period()
    report = selectors.report_figures(request.user, period)
    fmt = request.GET.get("format", "")
    scope = _scope_label(request.user)
    if fmt in CONTENT_TYPES:
        body = (documents.report_xlsx if fmt == "xlsx" else documents.report_pdf)(report, scope)
        audit_record(
            request.user,
            "reports.download",
            after={"period": period.slug, "format": fmt},
            request=request,
            target_type="reports.period",
            target_id=period.slug,
        )
        response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="bao-cao-{period.slug}.{fmt}"'
        return response
    rows = [
        (section, label, documents.display_value(value, unit))
        for section, label, value, unit in documents.report_rows(report)
    ]
    context.update(
        report=report,
        rows=rows,
        title=documents.report_title(period),
        scope=scope,
        query=request.GET.urlencode().replace("&format=xlsx", "").replace("&format=pdf", ""),
    )
    return render(request, "reports/report.html", context)
