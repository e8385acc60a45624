from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from postops.accounts.models import Role, User
from postops.accounts.roles import user_roles
from postops.network.models import Office


@pytest.mark.django_db
def test_seed_demo_builds_lang_son_and_is_idempotent(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    assert "Demo province 20 Tỉnh Lạng Sơn" in text
    for role in Role.values:
        assert f"demo-{role}" in text
        user = User.objects.get(username=f"demo-{role}")
        assert user_roles(user) == {role}
        assert user.check_password("demo-postops")
    offices = Office.objects.count()
    provincial = Office.objects.get(kind=Office.Kind.PROVINCIAL)
    assert provincial.code == "240000"
    assert provincial.commune.province_id == "20"
    kinds = set(Office.objects.values_list("kind", flat=True))
    assert kinds == {k.value for k in Office.Kind}
    # Every office sits in a real commune of the province and under the provincial office.
    assert not Office.objects.exclude(commune__province_id="20").exists()
    assert not Office.objects.exclude(path__startswith=provincial.path).exists()
    assert all(len(o.postal_code) == 5 for o in Office.objects.all())
    users = User.objects.count()

    call_command("seed_demo", stdout=StringIO())
    assert Office.objects.count() == offices
    assert User.objects.count() == users


@pytest.mark.django_db
def test_seed_demo_is_refused_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="refused when DEBUG is off"):
        call_command("seed_demo", stdout=StringIO())


@pytest.mark.django_db
def test_seed_demo_other_province(settings):
    settings.DEBUG = True
    call_command("seed_demo", "--province", "19", stdout=StringIO())
    provincial = Office.objects.get(kind=Office.Kind.PROVINCIAL)
    assert provincial.commune.province_id == "19"
    assert "Thái Nguyên" in provincial.name


@pytest.mark.django_db
def test_seed_demo_unknown_province(settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="Unknown province code"):
        call_command("seed_demo", "--province", "99", stdout=StringIO())


@pytest.mark.django_db
def test_demo_totp_prints_a_code_the_demo_device_accepts(settings):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    out = StringIO()
    call_command("demo_totp", stdout=out)
    code = out.getvalue().strip()
    assert len(code) == 6 and code.isdigit()
    device = TOTPDevice.objects.get(user__username="demo-manager")
    assert device.verify_token(code)


@pytest.mark.django_db
def test_seed_demo_adds_items_and_payrolls_ready_to_pay(settings):
    from postops.items.models import Item
    from postops.payouts.models import PayrollLine, PayrollPeriod

    settings.DEBUG = True
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert Item.objects.exists()
    assert "/tra-cuu/?numbers=" in out.getvalue()
    periods = PayrollPeriod.objects.filter(status="paying")
    assert sorted(periods.values_list("programme__code", flat=True)) == ["bhxh", "btxh"]
    for period in periods:
        assert period.approved_by.username == "demo-manager"
        assert period.imported_by.username == "demo-supervisor"
    lines = PayrollLine.objects.count()
    assert lines == 120
    call_command("seed_demo", stdout=StringIO())
    assert PayrollLine.objects.count() == lines
