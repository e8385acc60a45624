"""API endpoints of accounts: who is calling."""

from typing import Literal

from ninja import Router, Schema

from .api_auth import Principal, staff_auth

router = Router(auth=staff_auth, tags=["accounts"])


class OfficeRef(Schema):
    code: str
    name: str


class AgencyRef(Schema):
    code: str
    name: str


class MeOut(Schema):
    kind: Literal["user", "key"]
    name: str
    username: str | None = None
    key_prefix: str | None = None
    roles: list[str]
    offices: list[OfficeRef]
    agency: AgencyRef | None = None


@router.get("/me", response=MeOut, summary="Who is calling")
def me(request):
    """The caller: a staff user (session) or a partner system (API key), with its roles, the
    offices it is assigned to (it also sees every office below them) and, for an agency's
    key or officer, the agency it acts for."""
    principal: Principal = request.auth
    agency = principal.agency
    return {
        "kind": principal.kind,
        "name": principal.name,
        "username": principal.user.get_username() if principal.user else None,
        "key_prefix": principal.key.prefix if principal.key else None,
        "roles": sorted(principal.roles),
        "offices": [{"code": o.code, "name": o.name} for o in principal.offices],
        "agency": {"code": agency.code, "name": agency.name} if agency else None,
    }
