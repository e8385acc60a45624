"""Through the real return leg: the postman hands the result to the citizen and the agency
gets exactly one e-mail naming its own dossier number (Circular 17/2017, tracking duty)."""

import pytest
from django.core import mail

from postops.delivery import services as delivery
from postops.dossiers import returns
from postops.dossiers.tests import helpers
from postops.dossiers.tests.test_returns import _deliver, leg  # noqa: F401 (fixture)
from postops.notify import services
from postops.notify.models import Message

from .conftest import AGENCY_EMAIL

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(db):
    return helpers.office_tree()


@pytest.fixture
def centre(db):
    return helpers.agency(email=AGENCY_EMAIL)


def test_result_delivered_to_the_citizen_notifies_the_agency(leg, centre, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path / "media"
    dossier = leg["registered"]()
    collection = returns.collection_open(leg["postman"], office=leg["office"], agency=centre)
    returns.result_collect(leg["postman"], collection, code=dossier.code)
    dossier.refresh_from_db()
    item = dossier.return_item
    delivery.run_sheet_assign(
        actor=leg["supervisor"], office=leg["office"], postman=leg["postman"], numbers=[item.number]
    )
    assert Message.objects.count() == 0  # registration, readiness and collection tell nobody

    assert _deliver(leg, item).outcome == "delivered"

    message = Message.objects.get()
    assert (message.channel, message.recipient, message.template_key) == (
        "email",
        AGENCY_EMAIL,
        "dossier_delivered",
    )
    assert message.context["agency_number"] == "TTHCC-261026-0001"
    assert services.notifications_send_due() == {"sent": 1, "failed": 0, "dead": 0}
    assert "(số hồ sơ của cơ quan TTHCC-261026-0001)" in mail.outbox[0].body
    assert "020190012345" not in mail.outbox[0].body
