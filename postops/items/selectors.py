"""Reads of postal items.

Public tracking (:func:`item_track_many`) is open to anyone with the number, so it returns
only what the issue allows: status, events with office code and name, the receiver's name
masked; never a phone number or an address (issue #3, item 8; Law 91/2025/QH15:
minimisation). One query whatever the number of items asked for.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from django.db import connection
from django.utils import timezone, translation

from postops.core import s10
from postops.core.db import fetch_prepared

from . import rules, tariffs
from .models import (
    DeliveryStandard,
    EventCode,
    Item,
    ItemStatus,
    TariffVersion,
)

# Public lookups per request (issue #3, item 8: "several numbers at once (up to 20)").
MAX_TRACK_NUMBERS = 20


@dataclass(slots=True)
class TrackedEvent:
    code: str
    text: str
    office_code: str
    office_name: str
    occurred_at: datetime


@dataclass(slots=True)
class Tracking:
    number: str
    status: str
    status_text: str
    receiver_name: str
    events: list[TrackedEvent] = field(default_factory=list)


@dataclass
class TrackLookup:
    """The answer for one number asked for: ``tracking`` or an error ``code``."""

    query: str
    number: str
    tracking: Tracking | None = None
    error: str | None = None  # "invalid_item_number" or "item_not_found"


def split_numbers(text: str) -> list[str]:
    """Numbers typed or pasted by a person: separated by commas, semicolons or line breaks.

    Spaces inside one number are allowed (labels print ``EB 125 966 888 VN``); duplicates
    are dropped, the order kept.
    """
    parts = [p for chunk in text.replace(";", ",").splitlines() for p in chunk.split(",")]
    seen: dict[str, None] = {}
    for part in parts:
        if part.strip():
            seen.setdefault(part.strip(), None)
    return list(seen)


# Public tracking reads with one hand-written query: building and compiling the equivalent
# ORM query (three joins and a reason-label subquery) took about 40 % of the request's CPU
# on the busiest public endpoint (docs/benchmarks.md). ``LEFT JOIN`` from the item keeps an
# item without events. Office codes and names and the reason labels come from per-process
# caches (:class:`_TableCache`), not joins: both tables change seldom, and the joins cost
# PostgreSQL more to plan than the lookup costs to run.
_TRACK_SQL = """
    SELECT i.number, s.status, i.receiver_name, e.code, e.occurred_at, e.reason_code,
        e.office_id
    FROM items_item i
    JOIN items_itemstate s ON s.item_id = i.id
    LEFT JOIN items_trackingevent e ON e.item_id = i.id
    WHERE i.number {match}
    ORDER BY e.occurred_at DESC, e.id DESC
