"""Delivery pages: the postman's app (installable, works offline) and the supervisor's pages.

Thin: reads through ``selectors`` (office scope), writes through ``services``. The postman
app is one page: today's run sheet, drawn on the server and kept by the service worker
(``templates/delivery/sw.js``) for offline use; deliveries and failed attempts are queued on
the phone (``static/js/offline-queue.js``) and sent to :func:`sync` when the network is
there. Reads of receivers' names and addresses are audited (Law 91/2025/QH15).
"""

from __future__ import annotations

import base64
import hashlib
import json

from django.contrib import messages
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from postops.accounts.decorators import role_required
from postops.accounts.roles import user_roles
from postops.core.audit import audit_read, audit_read_many
from postops.items import bag_selectors
from postops.items.models import ItemStatus
from postops.public.layouts import layout_template

from . import rules, selectors, services
from .forms import (
    AssignForm,
    HandoverConfirmForm,
    HandoverSubmitForm,
    HomePayoutAssignForm,
    RouteAssignForm,
)
from .models import DeliveryAttempt

postman_required = role_required("postman")
supervisor_required = role_required("supervisor")

# What the service worker keeps for offline use besides the app page itself.
APP_ASSETS = (
    "css/postops.css",
    "css/delivery.css",
    "js/postops.js",
    "js/offline-queue.js",
    "js/signature-pad.js",
    "js/delivery.js",
    "js/home-payouts.js",
    "vendor/htmx.min.js",
    "img/favicon.svg",
    "img/postman-192.png",
    "img/postman-512.png",
)
# Largest file accepted per field from the phone (the services check the exact limits).
MAX_UPLOAD_BYTES = rules.MAX_PHOTO_BYTES


def _context(request, **extra) -> dict:
    return {"layout": layout_template(user_roles(request.user)), **extra}


# --- The postman's app ---------------------------------------------------------------------------


@postman_required
@never_cache
def postman_app(request):
    """Today's run sheet on the phone: scan or type a number, deliver or record a failure."""
    today = timezone.localdate()
    sheets = selectors.run_sheets_for_postman(request.user, today)
    entries = [e for sheet in sheets for e in sheet.entries.all()]
    places = selectors.commune_names({e.item.receiver_commune_code for e in entries})
    figures = {sheet.pk: selectors.handover_figures(sheet) for sheet in sheets}
    if entries:
        audit_read_many(
            request.user,
            [e.item for e in entries],
            ["receiver_name", "receiver_phone", "receiver_address"],
            request=request,
        )
    rows = [
        {
            "entry": e,
            "item": e.item,
            "sheet": sheet,
            "place": places.get(e.item.receiver_commune_code, ""),
            "id_required": rules.id_check_required(e.item.service, e.item.cod_amount),
            # A proxy takes an administrative result only with a written authorisation.
            "proxy_auth": e.item.service in rules.AUTHORISATION_SERVICES,
            "status_text": ItemStatus(e.item.status).label,
        }
        for sheet in sheets
        for e in sheet.entries.all()
    ]
    return render(
        request,
        "delivery/app.html",
        _context(
            request,
            today=today,
            sheets=[(s, figures[s.pk], HandoverSubmitForm()) for s in sheets],
            rows=rows,
            reasons=selectors.reason_codes(),
            actions=selectors.action_codes(),
            relations=_relations(),
            messages_json=_app_messages(),
        ),
    )


def _relations():
    return DeliveryAttempt._meta.get_field("relation").choices


