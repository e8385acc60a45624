"""Cash per point or teller per day: append-only movements, paid out from payouts, variance
sign-off by a supervisor, no closing with an unexplained variance (issue #5, item 8)."""

from datetime import date

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from postops.core.models import AuditEntry
from postops.payouts import rules, selectors, services
from postops.payouts.errors import (
    CashDayCannotClose,
    CashDayClosed,
    NotAllowed,
    OutOfScope,
)
from postops.payouts.models import CashDay, CashMovement, PayoutReversal

money = st.integers(min_value=0, max_value=10**12)


@given(money, money, money, st.one_of(st.none(), money))
def test_figures_and_closing_rule(advanced, paid_out, returned, counted):
    figures = rules.CashFigures(advanced, paid_out, returned, counted)
    assert figures.expected == advanced - paid_out - returned
    if counted is None:
        assert figures.variance is None
        assert rules.cash_day_can_close(figures, None) == (False, "not_counted")
        return
    variance = counted - figures.expected
    assert figures.variance == variance
    if variance == 0:
        assert rules.cash_day_can_close(figures, None) == (True, "")
    else:
        assert rules.cash_day_can_close(figures, None) == (False, "variance_unexplained")
        assert rules.cash_day_can_close(figures, variance + 1) == (False, "variance_unexplained")
        assert rules.cash_day_can_close(figures, variance) == (True, "")


@pytest.fixture
def supervisor(make_user, network):
    return make_user("supervisor", offices=[network["post_office"]])


def _pay(teller, line, key="k1"):
    payout, _ = services.payout_record(
        teller,
        line_id=line.pk,
        idempotency_key=key,
        receiver="self",
        id_document_type="cccd",
        id_document_number="020150001234",
    )
    return payout


def test_paid_out_comes_from_payouts_and_the_day_closes(teller, supervisor, paying_line, network):
    today = timezone.localdate()
    book = services.cash_day_open(teller, network["point"], today, teller=teller)
    assert services.cash_day_open(teller, network["point"], today, teller=teller) == book
    services.cash_movement_record(teller, book, "advance", 10_000_000)
    _pay(teller, paying_line)
    figures = selectors.cash_day_figures(book)
    assert (figures.advanced, figures.paid_out, figures.expected) == (
        10_000_000,
        3_400_000,
        6_600_000,
    )
    with pytest.raises(CashDayCannotClose) as info:
        services.cash_day_close(teller, book)
    assert info.value.details == {"reason": "not_counted"}
    services.cash_movement_record(teller, book, "return", 6_000_000)
    services.cash_movement_record(teller, book, "count", 600_000)
    closed = services.cash_day_close(teller, book)
    assert (closed.status, closed.closed_paid_out, closed.closed_variance) == (
        "closed",
        3_400_000,
        0,
    )
    with pytest.raises(CashDayClosed):
        services.cash_movement_record(teller, book, "advance", 1)
    assert AuditEntry.objects.filter(action="payouts.cash_day_close").count() == 1


def test_variance_needs_a_supervisors_sign_off_of_that_amount(teller, supervisor, network):
    book = services.cash_day_open(teller, network["point"], date(2026, 3, 5), teller=teller)
    services.cash_movement_record(teller, book, "advance", 5_000_000)
    services.cash_movement_record(teller, book, "count", 4_950_000)
    with pytest.raises(CashDayCannotClose) as info:
        services.cash_day_close(teller, book)
    assert info.value.details == {"reason": "variance_unexplained"}
    with pytest.raises(NotAllowed):
        services.cash_variance_sign_off(teller, book, "thiếu")  # not a supervisor
    signoff = services.cash_variance_sign_off(supervisor, book, "Trả nhầm tiền lẻ, đã lập biên bản")
    assert signoff.variance == -50_000
    # A new count moves the variance: the old sign-off no longer covers it.
    services.cash_movement_record(teller, book, "count", 4_900_000)
    with pytest.raises(CashDayCannotClose):
        services.cash_day_close(teller, book)
    services.cash_variance_sign_off(supervisor, book, "Đếm lại: thiếu 100.000")
    closed = services.cash_day_close(supervisor, book)
    assert (closed.closed_counted, closed.closed_variance) == (4_900_000, -100_000)


