"""The report to the provincial authority: figures computed by aggregate SQL.

Domain reference §1 (Decision 45/2016/QĐ-TTg; Circular 17/2017/TT-BTTTT): volume, revenue,
complaints, lost or damaged, compensation, safety, per quarter, half-year and year. Every
figure is one ``GROUP BY``/conditional ``COUNT``/``SUM`` query over the offices in the
user's scope; no row is loaded into Python.

What counts where:

* volume and revenue of postal items: items accepted in the period by service (``fee``,
  VAT included), **without** the items that carry dossiers (service ``dossier``), which are
  counted as dossiers (their postal fees) so that nothing is counted twice;
* dossiers: taken in during the period by service form; postal fees (send + return legs) are
  revenue; fees and charges collected on behalf of agencies are shown apart, **not revenue**;
* results delivered: delivery events of the period;
* complaints: received in the period; answered in the period on time (by ``answer_due``) or
  late; upheld;
* lost/damaged: incidents found in the period (an upheld complaint that establishes a loss
  or damage is one incident, see ``complaints.services``);
* compensation: decisions of the period (count, amount), payments more than 30 days after
  the decision (Decree 47/2011 Art. 27);
* safety: share of the period's dossiers without a loss or damage incident (target 100%,
  Circular 17/2017 Art. 6);
* on time: send legs due in the period, handed to the agency (filed) by ``post_send_due``;
  return legs due in the period, delivered to the citizen by ``post_return_due``; and, apart
  (the agency's clock, not the post's), results due in the period ready by ``agency_due``.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db.models import (
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from postops.accounts.models import Role
from postops.accounts.roles import has_role
from postops.complaints.models import Complaint, Incident, IncidentKind, Outcome
from postops.dossiers.models import Dossier, DossierEvent, DossierStatus, ServiceForm
from postops.items.models import Item, Service
from postops.network.selectors import office_scope_ids

from . import periods

REPORT_ROLES = (Role.MANAGER, Role.AUDITOR, Role.ADMIN)
LOSS_KINDS = (IncidentKind.LOSS, IncidentKind.DAMAGE)


def can_report(user) -> bool:
    return bool(getattr(user, "is_superuser", False)) or has_role(user, *REPORT_ROLES)


def _bounds(period: periods.Period) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(period.start, time.min), tz)
    end = timezone.make_aware(datetime.combine(period.next_day, time.min), tz)
    return start, end


def _scope(user):
    return office_scope_ids(user)


def report_figures(user, period: periods.Period) -> dict:
    """Every figure of the report for the offices in ``user``'s scope."""
    scope = _scope(user)
    start, end = _bounds(period)
    zero = Value(0)

    items = (
        Item.objects.filter(origin_office_id__in=scope, accepted_at__gte=start, accepted_at__lt=end)
        .exclude(service=Service.DOSSIER)
        .values("service")
        .annotate(count=Count("id"), revenue=Coalesce(Sum("fee"), zero))
        .order_by("service")
    )
    service_labels = dict(Service.choices)
    item_rows = [
        {
            "service": row["service"],
            "label": str(service_labels.get(row["service"], row["service"])),
            "count": row["count"],
            "revenue": row["revenue"],
        }
        for row in items
    ]

    dossiers = Dossier.objects.filter(
        office_id__in=scope, received_at__gte=start, received_at__lt=end
    )
    by_form = {
        row["service_form"]: row
        for row in dossiers.values("service_form")
        .annotate(
            count=Count("id"),
            postal=Coalesce(Sum(F("postal_fee_send") + F("postal_fee_return")), zero),
            agency_fees=Coalesce(Sum("agency_fee"), zero),
        )
        .order_by("service_form")
    }
    form_rows = [
        {
            "form": value,
            "label": str(label),
            "count": by_form.get(value, {}).get("count", 0),
            "postal": by_form.get(value, {}).get("postal", 0),
            "agency_fees": by_form.get(value, {}).get("agency_fees", 0),
        }
        for value, label in ServiceForm.choices
    ]
    results_delivered = DossierEvent.objects.filter(
        dossier__office_id__in=scope,
        status=DossierStatus.DELIVERED,
        occurred_at__gte=start,
        occurred_at__lt=end,
    ).count()

    complaints_received = Complaint.objects.filter(
        office_id__in=scope, received_on__gte=period.start, received_on__lte=period.end
    ).aggregate(
        received=Count("id"),
        items=Count("id", filter=Q(subject="item")),
        dossiers=Count("id", filter=Q(subject="dossier")),
    )
    complaints_answered = Complaint.objects.filter(
        office_id__in=scope, answered_on__gte=period.start, answered_on__lte=period.end
    ).aggregate(
        answered=Count("id"),
        on_time=Count("id", filter=Q(answered_on__lte=F("answer_due"))),
        late=Count("id", filter=Q(answered_on__gt=F("answer_due"))),
        upheld=Count("id", filter=Q(outcome=Outcome.UPHELD)),
    )
    payment_due = ExpressionWrapper(F("decided_on") + timedelta(days=30), output_field=DateField())
    compensation = Complaint.objects.filter(
        office_id__in=scope,
        decided_on__gte=period.start,
        decided_on__lte=period.end,
        compensation_amount__gt=0,
    ).aggregate(
        count=Count("id"),
        amount=Coalesce(Sum("compensation_amount"), zero),
        paid=Count("id", filter=Q(paid_on__isnull=False)),
        paid_amount=Coalesce(Sum("compensation_amount", filter=Q(paid_on__isnull=False)), zero),
        paid_late=Count("id", filter=Q(paid_on__gt=payment_due)),
    )

    incidents = Incident.objects.filter(
        office_id__in=scope, found_on__gte=period.start, found_on__lte=period.end
    ).aggregate(
        lost=Count("id", filter=Q(kind=IncidentKind.LOSS)),
        damaged=Count("id", filter=Q(kind=IncidentKind.DAMAGE)),
        safety=Count("id", filter=Q(kind=IncidentKind.SAFETY)),
        lost_items=Count("id", filter=Q(kind=IncidentKind.LOSS, item__isnull=False)),
        lost_dossiers=Count("id", filter=Q(kind=IncidentKind.LOSS, dossier__isnull=False)),
        damaged_items=Count("id", filter=Q(kind=IncidentKind.DAMAGE, item__isnull=False)),
        damaged_dossiers=Count("id", filter=Q(kind=IncidentKind.DAMAGE, dossier__isnull=False)),
    )

    harmed = Incident.objects.filter(dossier=OuterRef("pk"), kind__in=LOSS_KINDS)
    safety = dossiers.aggregate(total=Count("id"), harmed=Count("id", filter=Q(Exists(harmed))))
    safe = safety["total"] - safety["harmed"]

    legs = Dossier.objects.filter(
        office_id__in=scope, post_send_due__gte=period.start, post_send_due__lte=period.end
    ).aggregate(
        due=Count("id"),
        on_time=Count("id", filter=Q(filed_at__date__lte=F("post_send_due"))),
        late=Count("id", filter=Q(filed_at__date__gt=F("post_send_due"))),
        not_filed=Count("id", filter=Q(filed_at__isnull=True)),
    )

    return_legs = Dossier.objects.filter(
        office_id__in=scope, post_return_due__gte=period.start, post_return_due__lte=period.end
    ).aggregate(
        due=Count("id"),
        on_time=Count("id", filter=Q(delivered_at__date__lte=F("post_return_due"))),
        late=Count("id", filter=Q(delivered_at__date__gt=F("post_return_due"))),
        not_delivered=Count("id", filter=Q(delivered_at__isnull=True)),
    )
    agency = Dossier.objects.filter(
        office_id__in=scope, agency_due__gte=period.start, agency_due__lte=period.end
    ).aggregate(
        due=Count("id"),
        on_time=Count("id", filter=Q(result_ready_on__lte=F("agency_due"))),
        late=Count("id", filter=Q(result_ready_on__gt=F("agency_due"))),
        pending=Count("id", filter=Q(result_ready_on__isnull=True)),
    )

    item_count = sum(r["count"] for r in item_rows)
    item_revenue = sum(r["revenue"] for r in item_rows)
    dossier_count = sum(r["count"] for r in form_rows)
    dossier_revenue = sum(r["postal"] for r in form_rows)
    return {
        "period": period,
        "items": item_rows,
        "item_count": item_count,
        "item_revenue": item_revenue,
        "dossier_forms": form_rows,
        "dossier_count": dossier_count,
        "dossier_revenue": dossier_revenue,
        "agency_fees": sum(r["agency_fees"] for r in form_rows),
        "revenue_total": item_revenue + dossier_revenue,
        "results_delivered": results_delivered,
        "complaints": {**complaints_received, **complaints_answered},
        "incidents": incidents,
        "compensation": compensation,
        "safety": {
            "dossiers": safety["total"],
            "harmed": safety["harmed"],
            "safe": safe,
            "percent": periods.percent(safe, safety["total"]),
        },
        "legs": {**legs, "percent": periods.percent(legs["on_time"], legs["due"])},
        "return_legs": {
            **return_legs,
            "percent": periods.percent(return_legs["on_time"], return_legs["due"]),
        },
        "agency": {**agency, "percent": periods.percent(agency["on_time"], agency["due"])},
    }
