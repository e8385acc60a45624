"""Demo complaints and incidents for the demo province (``seed_demo`` calls
``seed_complaints`` after the items and dossiers exist).

Four complaints on demo items and dossiers: one overdue (received 75 days ago by phone), one
new from the web, one upheld loss with its Decree 47 compensation decided and paid, one
rejected; and one safety incident found internally. Idempotent: each complaint carries a
fixed ``submit_token``; the incident is looked up by its description. Demo only.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from postops.dossiers.models import Dossier
from postops.items.models import Item
from postops.network.models import Office

from . import rules, selectors, services
from .models import Complaint, Incident

SAFETY_NOTE = "Demo: cửa kho bưu cục không khóa qua đêm, đã khắc phục."


def _file(token, number, kind, channel, name, phone, received_on, description=""):
    existing = Complaint.objects.filter(submit_token=token).first()
    if existing is not None:
        return existing, False
    complaint = services.complaint_file(
        actor=None,
        number=number,
        kind=kind,
        channel=channel,
        complainant_name=name,
        complainant_phone=phone,
        description=description,
        received_on=received_on,
        submit_token=token,
    )
    return complaint, True


def seed_complaints(provincial: Office) -> list[str]:
    """The demo complaints' codes (created or found)."""
    scope = Office.objects.filter(path__startswith=provincial.path).values_list("id", flat=True)
    items = list(
        Item.objects.filter(origin_office_id__in=scope)
        .exclude(service="dossier")
        .order_by("accepted_at", "id")[:3]
    )
    dossier = Dossier.objects.filter(office_id__in=scope).order_by("received_at", "id").first()
    if not items:
        return []
    today = timezone.localdate()
    codes = []
    overdue, _ = _file(
        "demo-complaint-1",
        items[0].number,
        rules.Kind.DELAY,
        "phone",
        "Đỗ Thị Hương",
        "0912000111",
        today - timedelta(days=75),
        "Bưu gửi chưa đến sau nhiều ngày.",
    )
    codes.append(overdue.code)
    if dossier is not None:
        fresh, _ = _file(
            "demo-complaint-2",
            dossier.code,
            rules.Kind.DOSSIER_SERVICE,
            "web",
            "Hoàng Văn Nam",
            "0987000222",
            today,
            "Chưa được báo hồ sơ đã đến cơ quan.",
        )
        codes.append(fresh.code)
    if len(items) > 1:
        lost, created = _file(
            "demo-complaint-3",
            items[1].number,
            rules.Kind.LOSS,
            "counter",
            "Vũ Thị Lan",
            "0903000333",
            today - timedelta(days=40),
        )
        if created:
            lost = services.complaint_answer(
                None,
                lost,
                outcome=rules.Outcome.UPHELD,
                answer_text="Bưu gửi thất lạc trong quá trình vận chuyển; bưu điện bồi thường.",
                lost=True,
                answered_on=today - timedelta(days=30),
            )
            suggestion = selectors.compensation_suggestion(lost)
            lost = services.complaint_compensation_decide(
                None,
                lost,
                amount=suggestion.amount,
                basis=suggestion.basis,
                decided_on=today - timedelta(days=29),
            )
            services.complaint_compensation_pay(None, lost, paid_on=today - timedelta(days=20))
        codes.append(lost.code)
    if len(items) > 2:
        rejected, created = _file(
            "demo-complaint-4",
            items[2].number,
            rules.Kind.DELAY,
            "letter",
            "Bùi Văn Tâm",
            "0978000444",
            today - timedelta(days=20),
        )
        if created:
            services.complaint_answer(
                None,
                rejected,
                outcome=rules.Outcome.REJECTED,
                answer_text="Bưu gửi được phát trong thời gian toàn trình đã công bố.",
                answered_on=today - timedelta(days=10),
            )
        codes.append(rejected.code)
    if not Incident.objects.filter(description=SAFETY_NOTE).exists():
        services.incident_record(
            None,
            office=provincial,
            kind="safety",
            found_on=today - timedelta(days=15),
            description=SAFETY_NOTE,
        )
    return codes