def _app_messages() -> dict:
    """Texts the page's script shows (translated here: the script has no gettext)."""
    return {
        "queued": _("Chờ gửi"),
        "sent": _("Đang gửi"),
        "accepted": _("Đã ghi nhận"),
        "duplicate": _("Đã ghi nhận"),
        "rejected": _("Bị từ chối"),
        "online": _("Đang có mạng"),
        "offline": _("Mất mạng: thao tác được lưu trên máy và tự gửi khi có mạng."),
        "pending": _("%(n)s thao tác chờ gửi"),
        "login": _("Phiên đăng nhập đã hết: đăng nhập lại để gửi."),
        "not_found": _("Số hiệu không có trong bảng kê hôm nay."),
        "invalid_number": _("Số hiệu không hợp lệ."),
        "required_name": _("Nhập họ tên người nhận hàng."),
        "required_relation": _("Chọn quan hệ của người nhận hàng với người nhận."),
        "required_id": _("Bưu gửi này phải kiểm tra giấy tờ: nhập số giấy tờ."),
        "required_authorisation": _(
            "Người nhận thay phải xuất trình giấy ủy quyền: nhập số và ngày giấy ủy quyền."
        ),
        "bad_cccd": _("Số định danh cá nhân gồm đúng 12 chữ số."),
        "cod_mismatch": _("Số tiền thu phải đúng %(amount)s đồng."),
        "required_signature": _("Người nhận hàng cần ký trên màn hình."),
        "required_reason": _("Chọn lý do phát không thành công."),
        "required_action": _("Chọn biện pháp xử lý."),
        "deliver_label": _("Phát thành công %(number)s"),
        "fail_label": _("Phát không thành công %(number)s"),
        "outcome_delivered": _("Đã phát"),
        "failed_attempt": _("Không phát được"),
        "outcome_retry": _("Phát lại ngày %(date)s"),
        "outcome_hold": _("Lưu tại bưu cục"),
        "outcome_return": _("Chuyển hoàn"),
        "photo_too_big": _("Ảnh quá lớn."),
        "handover_wait": _("Gửi hết các thao tác đang chờ trước khi bàn giao."),
    }


@postman_required
@require_http_methods(["GET", "POST"])
def sync(request):
    """The phone's batch: ``POST`` multipart with ``actions`` (a JSON list) and the files
    ``signature:<event_id>`` / ``photo:<event_id>``; answers one result per action
    (``accepted`` / ``duplicate`` / ``rejected`` with a reason), and the server time, which
    the page uses to correct its clock. ``GET`` answers the server time only."""
    now = timezone.now()
    if request.method == "GET":
        return JsonResponse({"server_time": now.isoformat()})
    actions = services.actions_from_request_data(request.POST.get("actions", ""))
    files: dict[str, dict[str, bytes]] = {}
    for key, upload in request.FILES.items():
        name, _sep, event_id = key.partition(":")
        if name not in {"signature", "photo"} or not event_id:
            continue
        if upload.size > MAX_UPLOAD_BYTES:
            files.setdefault(event_id, {})[name] = b"too-big"  # refused by the image check
            continue
        files.setdefault(event_id, {})[name] = upload.read()
    try:
        results = services.delivery_actions_ingest(
            actor=request.user, actions=actions, files=files, request=request
        )
    except ValidationError as exc:
        return JsonResponse(
            {
                "code": "invalid_batch",
                "message": "; ".join(exc.messages),
                "details": [],
            },
            status=400,
        )
    return JsonResponse(
        {"results": [r.as_dict() for r in results], "server_time": timezone.now().isoformat()}
    )


