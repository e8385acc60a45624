import re
from datetime import date

import pytest

from postops.core.models import AuditEntry
from postops.payouts.models import Payout, PayoutReversal, Proxy


@pytest.fixture
def teller_client(client, teller):
    client.force_login(teller)
    return client


def _key(html: str) -> str:
    return re.search(r'name="idempotency_key" value="([0-9a-f]+)"', html)[1]


def test_search_by_name_without_diacritics(teller_client, paying_line):
    response = teller_client.get("/payouts/", {"q": "nguyen thi hoa"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nguyễn Thị Hoa" in html
    assert "3.400.000 ₫" in html
    assert f"/payouts/lines/{paying_line.pk}/" in html
    assert AuditEntry.objects.filter(action="payouts.payrollline.read").count() == 1


@pytest.mark.parametrize("query", ["LS0001", "ls0001", "020150001234", "0201 5000 1234", "hoa"])
def test_search_by_code_id_or_part_of_name(teller_client, paying_line, query):
    html = teller_client.get("/payouts/", {"q": query}).content.decode()
    assert f"/payouts/lines/{paying_line.pk}/" in html


def test_search_finds_nothing_outside_scope(client, make_user, network, paying_line):
    client.force_login(make_user("teller", offices=[network["other_office"]]))
    html = client.get("/payouts/", {"q": "hoa"}).content.decode()
    assert f"/payouts/lines/{paying_line.pk}/" not in html
    assert "Không tìm thấy" in html


def test_search_ignores_periods_not_being_paid(teller_client, line):
    html = teller_client.get("/payouts/", {"q": "hoa"}).content.decode()
    assert f"/payouts/lines/{line.pk}/" not in html


def test_search_htmx_partial(teller_client, paying_line):
    response = teller_client.get(
        "/payouts/", {"q": "hoa"}, headers={"HX-Request": "true", "HX-Target": "line-results"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="line-results">')
    assert "<html" not in html


def test_pages_need_a_paying_role(client, make_user, network, paying_line):
    client.force_login(make_user("clerk", offices=[network["post_office"]]))
    assert client.get("/payouts/").status_code == 403
    assert client.get(f"/payouts/lines/{paying_line.pk}/").status_code == 403


def test_anonymous_redirected_to_login(client, paying_line):
    response = client.get("/payouts/")
    assert response.status_code == 302
    assert "/accounts/" in response["Location"]


def test_pay_page_masks_id_and_shows_amount(teller_client, paying_line):
    html = teller_client.get(f"/payouts/lines/{paying_line.pk}/").content.decode()
    assert "020*******34" in html
    assert "020150001234" not in html
    assert "3.400.000 ₫" in html
    assert 'type="hidden" name="idempotency_key"' in html
    assert "<script>" not in html and "style=" not in html


def test_pay_then_double_submit_pays_once(teller_client, paying_line):
    url = f"/payouts/lines/{paying_line.pk}/"
    key = _key(teller_client.get(url).content.decode())
    form = {
        "receiver": "self",
        "id_document_type": "cccd",
        "id_document_number": "020150001234",
        "idempotency_key": key,
    }
    first = teller_client.post(url, form)
    second = teller_client.post(url, form)
    payout = Payout.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/payouts/receipts/{payout.pk}/"
    receipt = teller_client.get(first["Location"]).content.decode()
    assert "201001-2026-000001" in receipt
    assert "3.400.000 ₫" in receipt


def test_paid_line_redirects_to_receipt(teller_client, paying_line):
    url = f"/payouts/lines/{paying_line.pk}/"
    key = _key(teller_client.get(url).content.decode())
    teller_client.post(
        url,
        {
            "receiver": "self",
            "id_document_type": "cccd",
            "id_document_number": "020150001234",
            "idempotency_key": key,
        },
    )
    response = teller_client.get(url)
    assert response.status_code == 302
    # Another tab with an older page (another key) is told the line is paid.
    other = teller_client.post(
        url,
        {
            "receiver": "self",
            "id_document_type": "cccd",
            "id_document_number": "020150001234",
            "idempotency_key": "other-tab",
        },
    )
    assert other.status_code == 302
    assert Payout.objects.count() == 1


def test_identity_mismatch_shows_field_error(teller_client, paying_line):
    url = f"/payouts/lines/{paying_line.pk}/"
    response = teller_client.post(
        url,
        {
            "receiver": "self",
            "id_document_type": "cccd",
            "id_document_number": "020150009999",
            "idempotency_key": "abc",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Giấy tờ tùy thân không khớp với hồ sơ." in html
    assert 'class="field has-error"' in html
    assert Payout.objects.count() == 0


def test_missing_document_number_is_a_field_error(teller_client, paying_line):
    response = teller_client.post(
        f"/payouts/lines/{paying_line.pk}/",
        {"receiver": "self", "id_document_type": "cccd", "idempotency_key": "abc"},
    )
    assert "Nhập số giấy tờ người nhận xuất trình." in response.content.decode()


def test_proxy_choice_offered_and_used(teller_client, paying_line):
    from django.utils import timezone

    today = timezone.localdate()
    proxy = Proxy.objects.create(
        beneficiary=paying_line.beneficiary,
        full_name="Trần Văn Bình",
        id_number="020080001111",
        authorisation_number="UQ-7",
        valid_from=date(today.year, 1, 1),
        valid_to=date(today.year, 12, 31),
        certified=True,
    )
    url = f"/payouts/lines/{paying_line.pk}/"
    html = teller_client.get(url).content.decode()
    assert "Trần Văn Bình" in html
    teller_client.post(
        url,
        {
            "receiver": f"proxy:{proxy.pk}",
            "id_document_type": "cccd",
            "id_document_number": "020080001111",
            "idempotency_key": "p1",
        },
    )
    assert Payout.objects.get().proxy == proxy


def test_supervisor_reverses_with_reason(
    teller_client, paying_line, make_user, network, verified_client
):
    url = f"/payouts/lines/{paying_line.pk}/"
    teller_client.post(
        url,
        {
            "receiver": "self",
            "id_document_type": "cccd",
            "id_document_number": "020150001234",
            "idempotency_key": "k",
        },
    )
    payout = Payout.objects.get()
    supervisor = make_user("supervisor", offices=[network["post_office"]])
    client = verified_client(supervisor)
    receipt = client.get(f"/payouts/receipts/{payout.pk}/").content.decode()
    assert "Hủy lượt chi" in receipt
    empty = client.post(f"/payouts/receipts/{payout.pk}/reverse/", {"reason": ""})
    assert empty.status_code == 422
    assert "Phải ghi lý do hủy lượt chi." in empty.content.decode()
    done = client.post(f"/payouts/receipts/{payout.pk}/reverse/", {"reason": "Chi nhầm"})
    assert done.status_code == 302
    assert PayoutReversal.objects.get().reason == "Chi nhầm"


def test_teller_cannot_reverse(teller_client, paying_line):
    url = f"/payouts/lines/{paying_line.pk}/"
    teller_client.post(
        url,
        {
            "receiver": "self",
            "id_document_type": "cccd",
            "id_document_number": "020150001234",
            "idempotency_key": "k",
        },
    )
    payout = Payout.objects.get()
    assert (
        "Hủy lượt chi" not in teller_client.get(f"/payouts/receipts/{payout.pk}/").content.decode()
    )
    response = teller_client.post(f"/payouts/receipts/{payout.pk}/reverse/", {"reason": "x"})
    assert response.status_code == 403
    assert PayoutReversal.objects.count() == 0


def test_receipt_of_other_scope_is_404(client, make_user, network, paying_line, teller):
    from postops.payouts import services

    payout, _ = services.payout_record(
        teller,
        line_id=paying_line.pk,
        idempotency_key="k",
        receiver="self",
        id_document_type="cccd",
        id_document_number="020150001234",
    )
    client.force_login(make_user("teller", offices=[network["other_office"]]))
    assert client.get(f"/payouts/receipts/{payout.pk}/").status_code == 404


def test_start_page_links_to_payouts_for_tellers(teller_client, paying_line):
    html = teller_client.get("/").content.decode()
    assert 'href="/payouts/"' in html
