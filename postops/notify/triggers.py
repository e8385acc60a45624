"""Triggers: which business events notify whom (issue #4, item 9; domain.md §1).

Circular 17/2017/TT-BTTTT, tracking duty of the post for dossiers:

- ``filed`` (the agency signed the handover record: the legal filing time, Decision
  45/2016/QĐ-TTg Art. 6(5)) → the citizen: the dossier reached the agency on that day, and
  the result date from the appointment slip. SMS/Zalo to the applicant's phone, e-mail when
  the applicant gave one.
- ``delivered`` (the result was handed to the citizen, Art. 10) → the agency, by e-mail.
- ``returned_to_agency`` (the citizen could not be reached after two invitations) → the
  agency, by e-mail.

The dossiers app knows nothing of this: the receiver listens to ``post_save`` of
``DossierEvent`` (append-only, so ``created`` rows only) and runs inside the transaction
that stores the event, so the notice and the status change commit together. No ID number
and no name goes into a message; the context holds the dossier code, the agency and dates.
"""

from __future__ import annotations

from django.db.models.signals import post_save
from django.utils import timezone

from . import rules
from .services import Notice, messages_enqueue

DISPATCH_UID = "postops.notify.dossier_event"


def connect() -> None:
    post_save.connect(
        dossier_event_saved, sender="dossiers.DossierEvent", dispatch_uid=DISPATCH_UID
    )


def dossier_event_saved(sender, instance, created, raw=False, **kwargs) -> None:
    if created and not raw:
        dossier_event_notify(instance)


def dossier_event_notify(event) -> int:
    """Enqueue the notices a dossier status event calls for; returns how many."""
    from postops.dossiers.models import Dossier

    builder = _BUILDERS.get(str(event.status))
    if builder is None:
        return 0
    # Read in the event's transaction: the status move updated the row just before.
    dossier = Dossier.objects.select_related("agency").get(pk=event.dossier_id)
    return messages_enqueue(builder(dossier, event))


def _notice(dossier, event, template_key: str, kind: str, address: str, context) -> Notice:
    return Notice(
        kind=kind,
        address=address,
        template_key=template_key,
        context=context,
        dedupe_key=rules.dedupe_key("dossier", dossier.pk, str(event.status), kind),
        source_type="dossiers.dossier",
        source_id=str(dossier.pk),
        source_label=dossier.code,
        office_id=dossier.office_id,
    )


def _filed(dossier, event) -> list[Notice]:
    context = {
        "dossier": dossier.code,
        "agency": dossier.agency.name,
        "filed_on": timezone.localdate(event.occurred_at).isoformat(),
        "appointment_date": dossier.appointment_date.isoformat()
        if dossier.appointment_date
        else "",
    }
    return [
        _notice(dossier, event, rules.DOSSIER_FILED, kind, address, context)
        for kind, address in (
            (rules.PHONE, dossier.applicant_phone),
            (rules.EMAIL, dossier.applicant_email),
        )
        if address
    ]


def _to_agency(template_key: str, date_key: str):
    def build(dossier, event) -> list[Notice]:
        if not rules.is_email(dossier.agency.email):
            return []
        context = {
            "dossier": dossier.code,
            "agency_number": dossier.agency_number,
            "agency": dossier.agency.name,
            date_key: timezone.localdate(event.occurred_at).isoformat(),
        }
        return [_notice(dossier, event, template_key, rules.EMAIL, dossier.agency.email, context)]

    return build


_BUILDERS = {
    "filed": _filed,
    "delivered": _to_agency(rules.DOSSIER_DELIVERED, "delivered_on"),
    "returned_to_agency": _to_agency(rules.DOSSIER_RETURNED, "returned_on"),
}