def test_supervisor_cannot_sign_off_their_own_book(supervisor, network):
    book = services.cash_day_open(supervisor, network["point"], date(2026, 3, 5), teller=supervisor)
    services.cash_movement_record(supervisor, book, "count", 1)
    with pytest.raises(NotAllowed):
        services.cash_variance_sign_off(supervisor, book, "x")


def test_closed_point_book_stops_payouts_there(teller, supervisor, paying_line, network):
    from postops.payouts.errors import CashDayClosed as Closed

    book = services.cash_day_open(supervisor, network["point"], timezone.localdate())
    services.cash_movement_record(supervisor, book, "count", 0)
    services.cash_day_close(supervisor, book)
    with pytest.raises(Closed):
        _pay(teller, paying_line)


def test_reversed_payout_is_not_paid_out(teller, supervisor, paying_line, network):
    book = services.cash_day_open(teller, network["point"], timezone.localdate(), teller=teller)
    payout = _pay(teller, paying_line)
    services.payout_reverse(supervisor, payout, "nhầm người")
    assert PayoutReversal.objects.count() == 1
    assert selectors.cash_day_figures(book).paid_out == 0


def test_movements_are_append_only(teller, network):
    book = services.cash_day_open(teller, network["point"], date(2026, 3, 5), teller=teller)
    movement = services.cash_movement_record(teller, book, "advance", 100)
    with pytest.raises(PermissionError):
        movement.save()
    with pytest.raises(PermissionError):
        movement.delete()
    assert CashMovement.objects.count() == 1


def test_scope_and_other_tellers(make_user, teller, network):
    outsider = make_user("teller", offices=[network["other_office"]])
    with pytest.raises(OutOfScope):
        services.cash_day_open(outsider, network["point"], date(2026, 3, 5))
    colleague = make_user("teller", offices=[network["post_office"]])
    with pytest.raises(NotAllowed):
        services.cash_day_open(colleague, network["point"], date(2026, 3, 5), teller=teller)


def test_cash_pages(client, teller, supervisor, network, verified_client):
    client.force_login(teller)
    html = client.get("/payouts/cash/", {"day": "2026-03-05"}).content.decode()
    assert "Sổ quỹ chi trả ngày 05/03/2026" in html
    response = client.post(
        "/payouts/cash/",
        {"office": network["point"].pk, "whose": "me", "day": "2026-03-05"},
    )
    book = CashDay.objects.get()
    assert response["Location"] == f"/payouts/cash/{book.pk}/"
    assert (book.teller, book.day) == (teller, date(2026, 3, 5))
    url = f"/payouts/cash/{book.pk}/"
    bad = client.post(f"{url}movements/", {"kind": "advance", "amount": "3,5"})
    assert bad.status_code == 422
    assert "không có phần thập phân" in bad.content.decode()
    client.post(f"{url}movements/", {"kind": "advance", "amount": "5.000.000"})
    client.post(f"{url}movements/", {"kind": "count", "amount": "4.990.000"})
    html = client.get(url).content.decode()
    assert '<dd data-cash="variance" class="cash-variance">-10.000 ₫</dd>' in html
    assert "Có chênh lệch chưa được giải trình" in html
    assert 'id="cash-close" disabled' in html
    assert "Ký xác nhận" not in html  # a teller cannot sign
    response = client.post(f"{url}close/", follow=True)
    assert (
        "Có chênh lệch chưa được giải trình và giám sát viên ký xác nhận."
        in response.content.decode()
    )

    sup = verified_client(supervisor)
    assert "Ký xác nhận" in sup.get(url).content.decode()
    sup.post(f"{url}sign-off/", {"reason": "Thiếu 10.000 do trả nhầm"})
    sup.post(f"{url}close/")
    book.refresh_from_db()
    assert (book.status, book.closed_by, book.closed_variance) == ("closed", supervisor, -10_000)
