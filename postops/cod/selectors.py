"""Reads of COD money, scoped to the caller (issue #3, item 12).

Staff see the senders and statements of the offices in their scope (a statement belongs to
the office that pays it); a partner API key sees only the statements of the senders it is
linked to (``CodSender.api_keys``). Lists are keyset-paginated (no OFFSET): each page
starts strictly after the last row shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet, Sum

from postops.accounts.roles import has_role
from postops.core.keyset import Page, keyset_page
from postops.network.selectors import office_scope_ids

from .models import (
    CodCollection,
    CodSender,
    CollectionState,
    RemittanceBatch,
    ReturnCharge,
)

# Who reads COD money in the staff UI: the office supervisor (who also moves it), the
# provincial management and the auditors (read-only).
COD_VIEW_ROLES = ("supervisor", "manager", "auditor")
PAGE_SIZE = 50


# --- Staff ----------------------------------------------------------------------------------


def cod_can_view(user) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser) or has_role(user, *COD_VIEW_ROLES)


def cod_can_act(user) -> bool:
    """Moving money (statements, payment, reconciliation, sender details): supervisors."""
    return getattr(user, "is_superuser", False) or has_role(user, "supervisor")


def batches_for_user(user) -> QuerySet[RemittanceBatch]:
    if not cod_can_view(user):
        return RemittanceBatch.objects.none()
    return RemittanceBatch.objects.filter(office_id__in=office_scope_ids(user))


def batch_page_for_user(
    user, *, cursor: str = "", limit: int = PAGE_SIZE, state: str = "", sender_id=None
) -> Page:
    """Statements newest first."""
    qs = batches_for_user(user).select_related("sender", "office")
    if state:
        qs = qs.filter(state=state)
    if sender_id:
        qs = qs.filter(sender_id=sender_id)
    return keyset_page(qs, "created_at", cursor, limit, descending=True)


def batch_get_for_user(user, pk) -> RemittanceBatch | None:
    return (
        batches_for_user(user).select_related("sender", "office", "paid_by").filter(pk=pk).first()
    )


def senders_for_user(user) -> QuerySet[CodSender]:
    if not cod_can_view(user):
        return CodSender.objects.none()
    return CodSender.objects.filter(office_id__in=office_scope_ids(user))


@dataclass
class SenderRow:
    sender: CodSender
    waiting_count: int
    waiting_amount: int
    held_by_postmen: int


def sender_rows_for_user(user, q: str = "") -> list[SenderRow]:
    """Senders in scope with what the office holds for them (at the office, waiting for a
    statement) and what postmen still hold; those with money waiting first. One query."""
    qs = senders_for_user(user).select_related("office")
    q = (q or "").strip()
    if q:
        digits = "".join(ch for ch in q if ch.isdigit())
        condition = Q(name__icontains=q) | Q(code__iexact=q)
        if len(digits) >= 4:
            condition |= Q(phone__contains=digits)
        qs = qs.filter(condition)
    qs = qs.annotate(
        waiting_count=Count("collections", filter=Q(collections__state=CollectionState.AT_OFFICE)),
        waiting_amount=Sum(
            "collections__amount", filter=Q(collections__state=CollectionState.AT_OFFICE)
        ),
        held=Sum("collections__amount", filter=Q(collections__state=CollectionState.COLLECTED)),
    ).order_by("-waiting_amount", "code")
    return [SenderRow(s, s.waiting_count, s.waiting_amount or 0, s.held or 0) for s in qs[:200]]


def sender_get_for_user(user, pk) -> CodSender | None:
    return senders_for_user(user).select_related("office").filter(pk=pk).first()


def sender_waiting(sender: CodSender) -> list[CodCollection]:
    """Collections at the office for ``sender``, not yet on a statement."""
    return list(
        CodCollection.objects.filter(sender=sender, state=CollectionState.AT_OFFICE)
        .select_related("item")
        .order_by("collected_at", "pk")
    )


def sender_open_charges(sender: CodSender) -> list[ReturnCharge]:
    return list(
        ReturnCharge.objects.filter(sender=sender, line__isnull=True, amount__gt=0)
        .select_related("item")
        .order_by("created_at", "pk")
    )


# --- API (staff sessions and partner keys) --------------------------------------------------


def batches_for_principal(principal) -> QuerySet[RemittanceBatch]:
    """Statements an API caller may read: a partner key those of its linked senders; staff
    (key or session) with a COD role those of its offices; anyone else nothing."""
    if principal.kind == "key" and "partner" in principal.roles:
        return RemittanceBatch.objects.filter(sender__api_keys=principal.key)
    if principal.roles & set(COD_VIEW_ROLES) or (
        principal.kind == "user" and principal.user.is_superuser
    ):
        return RemittanceBatch.objects.filter(office_id__in=principal.office_scope)
    return RemittanceBatch.objects.none()


# --- Worklist: COD not handed over ----------------------------------------------------------


def cod_not_handed_over_page(
    user, *, cursor: str = "", limit: int = PAGE_SIZE, before: datetime | None = None
) -> Page:
    """Collections still in postmen's hands, oldest first, at offices in the user's scope.

    ``before`` keeps only those collected before that moment (say, before today: cash that
    should have come back at the end of an earlier day).
    """
    qs = CodCollection.objects.filter(
        state=CollectionState.COLLECTED, office_id__in=office_scope_ids(user)
    ).select_related("item", "postman", "office")
    if before is not None:
        qs = qs.filter(collected_at__lt=before)
    return keyset_page(qs, "collected_at", cursor, limit, descending=False)
