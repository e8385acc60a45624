"""Retention of dossiers: anonymise closed dossiers older than the retention period (issue
#4, item 12).

Circular 17/2017/TT-BTTTT: records of the service are kept at least 1 year on paper and at
least 5 years electronically; the personal data law (Law 91/2025/QH15, Decree 356/2025/NĐ-CP)
asks to keep personal data no longer than needed. So once a dossier is closed and the period
(``POSTOPS_DOSSIER_RETENTION_YEARS``, at least 5) has passed since it closed, the applicant's
name, ID number, phone, e-mail, street addresses and a proxy's authorisation number are
blanked and ``anonymised_at`` is set. Codes, dates, fees, statuses, the commune codes of the
addresses and the history (``DossierEvent``) stay, so reports still count the dossier.

Closed means nothing more will happen (:data:`rules.CLOSED_STATUSES`): a result delivered or
taken back to the agency; a send-only dossier once filed (or its result reported). The age
is counted from the closing moment (delivery, taking back, filing, result day).

The job walks the primary key in batches (one short transaction each), so a million rows
never sit in memory and a stopped run resumes where it was; a second run finds nothing.
One audit entry per run records the counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from postops.core.audit import audit_record

from . import rules
from .models import Dossier

ANONYMISED_NAME = "—"
BATCH_SIZE = 5000

# Personal data of a dossier and what it becomes. Commune codes stay (statistics by place).
BLANKED = {
    "applicant_name": ANONYMISED_NAME,
    "applicant_id_number": "",
    "applicant_phone": "",
    "applicant_email": "",
    "applicant_street": "",
    "applicant_raw": "",
    "delivery_street": "",
    "delivery_raw": "",
    "authorisation_number": "",
    "authorisation_date": None,
}


def blanked_fields() -> dict:
    """:data:`BLANKED` limited to the fields the model has (the return leg adds some)."""
    names = {f.name for f in Dossier._meta.get_fields()}
    return {k: v for k, v in BLANKED.items() if k in names}


def retention_years() -> int:
    return rules.retention_years_check(int(settings.POSTOPS_DOSSIER_RETENTION_YEARS))


def closed_before(cutoff: date) -> Q:
    """Dossiers closed before ``cutoff`` (local midnight), by service form."""
    moment = timezone.make_aware(datetime.combine(cutoff, time.min))
    S, F = rules.Status, rules.ServiceForm
    send_only = Q(
        service_form=F.SEND,
        status__in=[S.FILED, S.RESULT_READY],
        filed_at__lt=moment,
    ) & (Q(result_ready_on__isnull=True) | Q(result_ready_on__lt=cutoff))
    returned = Q(service_form__in=[F.RETURN, F.BOTH]) & (
        Q(status=S.DELIVERED, delivered_at__lt=moment)
        | Q(status=S.RETURNED_TO_AGENCY, returned_at__lt=moment)
    )
    return send_only | returned


def due_for_anonymising(today: date | None = None, years: int | None = None) -> QuerySet:
    today = today or timezone.localdate()
    years = retention_years() if years is None else rules.retention_years_check(years)
    cutoff = rules.retention_cutoff(today, years)
    return Dossier.objects.filter(closed_before(cutoff), anonymised_at__isnull=True)


@dataclass
class RunReport:
    cutoff: date
    years: int
    found: int = 0
    anonymised: int = 0
    batches: int = 0
    dry_run: bool = False


def dossiers_anonymise(
    *,
    dry_run: bool = False,
    today: date | None = None,
    years: int | None = None,
    batch_size: int = BATCH_SIZE,
    actor=None,
    progress=None,
) -> RunReport:
    """Anonymise every closed dossier older than the retention period; see the module.

    ``dry_run`` counts and changes nothing (no audit entry either). ``progress(report)`` is
    called after each batch.
    """
    today = today or timezone.localdate()
    years = retention_years() if years is None else rules.retention_years_check(years)
    report = RunReport(cutoff=rules.retention_cutoff(today, years), years=years, dry_run=dry_run)
    qs = due_for_anonymising(today, years)
    if dry_run:
        report.found = qs.count()
        return report
    values = blanked_fields()
    last_pk = 0
    while True:
        # One short transaction per batch; re-checking the condition in the UPDATE keeps a
        # row that changed meanwhile (or another run's work) from being touched twice.
        with transaction.atomic():
            ids = list(
                qs.filter(pk__gt=last_pk).order_by("pk").values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                break
            now = timezone.now()
            done = qs.filter(pk__in=ids).update(anonymised_at=now, **values)
        last_pk = ids[-1]
        report.found += len(ids)
        report.anonymised += done
        report.batches += 1
        if progress:
            progress(report)
    audit_record(
        actor,
        "dossiers.anonymise",
        target_type="dossiers.dossier",
        actor_label="" if actor else "dossiers_anonymise",
        after={
            "anonymised": report.anonymised,
            "batches": report.batches,
            "retention_years": years,
            "closed_before": report.cutoff.isoformat(),
            "fields": sorted(values),
        },
    )
    return report
