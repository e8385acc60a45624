"""Writes for accounts: login lockout, role assignment, TOTP devices, API keys."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from postops.core.audit import audit_record

from .models import ApiKey, LoginFailure, Role, User


def _window_start():
    return timezone.now() - timedelta(minutes=settings.POSTOPS_LOGIN_LOCKOUT_MINUTES)


def login_is_locked(username: str, ip_address: str | None) -> bool:
    """True when the username, or the address, reached the failure limit in the window.

    Counting per address too stops one client trying many usernames (credential stuffing).
    The address limit is wider so that a shared office NAT does not lock a whole office.
    """
    limit = settings.POSTOPS_LOGIN_MAX_FAILURES
    since = _window_start()
    recent = LoginFailure.objects.filter(occurred_at__gte=since)
    if username and recent.filter(username__iexact=username).count() >= limit:
        return True
    return bool(ip_address) and recent.filter(ip_address=ip_address).count() >= limit * 4


def login_failure_record(username: str, ip_address: str | None) -> None:
    with transaction.atomic():
        LoginFailure.objects.create(username=username[:150], ip_address=ip_address)
        audit_record(
            None,
            "accounts.login_failed",
            actor_label=username[:150],
            ip_address=ip_address,
        )


def login_success_record(user: User, ip_address: str | None) -> None:
    with transaction.atomic():
        LoginFailure.objects.filter(username__iexact=user.username).delete()
        audit_record(user, "accounts.login", target=user, ip_address=ip_address)


def user_set_roles(actor: User | None, user: User, roles: list[str]) -> None:
    """Replace the user's roles (groups named by role slug)."""
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")
    with transaction.atomic():
        before = sorted(user.groups.values_list("name", flat=True))
        groups = [Group.objects.get_or_create(name=r)[0] for r in roles]
        user.groups.set(groups)
        user._postops_roles = None
        audit_record(
            actor,
            "accounts.roles_set",
            target=user,
            before={"roles": before},
            after={"roles": sorted(roles)},
        )


def totp_device_start(user: User) -> TOTPDevice:
    """An unconfirmed TOTP device for the user to scan; replaces an earlier unconfirmed one."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="PostOps", confirmed=False)


def totp_device_confirm(user: User, device: TOTPDevice) -> None:
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_record(user, "accounts.totp_confirmed", target=user)


API_KEY_PREFIX = "pok_"


def api_key_hash(raw_key: str) -> str:
    # A fast hash is right here: keys are 256-bit random, so there is nothing to brute-force.
    return hashlib.sha256(raw_key.encode()).hexdigest()


def api_key_create(
    actor: User | None,
    *,
    name: str,
    role: str,
    offices=(),
    agency=None,
    created_by: User | None = None,
) -> tuple[ApiKey, str]:
    """Create a key; returns the row and the raw key, which is never stored or shown again.

    ``agency`` (a ``dossiers.Agency``) ties the key to one agency: only keys with the
    ``agency`` role may have one, and the agency must be active.
    """
    if role not in Role.values:
        raise ValueError(f"unknown role: {role}")
    if agency is not None:
        if role != Role.AGENCY:
            raise ValueError("only keys with the agency role can be tied to an agency")
        if not agency.is_active:
            raise ValueError(f"agency {agency.code} is not active")
    raw = API_KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        key = ApiKey.objects.create(
            name=name,
            prefix=raw[:12],
            key_hash=api_key_hash(raw),
            role=role,
            agency=agency,
            created_by=created_by or actor,
        )
        key.offices.set(offices)
        after = {"name": name, "role": role, "offices": [o.code for o in offices]}
        if agency is not None:
            after["agency"] = agency.code
        audit_record(actor, "accounts.api_key_created", target=key, after=after)
    return key, raw


# A key's "last used" time is informative only: a write at most once a minute per key is
# plenty and keeps busy partner systems from writing to the database on every request.
API_KEY_TOUCH_INTERVAL = timedelta(minutes=1)


def api_key_touch(key: ApiKey) -> None:
    """Record that ``key`` was just used, unless that was recorded less than a minute ago.

    Not audited: like ``User.last_login`` it is bookkeeping, not a change someone made.
    """
    now = timezone.now()
    if key.last_used_at is not None and now - key.last_used_at < API_KEY_TOUCH_INTERVAL:
        return
    # The condition in the UPDATE keeps concurrent requests from writing twice.
    ApiKey.objects.filter(pk=key.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - API_KEY_TOUCH_INTERVAL)
    ).update(last_used_at=now)
    key.last_used_at = now


def api_key_revoke(actor: User | None, key: ApiKey) -> None:
    with transaction.atomic():
        updated = ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if updated:
            audit_record(actor, "accounts.api_key_revoked", target=key)
