"""Role lookups for a user. Roles are groups named by the role slug."""

from .models import TWO_FACTOR_ROLES, Role


def user_roles(user) -> frozenset[str]:
    """The role slugs of ``user``, read once per request object and cached on it."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_postops_roles", None)
    if cached is None:
        valid = set(Role.values)
        cached = frozenset(n for n in user.groups.values_list("name", flat=True) if n in valid)
        user._postops_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def needs_two_factor(user) -> bool:
    """Supervisors, managers and administrators must use TOTP (issue #2, item 5)."""
    return bool(user_roles(user) & TWO_FACTOR_ROLES) or bool(getattr(user, "is_superuser", False))


def primary_role(user) -> str:
    """The most senior role, used to label audit entries."""
    roles = user_roles(user)
    for role in Role.values[::-1]:
        if role in roles:
            return role
    return ""
