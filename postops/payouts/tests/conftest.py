"""Fixtures for payouts: a small network, programmes (from the data migration), people."""

from datetime import date

import pytest

from postops.network.models import Commune, Office, Province


@pytest.fixture
def network(db):
    """A province, two communes, a post office and two payout points under it."""
    # The network app may seed the real units; codes 999xx are not used by any real commune.
    province, _ = Province.objects.get_or_create(
        code="20",
        defaults={
            "name": "Lạng Sơn",
            "division_type": "tỉnh",
            "codename": "lang_son",
            "search_name": "lang son",
        },
    )
    c1 = Commune.objects.create(
        code="99901",
        name="Đông Kinh",
        division_type="phường",
        codename="dong_kinh",
        province=province,
        search_name="dong kinh",
    )
    c2 = Commune.objects.create(
        code="99902",
        name="Tân An",
        division_type="xã",
        codename="tan_an",
        province=province,
        search_name="tan an",
    )
    root = Office.objects.create(
        code="200000",
        name="Bưu điện tỉnh Lạng Sơn",
        kind="provincial",
        commune=c1,
        postal_code="25000",
        path="/",
    )
    po = Office.objects.create(
        code="201000",
        name="Bưu cục Đông Kinh",
        kind="post_office",
        parent=root,
        commune=c1,
        postal_code="25100",
    )
    point1 = Office.objects.create(
        code="201001",
        name="Điểm chi trả Đông Kinh",
        kind="payout_point",
        parent=po,
        commune=c1,
        postal_code="25100",
    )
    point2 = Office.objects.create(
        code="201002",
        name="Điểm chi trả Tân An",
        kind="payout_point",
        parent=po,
        commune=c2,
        postal_code="25200",
    )
    other = Office.objects.create(
        code="209000",
        name="Bưu cục khác",
        kind="post_office",
        parent=root,
        commune=c2,
        postal_code="25900",
    )
    for office in (root, po, point1, point2, other):
        parent_path = office.parent.path if office.parent else "/"
        office.path = f"{parent_path}{office.pk}/"
        office.save(update_fields=["path"])
    return {
        "province": province,
        "commune": c1,
        "commune2": c2,
        "root": root,
        "post_office": po,
        "point": point1,
        "point2": point2,
        "other_office": other,
    }


@pytest.fixture
def programme(db):
    from postops.payouts.models import Programme

    # Seeded by the data migration; transactional tests flush it, so recreate if needed.
    programme, _ = Programme.objects.get_or_create(
        code="bhxh",
        defaults={
            "name": "Lương hưu",
            "suspend_after_months": 6,
            "home_payout_age": 80,
            "max_authorisation_months": 12,
        },
    )
    return programme


@pytest.fixture
def beneficiary(network, programme):
    from postops.payouts.models import Beneficiary

    return Beneficiary.objects.create(
        programme=programme,
        code="LS0001",
        full_name="Nguyễn Thị Hoa",
        date_of_birth=date(1950, 3, 4),
        sex="F",
        id_number="020150001234",
        address="Số 5 đường Lê Lợi",
        commune=network["commune"],
        default_payout_point=network["point"],
    )


@pytest.fixture
def period(programme, make_user):
    from postops.payouts.models import PayrollPeriod

    importer = make_user("supervisor", username="importer")
    return PayrollPeriod.objects.create(
        programme=programme, month=date(2026, 3, 1), imported_by=importer
    )


@pytest.fixture
def line(period, beneficiary, network):
    from postops.payouts.models import PayrollLine

    return PayrollLine.objects.create(
        period=period,
        beneficiary=beneficiary,
        payout_point=network["point"],
        amount=3_250_000,
        arrears=150_000,
    )


@pytest.fixture
def payout_days_open(network, make_user):
    """Today open for payouts at every point of the network (a supervisor's schedule
    exception): the fixtures' period is March 2026 while the tests pay "now"."""
    from django.utils import timezone

    from postops.payouts.models import PayoutScheduleException

    opener = make_user("supervisor", offices=[network["root"]], username="mo-ngay")
    for key in ("post_office", "point", "point2"):
        PayoutScheduleException.objects.get_or_create(
            point=network[key],
            day=timezone.localdate(),
            defaults={"reason": "Kiểm thử", "opened_by": opener},
        )


@pytest.fixture
def paying_line(line, payout_days_open):
    """The ``line`` fixture with its period open for payment (and today a payout day)."""
    from postops.payouts.models import PayrollPeriod

    PayrollPeriod.objects.filter(pk=line.period_id).update(status="paying")
    line.period.refresh_from_db()
    return line


@pytest.fixture
def teller(make_user, network):
    return make_user("teller", offices=[network["post_office"]])


@pytest.fixture
def immediate_tasks(settings, tmp_path):
    """Queued tasks run at once (on commit); uploaded files go to a scratch directory."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def supervisor_client(client, make_user, verified_client, network):
    """A two-factor-verified supervisor of the province (``client.user`` is the user)."""
    user = make_user("supervisor", offices=[network["root"]], username="giam-sat")
    verified_client(user)
    client.user = user
    return client


@pytest.fixture
def march_2_to_10(period, network):
    """The commune point pays the March period on days 2–10 (domain reference §2)."""
    from postops.payouts.models import PayoutSchedule

    return PayoutSchedule.objects.create(
        period=period,
        point=network["point"],
        first_day=date(2026, 3, 2),
        last_day=date(2026, 3, 10),
    )
