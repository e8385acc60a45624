import pytest
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from postops.accounts.models import LoginFailure
from postops.core.models import AuditEntry

PASSWORD = "correct-horse-battery"


def _login(client, username, password=PASSWORD, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


@pytest.mark.django_db
def test_login_with_right_password_redirects_and_is_audited(client, make_user):
    user = make_user("clerk", username="clerk-a")
    response = _login(client, "clerk-a")
    assert response.status_code == 302
    assert response["Location"] == "/"
    entry = AuditEntry.objects.get(action="accounts.login")
    assert entry.actor == user
    assert entry.role == "clerk"


@pytest.mark.django_db
def test_wrong_password_shows_vietnamese_error_and_counts(client, make_user):
    make_user("clerk", username="clerk-b")
    response = _login(client, "clerk-b", "wrong-password-123")
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()
    assert LoginFailure.objects.filter(username="clerk-b").count() == 1
    entry = AuditEntry.objects.get(action="accounts.login_failed")
    assert entry.actor is None
    assert entry.actor_label == "clerk-b"


@pytest.mark.django_db
@override_settings(POSTOPS_LOGIN_MAX_FAILURES=3)
def test_lockout_after_repeated_failures_even_with_right_password(client, make_user):
    make_user("clerk", username="clerk-c")
    for _ in range(3):
        _login(client, "clerk-c", "wrong-password-123")
    response = _login(client, "clerk-c")
    assert response.status_code == 200
    assert "Tài khoản tạm khóa" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
@override_settings(POSTOPS_LOGIN_MAX_FAILURES=3)
def test_lockout_is_per_username(client, make_user):
    make_user("clerk", username="clerk-d")
    make_user("clerk", username="clerk-e")
    for _ in range(3):
        _login(client, "clerk-d", "wrong-password-123")
    assert _login(client, "clerk-e").status_code == 302


@pytest.mark.django_db
@override_settings(POSTOPS_LOGIN_MAX_FAILURES=3, POSTOPS_LOGIN_LOCKOUT_MINUTES=15)
def test_lockout_expires_after_cool_off(client, make_user):
    from datetime import timedelta

    from django.utils import timezone

    make_user("clerk", username="clerk-f")
    for _ in range(3):
        _login(client, "clerk-f", "wrong-password-123")
    LoginFailure.objects.update(occurred_at=timezone.now() - timedelta(minutes=16))
    assert _login(client, "clerk-f").status_code == 302


@pytest.mark.django_db
def test_success_clears_failures(client, make_user):
    make_user("clerk", username="clerk-g")
    _login(client, "clerk-g", "wrong-password-123")
    _login(client, "clerk-g")
    assert not LoginFailure.objects.filter(username="clerk-g").exists()


def test_password_shorter_than_12_characters_is_refused():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("Short-pw-1!")
    validate_password("a-long-enough-passphrase")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["supervisor", "manager", "admin"])
def test_two_factor_roles_are_sent_to_setup_then_verified(client, make_user, role):
    make_user(role, username=f"{role}-x")
    assert _login(client, f"{role}-x").status_code == 302
    response = client.get("/network/offices/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/")
    response = client.get("/accounts/2fa/setup/")
    assert response.status_code == 200
    device = TOTPDevice.objects.get(user__username=f"{role}-x", confirmed=False)
    wrong = f"{(totp(device.bin_key) + 1) % 1_000_000:06d}"
    response = client.post("/accounts/2fa/setup/", {"token": wrong})
    assert response.status_code == 200
    assert "Mã xác thực không đúng" in response.content.decode()
    # django-otp throttles a device after a failure; a person waits, the test resets it.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    response = client.post("/accounts/2fa/setup/", {"token": f"{totp(device.bin_key):06d}"})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/network/offices/").status_code == 200


@pytest.mark.django_db
def test_two_factor_verify_on_next_login(client, make_user):
    user = make_user("manager", username="manager-y")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    _login(client, "manager-y")
    assert client.get("/network/offices/")["Location"].startswith("/accounts/2fa/")
    # A confirmed device means no new set-up: the setup page sends back to verification.
    assert client.get("/accounts/2fa/setup/")["Location"] == "/accounts/2fa/"
    response = client.post(
        "/accounts/2fa/?next=/network/offices/",
        {"token": f"{totp(device.bin_key):06d}", "next": "/network/offices/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/network/offices/"
    assert client.get("/network/offices/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["clerk", "postman", "teller", "auditor", "agency"])
def test_other_roles_do_not_need_two_factor(client, make_user, role):
    make_user(role, username=f"{role}-z")
    _login(client, f"{role}-z")
    assert client.get("/network/offices/").status_code == 200


@pytest.mark.django_db
def test_open_redirect_is_refused_after_two_factor(client, make_user):
    user = make_user("admin", username="admin-q")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    _login(client, "admin-q")
    response = client.post(
        "/accounts/2fa/", {"token": f"{totp(device.bin_key):06d}", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