"""
# On PostgreSQL the statement is prepared on the connection at its first use (server-side
# binding, ``prepare=True``; Django's own cursors bind on the client and never prepare): each
# later lookup skips PostgreSQL's parse and plan, which cost more than running it
# (docs/benchmarks.md). One number (nearly every lookup) has its own statement, ``= %s``:
# after five runs PostgreSQL keeps a prepared statement's generic plan only if it costs no
# more than the plans made for each run's values, and for ``= ANY(array)`` the generic plan
# assumes ten numbers, so that statement is planned again at every run (about 0.13 ms, three
# times the run itself). Several numbers travel as one array parameter, so that the text is
# the same for any count (:func:`postops.core.db.fetch_prepared`).
_TRACK_SQL_PG_ONE = _TRACK_SQL.format(match="= %s")
_TRACK_SQL_PG_MANY = _TRACK_SQL.format(match="= ANY(%s)")


def _track_rows(numbers: list[str]) -> list[tuple]:
    """Rows of :data:`_TRACK_SQL` for ``numbers``, ``occurred_at`` an aware datetime."""
    if connection.vendor == "postgresql":
        if len(numbers) == 1:
            sql, params = _TRACK_SQL_PG_ONE, numbers
        else:
            sql, params = _TRACK_SQL_PG_MANY, [numbers]
        return fetch_prepared(sql, params)
    with connection.cursor() as cursor:
        cursor.execute(_TRACK_SQL.format(match=f"IN ({', '.join(['%s'] * len(numbers))})"), numbers)
        # SQLite gives naive UTC datetimes (or text); None for an item without events.
        return [(*r[:4], r[4] and _aware(r[4]), *r[5:]) for r in cursor.fetchall()]


class _TableCache:
    """A small table read whole into this process and reused by its requests.

    Reloaded after ``seconds`` (changes made by other processes), when a key is missing
    (at most once per ``MISSING_RELOAD_SECONDS``: a key that is really absent must not
    reload the table at every request), and after :meth:`clear` (a change made in this
    process: receivers of the model's ``post_save``/``post_delete``).
    """

    MISSING_RELOAD_SECONDS = 5

    def __init__(self, load, seconds: int):
        self._load = load  # () -> dict
        self.seconds = seconds
        self._data: dict = {}
        self._loaded_at = float("-inf")

    def current(self) -> dict:
        """The table as loaded, reloaded first if older than ``seconds``: for a loop over
        many keys (:meth:`get` still handles a missing one)."""
        if time.monotonic() - self._loaded_at > self.seconds:
            self._reload()
        return self._data

    def get(self, key, default):
        value = self._data.get(key, _MISSING)
        age = time.monotonic() - self._loaded_at
        if age > self.seconds or (value is _MISSING and age > self.MISSING_RELOAD_SECONDS):
            self._reload()
            value = self._data.get(key, _MISSING)
        return default if value is _MISSING else value

    def _reload(self) -> None:
        self._data = self._load()
        self._loaded_at = time.monotonic()

    def clear(self, **_kwargs) -> None:
        self._data = {}
        self._loaded_at = float("-inf")


_MISSING = object()


def _load_offices() -> dict[int, tuple[str, str]]:
    from postops.network.models import Office

    return {pk: (code, name) for pk, code, name in Office.objects.values_list("pk", "code", "name")}


def _load_reasons() -> dict[str, tuple[str, str]]:
    from .models import CodeList, CodeListEntry

    return {
        code: (label, label_en or label)
        for code, label, label_en in CodeListEntry.objects.filter(list=CodeList.REASON).values_list(
            "code", "label", "label_en"
        )
    }


# office id → (code, name); reason code → (Vietnamese label, English label). Emptied when
# an office or a code-list entry is saved or deleted here, reloaded after
# ``OFFICE_CACHE_SECONDS`` (changes made by other processes).
OFFICE_CACHE_SECONDS = 300
_offices = _TableCache(_load_offices, OFFICE_CACHE_SECONDS)
_reasons = _TableCache(_load_reasons, OFFICE_CACHE_SECONDS)
office_cache_clear = _offices.clear
reason_cache_clear = _reasons.clear


def _office_label(office_id: int) -> tuple[str, str]:
    """(code, name) of an office for public tracking, from the per-process cache."""
    return _offices.get(office_id, ("", ""))


def _reason_label(code: str, language: str) -> str:
    """The label of a non-delivery reason in ``language`` (English falls back to Vietnamese)."""
    labels = _reasons.get(code, None)
    if labels is None:
        return ""
    return labels[1] if language == "en" else labels[0]


def _aware(value) -> datetime:
    """A timestamp from a raw query as an aware datetime (SQLite gives naive UTC or text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)


def item_track_many(queries: list[str]) -> list[TrackLookup]:
    """Public tracking for each of ``queries`` (at most :data:`MAX_TRACK_NUMBERS`), in order.

    A malformed number or a wrong check digit gives ``invalid_item_number``; a valid number
    that is not in the system gives ``item_not_found``. Events newest first; times in the
    local time zone (Asia/Ho_Chi_Minh); a failed delivery's text carries its reason from
    the code list, in the request's language.
    """
    lookups = []
    for query in queries[:MAX_TRACK_NUMBERS]:
        number = s10.normalize(query)
        lookups.append(
            TrackLookup(
                query=query,
                number=number,
                error=None if s10.is_valid(number) else "invalid_item_number",
            )
        )
    wanted = sorted({lk.number for lk in lookups if lk.error is None})
    found: dict[str, Tracking] = {}
    if wanted:
        language = translation.get_language()
        local = timezone.get_current_timezone()  # once, not once per event
        offices = _offices.current()
        for number, status, receiver, code, occurred_at, reason_code, office_id in _track_rows(
            wanted
        ):
            tracking = found.get(number)
            if tracking is None:
                tracking = found[number] = _tracking(number, status, receiver, language)
            if code is None:  # an item without events
                continue
            text = _label(EventCode, code, language)
            if reason_code and (reason := _reason_label(reason_code, language)):
                text = f"{text}: {reason}"
            office = offices.get(office_id) or _office_label(office_id)
            tracking.events.append(
                TrackedEvent(code, text, office[0], office[1], occurred_at.astimezone(local))
            )
    for lookup in lookups:
        if lookup.error:
            continue
        lookup.tracking = found.get(lookup.number)
        if lookup.tracking is None:
            lookup.error = "item_not_found"
    return lookups


def _tracking(number: str, status: str, receiver_name: str, language: str) -> Tracking:
    return Tracking(
        number=number,
        status=status,
        status_text=_label(ItemStatus, status, language),
        receiver_name=rules.mask_name(receiver_name),
    )


# (choices, value, language) → the label's text: each lazy label resolved through gettext
# cost more than the lookup's query (ten per answer); translations do not change while a
# process runs.
_labels: dict[tuple, str] = {}


def _label(choices, value: str, language: str) -> str:
    """The label of ``value`` in ``choices``, translated; ``language`` is the active one."""
    key = (choices, value, language)
    text = _labels.get(key)
    if text is None:
        text = _labels[key] = str(choices(value).label)
    return text


def item_track(query: str) -> TrackLookup:
    """Public tracking of one number (see :func:`item_track_many`)."""
    return item_track_many([query])[0]


# --- Tariffs -------------------------------------------------------------------------------


# --- Configuration read once per batch ------------------------------------------------------

_memo: ContextVar[dict | None] = ContextVar("postops_items_selectors_memo", default=None)


@contextmanager
def memoized():
    """Inside the block, configuration reads (tariff versions and tables, the J+n table,
    service indicators, communes, offices' scopes) run once and are reused: a batch of
    1,000 items reads them once, not 1,000 times. Configuration does not change inside a
    request; never write it inside the block."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def cached(key, compute):
    """``compute()``, remembered under ``key`` inside :func:`memoized` (else not at all)."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def service_indicator_active(prefix: str):
    """The active ``ServiceIndicator`` of ``prefix``, or ``None``."""
    from .models import ServiceIndicator

    return cached(
        ("indicator", prefix),
        lambda: ServiceIndicator.objects.filter(prefix=prefix, is_active=True).first(),
    )


def tariff_version_on(day: date) -> TariffVersion | None:
    """The tariff in force on ``day``: the latest version effective on or before it."""
    return cached(
        ("tariff_version", day),
        lambda: (
            TariffVersion.objects.filter(effective_from__lte=day)
            .order_by("-effective_from")
            .first()
        ),
    )


def tariff_table(version: TariffVersion) -> tariffs.Table:
    """The version's rows as a pure :class:`tariffs.Table` (two queries)."""
    return cached(("tariff_table", version.pk), lambda: _tariff_table(version))


def _tariff_table(version: TariffVersion) -> tariffs.Table:
    bands: dict[tuple[str, str], list[tariffs.Band]] = {}
    for service, zone, max_weight_g, price in version.rates.values_list(
        "service", "zone", "max_weight_g", "price"
    ):
        bands.setdefault((service, zone), []).append(tariffs.Band(max_weight_g, price))
    steps = {
        (service, zone): tariffs.Step(step_g, price)
        for service, zone, step_g, price in version.steps.values_list(
            "service", "zone", "step_g", "price"
        )
    }
    return tariffs.Table(
        bands=bands,
        steps=steps,
        cod=(
            tariffs.PercentFee(version.cod_per_mille, version.cod_minimum)
            if version.cod_per_mille is not None
            else None
        ),
        insured=(
            tariffs.PercentFee(version.insured_per_mille, version.insured_minimum)
            if version.insured_per_mille is not None
            else None
        ),
        advice_of_delivery=version.advice_of_delivery_fee,
        vat_percent=version.vat_percent,
    )


def tariff_zone(origin_office, receiver_commune_code: str) -> tariffs.Zone | None:
    """The zone from the accepting office to a 2025 commune code; ``None`` when the commune
    is unknown (a legacy address must be converted first)."""
    from postops.network.models import Commune

    commune = cached(
        ("commune", receiver_commune_code),
        lambda: (
            Commune.objects.filter(code=receiver_commune_code).only("code", "province_id").first()
        ),
    )
    if commune is None:
        return None
    origin = cached(("office_commune", origin_office.pk), lambda: origin_office.commune)
    return tariffs.zone_between(origin.code, origin.province_id, commune.code, commune.province_id)


@dataclass
class TariffQuote:
    version: TariffVersion
    zone: str
    quote: tariffs.Quote


def tariff_quote(
    *,
    service: str,
    zone: str,
    weight_g: int,
    cod_amount: int = 0,
    declared_value: int = 0,
    advice_of_delivery: bool = False,
    on: date | None = None,
) -> TariffQuote:
    """The price before acceptance (issue #3, item 2), with the tariff version in force on
    ``on`` (today by default). Raises ``tariffs.TariffError`` (``no_tariff`` when no version
    is in force)."""
    day = on or timezone.localdate()
    version = tariff_version_on(day)
    if version is None:
        raise tariffs.TariffError("no_tariff", "no tariff version is in force on this day")
    result = tariffs.quote(
        tariff_table(version),
        service=service,
        zone=zone,
        weight_g=weight_g,
        cod_amount=cod_amount,
        declared_value=declared_value,
        advice_of_delivery=advice_of_delivery,
    )
    return TariffQuote(version=version, zone=str(zone), quote=result)


# --- Promised delivery date ----------------------------------------------------------------


def delivery_standards() -> dict[tuple[str, str], int]:
    """The configured J+n table: (service or "", zone) → working days (one query)."""
    return cached(
        ("delivery_standards",),
        lambda: {
            (service, zone): days
            for service, zone, days in DeliveryStandard.objects.values_list(
                "service", "zone", "working_days"
            )
        },
    )


def item_promised_date(*, service: str, zone: str, accepted_on: date) -> date | None:
    """The promised delivery date of an item accepted on ``accepted_on`` (J): J+n working
    days, n from the zone table (``DeliveryStandard``); ``None`` when no row applies."""
    from postops.core.calendar import add_working_days

    days = rules.delivery_days(delivery_standards(), service, zone)
    if days is None:
        return None
    return add_working_days(accepted_on, days)


# --- Counter acceptance --------------------------------------------------------------------


def acceptance_offices_for_user(user):
    """The offices where ``user`` may accept items: the offices assigned to them (a clerk
    works at their own counter, not anywhere in their subtree), active, ordered by code."""
    from postops.network.models import Office

    if not getattr(user, "is_authenticated", False):
        return Office.objects.none()
    return user.offices.filter(is_active=True).order_by("code")


def service_indicator_choices() -> list[tuple[str, str]]:
    """The active S10 prefixes as form choices: ``("EB", "EB · EMS trong nước")``."""
    from .models import ServiceIndicator

    return [
        (i.prefix, f"{i.prefix} · {i.name or i.get_service_display()}")
        for i in ServiceIndicator.objects.filter(is_active=True).order_by("prefix")
    ]


@dataclass
class SenderSuggestion:
    """A sender seen before at the user's offices, for the counter's phone lookup."""

    name: str
    phone: str
    commune_code: str
    commune_label: str
    street: str
    item: Item


def sender_lookup(user, phone: str, limit: int = 5) -> list[SenderSuggestion]:
    """Previous senders with this phone number at offices in ``user``'s scope, newest
    first, one per distinct (name, address). Empty for fewer than 8 digits: a partial
    number must not list strangers' names."""
    from postops.network.models import Commune
    from postops.network.selectors import office_scope_ids

    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) < 8:
        return []
    rows = (
        Item.objects.filter(sender_phone=digits, origin_office_id__in=office_scope_ids(user))
        .order_by("-accepted_at", "-pk")
        .only(
            "pk",
            "sender_name",
            "sender_phone",
            "sender_scheme",
            "sender_commune_code",
            "sender_street",
        )[:50]
    )
    seen: dict[tuple, Item] = {}
    for item in rows:
        key = (item.sender_name, item.sender_scheme, item.sender_commune_code, item.sender_street)
        seen.setdefault(key, item)
        if len(seen) == limit:
            break
    codes = {k[2] for k in seen if k[1] == "2025" and k[2]}
    communes = {
        c.code: f"{c.name}, {c.province.name}"
        for c in Commune.objects.filter(code__in=codes).select_related("province")
    }
    return [
        SenderSuggestion(
            name=name,
            phone=digits,
            commune_code=code if scheme == "2025" else "",
            commune_label=communes.get(code, "") if scheme == "2025" else "",
            street=street,
            item=item,
        )
        for (name, scheme, code, street), item in seen.items()
    ]


