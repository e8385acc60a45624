"""Routing by commune: the office that delivers to a receiver's commune.

An office delivers the commune it stands in (``network.Office.commune``): the post office
there, else its commune post office (:func:`rules.delivery_office_pick`; which kinds deliver
is configuration, ``POSTOPS_DELIVERY_OFFICE_KINDS``). A commune with no delivering office
gives ``None``: such items appear on the supervisors' "no delivery office" worklist
(:func:`postops.items.worklists.unrouted_items`) until someone sets the office.
Reads are memoised inside ``selectors.memoized()`` (one lookup per commune per batch).
"""

from __future__ import annotations

from django.conf import settings

from postops.network.models import Office

from . import rules
from .selectors import cached


def delivery_office_kinds() -> tuple[str, ...]:
    return tuple(getattr(settings, "POSTOPS_DELIVERY_OFFICE_KINDS", rules.DELIVERY_OFFICE_KINDS))


def delivery_office_for_commune(commune_code: str) -> Office | None:
    """The active office that delivers to the 2025 commune ``commune_code``, or ``None``."""
    if not commune_code:
        return None

    def compute():
        kinds = delivery_office_kinds()
        offices = {
            o.pk: o
            for o in Office.objects.filter(
                commune_id=commune_code, is_active=True, kind__in=kinds
            ).only("pk", "kind", "code", "name", "commune_id")
        }
        pk = rules.delivery_office_pick(((o.pk, o.kind, o.code) for o in offices.values()), kinds)
        return offices.get(pk)

    return cached(("delivery_office", commune_code), compute)


def delivery_office_for_address(scheme: str, commune_code: str) -> Office | None:
    """Routing for a stored address: only 2025 communes route (a legacy address is first
    converted, with a person's confirmation)."""
    if scheme != "2025":
        return None
    return delivery_office_for_commune(commune_code)
