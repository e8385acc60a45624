"""COD statements API: partner keys see their own senders' statements, staff their offices'."""

import io
import uuid
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from postops.accounts.services import api_key_create
from postops.cod import services
from postops.core.models import AuditEntry


def _bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def statements(make_item, postman, supervisor, offices):
    """Two senders with one paid statement each."""
    batches = []
    for n, phone in enumerate(("0912345678", "0987000111")):
        item = make_item(cod_amount=350000 + n, sender_phone=phone, sender_name=f"Shop {n}")
        services.cod_collection_record(
            item, item.cod_amount, postman, item.accepted_at + timedelta(hours=2), uuid.uuid4()
        )
        services.cod_handover_confirm(
            actor=supervisor,
            office=offices["delivery"],
            postman=postman,
            reference=f"HO-{n}",
            counted_amount=item.cod_amount,
        )
        batch = services.remittance_batch_create(
            actor=supervisor, sender=item.cod_collection.sender
        ).batch
        services.remittance_mark_paid(actor=supervisor, batch=batch, bank_reference=f"FT{n}")
        batch.refresh_from_db()
        batches.append(batch)
    return batches


@pytest.fixture
def partner(statements, supervisor):
    key, raw = api_key_create(None, name="Shop 0 system", role="partner")
    services.cod_sender_link_key(actor=supervisor, sender=statements[0].sender, key=key)
    return raw


def test_partner_key_lists_only_its_senders_statements(client, statements, partner):
    response = client.get("/api/v1/cod/statements", **_bearer(partner))
    assert response.status_code == 200
    body = response.json()
    batch = statements[0]
    assert body == {
        "results": [
            {
                "id": batch.pk,
                "number": batch.number,
                "sender_code": batch.sender.code,
                "sender_name": "Shop 0",
                "office_code": "240000",
                "state": "paid",
                "items_count": 1,
                "cod_total": 350000,
                "fee_total": 0,
                "charges_total": 0,
                "net_amount": 350000,
                "created_at": body["results"][0]["created_at"],
                "paid_at": body["results"][0]["paid_at"],
                "bank_reference": "FT0",
                "reconciled_at": None,
                "difference": None,
            }
        ],
        "next_cursor": None,
    }
    other = statements[1]
    missing = client.get(f"/api/v1/cod/statements/{other.pk}", **_bearer(partner))
    assert missing.status_code == 404
    assert missing.json()["code"] == "statement_not_found"
    assert AuditEntry.objects.filter(action="cod.sender_link_key").count() == 1


def test_partner_reads_one_statement_with_lines_and_files(client, statements, partner):
    batch = statements[0]
    item = batch.lines.get().item
    detail = client.get(f"/api/v1/cod/statements/{batch.pk}", **_bearer(partner)).json()
    assert detail["lines"] == [
        {
            "number": item.number,
            "kind": "collection",
            "collected_at": detail["lines"][0]["collected_at"],
            "cod_amount": 350000,
            "fee": 0,
            "charge": 0,
            "net": 350000,
        }
    ]
    pdf = client.get(f"/api/v1/cod/statements/{batch.pk}/statement.pdf", **_bearer(partner))
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert pdf.content.startswith(b"%PDF")
    xlsx = client.get(f"/api/v1/cod/statements/{batch.pk}/statement.xlsx", **_bearer(partner))
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    assert ws["B2"].value == batch.number


def test_unlinked_partner_sees_nothing_and_other_roles_are_refused(client, statements):
    _key, raw = api_key_create(None, name="Other shop", role="partner")
    assert client.get("/api/v1/cod/statements", **_bearer(raw)).json()["results"] == []
    _key, clerk_raw = api_key_create(None, name="Counter", role="clerk")
    refused = client.get("/api/v1/cod/statements", **_bearer(clerk_raw))
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    assert client.get("/api/v1/cod/statements").status_code == 401


def test_staff_session_sees_its_offices_newest_first_with_a_cursor(
    client, statements, supervisor, verified_client
):
    staff = verified_client(supervisor)
    first = staff.get("/api/v1/cod/statements?limit=1").json()
    assert [r["id"] for r in first["results"]] == [statements[1].pk]
    second = staff.get(f"/api/v1/cod/statements?limit=1&cursor={first['next_cursor']}").json()
    assert ([r["id"] for r in second["results"]], second["next_cursor"]) == (
        [statements[0].pk],
        None,
    )
    assert staff.get("/api/v1/cod/statements?state=reconciled").json()["results"] == []


def test_only_partner_keys_can_be_linked(statements, supervisor):
    key, _raw = api_key_create(None, name="Counter", role="clerk")
    with pytest.raises(services.CodError) as exc:
        services.cod_sender_link_key(actor=supervisor, sender=statements[0].sender, key=key)
    assert exc.value.code == "not_a_partner_key"


def test_link_a_key_on_the_sender_page(statements, supervisor, verified_client):
    key, _raw = api_key_create(None, name="Shop system", role="partner")
    client = verified_client(supervisor)
    sender = statements[0].sender
    wrong = client.post(f"/cod/senders/{sender.pk}/keys/", {"prefix": "nope"})
    assert wrong.status_code == 422
    assert wrong.context["key_form"].errors == {
        "prefix": ["Không có khóa API đang dùng với tiền tố này."]
    }
    ok = client.post(f"/cod/senders/{sender.pk}/keys/", {"prefix": key.prefix})
    assert ok.status_code == 302
    assert list(sender.api_keys.all()) == [key]
    client.post(f"/cod/senders/{sender.pk}/keys/", {"prefix": key.prefix, "unlink": "1"})
    assert list(sender.api_keys.all()) == []
