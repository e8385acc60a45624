"""Reads for payouts, limited to the caller's office scope.

A line is in scope when its payout point is in the subtree of one of the caller's offices
(``postops.network.selectors.office_scope_ids``). Personal data shown to a person (ID
numbers, amounts) is logged with ``audit_read`` by the interface that shows it.
"""

from __future__ import annotations

import re

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from postops.accounts.api_auth import office_scope_ids_for
from postops.core.text import fold
from postops.network.models import Office

from . import rules
from .models import ImportJob, Payout, PayoutReversal, PayrollLine, PayrollPeriod, Proxy

_ID_LIKE = re.compile(r"^[0-9 .\-]{9,}$")
SEARCH_LIMIT = 30


def payroll_lines_for_actor(actor) -> QuerySet[PayrollLine]:
    """Lines whose payout point is in the actor's scope, with what a teller needs."""
    return PayrollLine.objects.filter(payout_point__in=office_scope_ids_for(actor)).select_related(
        "period", "period__programme", "beneficiary", "payout_point"
    )


def payroll_line_get(actor, line_id: int) -> PayrollLine | None:
    return payroll_lines_for_actor(actor).filter(pk=line_id).first()


def payroll_line_search(actor, query: str, *, limit: int = SEARCH_LIMIT) -> list[PayrollLine]:
    """Lines of periods being paid, found by beneficiary code, ID number or name.

    A query that looks like an ID number matches the number exactly; otherwise the code
    matches exactly (case-insensitive) or every word of the folded name must appear
    ("nguyen thi hoa" and "Nguyễn Thị Hoa" find the same person). Each line carries
    ``is_paid`` so the teller sees at once who has already been paid.
    """
    query = (query or "").strip()
    if not query:
        return []
    lines = payroll_lines_for_actor(actor).filter(period__status=rules.PAYING)
    if _ID_LIKE.match(query):
        number = rules.normalise_document_number(query)
        lines = lines.filter(beneficiary__id_number=number)
    else:
        words = fold(query).split()
        by_name = lines
        for word in words:
            by_name = by_name.filter(beneficiary__search_name__contains=word)
        by_code = lines.filter(beneficiary__code__iexact=query)
        lines = by_code | by_name
    return list(
        lines.annotate(is_paid=Exists(Payout.objects.filter(line=OuterRef("pk")))).order_by(
            "beneficiary__search_name", "beneficiary__code"
        )[:limit]
    )


def payout_for_line(line: PayrollLine) -> Payout | None:
    return Payout.objects.filter(line=line).select_related("office", "proxy").first()


def payout_get(actor, payout_id: int) -> Payout | None:
    """A payout whose line's payout point or paying office is in the actor's scope."""
    scope = office_scope_ids_for(actor)
    return (
        Payout.objects.filter(pk=payout_id)
        .filter(Q(office__in=scope) | Q(line__payout_point__in=scope))
        .select_related(
            "office",
            "proxy",
            "teller",
            "line",
            "line__beneficiary",
            "line__payout_point",
            "line__period",
            "line__period__programme",
        )
        .first()
    )


def payout_reversal(payout: Payout) -> PayoutReversal | None:
    return PayoutReversal.objects.filter(payout=payout).select_related("supervisor").first()


def proxies_valid_on(beneficiary, day) -> list[Proxy]:
    """Authorisations that let someone collect for ``beneficiary`` on ``day``."""
    return list(
        Proxy.objects.filter(
            beneficiary=beneficiary,
            certified=True,
            revoked_at__isnull=True,
            valid_from__lte=day,
            valid_to__gte=day,
        ).order_by("full_name")
    )


def import_job_get(job_id: int) -> ImportJob | None:
    """A payroll import job by id. Payroll imports are provincial work, not tied to one
    office: the interface lets the roles that may import read any job."""
    return ImportJob.objects.select_related("period", "period__programme").filter(pk=job_id).first()


# --- Payroll periods (provincial work: importing, checking, approving) -------------------


