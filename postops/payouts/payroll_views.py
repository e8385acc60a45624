"""Payroll pages: upload a file and watch it import, check and approve a period.

Provincial work for supervisors, managers and administrators (issue #5, items 2–3). Thin:
reads through ``selectors``, writes through ``services``.
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from postops.accounts.decorators import role_required
from postops.accounts.roles import user_roles
from postops.public.layouts import layout_template

from . import rules, selectors, services
from .errors import FourEyesViolation, PayoutsError
from .forms import (
    ImportUploadForm,
    PeriodReportedForm,
    ScheduleBulkForm,
    ScheduleExceptionForm,
    ScheduleForm,
)
from .models import ImportJob, PayrollPeriod

PAYROLL_ROLES = ("supervisor", "manager", "admin")
ERRORS_SHOWN = 200

payroll_staff_required = role_required(*PAYROLL_ROLES)


@payroll_staff_required
def period_list(request):
    return render(request, "payouts/period_list.html", {"periods": selectors.period_list()[:60]})


@payroll_staff_required
def import_upload(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        period = services.payroll_period_get_or_create(
            request.user, form.cleaned_data["programme"], form.cleaned_data["month"]
        )
        if period.status != rules.IMPORTED:
            form.add_error(
                "month",
                _("Kỳ %(period)s đang ở trạng thái “%(status)s”: không nhận thêm tệp.")
                % {"period": period.label, "status": period.get_status_display()},
            )
        else:
            job = services.payroll_import_enqueue(
                request.user,
                period,
                form.cleaned_data["file"],
                valid_only=form.cleaned_data["valid_only"],
            )
            return redirect("payouts:import_job", job.pk)
    return render(request, "payouts/import_form.html", {"form": form})


def _job_or_404(pk) -> ImportJob:
    job = selectors.import_job_get(pk)
    if job is None:
        raise Http404
    return job


@payroll_staff_required
def import_job(request, pk):
    """The job's progress (polled every second by htmx while it runs), then its report."""
    job = _job_or_404(pk)
    context = {
        "job": job,
        "errors": job.errors[:ERRORS_SHOWN],
        "errors_hidden": max(len(job.errors) - ERRORS_SHOWN, 0),
        "can_retry": (
            job.status == ImportJob.Status.REJECTED
            and job.invalid > 0
            and job.valid > 0
            and bool(job.file)
            and job.period.status == rules.IMPORTED
        ),
    }
    if request.headers.get("HX-Request"):
        return render(request, "payouts/import_job.html#job_status", context)
    return render(request, "payouts/import_job.html", context)