def legacy_commune_search(q: str, limit: int = 20) -> list:
    """Communes of the pre-2025 scheme whose name (or district, or province) matches ``q``
    without diacritics, for entering an old address at the counter. A 5-digit ``q`` finds
    the commune with that old code."""
    from postops.core.text import fold
    from postops.network.models import LegacyCommune

    text = " ".join(q.split())[:100]
    qs = LegacyCommune.objects.select_related("district__province")
    if text.isdigit() and len(text) == 5:
        return list(qs.filter(code=text))
    words = fold(text).split()
    if not words:
        return []
    # The first word narrows the commune name; the others may name the district or province.
    qs = qs.filter(search_name__contains=words[0])
    found = []
    for commune in qs.order_by("code")[:2000]:
        haystack = " ".join(
            (
                commune.search_name,
                commune.district.search_name,
                commune.district.province.search_name,
            )
        )
        if all(w in haystack for w in words):
            found.append(commune)

    def phrase_len(commune) -> int:
        # How many leading words of the query the commune's own name holds as a phrase:
        # "binh xa dinh lap" puts Xã Bính Xá (Đình Lập) before Xã Thái Bình (Đình Lập).
        name = f" {commune.search_name} "
        n = len(words)
        while n and f" {' '.join(words[:n])} " not in name:
            n -= 1
        return n

    found.sort(key=lambda c: (-phrase_len(c), c.code))
    return found[:limit]


