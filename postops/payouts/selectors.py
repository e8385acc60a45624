"""Reads for payouts, limited to the caller's office scope.

A line is in scope when its payout point is in the subtree of one of the caller's offices
(``postops.network.selectors.office_scope_ids``). Personal data shown to a person (ID
numbers, amounts) is logged with ``audit_read`` by the interface that shows it.
"""

from __future__ import annotations

import re

from django.db.models import Exists, OuterRef, Q, QuerySet

from postops.accounts.api_auth import office_scope_ids_for
from postops.core.text import fold

from . import rules
from .models import ImportJob, Payout, PayoutReversal, PayrollLine, Proxy

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
            beneficiary=beneficiary, certified=True, valid_from__lte=day, valid_to__gte=day
        ).order_by("full_name")
    )


def import_job_get(job_id: int) -> ImportJob | None:
    """A payroll import job by id. Payroll imports are provincial work, not tied to one
    office: the interface lets the roles that may import read any job."""
    return ImportJob.objects.select_related("period", "period__programme").filter(pk=job_id).first()
