"""Shared fixtures: users per role, offices, API clients."""

import pytest
from django.contrib.auth.models import Group


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness only costs test time here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_holiday_calendar():
    # The working-day calendar keeps holiday overrides per process; a test's rows vanish at
    # rollback, so no test may inherit the previous test's copy.
    yield
    from postops.core.calendar import calendar_cache_clear

    calendar_cache_clear()


@pytest.fixture(autouse=True)
def _vietnamese_first():
    # A request through the test client activates the language its cookie asks for, and the
    # activation stays on the thread after the response; every test starts in Vietnamese.
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def make_user(db):
    """Create a staff user with roles and offices: ``make_user("clerk", offices=[po])``."""
    from postops.accounts.models import User

    counter = {"n": 0}

    def _make(*roles, offices=(), username=None, password="correct-horse-battery", **extra):
        counter["n"] += 1
        user = User.objects.create_user(
            username=username or f"{'-'.join(roles) or 'user'}-{counter['n']}",
            password=password,
            full_name=extra.pop("full_name", "Nguyễn Văn An"),
            **extra,
        )
        for role in roles:
            user.groups.add(Group.objects.get_or_create(name=role)[0])
        if offices:
            user.offices.set(offices)
        return user

    return _make


@pytest.fixture
def verified_client(client):
    """Log a user in and mark the session as two-factor verified (django-otp)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    def _login(user):
        client.force_login(user)
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", confirmed=True)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
        return client

    return _login
