"""Who is calling the API: partner systems with a Bearer key, staff with their UI session.

Use ``auth=staff_auth`` on a router or operation; the endpoint then finds a :class:`Principal`
in ``request.auth`` and calls :func:`require_roles` before acting::

    router = Router(auth=staff_auth)

    @router.get("/things")
    def thing_list(request):
        require_roles(request, "clerk", "supervisor")
        return thing_list_for_offices(request.auth.office_ids)

Keys follow RFC 6750 (``Authorization: Bearer <key>``) and are looked up by their SHA-256
hash (only the hash is stored). Session requests keep Django's CSRF protection; Bearer
requests are exempt, because a browser never attaches a Bearer header on its own, so a
forged cross-site request cannot carry one (OWASP CSRF Prevention Cheat Sheet).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth
from ninja.throttling import SimpleRateThrottle
from ninja.utils import check_csrf

from postops.core.api_errors import ApiError
from postops.core.ratelimit import last_wait, remember_wait
from postops.network.selectors import office_scope_ids

from .models import ApiKey, User
from .roles import needs_two_factor, user_roles
from .services import api_key_hash, api_key_touch


@dataclass(eq=False)
class Principal:
    """The caller of an API request: a staff user (session) or a partner key.

    ``roles`` are role slugs. ``office_scope`` (lazy ids, for ``office_id__in=``) and
    ``office_ids`` (a set) are every office the caller may see: the subtrees under its
    assigned offices. ``offices`` are the assigned offices themselves. ``agency`` is the
    agency an agency key or agency officer acts for.
    """

    kind: str  # "user" or "key"
    user: User | None = None
    key: ApiKey | None = None
    roles: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def for_user(cls, user: User) -> Principal:
        return cls(kind="user", user=user, roles=user_roles(user))

    @classmethod
    def for_key(cls, key: ApiKey) -> Principal:
        return cls(kind="key", key=key, roles=frozenset({key.role}))

    @property
    def actor(self) -> User | ApiKey:
        return self.user if self.kind == "user" else self.key

    @property
    def name(self) -> str:
        if self.kind == "user":
            return str(self.user)
        return self.key.name

    @property
    def audit_label(self) -> str:
        """What to store as ``actor_label`` in audit entries for this caller."""
        if self.kind == "user":
            return self.user.get_username()
        return f"api-key:{self.key.prefix}"

    @cached_property
    def agency(self):
        """The ``dossiers.Agency`` the caller acts for, or ``None``: the agency a key is tied
        to, or the agency of an officer's user account (``dossiers.AgencyOfficer``)."""
        if self.kind == "key":
            return self.key.agency
        link = getattr(self.user, "agency_link", None)
        return link.agency if link is not None else None

    @cached_property
    def offices(self) -> list:
        """The offices assigned to the caller (not their subtrees), ordered by tree path."""
        return list(self.actor.offices.order_by("path"))

    @cached_property
    def office_scope(self) -> QuerySet:
        """Lazy ids of the offices in scope, for ``office_id__in=`` (a subquery, no list)."""
        return office_scope_ids_for(self.actor)

    @cached_property
    def office_ids(self) -> frozenset[int]:
        """The same ids, read once into a set."""
        return frozenset(self.office_scope)

    def __str__(self) -> str:  # used by ninja's throttles as an identity
        return f"{self.kind}:{self.actor.pk}"


def office_scope_ids_for(actor: User | ApiKey) -> QuerySet:
    """Ids of the offices in the actor's scope: each assigned office and its whole subtree.

    The network app owns the rule (``postops.network.selectors.office_scope_ids``): a revoked
    key or an inactive user sees nothing, a superuser everything.
    """
    return office_scope_ids(actor)


def require_roles(request: HttpRequest, *roles: str) -> Principal:
    """Refuse with 403 unless the caller holds at least one of ``roles``."""
    principal: Principal = request.auth
    if not principal.roles & set(roles):
        raise ApiError(
            403,
            "forbidden",
            "Your role does not allow this action.",
            [{"required_roles": sorted(roles), "roles": sorted(principal.roles)}],
        )
    return principal


class ApiKeyAuth(HttpBearer):
    """``Authorization: Bearer <key>`` for partner systems (RFC 6750)."""

    def authenticate(self, request: HttpRequest, token: str) -> Principal | None:
        token = token.strip()
        if not token:
            return None
        key = (
            ApiKey.objects.filter(key_hash=api_key_hash(token), revoked_at__isnull=True)
            .only("pk", "name", "prefix", "role", "agency", "last_used_at", "revoked_at")
            .first()
        )
        if key is None:
            return None
        api_key_touch(key)
        return Principal.for_key(key)


class StaffSessionAuth(SessionAuth):
    """The staff UI session, with CSRF checked on unsafe methods.

    Unlike ninja's ``django_auth`` it checks CSRF only when there is a logged-in session, so
    a request with no credentials gets 401 rather than a CSRF 403; and it ignores requests
    that carry an ``Authorization`` header, so a wrong key is never rescued by a cookie.
    Users whose role needs two-factor must have passed it in this session.
    """

    def __call__(self, request: HttpRequest) -> Principal | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or "authorization" in request.headers:
            return None
        csrf_due = self.csrf and not getattr(request, "_ninja_csrf_exempt", False)
        if csrf_due and check_csrf(request) is not None:
            raise ApiError(403, "csrf_failed", "CSRF check failed: send the X-CSRFToken header.")
        return self.authenticate(request, None)

    def authenticate(self, request: HttpRequest, key: str | None) -> Principal | None:
        user = request.user
        if needs_two_factor(user) and not user.is_verified():
            raise ApiError(
                403, "two_factor_required", "Two-factor verification is required for your role."
            )
        return Principal.for_user(user)


api_key_auth = ApiKeyAuth()
session_auth = StaffSessionAuth()
# Key first: a request with a valid Bearer key never needs a session or a CSRF token.
staff_auth = [api_key_auth, session_auth]


class PrincipalRateThrottle(SimpleRateThrottle):
    """Requests per minute per caller (key or user): ``POSTOPS_API_RATE_PER_MINUTE``.

    Anonymous requests are left to the throttles of public endpoints. The rate is read on
    each request so that a settings change (or a test override) applies at once.
    """

    scope = "principal"

    def __init__(self) -> None:
        super().__init__(rate=self._current_rate())

    @staticmethod
    def _current_rate() -> str:
        return f"{settings.POSTOPS_API_RATE_PER_MINUTE}/min"

    def get_cache_key(self, request: HttpRequest) -> str | None:
        principal = getattr(request, "auth", None)
        if not isinstance(principal, Principal):
            return None
        return self.cache_format % {"scope": self.scope, "ident": str(principal)}

    def allow_request(self, request: HttpRequest) -> bool:
        # ninja's throttle keeps the request's state (rate, history, now) on the instance,
        # which its router shares among requests (and threads): work on a copy, and keep the
        # wait for this request only (postops.core.ratelimit).
        state = copy.copy(self)
        state.rate = self._current_rate()
        state.num_requests, state.duration = state.parse_rate(state.rate)
        allowed = SimpleRateThrottle.allow_request(state, request)
        remember_wait(None if allowed else SimpleRateThrottle.wait(state))
        return allowed

    def wait(self) -> float | None:
        return last_wait()
