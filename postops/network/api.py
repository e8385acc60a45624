"""API endpoints of the postal network: commune search (public) and offices (staff)."""

from __future__ import annotations

from django.conf import settings
from ninja import Query, Router, Schema
from ninja.throttling import AnonRateThrottle
from pydantic import Field

from postops.accounts.api_auth import staff_auth

from . import selectors

router = Router(tags=["network"])


class CommuneOut(Schema):
    code: str = Field(description="5-digit commune code (2025 scheme), zero-padded")
    name: str
    division_type: str
    province_code: str = Field(description="2-digit province code")
    province_name: str


class CommuneList(Schema):
    items: list[CommuneOut]


class CommuneQuery(Schema):
    q: str = Field("", max_length=100, description="Name (diacritics optional) or code prefix")
    province: str | None = Field(None, pattern=r"^\d{2}$", description="2-digit province code")
    limit: int = Field(20, ge=1, le=100)


def _commune_out(c) -> dict:
    return {
        "code": c.code,
        "name": c.name,
        "division_type": c.division_type,
        "province_code": c.province_id,
        "province_name": c.province.name,
    }


@router.get(
    "/communes",
    response=CommuneList,
    auth=None,
    throttle=[AnonRateThrottle(f"{settings.POSTOPS_PUBLIC_RATE_PER_MINUTE}/min")],
    summary="Search communes (2025 administrative units)",
)
def commune_list(request, filters: Query[CommuneQuery]):
    """Communes whose names match ``q`` without regard to diacritics ("tan an" finds "Tân
    An"), best match first. Public data: no authentication needed."""
    found = selectors.commune_search(filters.q, province=filters.province, limit=filters.limit)
    return {"items": [_commune_out(c) for c in found]}


class OfficeOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None
    commune_code: str
    postal_code: str = Field(description="5-digit postal code")
    street: str
    phone: str
    opening_hours: str
    is_active: bool


class OfficeList(Schema):
    items: list[OfficeOut]
    next_after: str | None = Field(
        None, description="Pass as `after` to get the next page; null on the last page"
    )


class OfficeQuery(Schema):
    q: str = Field("", max_length=100, description="Name (diacritics optional), code, postal code")
    after: str = Field("", max_length=12, description="Return offices with a code after this")
    limit: int = Field(100, ge=1, le=500)


def _office_out(o) -> dict:
    return {
        "id": o.pk,
        "code": o.code,
        "name": o.name,
        "kind": o.kind,
        "parent_id": o.parent_id,
        "commune_code": o.commune_id,
        "postal_code": o.postal_code,
        "street": o.street,
        "phone": o.phone,
        "opening_hours": o.opening_hours,
        "is_active": o.is_active,
    }


@router.get("/offices", response=OfficeList, auth=staff_auth, summary="Offices in your scope")
def office_list(request, filters: Query[OfficeQuery]):
    """The offices the caller may see (its offices and everything under them), by code,
    paged by keyset (``after`` = the last code of the previous page)."""
    actor = request.auth.actor
    qs = selectors.office_list_for_user(actor, filters.q).order_by("code")
    if filters.after:
        qs = qs.filter(code__gt=filters.after)
    page = list(qs[: filters.limit + 1])
    more = len(page) > filters.limit
    page = page[: filters.limit]
    return {
        "items": [_office_out(o) for o in page],
        "next_after": page[-1].code if more else None,
    }