@postman_required
@require_POST
def handover_submit(request, pk):
    sheet = selectors.run_sheet_get_for_user(request.user, pk)
    if sheet is None or sheet.postman_id != request.user.pk:
        raise Http404
    form = HandoverSubmitForm(request.POST)
    if form.is_valid():
        try:
            services.handover_submit(
                actor=request.user,
                run_sheet=sheet,
                declared_cash=form.cleaned_data["declared_cash"],
                request=request,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Đã bàn giao; chờ trưởng bưu cục kiểm đếm và xác nhận."))
    else:
        messages.error(request, " ".join(form.errors["declared_cash"]))
    return redirect("delivery:app")


@require_GET
def service_worker(request):
    """The service worker, served from /delivery/ so that it controls the app's pages.

    Its version is a digest of the assets it keeps: a new deployment (new static files)
    installs a new worker, which drops the old cache.
    """
    assets = [static(path) for path in APP_ASSETS]
    digest = hashlib.sha256()
    for path, url in zip(APP_ASSETS, assets, strict=True):
        digest.update(url.encode())
        found = finders.find(path)
        if found:
            with open(found, "rb") as f:
                digest.update(f.read())
    response = render(
        request,
        "delivery/sw.js",
        # JSON literals: the template inserts them as they are (autoescape is off there).
        {
            "version": json.dumps(digest.hexdigest()[:16]),
            "assets": json.dumps(assets),
            "app_url": json.dumps(reverse("delivery:app")),
            "pages": json.dumps([reverse("delivery:app"), reverse("delivery:home_payouts_mine")]),
            "login_url": json.dumps(reverse("accounts:login")),
        },
        content_type="text/javascript; charset=utf-8",
    )
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request):
    """The web app manifest: installable on the phone's home screen, opens the run sheet."""
    data = {
        "name": _("PostOps – Bưu tá"),
        "short_name": _("Bưu tá"),
        "description": _("Phát bưu gửi, ký nhận trên màn hình, làm việc cả khi mất mạng."),
        "lang": "vi",
        "start_url": reverse("delivery:app"),
        "scope": reverse("delivery:app"),
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#f4f6f9",
        "theme_color": "#0b4f8a",
        "icons": [
            {"src": static("img/postman-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("img/postman-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("img/postman-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return HttpResponse(
        json.dumps(data, ensure_ascii=False),
        content_type="application/manifest+json; charset=utf-8",
    )


# --- The supervisor ------------------------------------------------------------------------------


@supervisor_required
def office(request):
    """Items waiting at the office, assignment to postmen (by item or by route), today's
    rounds and earlier rounds still waiting for their handover."""
    offices = list(selectors.delivery_offices_for_user(request.user))
    if not offices:
        return render(request, "delivery/office.html", _context(request, offices=[]))
    current = selectors.delivery_office_get(request.user, request.GET.get("office")) or offices[0]
    return _office_page(request, current, offices)


def _office_page(request, current, offices, *, form=None, status=200):
    today = timezone.localdate()
    items = selectors.items_waiting_at_office(current)
    unrouted = selectors.items_unrouted_at_office(current)
    postmen = selectors.postmen_for_office(current)
    form = form or AssignForm(postmen=postmen, items=items)
    due = selectors.next_attempts(items)
    to_return = set(selectors.items_due_for_return([current.pk]).values_list("pk", flat=True))
    places = selectors.commune_names({i.receiver_commune_code for i in [*items, *unrouted]})
    if items or unrouted:
        audit_read_many(
            request.user, [*items, *unrouted], ["receiver_name", "receiver_address"], request
        )
    bag_url = reverse("items:bag_close")
    return render(
        request,
        "delivery/office.html",
        _context(
            request,
            offices=offices,
            current=current,
            today=today,
            form=form,
            rows=[
                {
                    "item": i,
                    "place": places.get(i.receiver_commune_code, ""),
                    "next_attempt_on": due.get(i.pk),
                    "to_return": i.pk in to_return,
                    "status_text": ItemStatus(i.status).label,
                }
                for i in items
            ],
            unrouted=[
                {
                    "item": i,
                    "place": places.get(i.receiver_commune_code, ""),
                    "status_text": ItemStatus(i.status).label,
                }
                for i in unrouted
            ],
            # Items another office delivers: closed in a bag to it (the bag form is filled
            # with this office, the destination and the items waiting for it).
            forward=[
                {
                    "group": g,
                    "bag_url": f"{bag_url}?"
                    + urlencode({"origin": current.pk, "destination": g.destination.pk}),
                    "rows": [(i, ItemStatus(i.status).label) for i in g.items],
                }
                for g in bag_selectors.items_to_forward(current)
            ],
            back_for_sender=selectors.items_back_for_sender(current),
            routes=[
                (route, RouteAssignForm(postmen=postmen, prefix=f"route{route.pk}"))
                for route in selectors.routes_for_office(current)
            ],
            sheets=selectors.run_sheets_for_office(current, today),
            late_sheets=selectors.run_sheets_unconfirmed(current, today),
        ),
        status=status,
    )


@supervisor_required
@require_POST
def assign(request, office_pk):
    offices = list(selectors.delivery_offices_for_user(request.user))
    current = selectors.delivery_office_get(request.user, office_pk)
    if current is None:
        raise Http404
    items = selectors.items_waiting_at_office(current)
    form = AssignForm(request.POST, postmen=selectors.postmen_for_office(current), items=items)
    if form.is_valid():
        try:
            result = services.run_sheet_assign(
                actor=request.user,
                office=current,
                postman=form.cleaned_data["postman"],
                numbers=form.cleaned_data["all_numbers"],
                request=request,
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        except PermissionDenied:
            raise
        else:
            _assign_messages(request, result)
            return redirect(f"{reverse('delivery:office')}?office={current.pk}")
    return _office_page(request, current, offices, form=form, status=422)


def _assign_messages(request, result):
    if result.added:
        messages.success(
            request,
            _("Đã giao %(n)d bưu gửi cho bưu tá %(name)s.")
            % {
                "n": len(result.added),
                "name": result.run_sheet.postman.full_name or result.run_sheet.postman.username,
            },
        )
    for number, reason in result.refused.items():
        messages.warning(request, f"{number}: {reason}")


@supervisor_required
@require_POST
def assign_route(request, office_pk, pk):
    route = selectors.route_get_for_user(request.user, pk)
    if route is None or route.office_id != int(office_pk):
        raise Http404
    form = RouteAssignForm(
        request.POST, postmen=selectors.postmen_for_office(route.office), prefix=f"route{pk}"
    )
    postman = form.cleaned_data.get("postman") if form.is_valid() else None
    try:
        result = services.run_sheet_assign_route(
            actor=request.user, route=route, postman=postman, request=request
        )
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
    else:
        _assign_messages(request, result)
    return redirect(f"{reverse('delivery:office')}?office={route.office_id}")


@supervisor_required
def run_sheet(request, pk):
    """One round: each item with its attempts and proof; the handover count and confirmation."""
    sheet = selectors.run_sheet_get_for_user(request.user, pk)
    if sheet is None:
        raise Http404
    figures = selectors.handover_figures(sheet)
    form = HandoverConfirmForm(request.POST or None, undelivered=figures.undelivered)
    status = 200
    if request.method == "POST":
        if sheet.is_final:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.handover_confirm(
                    actor=request.user,
                    run_sheet=sheet,
                    returned_numbers=form.cleaned_data["returned"],
                    counted_cash=form.cleaned_data["counted_cash"],
                    variance_reason=form.cleaned_data["variance_reason"],
                    request=request,
                )
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(
                    request, _("Đã xác nhận bàn giao; các lần phát của bảng kê đã chốt.")
                )
                return redirect("delivery:run_sheet", sheet.pk)
        status = 422
    entries = list(sheet.entries.select_related("item__state").order_by("position", "pk"))
    attempts = selectors.attempts_for_run_sheet(sheet)
    audit_read_many(
        request.user, [e.item for e in entries], ["receiver_name", "recipient"], request
    )
    handover = getattr(sheet, "handover", None) if sheet.is_final else None
    return render(
        request,
        "delivery/run_sheet.html",
        _context(
            request,
            sheet=sheet,
            figures=figures,
            rows=[(e, attempts.get(e.pk, [])) for e in entries],
            form=form,
            handover=handover,
        ),
        status=status,
    )


@role_required("postman", "supervisor")
def proof(request, pk, kind):
    """The signature or photo of a delivery, to the postman who took it or a supervisor of
    the office; never from a public URL. Each read is audited."""
    if kind not in {"signature", "photo"}:
        raise Http404
    attempt = selectors.attempt_get_for_user(request.user, pk)
    if attempt is None or attempt.kind != DeliveryAttempt.Kind.DELIVERED:
        raise Http404
    file = getattr(attempt, kind)
    if not file:
        raise Http404
    audit_read(request.user, attempt, [kind], request=request)
    response = FileResponse(file.open("rb"), content_type=_content_type(file.name))
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = "inline"
    return response


def _content_type(name: str) -> str:
    if name.endswith(".png"):
        return "image/png"
    if name.endswith(".webp"):
        return "image/webp"
    return "image/jpeg"


# --- Home payouts (issue #5 item 7) --------------------------------------------------------------

home_payout_staff_required = role_required(*services.HOME_PAYOUT_ROLES)


@supervisor_required
def home_payouts(request):
    """The people to be paid at home in the supervisor's offices, and who pays them."""
    lines = selectors.home_payout_lines_for_supervisor(request.user)
    staff = selectors.home_payout_staff_for(request.user)
    form = HomePayoutAssignForm(request.POST or None, staff=staff, lines=lines)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                assigned = services.home_payout_assign(
                    actor=request.user,
                    line_ids=[int(pk) for pk in form.cleaned_data["lines"]],
                    staff=form.cleaned_data["staff"],
                    request=request,
                )
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(
                    request, _("Đã giao %(n)d người hưởng để chi tại nhà.") % {"n": len(assigned)}
                )
                return redirect("delivery:home_payouts")
        status = 422
    if lines:
        audit_read_many(
            request.user, [line.beneficiary for line in lines], ["full_name", "address"], request
        )
    return render(
        request,
        "delivery/home_payouts.html",
        _context(request, lines=lines, form=form),
        status=status,
    )


@home_payout_staff_required
@never_cache
def home_payouts_mine(request):
    """The phone page of home payments: works offline like the run sheet (same queue)."""
    import secrets

    from postops.payouts.selectors import proxies_valid_on

    today = timezone.localdate()
    salt = secrets.token_bytes(16)
    rows = []
    for line in selectors.home_payouts_for_staff(request.user):
        proxies = [] if line.is_paid else proxies_valid_on(line.beneficiary, today)
        checks = [] if line.is_paid else selectors.home_payout_identity_checks(line, proxies, salt)
        rows.append({"line": line, "proxies": proxies, "checks_json": json.dumps(checks)})
    if rows:
        audit_read_many(
            request.user,
            [r["line"].beneficiary for r in rows],
            ["full_name", "address", "id_number"],
            request,
        )
        audit_read_many(request.user, [r["line"] for r in rows], ["amount"], request)
    return render(
        request,
        "delivery/home_payouts_mine.html",
        _context(
            request,
            rows=rows,
            today=today,
            salt=base64.b64encode(salt).decode(),
            iterations=rules.ID_CHECK_ITERATIONS,
            messages_json=_home_messages(),
        ),
    )


def _home_messages() -> dict:
    return {
        **_app_messages(),
        "pay_label": _("Chi tại nhà: %(name)s"),
        "required_number": _("Nhập số giấy tờ người nhận tiền xuất trình."),
        "identity_mismatch": _("Giấy tờ không khớp với hồ sơ: không chi."),
        "paid": _("Đã chi"),
    }


@home_payout_staff_required
@require_http_methods(["GET", "POST"])
def home_payouts_sync(request):
    """The phone's queued home payments (same protocol as :func:`sync`, no files)."""
    if request.method == "GET":
        return JsonResponse({"server_time": timezone.now().isoformat()})
    actions = services.actions_from_request_data(request.POST.get("actions", ""))
    try:
        results = services.home_payout_actions_ingest(
            actor=request.user, actions=actions, request=request
        )
    except ValidationError as exc:
        return JsonResponse(
            {"code": "invalid_batch", "message": "; ".join(exc.messages), "details": []},
            status=400,
        )
    return JsonResponse(
        {"results": [r.as_dict() for r in results], "server_time": timezone.now().isoformat()}
    )
