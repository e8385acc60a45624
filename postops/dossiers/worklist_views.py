"""Pages of the overdue-dossier worklists (issue #4, item 8): one page per cause with counts
of every cause, filters (agency, procedure, office), keyset pages and CSV/XLSX export.

Thin: reads through :mod:`postops.dossiers.worklists` (office or agency scope). No personal
data is shown or exported (codes, procedure, agency, office, dates), so no read is logged.
"""

from __future__ import annotations

import csv
import io

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from postops.accounts.decorators import role_required
from postops.accounts.roles import user_roles
from postops.network.selectors import office_list_for_user
from postops.public.layouts import layout_template

from . import selectors, worklists

worklist_readers = role_required(*worklists.WORKLIST_ROLES)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class WorklistFilterForm(forms.Form):
    agency = forms.TypedChoiceField(
        label=gettext_lazy("Cơ quan"), required=False, coerce=int, empty_value=None
    )
    procedure = forms.CharField(label=gettext_lazy("Mã thủ tục"), required=False, max_length=30)
    office = forms.TypedChoiceField(
        label=gettext_lazy("Bưu cục"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, data, *, user, agency_fixed: bool):
        super().__init__(data)
        everyone = [("", _("Tất cả"))]
        if agency_fixed:
            del self.fields["agency"]
            del self.fields["office"]
            return
        self.fields["agency"].choices = everyone + [
            (a.pk, f"{a.code} · {a.name}") for a in selectors.agency_list()
        ]
        self.fields["office"].choices = everyone + [
            (o.pk, f"{o.code} · {o.name}") for o in office_list_for_user(user).order_by("code")
        ]
        self.fields["agency"].error_messages["invalid_choice"] = _(
            "Cơ quan không có trong danh sách."
        )
        self.fields["office"].error_messages["invalid_choice"] = _(
            "Bưu cục không thuộc phạm vi của bạn."
        )

    def filters(self, user) -> worklists.Filters:
        if not self.is_valid():
            return worklists.Filters()
        data = self.cleaned_data
        office = None
        if data.get("office"):
            office = worklists.office_filter_for_user(user, data["office"])
        return worklists.Filters(
            agency_id=data.get("agency"),
            procedure_code=(data.get("procedure") or "").strip(),
            office=office,
        )

    def params(self) -> dict[str, str]:
        if not self.is_valid():
            return {}
        return {k: str(v) for k, v in self.cleaned_data.items() if v not in (None, "")}


def _cause_or_404(user, slug: str) -> worklists.Cause:
    """The cause named in the URL: 404 if there is none, 403 if the user does not follow it
    (an agency officer asking for the post's lists)."""
    cause = worklists.CAUSES.get(slug)
    if cause is None:
        raise Http404
    if cause not in worklists.causes_for_user(user):
        raise PermissionDenied
    return cause


def _form(request) -> WorklistFilterForm:
    # Agency officers follow their own agency only: no agency or office to choose.
    agency_fixed = len(worklists.causes_for_user(request.user)) <= 1
    return WorklistFilterForm(request.GET or None, user=request.user, agency_fixed=agency_fixed)


@worklist_readers
@require_http_methods(["GET"])
def worklist_index(request):
    causes = worklists.causes_for_user(request.user)
    if not causes:
        raise Http404
    query = request.GET.urlencode()
    url = reverse("dossiers:worklist", args=[causes[0].slug])
    return redirect(f"{url}?{query}" if query else url)


@worklist_readers
@require_http_methods(["GET"])
def worklist(request, cause):
    cause = _cause_or_404(request.user, cause)
    today = timezone.localdate()
    form = _form(request)
    filters = form.filters(request.user)
    params = form.params()
    cursor = request.GET.get("after", "")
    base = worklists.scope_for_user(request.user)  # the user's scope, evaluated once
    page = worklists.overdue_page(
        request.user, cause, filters, cursor=cursor, today=today, base=base
    )
    counts = worklists.overdue_counts(request.user, filters, today, base=base)
    query = urlencode(params)
    return render(
        request,
        "dossiers/worklists/list.html",
        {
            "layout": layout_template(user_roles(request.user)),
            "cause": cause,
            "causes": [(c, counts.get(c.slug, 0)) for c in worklists.causes_for_user(request.user)],
            "form": form,
            "rows": worklists.rows(cause, page.rows, today),
            "query": query,
            "next_url": "?" + urlencode({**params, "after": page.next_cursor})
            if page.next_cursor
            else "",
            "first_url": "?" + query,
            "is_continued": bool(cursor),
            "collect_days": worklists.collect_days(),
            "count_cap": worklists.COUNT_CAP,
            "today": today,
        },
    )


@worklist_readers
@require_http_methods(["GET"])
def worklist_export(request, cause, fmt):
    cause = _cause_or_404(request.user, cause)
    filters = _form(request).filters(request.user)
    today = timezone.localdate()
    header = [str(c) for c in worklists.EXPORT_COLUMNS]
    lines = worklists.export_rows(request.user, cause, filters, today)
    name = f"ho-so-tre-han-{cause.slug}-{today:%Y%m%d}"
    if fmt == "csv":
        response = StreamingHttpResponse(_csv_lines(header, lines), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    if fmt == "xlsx":
        response = HttpResponse(_xlsx(header, lines, str(cause.label)), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    raise Http404


def _csv_lines(header, lines):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    # A byte-order mark, so that Excel opens the UTF-8 file with its diacritics intact.
    yield "\ufeff"
    writer.writerow(header)
    for line in lines:
        writer.writerow(line)
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _xlsx(header, lines, title: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append(header)
    for line in lines:
        sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
