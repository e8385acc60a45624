"""Intake under concurrency on a real PostgreSQL: a double (or eightfold) submit makes one
dossier, and parallel intakes get distinct, gapless codes. SQLite serialises writers, so
these races only exist on PostgreSQL; the tests are skipped elsewhere."""

import importlib
import threading

import pytest
from django.apps import apps
from django.db import connection

from postops.dossiers.models import DailySequence, Dossier
from postops.dossiers.services import dossier_intake
from postops.items.models import Item

from . import helpers

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row-level races need PostgreSQL"),
]

THREADS = 8


def _load_migration_data():
    from postops.network.models import Commune
    from postops.network.services import admin_units_load

    if not Commune.objects.exists():
        admin_units_load()
    seed = importlib.import_module("postops.dossiers.migrations.0003_leg_standards_circular_17")
    seed.seed(apps, None)


@pytest.fixture(autouse=True)
def _migration_data(transactional_db):
    """The flush after a transactional test wipes rows that migrations loaded
    (administrative units, end-to-end time standards): load them before each test."""
    _load_migration_data()


@pytest.fixture(autouse=True, scope="module")
def _migration_data_for_later_tests(django_db_blocker):
    """…and once more after the module's last flush, for the tests that follow."""
    yield
    if connection.vendor == "postgresql":
        with django_db_blocker.unblock():
            _load_migration_data()


def run_in_threads(target):
    barrier = threading.Barrier(THREADS)
    results: list = [None] * THREADS
    errors: list = []

    def worker(i):
        try:
            barrier.wait()
            results[i] = target(i)
        except Exception as exc:  # reported in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


@pytest.fixture
def counter(make_user):
    tree = helpers.office_tree()
    centre = helpers.agency()
    helpers.dossier_items_setup([tree["po_a"]])
    clerk = make_user("clerk", offices=[tree["po_a"]])
    proc = helpers.procedure(centre)
    docs = {d.pk: d.kind for d in proc.documents.all()}

    def take(key):
        return dossier_intake(
            clerk,
            office=tree["po_a"],
            procedure=proc,
            service_form="send",
            applicant=helpers.applicant(),
            documents=docs,
            seal_number="NP-1",
            weight_g=200,
            idempotency_key=key,
        )

    return take


def test_many_submits_of_one_form_make_one_dossier(counter):
    results = run_in_threads(lambda i: counter("same-form"))
    assert len({r.dossier.pk for r in results}) == 1
    assert sorted(r.created for r in results) == [False] * (THREADS - 1) + [True]
    assert Dossier.objects.count() == 1
    assert Item.objects.count() == 1


def test_parallel_intakes_get_distinct_gapless_codes(counter):
    results = run_in_threads(lambda i: counter(f"form-{i}"))
    codes = sorted(r.dossier.code for r in results)
    assert [c[-5:] for c in codes] == [f"{n:05d}" for n in range(1, THREADS + 1)]
    assert len({r.dossier.outbound_item.number for r in results}) == THREADS
    assert DailySequence.objects.get().last == THREADS
