"""Reads of the notifications outbox, scoped to what the user may see.

Supervisors see the messages caused at offices in their scope; administrators (the role)
and superusers see all of them. Nobody else reads the outbox.
"""

from __future__ import annotations

from django.db.models import QuerySet

from postops.accounts.models import Role
from postops.accounts.roles import has_role
from postops.core.keyset import Page, keyset_page
from postops.network.selectors import office_scope_ids

from .models import Message, MessageStatus

OUTBOX_ROLES = (Role.SUPERVISOR, Role.ADMIN)


def outbox_can_view(user) -> bool:
    return bool(getattr(user, "is_superuser", False)) or has_role(user, *OUTBOX_ROLES)


def message_list_for_user(user) -> QuerySet[Message]:
    qs = Message.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_superuser or has_role(user, Role.ADMIN):
        return qs
    if has_role(user, Role.SUPERVISOR):
        return qs.filter(office_id__in=office_scope_ids(user))
    return qs.none()


def message_page_for_user(
    user, *, cursor: str = "", status: str = "", channel: str = "", limit: int = 50
) -> Page:
    """Newest first, keyset-paginated on ``(created_at, id)``; filters by status/channel."""
    qs = message_list_for_user(user)
    if status in MessageStatus.values:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    return keyset_page(qs, "created_at", cursor, limit, descending=True)


def message_get_for_user(user, pk) -> Message | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return message_list_for_user(user).filter(pk=pk).first()