@dataclass
class AcceptanceQuote:
    """What the counter shows before acceptance: the price, its parts and the promise."""

    zone: str | None = None
    quote: tariffs.Quote | None = None
    version: TariffVersion | None = None
    promised_date: date | None = None
    error: str = ""  # a tariffs.TariffError code, or "legacy_address"/"unknown_commune"


def acceptance_quote(
    *,
    office,
    service: str,
    receiver_commune_code: str,
    weight_g: int,
    cod_amount: int = 0,
    declared_value: int = 0,
    advice_of_delivery: bool = False,
    on: date | None = None,
) -> AcceptanceQuote:
    """Price and promised date of an item about to be accepted at ``office`` (a 2025
    receiver commune): the same computation ``services.item_accept`` stores."""
    day = on or timezone.localdate()
    zone = tariff_zone(office, receiver_commune_code)
    if zone is None:
        return AcceptanceQuote(error="unknown_commune")
    result = AcceptanceQuote(zone=str(zone))
    result.promised_date = item_promised_date(service=service, zone=str(zone), accepted_on=day)
    try:
        priced = tariff_quote(
            service=service,
            zone=str(zone),
            weight_g=weight_g,
            cod_amount=cod_amount,
            declared_value=declared_value,
            advice_of_delivery=advice_of_delivery,
            on=day,
        )
    except tariffs.TariffError as exc:
        result.error = exc.code
    else:
        result.quote, result.version = priced.quote, priced.version
    return result


