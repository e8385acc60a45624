"""Keyset pagination (no OFFSET) for lists ordered by a time or date column and the id.

Each page starts strictly after the last row shown, so a page costs one indexed range
scan however deep the reader goes, and rows that arrive meanwhile are never shown twice.
The cursor is an opaque URL-safe string of ``<value>|<id>``.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Q, QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.utils import timezone


def encode_cursor(value: datetime | date, pk: int) -> str:
    raw = f"{value.isoformat()}|{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, kind: type = datetime) -> tuple | None:
    """``(value, pk)`` from a cursor, or ``None`` for a missing or malformed one."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, pk = raw.rsplit("|", 1)
        value = kind.fromisoformat(stamp)
        if kind is datetime and timezone.is_naive(value):
            return None
        return value, int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


@dataclass
class Page:
    rows: list = field(default_factory=list)
    next_cursor: str | None = None


def keyset_page(
    qs: QuerySet, key: str, cursor: str, limit: int, *, descending: bool, kind: type = datetime
) -> Page:
    """One page of ``qs`` ordered by ``(key, pk)``, after ``cursor``; one query. ``key`` may
    follow a relation (``state__last_event_at``)."""
    limit = max(1, min(int(limit), 200))
    position = decode_cursor(cursor, kind)
    if position is not None:
        value, pk = position
        if descending:
            qs = qs.filter(Q(**{f"{key}__lt": value}) | Q(**{key: value, "pk__lt": pk}))
        else:
            qs = qs.filter(Q(**{f"{key}__gt": value}) | Q(**{key: value, "pk__gt": pk}))
    order = (f"-{key}", "-pk") if descending else (key, "pk")
    rows = list(qs.order_by(*order)[: limit + 1])
    page = Page(rows=rows[:limit])
    if len(rows) > limit:
        last = rows[limit - 1]
        value = last
        for name in key.split(LOOKUP_SEP):
            value = getattr(value, name)
        page.next_cursor = encode_cursor(value, last.pk)
    return page
