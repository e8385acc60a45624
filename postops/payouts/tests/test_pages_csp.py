"""Every payouts page stays inside the enforced CSP: no inline script or style, no handler
attributes, nothing from another host (issue #2, item 8; docs/ui.md)."""

from datetime import date

import pytest

from postops.payouts import services
from postops.payouts.models import CashDay, ImportJob, Proxy
from postops.public.tests.test_csp_hygiene import assert_clean


@pytest.fixture
def pages(period, paying_line, beneficiary, network, teller, make_user):
    job = ImportJob.objects.create(
        period=period,
        file_name="ds.csv",
        file_sha256="x",
        status="rejected",
        total=2,
        valid=1,
        invalid=1,
        errors=[{"row": 2, "column": "amount", "code": "money_format", "message": "x"}],
    )
    running = ImportJob.objects.create(
        period=period, file_name="ds.csv", file_sha256="y", status="running", rows_expected=10
    )
    Proxy.objects.create(
        beneficiary=beneficiary,
        full_name="Trần Văn Bình",
        id_number="020080001111",
        authorisation_number="UQ-1",
        valid_from=date(2026, 1, 1),
        valid_to=date(2026, 12, 31),
        certified=True,
    )
    book = services.cash_day_open(teller, network["point"], date(2026, 3, 5), teller=teller)
    assert isinstance(book, CashDay)
    p = period.pk
    return {
        "supervisor": [
            "/payouts/periods/",
            f"/payouts/periods/{p}/",
            f"/payouts/periods/{p}/schedule/",
            f"/payouts/periods/{p}/progress/",
            f"/payouts/periods/{p}/suspensions/",
            "/payouts/imports/new/",
            f"/payouts/imports/{job.pk}/",
            f"/payouts/imports/{running.pk}/",
        ],
        "teller": [
            "/payouts/?q=hoa",
            f"/payouts/lines/{paying_line.pk}/",
            "/payouts/people/?q=hoa",
            f"/payouts/people/{beneficiary.pk}/",
            "/payouts/cash/",
            f"/payouts/cash/{book.pk}/",
        ],
    }


def test_payroll_pages_are_clean(supervisor_client, pages):
    for path in pages["supervisor"]:
        assert_clean(supervisor_client.get(path))


def test_teller_pages_are_clean(client, teller, pages):
    client.force_login(teller)
    for path in pages["teller"]:
        assert_clean(client.get(path))
