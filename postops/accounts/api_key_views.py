"""Staff pages for administrators: list API keys, create one (shown once), revoke one."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .api_key_forms import ApiKeyCreateForm
from .decorators import role_required
from .models import ApiKey, Role
from .selectors import api_key_list
from .services import api_key_create, api_key_revoke

# Only administrators manage API keys (issue #2, item 9).
_admin_required = role_required(Role.ADMIN)


@_admin_required
@require_http_methods(["GET"])
def api_key_list_view(request):
    return render(request, "accounts/api_key_list.html", {"keys": api_key_list()})


@_admin_required
@never_cache
@require_http_methods(["GET", "POST"])
def api_key_create_view(request):
    form = ApiKeyCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        key, raw = api_key_create(
            request.user,
            name=form.cleaned_data["name"],
            role=form.cleaned_data["role"],
            offices=list(form.cleaned_data["offices"]),
            agency=form.cleaned_data["agency"],
        )
        # Rendered, not redirected: the raw key exists only in this response (never_cache
        # keeps it out of the browser cache), so reloading cannot show it again.
        return render(request, "accounts/api_key_created.html", {"key": key, "raw_key": raw})
    return render(request, "accounts/api_key_form.html", {"form": form})


@_admin_required
@require_http_methods(["GET", "POST"])
def api_key_revoke_view(request, pk: int):
    key = get_object_or_404(ApiKey.objects.prefetch_related("offices"), pk=pk)
    if request.method == "POST":
        api_key_revoke(request.user, key)
        messages.success(request, _("Đã thu hồi khóa %(prefix)s…") % {"prefix": key.prefix})
        return redirect("accounts:api_key_list")
    return render(request, "accounts/api_key_revoke.html", {"key": key})
