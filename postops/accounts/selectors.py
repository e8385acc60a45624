"""Reads for accounts."""

from django.db.models import F, QuerySet

from .models import ApiKey


def api_key_list() -> QuerySet[ApiKey]:
    """Every API key, active ones first, newest first; offices prefetched for the list page.

    Only administrators see this list (the view checks the role); keys are not office-scoped
    because an administrator manages keys for the whole province.
    """
    return (
        ApiKey.objects.select_related("created_by", "agency")
        .prefetch_related("offices")
        .order_by(F("revoked_at").asc(nulls_first=True), "-created_at", "-pk")
    )
