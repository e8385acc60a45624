"""Fixtures of the notifications tests: a dossier at an office, its agency, a fake gateway."""

import copy
from datetime import UTC, date, datetime

import pytest

from postops.core.tests.receiver import LocalReceiver
from postops.dossiers.models import Dossier, DossierEvent
from postops.dossiers.tests import helpers

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 09:00 in Vietnam
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
ID_NUMBER = "020190012345"
PHONE = "0912 345 678"
EMAIL = "hoa.nguyen@example.vn"
AGENCY_EMAIL = "motcua@langson.example.vn"


@pytest.fixture
def gateway():
    """A fake SMS/Zalo gateway on 127.0.0.1; answers ``{"id": "m-1"}`` unless told."""
    g = LocalReceiver("/send", default_body={"id": "m-1"})
    yield g
    g.close()


def _channels(settings):
    channels = copy.deepcopy(settings.POSTOPS_NOTIFY_CHANNELS)
    settings.POSTOPS_NOTIFY_CHANNELS = channels
    return channels


@pytest.fixture
def sms_on(settings, gateway):
    """The SMS channel posts to the fake gateway (Zalo stays off)."""
    channels = _channels(settings)
    channels["sms"]["OPTIONS"].update(url=gateway.url, token="sms-token", timeout=5)
    return gateway


@pytest.fixture
def zalo_on(settings, gateway):
    channels = _channels(settings)
    channels["zalo"]["OPTIONS"].update(
        url=gateway.url,
        token="zalo-oa-token",
        timeout=5,
        templates={"dossier_filed": "271828"},
    )
    return gateway


@pytest.fixture
def place(db):
    tree = helpers.office_tree()
    agency = helpers.agency(email=AGENCY_EMAIL)
    return {"tree": tree, "agency": agency, "procedure": helpers.procedure(agency)}


@pytest.fixture
def make_dossier(place):
    counter = {"n": 0}

    def _make(**extra):
        counter["n"] += 1
        fields = {
            "code": f"HS-261123-{counter['n']:04d}",
            "procedure": place["procedure"],
            "agency": place["agency"],
            "service_form": "both",
            "channel": "counter",
            "status": "in_handover",
            "office": place["tree"]["po_a"],
            "received_at": T0,
            "applicant_name": "Nguyễn Thị Hoa",
            "applicant_id_number": ID_NUMBER,
            "applicant_phone": PHONE,
            "applicant_email": EMAIL,
            "appointment_date": date(2026, 12, 7),
            "agency_number": f"TTHCC-261123-{6 + counter['n']:04d}",
        }
        fields.update(extra)
        return Dossier.objects.create(**fields)

    return _make


def record_event(dossier, status, occurred_at=T0, previous=""):
    """What the dossier services do: move the cached status, append the event."""
    Dossier.objects.filter(pk=dossier.pk).update(status=status)
    return DossierEvent.objects.create(
        dossier=dossier,
        status=status,
        previous_status=previous or dossier.status,
        occurred_at=occurred_at,
    )