@payroll_staff_required
def import_job_errors_csv(request, pk):
    """Every row error of a job as CSV (UTF-8 with BOM, so Excel reads the diacritics)."""
    job = _job_or_404(pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="loi-nhap-{job.pk}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([_("Dòng"), _("Cột"), _("Mã lỗi"), _("Nội dung")])
    for error in job.errors:
        writer.writerow([error["row"], error["column"], error["code"], error["message"]])
    return response


@require_POST
@payroll_staff_required
def import_job_retry(request, pk):
    job = _job_or_404(pk)
    try:
        retry = services.payroll_import_retry_valid_only(request.user, job)
    except PayoutsError as exc:
        messages.error(request, exc.message)
        return redirect("payouts:import_job", job.pk)
    return redirect("payouts:import_job", retry.pk)


def _period_or_404(pk) -> PayrollPeriod:
    period = selectors.period_get(pk)
    if period is None:
        raise Http404
    return period


# Buttons of the period page: target status → label. Order = the order of the steps.
_ACTIONS = {
    rules.CHECKED: gettext_lazy("Đánh dấu đã kiểm tra"),
    rules.IMPORTED: gettext_lazy("Trả lại để nhập tệp sửa"),
    rules.APPROVED: gettext_lazy("Duyệt danh sách"),
    rules.PAYING: gettext_lazy("Mở chi trả"),
    rules.CLOSED: gettext_lazy("Khóa sổ cuối tháng"),
    # "reported" has its own form (the agency's reference): period_reported.
}


@payroll_staff_required
def period_detail(request, pk, *, reported_form=None, status=200):
    period = _period_or_404(pk)
    importers = selectors.period_importer_ids(period)
    actions = [
        {"to": status, "label": str(label)}
        for status, label in _ACTIONS.items()
        if rules.period_can_move(period.status, status)
    ]
    return render(
        request,
        "payouts/period_detail.html",
        {
            "period": period,
            "summary": selectors.period_summary(period),
            "points": selectors.period_points(period),
            "jobs": selectors.period_jobs(period)[:20],
            "actions": actions,
            "user_is_importer": request.user.pk in importers,
            "reported_form": reported_form or PeriodReportedForm(),
        },
        status=status,
    )


@require_POST
@payroll_staff_required
def period_transition(request, pk):
    period = _period_or_404(pk)
    target = request.POST.get("to", "")
    try:
        services.payroll_period_transition(request.user, period, target)
    except FourEyesViolation:
        messages.error(
            request,
            _("Bạn đã nhập danh sách của kỳ này nên không được duyệt. Cần một người khác duyệt."),
        )
    except PayoutsError as exc:
        messages.error(request, exc.message)
    else:
        period.refresh_from_db()
        messages.success(
            request,
            _("Kỳ %(period)s: %(status)s.")
            % {"period": period.label, "status": period.get_status_display()},
        )
    return redirect("payouts:period_detail", period.pk)


@require_POST
@payroll_staff_required
def period_reported(request, pk):
    """Record that the month-end report went to the paying agency (reference, day)."""
    from datetime import datetime, time

    from django.utils import timezone

    period = _period_or_404(pk)
    form = PeriodReportedForm(request.POST)
    if not form.is_valid():
        return period_detail(request, pk, reported_form=form, status=422)
    day = form.cleaned_data["delivered_on"]
    delivered_at = None
    if day and day != timezone.localdate():
        delivered_at = timezone.make_aware(datetime.combine(day, time(12, 0)))
    try:
        services.period_mark_reported(
            request.user,
            period,
            reference=form.cleaned_data["reference"],
            delivered_at=delivered_at,
        )
    except PayoutsError as exc:
        field = exc.details.get("field")
        form.add_error(field if field in form.fields else None, exc.message)
        return period_detail(request, pk, reported_form=form, status=422)
    messages.success(request, _("Đã ghi nhận gửi báo cáo cho cơ quan chi trả."))
    return redirect("payouts:period_detail", period.pk)


# --- Payout schedule and printable lists ------------------------------------------------------


def _exception_form(request, data=None):
    return ScheduleExceptionForm(
        data, points=selectors.payout_points_for_user(request.user), prefix="ex"
    )


def _schedule_page(
    request, period, *, bulk_form=None, row_forms=None, exception_form=None, status=200
):
    rows = selectors.schedule_rows(request.user, period)
    row_forms = row_forms or {}
    for row in rows:
        schedule = row["schedule"]
        row["form"] = row_forms.get(row["point_id"]) or ScheduleForm(
            month=period.month,
            prefix=f"p{row['point_id']}",
            initial={
                "first_day": schedule.first_day if schedule else None,
                "last_day": schedule.last_day if schedule else None,
                "note": schedule.note if schedule else "",
            },
        )
    return render(
        request,
        "payouts/schedule.html",
        {
            "period": period,
            "rows": rows,
            "bulk_form": bulk_form or ScheduleBulkForm(month=period.month),
            "editable": period.status not in (rules.CLOSED, rules.REPORTED),
            "exception_form": exception_form or _exception_form(request),
            "exceptions": selectors.schedule_exceptions_for_user(request.user, period),
        },
        status=status,
    )


@payroll_staff_required
def schedule(request, pk):
    """Days per payout point; a bulk form sets one kind of point at once."""
    period = _period_or_404(pk)
    if request.method != "POST":
        return _schedule_page(request, period)
    if request.POST.get("action") == "copy":
        try:
            count = services.payout_schedule_copy_previous(request.user, period)
        except PayoutsError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã chép lịch của kỳ trước cho %(n)s điểm.") % {"n": count})
        return redirect("payouts:schedule", period.pk)
    form = ScheduleBulkForm(request.POST, month=period.month)
    if not form.is_valid():
        return _schedule_page(request, period, bulk_form=form, status=422)
    try:
        count = services.payout_schedule_apply_by_kind(
            request.user,
            period,
            form.cleaned_data["kind"],
            form.cleaned_data["first"],
            form.cleaned_data["last"],
        )
    except PayoutsError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã đặt lịch cho %(n)s điểm.") % {"n": count})
    return redirect("payouts:schedule", period.pk)


@require_POST
@payroll_staff_required
def schedule_exception(request, pk):
    """Open one day at a point for payouts outside its schedule (a supervisor, a reason)."""
    period = _period_or_404(pk)
    form = _exception_form(request, request.POST)
    if not form.is_valid():
        return _schedule_page(request, period, exception_form=form, status=422)
    try:
        _exception, created = services.payout_schedule_exception_open(
            request.user,
            form.cleaned_data["point"],
            form.cleaned_data["day"],
            form.cleaned_data["reason"],
        )
    except PayoutsError as exc:
        form.add_error(None, exc.message)
        return _schedule_page(request, period, exception_form=form, status=422)
    if created:
        messages.success(
            request,
            _("Đã mở ngày %(day)s cho %(point)s.")
            % {
                "day": form.cleaned_data["day"].strftime("%d/%m/%Y"),
                "point": form.cleaned_data["point"].name,
            },
        )
    else:
        messages.info(request, _("Ngày này đã được mở trước đó."))
    return redirect("payouts:schedule", period.pk)


@require_POST
@payroll_staff_required
def schedule_point(request, pk, point_id):
    period = _period_or_404(pk)
    point = selectors.point_in_scope(request.user, point_id)
    if point is None:
        raise Http404
    form = ScheduleForm(request.POST, month=period.month, prefix=f"p{point.pk}")
    if not form.is_valid():
        return _schedule_page(request, period, row_forms={point.pk: form}, status=422)
    try:
        services.payout_schedule_set(
            request.user,
            period,
            point,
            form.cleaned_data["first_day"],
            form.cleaned_data["last_day"],
            form.cleaned_data["note"],
        )
    except PayoutsError as exc:
        form.add_error(None, exc.message)
        return _schedule_page(request, period, row_forms={point.pk: form}, status=422)
    messages.success(request, _("Đã lưu lịch của %(point)s.") % {"point": point.name})
    return redirect("payouts:schedule", period.pk)


@role_required(*PAYROLL_ROLES, "teller", "bdvhx", "postman")
def point_list_pdf(request, pk, point_id):
    """The printable list of one point (people sign in its last column)."""
    from postops.core.audit import audit_record

    from .documents import point_list_pdf as build

    period = _period_or_404(pk)
    point = selectors.point_in_scope(request.user, point_id)
    if point is None:
        raise Http404
    lines = selectors.point_list(period, point)
    data = build(period, point, selectors.point_schedule(period, point), lines)
    # One entry for the whole list: names, ID numbers (masked) and amounts of its people.
    audit_record(
        request.user,
        "payouts.point_list.read",
        point,
        after={"period": period.pk, "lines": len(lines), "fields": ["beneficiary", "amount"]},
        request=request,
    )
    response = HttpResponse(data, content_type="application/pdf")
    name = f"danh-sach-chi-tra-{period.programme.code}-{period.label}-{point.code}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


# --- Month end: progress, report, suspension list ----------------------------------------------


@role_required(*PAYROLL_ROLES, "teller", "bdvhx")
def period_progress(request, pk):
    """People and money paid per point, refreshed every 5 seconds while the period pays."""
    period = _period_or_404(pk)
    context = {
        "period": period,
        "progress": selectors.period_progress(request.user, period),
        "live": period.status == rules.PAYING,
        "layout": layout_template(user_roles(request.user)),
    }
    if request.headers.get("HX-Request"):
        return render(request, "payouts/period_progress.html#progress", context)
    return render(request, "payouts/period_progress.html", context)


@payroll_staff_required
def period_report(request, pk, fmt):
    """The report for the paying agency (XLSX or PDF), once the period is closed."""
    from postops.core.audit import audit_record

    from .documents import period_report_pdf, period_report_xlsx

    if fmt not in ("xlsx", "pdf"):
        raise Http404
    period = _period_or_404(pk)
    if period.status not in (rules.CLOSED, rules.REPORTED):
        messages.error(request, _("Báo cáo có sau khi khóa sổ kỳ chi trả."))
        return redirect("payouts:period_detail", period.pk)
    report = selectors.period_report(period)
    if fmt == "xlsx":
        data = period_report_xlsx(report)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        data = period_report_pdf(report)
        content_type = "application/pdf"
    audit_record(
        request.user,
        "payouts.report.read",
        period,
        after={"format": fmt, "paid": report["paid_lines"], "unpaid": report["unpaid_lines"]},
        request=request,
    )
    response = HttpResponse(data, content_type=content_type)
    name = f"bao-cao-chi-tra-{period.programme.code}-{period.label}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
@payroll_staff_required
def period_carry(request, pk):
    """Carry the unpaid lines again (idempotent; picks up a reversal made after closing)."""
    period = _period_or_404(pk)
    try:
        count = services.period_carry_over(request.user, period)
    except PayoutsError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã chuyển %(n)s dòng chưa chi sang kỳ sau.") % {"n": count})
    return redirect("payouts:period_detail", period.pk)


@payroll_staff_required
def suspension_list(request, pk):
    period = _period_or_404(pk)
    return render(
        request,
        "payouts/suspensions.html",
        {"period": period, "flags": selectors.suspension_flags(period)},
    )


@require_POST
@payroll_staff_required
def suspension_decide(request, pk, flag_id):
    period = _period_or_404(pk)
    flag = selectors.suspension_flags(period).filter(pk=flag_id).first()
    if flag is None:
        raise Http404
    try:
        services.suspension_flag_decide(
            request.user,
            flag,
            suspend=request.POST.get("decision") == "suspend",
            reason=request.POST.get("reason", ""),
        )
    except PayoutsError as exc:
        messages.error(
            request,
            _("Ghi lý do cho quyết định.") if exc.details.get("field") == "reason" else exc.message,
        )
    return redirect("payouts:suspensions", period.pk)
