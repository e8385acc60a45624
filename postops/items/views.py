"""Pages of postal items. Public tracking (``/tra-cuu/``) needs no login and shows no
personal data: status, events with offices, the receiver's name masked."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import selectors
from .api import PublicRateThrottle


@require_GET
def track_page(request):
    """Citizens type or paste up to 20 numbers; the results come back in place (htmx)."""
    raw = request.GET.get("numbers", "")[:2000]
    queries = selectors.split_numbers(raw)
    context = {
        "numbers": raw,
        "lookups": [],
        "too_many": len(queries) > selectors.MAX_TRACK_NUMBERS,
        "max_numbers": selectors.MAX_TRACK_NUMBERS,
        "rate_limited": False,
    }
    status = 200
    if queries and not context["too_many"]:
        if PublicRateThrottle().allow_request(request):
            context["lookups"] = selectors.item_track_many(queries)
        else:
            context["rate_limited"] = True
            status = 429
    template = "items/track.html"
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "track-results":
        template = "items/track.html#track_results"
    return render(request, template, context, status=status)
