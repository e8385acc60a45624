"""Retention job: which dossiers are anonymised, what is blanked, what stays, dry run,
idempotence, audit, the period's legal minimum (issue #4, item 12)."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from postops.core.models import AuditEntry
from postops.dossiers import retention, rules
from postops.dossiers.models import Dossier, DossierEvent

from . import helpers

VN = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = date(2031, 3, 10)
OLD = datetime(2026, 1, 5, 10, 0, tzinfo=VN)  # more than 5 years before TODAY
RECENT = datetime(2026, 3, 20, 10, 0, tzinfo=VN)  # less than 5 years before TODAY
_seq = {"n": 0}


def make(proc, office, form, status, **extra):
    _seq["n"] += 1
    values = {
        "code": f"HS-260105-{_seq['n']:05d}",
        "procedure": proc,
        "agency": proc.agency,
        "service_form": form,
        "channel": "counter",
        "status": status,
        "office": office,
        "received_at": datetime(2025, 12, 29, 9, 0, tzinfo=VN),
        "applicant_name": "Nguyễn Thị Hoa",
        "applicant_id_number": "020190012345",
        "applicant_phone": "0912345678",
        "applicant_email": "hoa@example.vn",
        "applicant_commune_code": helpers.commune(0).code,
        "applicant_street": "Số 5 Lê Lợi",
        "applicant_raw": "Số 5 Lê Lợi, Đông Kinh",
        "delivery_commune_code": helpers.commune(0).code,
        "delivery_street": "Số 5 Lê Lợi",
        "postal_fee_send": 25000,
        "agency_fee": 200000,
    }
    values.update(extra)
    d = Dossier.objects.create(**values)
    DossierEvent.objects.create(dossier=d, status=status, occurred_at=values["received_at"])
    return d


@pytest.fixture
def world(tree, centre):
    proc = helpers.procedure(centre)
    po = tree["po_a"]
    return {
        "delivered_old": make(proc, po, "both", "delivered", delivered_at=OLD),
        "returned_old": make(proc, po, "return", "returned_to_agency", returned_at=OLD),
        "filed_old": make(proc, po, "send", "filed", filed_at=OLD),
        "ready_old": make(
            proc, po, "send", "result_ready", filed_at=OLD, result_ready_on=date(2026, 1, 20)
        ),
        # Not closed long enough, or not closed at all.
        "delivered_recent": make(proc, po, "both", "delivered", delivered_at=RECENT),
        "ready_recent": make(
            proc, po, "send", "result_ready", filed_at=OLD, result_ready_on=date(2026, 3, 20)
        ),
        "open_both": make(proc, po, "both", "filed", filed_at=OLD),
        "collected": make(proc, po, "both", "result_collected", filed_at=OLD),
    }


OLD_KEYS = ("delivered_old", "returned_old", "filed_old", "ready_old")


@pytest.mark.django_db
def test_anonymises_closed_dossiers_older_than_the_period(world):
    report = retention.dossiers_anonymise(today=TODAY, batch_size=3)
    assert (report.found, report.anonymised, report.batches) == (4, 4, 2)
    assert report.cutoff == date(2026, 3, 10)
    done = set(Dossier.objects.filter(anonymised_at__isnull=False).values_list("code", flat=True))
    assert done == {world[k].code for k in OLD_KEYS}


@pytest.mark.django_db
def test_what_is_blanked_and_what_stays(world):
    before = Dossier.objects.get(pk=world["delivered_old"].pk)
    retention.dossiers_anonymise(today=TODAY)
    d = Dossier.objects.get(pk=before.pk)
    assert (d.applicant_name, d.applicant_id_number, d.applicant_phone, d.applicant_email) == (
        "—",
        "",
        "",
        "",
    )
    assert (d.applicant_street, d.applicant_raw, d.delivery_street, d.delivery_raw) == (
        "",
        "",
        "",
        "",
    )
    assert d.anonymised_at is not None
    # Codes, places, dates, fees, status and history stay.
    for field in (
        "code",
        "status",
        "service_form",
        "received_at",
        "delivered_at",
        "postal_fee_send",
        "agency_fee",
        "applicant_commune_code",
        "delivery_commune_code",
        "procedure_id",
        "agency_id",
        "office_id",
    ):
        assert getattr(d, field) == getattr(before, field), field
    assert d.events.count() == 1
    untouched = Dossier.objects.get(pk=world["delivered_recent"].pk)
    assert (untouched.applicant_name, untouched.applicant_id_number) == (
        "Nguyễn Thị Hoa",
        "020190012345",
    )


@pytest.mark.django_db
def test_second_run_changes_nothing_and_each_run_is_audited(world):
    retention.dossiers_anonymise(today=TODAY)
    stamps = dict(Dossier.objects.values_list("pk", "anonymised_at"))
    again = retention.dossiers_anonymise(today=TODAY)
    assert (again.found, again.anonymised) == (0, 0)
    assert dict(Dossier.objects.values_list("pk", "anonymised_at")) == stamps
    entries = list(AuditEntry.objects.filter(action="dossiers.anonymise").order_by("id"))
    assert [e.after["anonymised"] for e in entries] == [4, 0]
    assert entries[0].after["retention_years"] == 5
    assert entries[0].after["closed_before"] == "2026-03-10"
    assert entries[0].actor_label == "dossiers_anonymise"
    assert "applicant_id_number" in entries[0].after["fields"]
    # No personal data in the audit entry.
    assert "020190012345" not in json.dumps(entries[0].after)


@pytest.mark.django_db
def test_dry_run_changes_nothing(world):
    report = retention.dossiers_anonymise(today=TODAY, dry_run=True)
    assert (report.found, report.anonymised, report.dry_run) == (4, 0, True)
    assert not Dossier.objects.filter(anonymised_at__isnull=False).exists()
    assert Dossier.objects.filter(applicant_id_number="020190012345").count() == 8
    assert not AuditEntry.objects.filter(action="dossiers.anonymise").exists()


@pytest.mark.django_db
@override_settings(POSTOPS_DOSSIER_RETENTION_YEARS=10)
def test_a_longer_period_keeps_more(world):
    assert retention.dossiers_anonymise(today=TODAY).anonymised == 0


@pytest.mark.django_db
def test_command_dry_run_then_run(world, monkeypatch):
    monkeypatch.setattr(retention.timezone, "localdate", lambda *a: TODAY)
    out = io.StringIO()
    call_command("dossiers_anonymise", "--dry-run", stdout=out)
    assert json.loads(out.getvalue()) == {
        "dry_run": True,
        "retention_years": 5,
        "closed_before": "2026-03-10",
        "found": 4,
        "anonymised": 0,
        "batches": 0,
    }
    out = io.StringIO()
    call_command("dossiers_anonymise", "--batch-size", "2", stdout=out)
    assert json.loads(out.getvalue())["anonymised"] == 4
    assert json.loads(out.getvalue())["batches"] == 2


@pytest.mark.django_db
@override_settings(POSTOPS_DOSSIER_RETENTION_YEARS=4)
def test_command_refuses_a_period_below_five_years(world):
    with pytest.raises(CommandError, match="at least 5 years"):
        call_command("dossiers_anonymise", stdout=io.StringIO())
    assert not Dossier.objects.filter(anonymised_at__isnull=False).exists()


@pytest.mark.parametrize("years", [0, 4, -1, True, "5", 4.9])
def test_retention_years_below_minimum_refused(years):
    with pytest.raises(ValueError):
        rules.retention_years_check(years)


@given(st.dates(min_value=date(2010, 1, 1), max_value=date(2090, 12, 31)), st.integers(5, 30))
def test_retention_cutoff_is_years_back(today, years):
    cutoff = rules.retention_cutoff(today, years)
    assert cutoff.year == today.year - years
    assert (cutoff.month, cutoff.day) == (today.month, today.day) or (
        (today.month, today.day, cutoff.day) == (2, 29, 28)
    )


def test_retention_cutoff_leap_day():
    assert rules.retention_cutoff(date(2032, 2, 29), 5) == date(2027, 2, 28)
