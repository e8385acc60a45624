"""Services of the items API for business senders (issue #3, item 4).

* :func:`idempotent_call` runs a write request once per (caller, ``Idempotency-Key``) and
  stores its answer in the same transaction (Stripe's rules: a replay returns the first
  status and body; the key with another body or endpoint is refused; a request refused by
  validation stores nothing, so it may be fixed and sent again with the same key).
* :func:`item_submit` turns one API item into ``services.item_accept``: the office from the
  key's offices, legacy addresses converted offline (refused with the candidates when the
  old commune was split), errors as API details.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from postops.network.address import SCHEME_2025, Address, AddressError
from postops.network.models import Office
from postops.network.selectors import address_convert_legacy

from . import selectors, services
from .models import ApiIdempotencyRecord, Item

# issue #3, item 4: "POST /api/v1/items/batch (up to 1,000)".
MAX_BATCH_ITEMS = 1000
MAX_KEY_LENGTH = 200


class IdempotencyKeyReused(Exception):
    """The key was used before for another request (other body or other endpoint)."""

    def __init__(self, record: ApiIdempotencyRecord):
        super().__init__(f"idempotency key used before on {record.endpoint}")
        self.record = record


def idempotency_scope(actor) -> str:
    from postops.accounts.models import ApiKey

    return f"key:{actor.pk}" if isinstance(actor, ApiKey) else f"user:{actor.pk}"


def request_digest(body) -> str:
    """SHA-256 of the request's parsed body in canonical JSON (key order and spacing do not
    make two requests different)."""
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(record: ApiIdempotencyRecord, endpoint: str, digest: str) -> tuple[int, dict, bool]:
    if record.endpoint != endpoint or record.request_hash != digest:
        raise IdempotencyKeyReused(record)
    return record.status_code, record.response, True


def idempotent_call(
    *, actor, key: str, endpoint: str, body, run: Callable[[], tuple[int, dict]]
) -> tuple[int, dict, bool]:
    """``(status, response, replayed)``: the stored answer for (caller, ``key``), or
    ``run()``'s answer stored with it.

    One transaction: the record is inserted first, so a concurrent request with the same key
    waits on the unique index (PostgreSQL) until this one commits and then replays its
    answer, or runs itself if this one rolled back. An exception from ``run`` rolls back
    both the work and the record.
    """
    scope = idempotency_scope(actor)
    digest = request_digest(body)
    with transaction.atomic():
        record = ApiIdempotencyRecord.objects.filter(scope=scope, key=key).first()
        if record is not None:
            return _replay(record, endpoint, digest)
        try:
            with transaction.atomic():
                record = ApiIdempotencyRecord.objects.create(
                    scope=scope, key=key, endpoint=endpoint, request_hash=digest
                )
        except IntegrityError:
            record = ApiIdempotencyRecord.objects.get(scope=scope, key=key)
            return _replay(record, endpoint, digest)
        status, response = run()
        record.status_code, record.response = status, response
        record.save(update_fields=["status_code", "response"])
    return status, response, False


# --- One item ------------------------------------------------------------------------------


@dataclass
class SubmitError(Exception):
    """An item the API refuses: HTTP ``status``, stable ``code``, ``details``."""

    status: int
    code: str
    message: str
    details: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "details": self.details}


# ``services.item_accept`` error keys → the field of the API body.
FIELD_PATHS = {
    "number": "number",
    "prefix": "service_prefix",
    "sender_name": "sender.name",
    "sender_commune_code": "sender.address.commune_code",
    "sender_street": "sender.address.street",
    "sender_scheme": "sender.address.scheme",
    "receiver_name": "receiver.name",
    "receiver_commune_code": "receiver.address.commune_code",
    "receiver_street": "receiver.address.street",
    "receiver_scheme": "receiver.address.scheme",
    "weight_g": "weight_g",
    "cod_amount": "cod_amount",
    "declared_value": "declared_value",
    "advice_of_delivery": "advice_of_delivery",
    "fee": "",
}


def resolve_office(actor, office_code: str) -> Office:
    """The accepting office: ``office_code``, or the caller's only assigned office."""
    if office_code:
        office = selectors.cached(
            ("office", office_code),
            lambda: Office.objects.filter(code=office_code, is_active=True).first(),
        )
        if office is None:
            raise SubmitError(
                422,
                "unknown_office",
                "No active office has this code.",
                [{"field": "office_code", "message": "Unknown office code."}],
            )
        return office
    assigned = selectors.cached(
        ("assigned_offices", type(actor).__name__, actor.pk),
        lambda: list(actor.offices.filter(is_active=True)[:2]),
    )
    if len(assigned) != 1:
        raise SubmitError(
            422,
            "office_required",
            "This key works at several offices (or none): send office_code.",
            [{"field": "office_code", "message": "Required for this key."}],
        )
    return assigned[0]


