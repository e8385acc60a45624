import pytest
from django.core.cache import cache

from postops.core import calendar
from postops.dossiers.tests import helpers


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # The public rate limits count in the cache, per client address (127.0.0.1 in tests).
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db, make_user):
    """Two post offices in Lạng Sơn, the dossier items setup, a postal procedure, staff."""
    tree = helpers.office_tree()
    helpers.dossier_items_setup([tree["po_a"], tree["po_b"]])
    centre = helpers.agency()
    proc = helpers.procedure(centre)
    return {
        **tree,
        "procedure": proc,
        "docs": {d.position: d.pk for d in proc.documents.all()},
        "clerk": make_user("clerk", offices=[tree["po_a"]], username="gdv-a"),
        "supervisor": make_user("supervisor", offices=[tree["po_a"]], username="tbc-a"),
        "supervisor_b": make_user("supervisor", offices=[tree["po_b"]], username="tbc-b"),
        "postman": make_user(
            "postman", offices=[tree["po_a"]], username="bt-a", full_name="Hoàng Văn Bưu"
        ),
        "postman_b": make_user("postman", offices=[tree["po_b"]], username="bt-b"),
    }


@pytest.fixture
def next_day():
    from django.utils import timezone

    return calendar.add_working_days(timezone.localdate(), 1)
