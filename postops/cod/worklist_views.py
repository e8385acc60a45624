"""Supervisors' worklists (issue #3, item 13): one page, five lists, keyset-paginated.

Reads through ``postops.items.worklists`` and ``postops.cod.selectors`` (office scope).
"""

from __future__ import annotations

from datetime import datetime, time

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from postops.accounts.decorators import role_required
from postops.accounts.roles import user_roles
from postops.items import worklists
from postops.public.layouts import layout_template

from . import selectors

WORKLIST_ROLES = ("supervisor", "manager")

KINDS = {
    "stale": _("Không có hành trình mới"),
    "failed": _("Phát không thành công"),
    "overdue": _("Quá ngày phát dự kiến"),
    "cod": _("Tiền thu hộ chưa nộp"),
    "unrouted": _("Chưa có bưu cục phát"),
}


@role_required(*WORKLIST_ROLES)
def worklist_index(request):
    return redirect("worklists:list", kind="stale")


def _days(request) -> int:
    try:
        return max(1, min(int(request.GET.get("days", worklists.DEFAULT_STALE_DAYS)), 365))
    except ValueError:
        return worklists.DEFAULT_STALE_DAYS


@role_required(*WORKLIST_ROLES)
def worklist(request, kind):
    if kind not in KINDS:
        raise Http404
    cursor = request.GET.get("after", "")
    params: dict[str, str] = {}
    days = None
    if kind == "stale":
        days = _days(request)
        params["days"] = str(days)
        page = worklists.stale_items(request.user, days=days, cursor=cursor)
    elif kind == "failed":
        page = worklists.failed_attempt_items(request.user, cursor=cursor)
    elif kind == "overdue":
        page = worklists.overdue_items(request.user, cursor=cursor)
    elif kind == "unrouted":
        page = worklists.unrouted_items(request.user, cursor=cursor)
    else:
        # Cash collected before today should have come back at an earlier day's end.
        today_start = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
        earlier = request.GET.get("all") != "1"
        if not earlier:
            params["all"] = "1"
        page = selectors.cod_not_handed_over_page(
            request.user, cursor=cursor, before=today_start if earlier else None
        )
    next_url = "?" + urlencode({**params, "after": page.next_cursor}) if page.next_cursor else ""
    first_url = "?" + urlencode(params) if params else "?"
    return render(
        request,
        "cod/worklist.html",
        {
            "layout": layout_template(user_roles(request.user)),
            "kind": kind,
            "kinds": KINDS,
            "title": KINDS[kind],
            "page": page,
            "days": days,
            "show_all": params.get("all") == "1",
            "next_url": next_url,
            "first_url": first_url,
            "is_continued": bool(cursor),
        },
    )
