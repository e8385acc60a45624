"""Staff page of the notifications outbox: list, filters, retry of a dead message.

Recipients are shown masked (``rules.mask_recipient``): the page is for watching delivery,
not for reading contact details, so it records no personal-data read.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from postops.accounts.decorators import role_required
from postops.accounts.roles import user_roles
from postops.public.layouts import layout_template

from . import rules, selectors, services
from .models import MessageStatus

outbox_required = role_required(*selectors.OUTBOX_ROLES)


@outbox_required
def outbox(request):
    status = request.GET.get("status", "")
    if status not in MessageStatus.values:
        status = ""
    channels = list(getattr(settings, "POSTOPS_NOTIFY_CHANNELS", {}))
    channel = request.GET.get("channel", "")
    if channel not in channels:
        channel = ""
    cursor = request.GET.get("after", "")
    page = selectors.message_page_for_user(
        request.user, cursor=cursor, status=status, channel=channel
    )
    filters = {k: v for k, v in {"status": status, "channel": channel}.items() if v}
    next_url = ""
    if page.next_cursor:
        next_url = "?" + urlencode(filters | {"after": page.next_cursor})
    rows = [(m, rules.mask_recipient(m.recipient)) for m in page.rows]
    return render(
        request,
        "notify/outbox.html",
        {
            "layout": layout_template(user_roles(request.user)),
            "rows": rows,
            "status": status,
            "statuses": MessageStatus.choices,
            "channel": channel,
            "channels": channels,
            "next_url": next_url,
            "first_url": "?" + urlencode(filters) if filters else "",
            "is_continued": bool(cursor),
        },
    )


@require_POST
@outbox_required
def message_retry(request, pk):
    message = selectors.message_get_for_user(request.user, pk)
    if message is None:
        raise Http404
    if services.message_retry(actor=request.user, message=message, request=request):
        messages.success(request, _("Đã đưa thông báo %(n)s vào hàng gửi lại.") % {"n": pk})
    else:
        messages.error(request, _("Chỉ gửi lại được thông báo đã ngừng gửi."))
    # Back to the same filters: only a query string is accepted, never another address.
    back = request.POST.get("next", "")
    target = reverse("notify:outbox")
    return redirect(target + back if back.startswith("?") and "\n" not in back else target)