def item_get_for_user(user, number: str) -> Item | None:
    """The item with this number if ``user`` may see it: accepted at, bound for or last seen
    at an office in their scope."""
    from django.db.models import Q

    from postops.network.selectors import office_scope_ids

    number = s10.normalize(number)
    if not s10.is_valid(number):
        return None
    scope = office_scope_ids(user)
    return (
        Item.objects.select_related(
            "origin_office", "destination_office", "tariff_version", "state__last_office"
        )
        .filter(number=number)
        .filter(
            Q(origin_office_id__in=scope)
            | Q(destination_office_id__in=scope)
            | Q(state__last_office_id__in=scope)
        )
        .first()
    )


def item_fee_parts(item: Item) -> tariffs.Quote | None:
    """The parts of the stored fee (base, add-ons, VAT) for the receipt, priced again with
    the item's own tariff version (versions that priced items are frozen). ``None`` when
    the item was priced outside PostOps or the parts no longer add up to the fee."""
    if item.tariff_version is None:
        return None
    from postops.network.address import address_from_fields

    receiver = address_from_fields(item, "receiver")
    if receiver is None or receiver.is_legacy:
        return None
    zone = tariff_zone(item.origin_office, receiver.commune_code)
    if zone is None:
        return None
    try:
        parts = tariffs.quote(
            tariff_table(item.tariff_version),
            service=item.service,
            zone=zone,
            weight_g=item.weight_g,
            cod_amount=item.cod_amount,
            declared_value=item.declared_value,
            advice_of_delivery=item.advice_of_delivery,
        )
    except tariffs.TariffError:
        return None
    return parts if parts.total == item.fee else None
