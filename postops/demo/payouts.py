"""Demo payrolls: this month's social-assistance and pension lists for the demo province.

Built through the real import and approval services (a CSV file imported by the supervisor,
checked, approved by the manager — four-eyes — and opened for paying), so the demo shows the
same path a real month takes. Idempotent: a period that already has lines is left alone.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date

from django.utils import timezone

from postops.core import cccd
from postops.network.models import Office
from postops.payouts import rules
from postops.payouts.importing import payroll_import
from postops.payouts.models import PayrollLine, Programme
from postops.payouts.services import payroll_period_get_or_create, payroll_period_transition

from .names import person_name, street_address

# Legacy birth-registration code of Lạng Sơn (the CCCD's first three digits); demo only.
BIRTH_PROVINCE = "020"
# Illustrative monthly amounts in đồng (demo only, not the legal rates).
AMOUNTS = {"btxh": (500_000, 750_000, 1_000_000), "bhxh": (3_250_000, 4_100_000, 5_680_000)}
PEOPLE = {"btxh": 60, "bhxh": 60}

HEADER = [
    "beneficiary_code",
    "full_name",
    "date_of_birth",
    "sex",
    "id_number",
    "address",
    "commune_code",
    "payout_point_code",
    "amount",
    "arrears",
    "months",
    "home_payout",
    "note",
]


def _id_number(rng: random.Random, born: date, sex: str) -> str:
    g = cccd.century_sex_digit(born.year, sex)
    return f"{BIRTH_PROVINCE}{g}{born.year % 100:02d}{rng.randint(0, 999_999):06d}"


def _csv(programme: str, points: list[Office], rng: random.Random) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for n in range(1, PEOPLE[programme] + 1):
        name, sex = person_name(rng)
        age = rng.randint(62, 92) if programme == "bhxh" else rng.randint(16, 90)
        born = date(timezone.localdate().year - age, rng.randint(1, 12), rng.randint(1, 28))
        point = points[n % len(points)]
        writer.writerow(
            [
                f"{programme.upper()}-20-{n:05d}",
                name,
                born.strftime("%d/%m/%Y"),
                "Nam" if sex == "M" else "Nữ",
                _id_number(rng, born, sex),
                street_address(rng, urban=False),
                point.commune_id,
                point.code,
                f"{rng.choice(AMOUNTS[programme]):,}".replace(",", "."),
                0,
                1,
                1 if age >= 80 and rng.random() < 0.3 else 0,
                "",
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def seed_payrolls(provincial: Office, importer, approver) -> dict[str, int]:
    """Import, check, approve and open this month's demo payrolls; returns lines per programme."""
    points = list(
        Office.objects.filter(
            path__startswith=provincial.path, kind=Office.Kind.PAYOUT_POINT, is_active=True
        ).order_by("code")
    )
    month = timezone.localdate().replace(day=1)
    created: dict[str, int] = {}
    rng = random.Random(f"postops-demo-payroll-{provincial.code}")
    for code in ("btxh", "bhxh"):
        programme = Programme.objects.get(code=code)
        period = payroll_period_get_or_create(importer, programme, month)
        if PayrollLine.objects.filter(period=period).exists() or not points:
            created[code] = PayrollLine.objects.filter(period=period).count()
            _schedule_covering_today((importer, approver), period, points)
            continue
        data = _csv(code, points, rng)
        job = payroll_import(importer, period, io.BytesIO(data), f"demo-{code}-{month:%Y-%m}.csv")
        if job.invalid:
            raise RuntimeError(f"demo payroll {code} has invalid rows: {job.errors[:3]}")
        for status in (rules.CHECKED, rules.APPROVED, rules.PAYING):
            actor = approver if status == rules.APPROVED else importer
            period = payroll_period_transition(actor, period, status)
        _schedule_covering_today((importer, approver), period, points)
        created[code] = PayrollLine.objects.filter(period=period).count()
    return created


def _schedule_covering_today(actors, period, points: list[Office]) -> None:
    """Every demo point pays on the usual commune days 2–10, stretched to include today:
    a point pays only on its scheduled days (``payout_record``), and the demo runs today.
    Each point's schedule is set by the first of ``actors`` whose scope holds it."""
    from postops.network.selectors import office_scope_ids
    from postops.payouts.models import PayoutSchedule
    from postops.payouts.services import payout_schedule_set

    if period.status not in (rules.APPROVED, rules.PAYING):
        return
    today = timezone.localdate()
    if today.replace(day=1) != period.month:
        return
    first_day = period.month.replace(day=min(2, today.day))
    last_day = period.month.replace(day=max(10, today.day))
    covered = set(
        PayoutSchedule.objects.filter(
            period=period, first_day__lte=today, last_day__gte=today
        ).values_list("point_id", flat=True)
    )
    scopes = [(actor, set(office_scope_ids(actor))) for actor in actors]
    for point in points:
        if point.pk in covered:
            continue
        actor = next((actor for actor, scope in scopes if point.pk in scope), None)
        if actor is not None:
            payout_schedule_set(actor, period, point, first_day, last_day, "Lịch chi trả mẫu")
