"""The partner's webhook page (issue #3, item 4): the URL, the signing secret (shown once,
rotated), a test ping and the delivery log, for each partner API key the signed-in partner
manages (``PartnerKeyAccess``). The same services as ``/api/v1/webhooks``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from postops.accounts.decorators import role_required

from . import webhooks
from .models import PartnerKeyAccess, WebhookEndpoint
from .views import _context
from .webhook_forms import WebhookForm

partner_required = role_required("partner")


def _keys(user):
    """The active partner keys ``user`` manages, with their endpoint (or ``None``)."""
    keys = [
        a.api_key
        for a in PartnerKeyAccess.objects.filter(
            user=user, api_key__role="partner", api_key__revoked_at__isnull=True
        )
        .select_related("api_key")
        .order_by("api_key__name", "api_key_id")
    ]
    endpoints = {e.api_key_id: e for e in WebhookEndpoint.objects.filter(api_key__in=keys)}
    return keys, endpoints


def _page(request, *, status=200, focus=None, form=None, secret=None, ping=None):
    keys, endpoints = _keys(request.user)
    sections = []
    for key in keys:
        endpoint = endpoints.get(key.pk)
        mine = focus is not None and key.pk == focus
        sections.append(
            {
                "key": key,
                "endpoint": endpoint,
                "form": form
                if mine and form is not None
                else WebhookForm(
                    initial={"url": endpoint.url, "is_active": endpoint.is_active}
                    if endpoint
                    else {"is_active": True},
                    prefix=f"k{key.pk}",
                ),
                "secret": secret if mine else None,
                "ping": ping if mine else None,
                "deliveries": webhooks.webhook_deliveries_for_key(key, limit=20)
                if endpoint
                else [],
            }
        )
    return render(
        request, "items/webhooks.html", _context(request, sections=sections), status=status
    )


def _key_or_404(request, key_id: int):
    access = (
        PartnerKeyAccess.objects.filter(
            user=request.user,
            api_key_id=key_id,
            api_key__role="partner",
            api_key__revoked_at__isnull=True,
        )
        .select_related("api_key")
        .first()
    )
    if access is None:
        raise Http404
    return access.api_key


@partner_required
@require_GET
def webhook_page(request):
    return _page(request)


@partner_required
@require_POST
def webhook_save(request, key_id: int):
    key = _key_or_404(request, key_id)
    form = WebhookForm(request.POST, prefix=f"k{key.pk}")
    if form.is_valid():
        try:
            _endpoint, secret = webhooks.webhook_endpoint_configure(
                actor=request.user,
                api_key=key,
                url=form.cleaned_data["url"],
                is_active=form.cleaned_data["is_active"],
                request=request,
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    form.add_error(field if field in form.fields else None, message)
        else:
            # Rendered, not redirected: the secret is shown in this answer only.
            return _page(request, focus=key.pk, secret=secret)
    return _page(request, status=422, focus=key.pk, form=form)


@partner_required
@require_POST
def webhook_rotate(request, key_id: int):
    key = _key_or_404(request, key_id)
    try:
        secret = webhooks.webhook_secret_rotate(actor=request.user, api_key=key, request=request)
    except WebhookEndpoint.DoesNotExist:
        raise Http404 from None
    return _page(request, focus=key.pk, secret=secret)


@partner_required
@require_POST
def webhook_ping(request, key_id: int):
    key = _key_or_404(request, key_id)
    try:
        result = webhooks.webhook_ping(actor=request.user, api_key=key, request=request)
    except WebhookEndpoint.DoesNotExist:
        raise Http404 from None
    return _page(request, focus=key.pk, ping=result)
