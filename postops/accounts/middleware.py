"""Two-factor enforcement for the roles that need it."""

from django.shortcuts import redirect
from django.urls import reverse

from .roles import needs_two_factor

# Paths a user who still has to pass two-factor may reach.
_OPEN_PREFIXES = ("/static/", "/healthz", "/readyz", "/api/", "/i18n/", "/tra-cuu", "/en/")


class TwoFactorRequiredMiddleware:
    """Supervisors, managers and administrators must verify a TOTP code before any staff page.

    A user in such a role without a confirmed TOTP device is sent to set one up; a user with
    one is sent to enter a code. Verified state lives in the session (django-otp).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and needs_two_factor(user)
            and not request.path.startswith(_OPEN_PREFIXES)
        ):
            allowed = {
                reverse("accounts:otp_verify"),
                reverse("accounts:otp_setup"),
                reverse("accounts:logout"),
            }
            if request.path not in allowed:
                return redirect(f"{reverse('accounts:otp_verify')}?next={request.path}")
        return self.get_response(request)
