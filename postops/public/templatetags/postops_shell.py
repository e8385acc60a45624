"""Template helpers of the UI shell: ``{% load postops_shell %}``."""

from django import template

from postops.accounts.models import Role
from postops.accounts.roles import user_roles

from ..navigation import staff_links_for_user

register = template.Library()


@register.simple_tag
def role_labels(user) -> list[str]:
    """The user's role names in the current language, most junior first (``Role`` order)."""
    held = user_roles(user)
    return [label for value, label in Role.choices if value in held]


@register.simple_tag
def staff_links(user) -> list[dict]:
    """Links to the staff pages the user may open (``postops.public.navigation``)."""
    return staff_links_for_user(user)
