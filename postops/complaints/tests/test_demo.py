"""Demo complaints: seeded once, a repeat changes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from postops.complaints.demo import seed_complaints
from postops.complaints.models import Complaint, Incident

from . import factories as f


@pytest.mark.django_db
def test_seed_complaints_is_idempotent():
    w = f.world()
    for _ in range(3):
        f.item(w["po_a"], fee=30_000)
    f.dossier(w["po_a"], w["agency"], w["procedure"], code="HS-260105-00001")
    codes = seed_complaints(w["province"])
    assert len(codes) == 4
    assert seed_complaints(w["province"]) == codes
    assert Complaint.objects.count() == 4
    by_token = {c.submit_token: c for c in Complaint.objects.all()}
    today = timezone.localdate()
    assert by_token["demo-complaint-1"].is_overdue(today)
    paid = by_token["demo-complaint-3"]
    assert (paid.status, paid.compensation_amount, paid.paid_on) == (
        "compensated",
        120_000,
        today - timedelta(days=20),
    )
    assert by_token["demo-complaint-4"].outcome == "rejected"
    assert sorted(Incident.objects.values_list("kind", flat=True)) == ["loss", "safety"]
