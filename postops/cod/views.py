"""Staff pages of COD money: senders, statements, payment and reconciliation.

Thin: reads through ``selectors`` (office scope), writes through ``services``. Reading is
for supervisors, the provincial management and auditors; moving money for supervisors.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from postops.accounts.decorators import role_required
from postops.accounts.roles import user_roles
from postops.core.audit import audit_read
from postops.public.layouts import layout_template

from . import selectors, services, statements
from .forms import BatchCreateForm, KeyLinkForm, PayForm, ReconcileForm, SenderForm
from .models import BatchState

cod_staff_required = role_required(*selectors.COD_VIEW_ROLES)


def _context(request, **extra) -> dict:
    return {
        "layout": layout_template(user_roles(request.user)),
        "can_act": selectors.cod_can_act(request.user),
        **extra,
    }


def _require_act(request) -> None:
    if not selectors.cod_can_act(request.user):
        raise PermissionDenied


def _apply_error(form, exc: services.CodError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


# --- Statements -----------------------------------------------------------------------------


@cod_staff_required
def batch_list(request):
    state = request.GET.get("state", "")
    if state not in BatchState.values:
        state = ""
    cursor = request.GET.get("after", "")
    page = selectors.batch_page_for_user(request.user, cursor=cursor, state=state)
    next_url = ""
    if page.next_cursor:
        next_url = "?" + urlencode(
            {k: v for k, v in {"state": state}.items() if v} | {"after": page.next_cursor}
        )
    return render(
        request,
        "cod/batch_list.html",
        _context(
            request,
            page=page,
            state=state,
            states=BatchState.choices,
            next_url=next_url,
            is_continued=bool(cursor),
        ),
    )


def _batch_or_404(request, pk):
    batch = selectors.batch_get_for_user(request.user, pk)
    if batch is None:
        raise Http404
    return batch


@cod_staff_required
def batch_detail(request, pk):
    batch = _batch_or_404(request, pk)
    audit_read(request.user, batch.sender, ["bank_account"], request=request)
    return render(
        request,
        "cod/batch_detail.html",
        _context(
            request,
            batch=batch,
            rows=statements.statement_rows(batch),
            reconciliations=list(batch.reconciliations.order_by("pk")),
            pay_form=PayForm(),
            reconcile_form=ReconcileForm(initial={"bank_reference": batch.bank_reference}),
        ),
    )


@require_POST
@cod_staff_required
def batch_pay(request, pk):
    _require_act(request)
    batch = _batch_or_404(request, pk)
    form = PayForm(request.POST)
    if form.is_valid():
        try:
            services.remittance_mark_paid(
                actor=request.user,
                batch=batch,
                bank_reference=form.cleaned_data["bank_reference"],
                request=request,
            )
        except services.CodError as exc:
            _apply_error(form, exc)
        else:
            messages.success(
                request, _("Đã ghi nhận chuyển tiền cho bảng kê %(n)s.") % {"n": batch.number}
            )
            return redirect("cod:batch_detail", batch.pk)
    return render(
        request,
        "cod/batch_detail.html",
        _context(
            request,
            batch=batch,
            rows=statements.statement_rows(batch),
            reconciliations=list(batch.reconciliations.order_by("pk")),
            pay_form=form,
            reconcile_form=ReconcileForm(initial={"bank_reference": batch.bank_reference}),
        ),
        status=422,
    )


@require_POST
@cod_staff_required
def batch_reconcile(request, pk):
    _require_act(request)
    batch = _batch_or_404(request, pk)
    form = ReconcileForm(request.POST)
    if form.is_valid():
        try:
            rec = services.remittance_reconcile(
                actor=request.user,
                batch=batch,
                bank_amount=form.cleaned_data["bank_amount"],
                bank_reference=form.cleaned_data["bank_reference"],
                note=form.cleaned_data["note"],
                request=request,
            )
        except services.CodError as exc:
            _apply_error(form, exc)
        else:
            if rec.matched:
                messages.success(request, _("Đối soát khớp."))
            else:
                messages.warning(
                    request,
                    _("Đối soát lệch %(diff)s đồng: cần xử lý.")
                    % {"diff": f"{rec.difference:+,}".replace(",", ".")},
                )
            return redirect("cod:batch_detail", batch.pk)
    return render(
        request,
        "cod/batch_detail.html",
        _context(
            request,
            batch=batch,
            rows=statements.statement_rows(batch),
            reconciliations=list(batch.reconciliations.order_by("pk")),
            pay_form=PayForm(),
            reconcile_form=form,
        ),
        status=422,
    )


def _file_response(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@cod_staff_required
def batch_pdf(request, pk):
    batch = _batch_or_404(request, pk)
    audit_read(request.user, batch.sender, ["bank_account"], request=request)
    return _file_response(
        statements.statement_pdf(batch), PDF, statements.statement_filename(batch, "pdf")
    )


@cod_staff_required
def batch_xlsx(request, pk):
    batch = _batch_or_404(request, pk)
    audit_read(request.user, batch.sender, ["bank_account"], request=request)
    return _file_response(
        statements.statement_xlsx(batch), XLSX, statements.statement_filename(batch, "xlsx")
    )


# --- Senders --------------------------------------------------------------------------------


@cod_staff_required
def sender_list(request):
    q = request.GET.get("q", "").strip()[:100]
    return render(
        request,
        "cod/sender_list.html",
        _context(request, rows=selectors.sender_rows_for_user(request.user, q), q=q),
    )


def _sender_or_404(request, pk):
    sender = selectors.sender_get_for_user(request.user, pk)
    if sender is None:
        raise Http404
    return sender


def _sender_context(request, sender, **extra):
    waiting = selectors.sender_waiting(sender)
    return _context(
        request,
        sender=sender,
        waiting=waiting,
        waiting_total=sum(c.amount for c in waiting),
        charges=selectors.sender_open_charges(sender),
        batches=selectors.batch_page_for_user(request.user, sender_id=sender.pk, limit=20).rows,
        keys=list(sender.api_keys.order_by("prefix")),
        key_form=extra.pop("key_form", None) or KeyLinkForm(),
        **extra,
    )


@cod_staff_required
def sender_detail(request, pk):
    sender = _sender_or_404(request, pk)
    form = SenderForm(
        request.POST or None,
        initial={name: getattr(sender, name) for name in services.SENDER_FIELDS},
    )
    if request.method == "POST":
        _require_act(request)
        if form.is_valid():
            try:
                services.cod_sender_update(
                    actor=request.user, sender=sender, request=request, **form.cleaned_data
                )
            except services.CodError as exc:
                _apply_error(form, exc)
            else:
                messages.success(request, _("Đã lưu thông tin khách hàng."))
                return redirect("cod:sender_detail", sender.pk)
    else:
        audit_read(request.user, sender, ["phone", "bank_account"], request=request)
    return render(
        request,
        "cod/sender_detail.html",
        _sender_context(request, sender, form=form, batch_form=BatchCreateForm()),
        status=422 if request.method == "POST" else 200,
    )


@require_POST
@cod_staff_required
def sender_batch_create(request, pk):
    _require_act(request)
    sender = _sender_or_404(request, pk)
    form = BatchCreateForm(request.POST)
    if form.is_valid():
        try:
            result = services.remittance_batch_create(
                actor=request.user,
                sender=sender,
                idempotency_key=form.cleaned_data["idempotency_key"],
                request=request,
            )
        except services.CodError as exc:
            messages.error(request, exc.message)
            return redirect("cod:sender_detail", sender.pk)
        if result.created:
            messages.success(request, _("Đã lập bảng kê %(n)s.") % {"n": result.batch.number})
        return redirect(reverse("cod:batch_detail", args=[result.batch.pk]))
    messages.error(request, _("Biểu mẫu đã hết hạn; thử lại."))
    return redirect("cod:sender_detail", sender.pk)


@require_POST
@cod_staff_required
def sender_keys(request, pk):
    """Link (or with ``unlink``, unlink) a partner API key to the sender."""
    from postops.accounts.models import ApiKey

    _require_act(request)
    sender = _sender_or_404(request, pk)
    form = KeyLinkForm(request.POST)
    if form.is_valid():
        key = ApiKey.objects.filter(
            prefix=form.cleaned_data["prefix"].strip(), revoked_at__isnull=True
        ).first()
        if key is None:
            form.add_error("prefix", _("Không có khóa API đang dùng với tiền tố này."))
        else:
            try:
                services.cod_sender_link_key(
                    actor=request.user,
                    sender=sender,
                    key=key,
                    linked="unlink" not in request.POST,
                    request=request,
                )
            except services.CodError as exc:
                form.add_error("prefix", exc.message)
            else:
                messages.success(request, _("Đã cập nhật khóa API của khách hàng."))
                return redirect("cod:sender_detail", sender.pk)
    return render(
        request,
        "cod/sender_detail.html",
        _sender_context(
            request,
            sender,
            form=SenderForm(
                initial={name: getattr(sender, name) for name in services.SENDER_FIELDS}
            ),
            batch_form=BatchCreateForm(),
            key_form=form,
        ),
        status=422,
    )
