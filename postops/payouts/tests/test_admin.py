import pytest


@pytest.fixture
def admin_client_(client, make_user):
    user = make_user("admin", is_staff=True, is_superuser=True)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="t", confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


@pytest.mark.parametrize(
    "model",
    [
        "programme",
        "payrollperiod",
        "beneficiary",
        "proxy",
        "payrollline",
        "importjob",
        "payout",
        "payoutreversal",
    ],
)
def test_admin_lists_open(admin_client_, paying_line, model):
    assert admin_client_.get(f"/admin/payouts/{model}/").status_code == 200


def test_payouts_cannot_be_added_in_admin(admin_client_, db):
    assert admin_client_.get("/admin/payouts/payout/add/").status_code == 403


def test_programme_rules_are_editable(admin_client_, programme):
    response = admin_client_.get(f"/admin/payouts/programme/{programme.pk}/change/")
    assert response.status_code == 200
    assert 'name="max_authorisation_months"' in response.content.decode()


def test_programme_change_through_admin_is_audited(admin_client_, programme):
    from postops.core.models import AuditEntry

    url = f"/admin/payouts/programme/{programme.pk}/change/"
    response = admin_client_.post(
        url,
        {
            "name": programme.name,
            "suspend_after_months": "6",
            "home_payout_age": "80",
            "max_authorisation_months": "6",
            "rules_source": programme.rules_source,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.max_authorisation_months == 6
    entry = AuditEntry.objects.get(action="payouts.programme_update")
    assert (entry.before, entry.after) == (
        {"max_authorisation_months": 12},
        {"max_authorisation_months": 6},
    )
