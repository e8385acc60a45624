"""Demo data for notifications: what the outbox page looks like on a working day.

The dossier triggers already write the real notices while ``seed_dossiers`` runs (e-mail to
agencies that have an address; SMS and Zalo are off in the demo, so no phone notices). This
adds, for the first demo dossiers past filing with a phone and an office, one SMS notice
that was sent and one the gateway refused until it died, so ``demo-supervisor`` sees both
states and the retry button.
Demo only; idempotent (the rows are keyed by their dedupe key).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from postops.dossiers.models import Dossier

from . import rules
from .models import Message, MessageAttempt, MessageStatus

DEAD_AFTER = 8
# Dossiers that have reached their agency (the demo leaves its handover record open for
# demo-agency to sign, so few or none are still just "filed").
AFTER_FILING = ("filed", "result_ready", "result_collected", "delivered", "returned_to_agency")


def _context(dossier) -> dict:
    return {
        "dossier": dossier.code,
        "agency": dossier.agency.name,
        "filed_on": timezone.localdate(dossier.filed_at or dossier.received_at).isoformat(),
        "appointment_date": dossier.appointment_date.isoformat()
        if dossier.appointment_date
        else "",
    }


@transaction.atomic
def seed_notify(provincial=None) -> list[int]:
    """Returns the ids of the demo messages (created or found)."""
    dossiers = list(
        Dossier.objects.filter(status__in=AFTER_FILING, office__isnull=False)
        .exclude(applicant_phone="")
        .select_related("agency")
        .order_by("code")[:2]
    )
    ids = []
    now = timezone.now()
    for index, dossier in enumerate(dossiers):
        sent = index == 0
        message, created = Message.objects.get_or_create(
            dedupe_key=rules.dedupe_key("dossier", dossier.pk, "filed", rules.PHONE),
            defaults={
                "channel": "sms",
                "recipient": dossier.applicant_phone,
                "template_key": rules.DOSSIER_FILED,
                "context": _context(dossier),
                "status": MessageStatus.SENT if sent else MessageStatus.DEAD,
                "attempts": 1 if sent else DEAD_AFTER,
                "sent_at": now if sent else None,
                "provider_id": "demo-1" if sent else "",
                "last_error": "" if sent else "HTTP 503",
                "source_type": "dossiers.dossier",
                "source_id": str(dossier.pk),
                "source_label": dossier.code,
                "office_id": dossier.office_id,
            },
        )
        ids.append(message.pk)
        if not created:
            continue
        tries = 1 if sent else DEAD_AFTER
        for number in range(1, tries + 1):
            MessageAttempt.objects.create(
                message=message,
                number=number,
                attempted_at=now - timedelta(minutes=2 ** (tries - number)),
                ok=sent,
                error="" if sent else "HTTP 503",
                provider_id="demo-1" if sent else "",
            )
    return ids
