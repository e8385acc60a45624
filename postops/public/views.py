from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from postops.accounts.roles import user_roles

from .layouts import layout_for_roles, layout_template
from .navigation import staff_links_for_user


def _url_or_none(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def home(request):
    """``/``: the public landing page, or the staff start page in the role's layout."""
    if not request.user.is_authenticated:
        return render(
            request,
            "public/landing.html",
            # The public tracking page is built separately; link to it once its URL exists.
            {"tracking_url": _url_or_none("tracking")},
        )
    roles = user_roles(request.user)
    return render(
        request,
        "public/home.html",
        {
            "layout": layout_template(roles),
            "layout_name": layout_for_roles(roles),
            "links": staff_links_for_user(request.user),
            "offices": list(request.user.offices.all()),
        },
    )
