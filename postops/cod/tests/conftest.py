"""Fixtures of the COD app: the items app's offices and prefixes, a sender with COD items."""
# ruff: noqa: F811 (the imported fixtures are requested by name below)

from datetime import UTC, datetime, timedelta

import pytest

from postops.items.tests.conftest import (  # noqa: F401 (fixtures reused)
    RECEIVER,
    accept_kwargs,
    blocks,
    codes,
    indicators,
    make_office,
    offices,
)

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def postman(make_user, offices):
    return make_user("postman", offices=[offices["delivery"]], full_name="Hoàng Văn Phát")


@pytest.fixture
def supervisor(make_user, offices):
    return make_user("supervisor", offices=[offices["delivery"], offices["origin"]])


@pytest.fixture
def make_item(blocks, accept_kwargs, offices):
    """Accept a COD item at the origin office, scanned to the delivery office."""
    from postops.items.services import event_record, item_accept

    counter = {"n": 0}

    def _make(cod_amount=350000, fee=42000, when=T0, arrive=True, **overrides):
        counter["n"] += 1
        item = item_accept(
            actor=None,
            accepted_at=when,
            **{**accept_kwargs, "cod_amount": cod_amount, "fee": fee, **overrides},
        ).item
        if arrive:
            event_record(
                actor=None,
                item=item,
                code="delivery_office_arrival",
                office=offices["delivery"],
                occurred_at=when + timedelta(hours=1),
            )
            item.refresh_from_db()
        return item

    return _make
