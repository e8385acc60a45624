from django.utils import timezone

from postops.core import calendar
from postops.dossiers.tests import helpers as dossier_helpers
from postops.pickups import services


def create(world, actor=None, **extra):
    kwargs = {
        "name": "Lương Thị Mai",
        "phone": "0912 345 678",
        "commune_code": world["po_a"].commune_id,
        "street": "Thôn Nà Pàn",
        "procedure": world["procedure"],
        "preferred_date": calendar.add_working_days(timezone.localdate(), 1),
        "time_window": "morning",
        "note": "",
    }
    kwargs.update(extra)
    return services.pickup_request_create(actor, **kwargs)


def intake_kwargs(world, **extra):
    docs = world["docs"]
    commune = dossier_helpers.commune(0).code
    kwargs = {
        "procedure": world["procedure"],
        "service_form": "both",
        "applicant": dossier_helpers.applicant(),
        "documents": {docs[1]: "original", docs[2]: "copy"},
        "delivery_address": {"commune_code": commune, "street": "Thôn Nà Pàn"},
        "seal_number": "NP-777",
        "weight_g": 300,
    }
    kwargs.update(extra)
    return kwargs