def period_list() -> QuerySet[PayrollPeriod]:
    return PayrollPeriod.objects.select_related(
        "programme", "imported_by", "checked_by", "approved_by"
    ).order_by("-month", "programme__code")


def period_get(pk: int) -> PayrollPeriod | None:
    return period_list().filter(pk=pk).first()


def period_importer_ids(period: PayrollPeriod) -> set[int]:
    """Everyone who put lines into the period: its importer and the authors of its
    imported files. None of them may approve it (four-eyes rule, issue #5 item 2)."""
    ids = set(
        ImportJob.objects.filter(period=period, status=ImportJob.Status.DONE)
        .exclude(created_by=None)
        .values_list("created_by_id", flat=True)
    )
    if period.imported_by_id is not None:
        ids.add(period.imported_by_id)
    return ids


def period_jobs(period: PayrollPeriod) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(period=period).select_related("created_by").order_by("-pk")


def period_summary(period: PayrollPeriod) -> dict:
    """The figures a checker compares with the agency's cover letter: lines, money,
    arrears, two-month lines, home payouts, carried lines, and how the list differs from
    the programme's previous month (people new this month, people no longer listed)."""
    lines = PayrollLine.objects.filter(period=period)
    totals = lines.aggregate(
        lines=Count("id"),
        amount=Sum("amount"),
        arrears=Sum("arrears"),
        two_months=Count("id", filter=Q(months=2)),
        home=Count("id", filter=Q(home_payout=True)),
        carried=Count("id", filter=Q(carried_from__isnull=False)),
    )
    summary = {key: value or 0 for key, value in totals.items()}
    summary["total"] = summary["amount"] + summary["arrears"]
    previous = (
        PayrollPeriod.objects.filter(programme_id=period.programme_id, month__lt=period.month)
        .order_by("-month")
        .first()
    )
    summary["previous"] = previous
    if previous is not None:
        now = lines.filter(carried_from__isnull=True).values("beneficiary_id")
        before = PayrollLine.objects.filter(period=previous, carried_from__isnull=True).values(
            "beneficiary_id"
        )
        summary["new_people"] = (
            lines.filter(carried_from__isnull=True).exclude(beneficiary_id__in=before).count()
        )
        summary["gone_people"] = (
            PayrollLine.objects.filter(period=previous, carried_from__isnull=True)
            .exclude(beneficiary_id__in=now)
            .count()
        )
    return summary


