"""Search by name without diacritics on PostgreSQL uses the pg_trgm index (issue #5)."""

import pytest
from django.db import connection

from postops.payouts import selectors
from postops.payouts.models import Beneficiary

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm is PostgreSQL's")

ROWS = 100_000


@pytest.fixture
def hundred_thousand_people(network, programme):
    """100,000 people written by one INSERT … SELECT (fast), then ANALYZE so the planner
    knows the table's size, as after a real payroll import."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO payouts_beneficiary
                (programme_id, code, full_name, search_name, id_number, passport_number,
                 address, village, commune_id, is_suspended, sex, created_at, updated_at)
            SELECT %s, 'P' || n, 'Người ' || n, 'nguoi thu ' || n || ' van ' || (n %% 977),
                   lpad(n::text, 12, '0'), '', '', '', %s, false, 'M', now(), now()
            FROM generate_series(1, %s) AS n
            """,
            [programme.pk, network["commune"].pk, ROWS],
        )
        cursor.execute("ANALYZE payouts_beneficiary")


def test_substring_search_on_the_folded_name_uses_the_trigram_index(
    hundred_thousand_people, make_user, network
):
    assert Beneficiary.objects.count() == ROWS
    query = Beneficiary.objects.filter(search_name__contains="thu 4242 van")
    plan = query.explain()
    assert "payouts_beneficiary_search_name_trgm" in plan, plan
    assert "Seq Scan" not in plan, plan
    assert [b.code for b in query] == ["P4242"]
    # The teller's search goes through the same lookup, word by word.
    teller = make_user("supervisor", offices=[network["root"]])
    people = selectors.beneficiaries_for_actor(teller)
    assert (
        "payouts_beneficiary_search_name_trgm"
        in people.filter(search_name__contains="4242").explain()
    )