def _address(raw: dict | None, path: str, *, required: bool) -> Address | None:
    """An API address as a 2025 address: legacy ones converted when the old commune went
    whole into one new commune; refused with the candidates when it was split."""
    if not raw:
        if required:
            raise SubmitError(
                422,
                "validation_error",
                "The item is not valid.",
                [{"field": f"{path}.commune_code", "message": "An address is required."}],
            )
        return None
    try:
        addr = Address.build(
            raw.get("commune_code", ""),
            raw.get("street", ""),
            raw.get("scheme") or SCHEME_2025,
            raw.get("raw") or None,
        )
    except AddressError as exc:
        raise SubmitError(
            422,
            "validation_error",
            "The item is not valid.",
            [
                {"field": f"{path}.{name}", "message": message}
                for name, messages in exc.errors.items()
                for message in messages
            ],
        ) from None
    if not addr.is_legacy:
        return addr
    conversion = address_convert_legacy(addr)
    if conversion.needs_confirmation:
        raise SubmitError(
            422,
            "address_needs_confirmation",
            "The legacy commune was split or is unknown: send the 2025 commune code.",
            [
                {
                    "field": f"{path}.commune_code",
                    "message": "Choose one of the candidates.",
                    "candidates": [
                        {"commune_code": c.code, "name": c.name, "province": c.province.name}
                        for c in conversion.candidates
                    ],
                }
            ],
        )
    return conversion.address


def item_submit(*, actor, data: dict, request=None) -> Item:
    """Accept one item sent through the API (``data``: the ``ItemIn`` body as a dict).
    Raises :class:`SubmitError`."""
    from postops.accounts.models import ApiKey

    office = resolve_office(actor, data.get("office_code") or "")
    sender, receiver = data.get("sender") or {}, data.get("receiver") or {}
    sender_address = _address(sender.get("address"), "sender.address", required=False)
    receiver_address = _address(receiver.get("address"), "receiver.address", required=True)
    try:
        result = services.item_accept(
            actor=actor,
            office=office,
            number=data.get("number") or "",
            prefix=data.get("service_prefix") or "",
            sender_name=sender.get("name") or "",
            sender_phone=_digits(sender.get("phone") or ""),
            sender_address=sender_address,
            receiver_name=receiver.get("name") or "",
            receiver_phone=_digits(receiver.get("phone") or ""),
            receiver_address=receiver_address,
            weight_g=data.get("weight_g"),
            contents=data.get("contents") or "",
            cod_amount=data.get("cod_amount") or 0,
            declared_value=data.get("declared_value") or 0,
            advice_of_delivery=bool(data.get("advice_of_delivery")),
            sender_key=actor if isinstance(actor, ApiKey) else None,
            sender_reference=data.get("reference") or "",
            request=request,
        )
    except PermissionDenied:
        raise SubmitError(
            403,
            "office_out_of_scope",
            "This key may not accept items at this office.",
            [{"field": "office_code", "message": "Out of the key's offices."}],
        ) from None
    except ValidationError as exc:
        raise SubmitError(
            422,
            "validation_error",
            "The item is not valid.",
            [
                {"field": FIELD_PATHS.get(name, name), "message": message}
                for name, messages in exc.message_dict.items()
                for message in messages
            ],
        ) from None
    return result.item


def _digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())


def items_submit_batch(
    *, actor, items: list[dict], request=None
) -> list[tuple[Item | None, SubmitError | None]]:
    """Accept up to :data:`MAX_BATCH_ITEMS` items, each on its own (a refused item does not
    stop the others; each stored item is in its own savepoint)."""
    results = []
    with selectors.memoized():
        for data in items:
            try:
                with transaction.atomic():
                    results.append((item_submit(actor=actor, data=data, request=request), None))
            except SubmitError as exc:
                results.append((None, exc))
    return results
