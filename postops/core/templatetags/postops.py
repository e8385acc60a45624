"""Template filters of the shared rules: ``{% load postops %}``.

``{{ amount|vnd }}`` → ``1.250.000 ₫``; ``{{ number|cccd_mask }}`` → ``001*******45``;
``{{ value|audit_value }}`` renders a before/after value of an audit entry compactly.
"""

import json

from django import template

from postops.core import cccd, money

register = template.Library()


@register.filter
def vnd(value, symbol=True):
    """Integer đồng as Vietnamese money text; ``{{ x|vnd:False }}`` leaves out the ₫ sign.

    Empty for ``None``/``""``; a value that is not a whole number is shown unchanged rather
    than hidden (a float reaching a template is a bug to see, not to round away).
    """
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        try:
            value = money.parse_vnd(value, allow_negative=True)
        except money.MoneyError:
            return value
    elif not isinstance(value, int):
        try:
            as_int = int(value)
        except (TypeError, ValueError, OverflowError):
            return str(value)
        if as_int != value:
            return str(value)
        value = as_int
    return money.format_vnd(value, symbol=bool(symbol))


@register.filter
def cccd_mask(value):
    """A citizen ID number masked for lists and public pages (``cccd.mask``)."""
    return cccd.mask(value) if value else ""


@register.filter
def audit_value(value):
    """A before/after value: text as is, structures as compact JSON, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "), sort_keys=True)