def period_points(period: PayrollPeriod) -> list[dict]:
    """Per payout point: people and money due, and paid so far (a payout not reversed).

    One grouped query; the progress page polls it while tellers pay.
    """
    paid = Q(payouts__isnull=False, payouts__reversal__isnull=True)
    rows = (
        PayrollLine.objects.filter(period=period)
        .values("payout_point_id", "payout_point__code", "payout_point__name")
        .annotate(
            lines=Count("id"),
            amount=Sum("amount"),
            arrears=Sum("arrears"),
            paid_lines=Count("id", filter=paid),
            paid_amount=Sum("payouts__amount", filter=paid),
        )
        .order_by("payout_point__code")
    )
    out = []
    for row in rows:
        total = (row["amount"] or 0) + (row["arrears"] or 0)
        paid_amount = row["paid_amount"] or 0
        out.append(
            {
                "point_id": row["payout_point_id"],
                "code": row["payout_point__code"],
                "name": row["payout_point__name"],
                "lines": row["lines"],
                "total": total,
                "paid_lines": row["paid_lines"],
                "paid_amount": paid_amount,
                "percent": (row["paid_lines"] * 100 // row["lines"]) if row["lines"] else 0,
            }
        )
    return out


# --- Payout schedule and lists per point ------------------------------------------------------


def schedule_rows(actor, period: PayrollPeriod) -> list[dict]:
    """Points of the actor's scope that pay lines of ``period``, with their days (or None)."""
    from .models import PayoutSchedule

    scope = set(office_scope_ids_for(actor))
    schedules = {
        s.point_id: s for s in PayoutSchedule.objects.filter(period=period, point_id__in=scope)
    }
    rows = []
    for point in period_points(period):
        if point["point_id"] not in scope:
            continue
        rows.append({**point, "schedule": schedules.get(point["point_id"])})
    kinds = dict(
        Office.objects.filter(pk__in=[r["point_id"] for r in rows]).values_list("pk", "kind")
    )
    labels = dict(Office.Kind.choices)
    for row in rows:
        row["kind"] = kinds.get(row["point_id"], "")
        row["kind_label"] = labels.get(row["kind"], "")
    return rows


def point_in_scope(actor, point_id: int) -> Office | None:
    return Office.objects.filter(pk=point_id, pk__in=office_scope_ids_for(actor)).first()


def payout_points_for_user(actor) -> QuerySet:
    """Active offices of the actor's scope that can pay (every kind but the provincial
    office): the choices of the schedule-exception form."""
    return (
        Office.objects.filter(pk__in=office_scope_ids_for(actor), is_active=True)
        .exclude(kind=Office.Kind.PROVINCIAL)
        .order_by("code")
    )


def schedule_exceptions_for_user(actor, period: PayrollPeriod) -> list:
    """Days opened outside the schedule in ``period``'s month at points of the actor's
    scope (newest first)."""
    from .models import PayoutScheduleException

    return list(
        PayoutScheduleException.objects.filter(
            point_id__in=office_scope_ids_for(actor),
            day__year=period.month.year,
            day__month=period.month.month,
        )
        .select_related("point", "opened_by")
        .order_by("-day", "point__code")
    )


def point_list(period: PayrollPeriod, point: Office) -> list[PayrollLine]:
    """The lines a point pays in ``period``, in the order of the printed list: village,
    then given name, then full name (``rules.payout_list_key``)."""
    lines = list(
        PayrollLine.objects.filter(period=period, payout_point=point).select_related("beneficiary")
    )
    lines.sort(
        key=lambda line: rules.payout_list_key(
            line.beneficiary.village, line.beneficiary.full_name, fold
        )
    )
    return lines


def point_schedule(period: PayrollPeriod, point: Office):
    from .models import PayoutSchedule

    return PayoutSchedule.objects.filter(period=period, point=point).first()


# --- Beneficiaries (proxy management) ---------------------------------------------------------


def beneficiaries_for_actor(actor) -> QuerySet:
    """People whose default payout point, or a point paying one of their lines, is in the
    actor's scope."""
    from .models import Beneficiary

    scope = office_scope_ids_for(actor)
    return Beneficiary.objects.filter(
        Q(default_payout_point__in=scope)
        | Q(pk__in=PayrollLine.objects.filter(payout_point__in=scope).values("beneficiary_id"))
    ).select_related("programme", "commune", "default_payout_point")


def beneficiary_in_scope(actor, beneficiary_id: int) -> bool:
    return beneficiaries_for_actor(actor).filter(pk=beneficiary_id).exists()


def beneficiary_get(actor, pk: int):
    return beneficiaries_for_actor(actor).filter(pk=pk).first()


def beneficiary_search(actor, query: str, *, limit: int = SEARCH_LIMIT) -> list:
    """By ID number (exact), code (exact, any case) or every word of the folded name."""
    query = (query or "").strip()
    if not query:
        return []
    people = beneficiaries_for_actor(actor)
    if _ID_LIKE.match(query):
        people = people.filter(id_number=rules.normalise_document_number(query))
    else:
        by_name = people
        for word in fold(query).split():
            by_name = by_name.filter(search_name__contains=word)
        people = people.filter(code__iexact=query) | by_name
    return list(people.order_by("search_name", "code")[:limit])


def beneficiary_proxies(beneficiary) -> list[Proxy]:
    return list(
        Proxy.objects.filter(beneficiary=beneficiary)
        .select_related("created_by", "revoked_by")
        .order_by("-valid_to", "-pk")
    )


# --- Cash books -------------------------------------------------------------------------------


def _local_day_bounds(day):
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def cash_day_paid_out(book) -> int:
    """Cash paid out on the book's day at its office (by its teller, for a teller's book):
    payouts not reversed. A reversed payout is treated as money back in the till; if it
    was not recovered, the count shows it as a variance to explain."""
    start, end = _local_day_bounds(book.day)
    payouts = Payout.objects.filter(
        office_id=book.office_id, paid_at__gte=start, paid_at__lt=end, reversal__isnull=True
    )
    if book.teller_id is not None:
        payouts = payouts.filter(teller_id=book.teller_id)
    return payouts.aggregate(total=Sum("amount"))["total"] or 0


def cash_day_figures(book) -> rules.CashFigures:
    from .models import CashMovement

    sums = dict(
        CashMovement.objects.filter(cash_day=book, kind__in=["advance", "return"])
        .values_list("kind")
        .annotate(total=Sum("amount"))
        .values_list("kind", "total")
    )
    count = (
        CashMovement.objects.filter(cash_day=book, kind="count").order_by("-recorded_at", "-pk")
    ).first()
    return rules.CashFigures(
        advanced=sums.get("advance") or 0,
        paid_out=cash_day_paid_out(book),
        returned=sums.get("return") or 0,
        counted=count.amount if count else None,
    )


def cash_day_signed_variance(book) -> int | None:
    """The variance the latest supervisor's sign-off covers (``None``: none)."""
    from .models import CashVarianceSignoff

    latest = CashVarianceSignoff.objects.filter(cash_day=book).order_by("-signed_at", "-pk")
    return latest.values_list("variance", flat=True).first()


def cash_books_for_actor(actor, day) -> QuerySet:
    from .models import CashDay

    return (
        CashDay.objects.filter(day=day, office__in=office_scope_ids_for(actor))
        .select_related("office", "teller", "closed_by")
        .order_by("office__code", "teller__username")
    )


def cash_day_get(actor, pk: int):
    from .models import CashDay

    return (
        CashDay.objects.filter(pk=pk, office__in=office_scope_ids_for(actor))
        .select_related("office", "teller", "opened_by", "closed_by")
        .first()
    )


def cash_day_history(book) -> tuple[list, list]:
    from .models import CashMovement, CashVarianceSignoff

    movements = list(CashMovement.objects.filter(cash_day=book).select_related("actor"))
    signoffs = list(CashVarianceSignoff.objects.filter(cash_day=book).select_related("supervisor"))
    return movements, signoffs


def cash_offices_for_actor(actor) -> QuerySet:
    """Offices in scope where cash is paid out (points, BĐVHX, commune and post offices)."""
    return Office.objects.filter(
        pk__in=office_scope_ids_for(actor),
        is_active=True,
        kind__in=["payout_point", "bdvhx", "commune_post", "post_office"],
    ).order_by("code")


# --- Month end: report for the paying agency, progress, suspension list -----------------------


def period_report(period: PayrollPeriod) -> dict:
    """Paid and unpaid lists of a period with totals, for the paying agency.

    Domain reference §2: the paying organisation reports who was and was not paid before
    the 20th of the following month. Paid = a payout not reversed. An unpaid line says why
    (suspended, payout reversed, not collected) and whether it was carried to next month.
    Rows are tuples, ordered by payout point then name, so 100,000 lines stay cheap.
    """
    from django.db.models import F

    paid_filter = Q(payouts__isnull=False, payouts__reversal__isnull=True)
    base = PayrollLine.objects.filter(period=period).order_by(
        "payout_point__code", "beneficiary__search_name", "beneficiary__code", "pk"
    )
    paid = list(
        base.filter(paid_filter).values_list(
            "beneficiary__code",
            "beneficiary__full_name",
            "payout_point__code",
            "payout_point__name",
            "payouts__amount",
            "payouts__receipt_number",
            "payouts__paid_at",
            "payouts__receiver",
        )
    )
    carried = set(
        PayrollLine.objects.filter(carried_from__period=period).values_list(
            "carried_from_id", flat=True
        )
    )
    unpaid = []
    rows = (
        base.exclude(
            pk__in=PayrollLine.objects.filter(period=period).filter(paid_filter).values("pk")
        )
        .annotate(total=F("amount") + F("arrears"))
        .values_list(
            "pk",
            "beneficiary__code",
            "beneficiary__full_name",
            "payout_point__code",
            "payout_point__name",
            "total",
            "beneficiary__is_suspended",
            "payouts__id",
        )
    )
    for pk, code, name, point_code, point_name, total, suspended, payout_id in rows:
        if suspended:
            reason = "suspended"
        elif payout_id is not None:
            reason = "reversed"
        else:
            reason = "not_collected"
        unpaid.append((code, name, point_code, point_name, total, reason, pk in carried))
    points: dict[str, dict] = {}
    for row in paid:
        point = points.setdefault(row[2], _point_totals(row[2], row[3]))
        point["paid_lines"] += 1
        point["paid_amount"] += row[4]
    for row in unpaid:
        point = points.setdefault(row[2], _point_totals(row[2], row[3]))
        point["unpaid_lines"] += 1
        point["unpaid_amount"] += row[4]
    return {
        "period": period,
        "paid": paid,
        "unpaid": unpaid,
        "paid_lines": len(paid),
        "paid_amount": sum(row[4] for row in paid),
        "unpaid_lines": len(unpaid),
        "unpaid_amount": sum(row[4] for row in unpaid),
        "points": [points[code] for code in sorted(points)],
    }


def period_report_checksum(report: dict) -> str:
    """SHA-256 (hex) of the report's content: programme, month, every paid and unpaid row
    and the totals, as canonical JSON (sorted keys, UTC ISO times).

    Over the data, not a file: the XLSX and PDF renderings carry their own creation times,
    so their bytes differ on every download while the content stays the same. Anyone
    holding the data can recompute it (``period_mark_reported`` records it).
    """
    import hashlib
    import json
    from datetime import UTC

    def plain(value):
        if hasattr(value, "astimezone"):
            return value.astimezone(UTC).isoformat()
        return value

    period = report["period"]
    content = {
        "programme": period.programme.code,
        "period": rules.format_period(period.month),
        "paid": [[plain(v) for v in row] for row in report["paid"]],
        "unpaid": [list(row) for row in report["unpaid"]],
        "paid_lines": report["paid_lines"],
        "paid_amount": report["paid_amount"],
        "unpaid_lines": report["unpaid_lines"],
        "unpaid_amount": report["unpaid_amount"],
    }
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _point_totals(code: str, name: str) -> dict:
    return {
        "code": code,
        "name": name,
        "paid_lines": 0,
        "paid_amount": 0,
        "unpaid_lines": 0,
        "unpaid_amount": 0,
    }


def period_progress(actor, period: PayrollPeriod) -> dict:
    """People and money paid against the total, per payout point in the actor's scope."""
    scope = set(office_scope_ids_for(actor))
    points = [p for p in period_points(period) if p["point_id"] in scope]
    totals = {
        "lines": sum(p["lines"] for p in points),
        "total": sum(p["total"] for p in points),
        "paid_lines": sum(p["paid_lines"] for p in points),
        "paid_amount": sum(p["paid_amount"] for p in points),
    }
    totals["percent"] = totals["paid_lines"] * 100 // totals["lines"] if totals["lines"] else 0
    return {"points": points, "totals": totals}


def suspension_flags(period: PayrollPeriod) -> QuerySet:
    from .models import SuspensionFlag

    return (
        SuspensionFlag.objects.filter(period=period)
        .select_related("beneficiary", "beneficiary__default_payout_point", "decided_by")
        .order_by("status", "beneficiary__search_name")
    )
