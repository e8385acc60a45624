"""Reads for the postal network: commune search, addresses, the office tree and scoping.

Scoping rule (issue #2, item 5): a user (or an API key) sees the union of the subtrees of
the offices assigned to it; superusers see every office. Views and API endpoints never
build their own office querysets: they call the ``office_*_for_user`` selectors here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Q, QuerySet

from postops.accounts.models import Role
from postops.accounts.roles import has_role
from postops.core.text import fold

from . import rules
from .address import SCHEME_2025, SCHEME_LEGACY, Address
from .models import Commune, CommuneConversion, LegacyCommune, Office, Province

# Roles that may change the office tree, within their scope.
OFFICE_EDIT_ROLES = (Role.ADMIN, Role.MANAGER, Role.SUPERVISOR)

# Folded division-type words a person may type before a commune name ("xã Tân An").
_DIVISION_PREFIXES = ("dac khu ", "phuong ", "xa ")


# --- Communes ---------------------------------------------------------------------------


def commune_get(code: str) -> Commune | None:
    return Commune.objects.select_related("province").filter(code=code).first()


def commune_short_name(commune) -> str:
    """The name without its division type: "Phường Đông Kinh" → "Đông Kinh"."""
    kind = commune.division_type or ""
    name = commune.name
    if kind and name.lower().startswith(kind.lower() + " "):
        return name[len(kind) + 1 :]
    return name


_PUNCTUATION = re.compile(r"[^\w\s]")
_PROVINCE_KINDS = ("thanh pho ", "tinh ")


def _strip_province_kind(folded: str) -> str:
    folded = " ".join(_PUNCTUATION.sub(" ", folded).split())
    for prefix in _PROVINCE_KINDS:
        if folded.startswith(prefix):
            return folded[len(prefix) :]
    return folded


def _strip_division(folded: str) -> str:
    for prefix in _DIVISION_PREFIXES:
        if folded.startswith(prefix) and len(folded) > len(prefix):
            return folded[len(prefix) :]
    return folded


def _rank(commune, phrase: str, query_lower: str) -> int:
    """Lower is better: exact (with diacritics), exact folded, leading words, inner words, rest."""
    short = commune_short_name(commune)
    core = fold(short)
    if core == phrase:
        return 0 if short.lower() == query_lower else 1
    if core.startswith(phrase + " "):
        return 2
    if core.startswith(phrase):
        return 3
    if f" {phrase} " in f" {core} ":
        return 4
    if f" {phrase}" in f" {core}":
        return 5
    return 6


def commune_search(q: str, province=None, limit: int = 20) -> list[Commune]:
    """Communes (2025 scheme) matching ``q``, diacritics-insensitive, best first.

    Every word of the query must start a word of the name ("tan an" → "Tân An", "Tân An
    Hội"; "dong kinh" → "Đông Kinh"); a leading "xã"/"phường"/"đặc khu" is ignored; digits
    match the start of the code; text after a comma names the province ("tan an, tay ninh").
    Ranking: exact name (same diacritics first), then names
    starting with the query, then names containing it as whole words, then the rest; ties
    by the typed division type ("phường …"), shorter name, name, code. ``province`` (a code or a ``Province``) narrows the search;
    with an empty query it lists that province's communes by name.
    """
    limit = max(1, min(int(limit), 100))
    qs = Commune.objects.select_related("province")
    if province:
        qs = qs.filter(province_id=getattr(province, "code", province))
    text = (q or "").strip()
    if not text:
        if not province:
            return []
        return list(qs.order_by("search_name", "code")[:limit])
    if text.isdigit():
        return list(qs.filter(code__startswith=text).order_by("code")[:limit])
    if "," in text:
        # "Tân An, Tây Ninh" (also what the picker shows once a commune is chosen): the part
        # after the comma names the province.
        text, hint = text.split(",", 1)
        hint = _strip_province_kind(fold(hint))
        if hint and not province:
            hinted = qs.filter(province__search_name__contains=hint)
            if hinted.exists():
                qs = hinted
    folded = " ".join(_PUNCTUATION.sub(" ", fold(text)).split())
    phrase = _strip_division(folded)
    typed_division = folded[: len(folded) - len(phrase)].strip()  # "phuong", "xa" or ""
    words = phrase.split()
    if not words:
        return []
    for word in words:
        # search_name is the folded full name ("xa tan an"), so a word start is either the
        # start of the string or a space before it.
        qs = qs.filter(Q(search_name__startswith=word) | Q(search_name__contains=" " + word))
    query_lower = _strip_division_raw(text).lower()

    def key(c):
        core = fold(commune_short_name(c))
        division = 0 if not typed_division or fold(c.division_type) == typed_division else 1
        return (_rank(c, phrase, query_lower), division, len(core), core, c.code)

    candidates = sorted(qs[:3000], key=key)
    return candidates[:limit]


def _strip_division_raw(text: str) -> str:
    """Drop a typed division word ("Xã Tân An" → "Tân An") keeping diacritics."""
    words = " ".join(text.split())
    folded = fold(words)
    for prefix in _DIVISION_PREFIXES:
        if folded.startswith(prefix) and len(folded) > len(prefix):
            return " ".join(words.split()[len(prefix.split()) :])
    return words


def province_list() -> QuerySet[Province]:
    return Province.objects.order_by("name")


# --- Addresses --------------------------------------------------------------------------


def address_place_name(addr: Address) -> str:
    """The unit names of ``addr``: "Phường Đông Kinh, Tỉnh Lạng Sơn" (legacy: with district).

    Empty when the code is unknown in its scheme.
    """
    if addr.scheme == SCHEME_LEGACY:
        legacy = (
            LegacyCommune.objects.select_related("district__province")
            .filter(code=addr.commune_code)
            .first()
        )
        if legacy is None:
            return ""
        return f"{legacy.name}, {legacy.district.name}, {legacy.district.province.name}"
    commune = commune_get(addr.commune_code)
    return f"{commune.name}, {commune.province.name}" if commune else ""


def address_display(addr: Address) -> str:
    """One display line for ``addr`` with the unit names looked up."""
    return addr.display(address_place_name(addr))


@dataclass(frozen=True)
class LegacyConversion:
    """The 2025 commune(s) a legacy address may now belong to.

    ``needs_confirmation`` is true when a person must choose or confirm: the old commune was
    partly merged (split), it maps to several new communes, or it is unknown. ``address``
    is the converted address when no confirmation is needed.
    """

    source: Address
    legacy_commune: LegacyCommune | None
    candidates: tuple[Commune, ...]
    partial: bool
    needs_confirmation: bool
    address: Address | None

    def resolve(self, commune_code: str) -> Address:
        """The converted address once a person picked ``commune_code`` among the candidates."""
        codes = {c.code for c in self.candidates}
        if commune_code not in codes:
            raise ValueError(f"{commune_code!r} is not a candidate: {sorted(codes)}")
        return self.source.with_commune(commune_code, SCHEME_2025)


def address_convert_legacy(addr: Address) -> LegacyConversion:
    """Convert a legacy (pre-1 July 2025) address to the 2025 scheme, offline.

    Reads only the ``CommuneConversion`` table loaded from the official conversion table
    (``vietnam-provinces``); never calls a geocoder or any network service (domain.md §4).
    The street and the raw text are kept unchanged. A 2025 address is returned as is.
    """
    if addr.scheme == SCHEME_2025:
        commune = commune_get(addr.commune_code)
        return LegacyConversion(
            source=addr,
            legacy_commune=None,
            candidates=(commune,) if commune else (),
            partial=False,
            needs_confirmation=commune is None,
            address=addr if commune else None,
        )
    legacy = (
        LegacyCommune.objects.select_related("district__province")
        .filter(code=addr.commune_code)
        .first()
    )
    rows = list(
        CommuneConversion.objects.filter(legacy_commune_id=addr.commune_code)
        .select_related("commune__province")
        .order_by("commune__code")
    )
    candidates = tuple(row.commune for row in rows)
    partial = any(row.is_partial for row in rows)
    needs_confirmation = partial or len(candidates) != 1
    return LegacyConversion(
        source=addr,
        legacy_commune=legacy,
        candidates=candidates,
        partial=partial,
        needs_confirmation=needs_confirmation,
        address=None if needs_confirmation else addr.with_commune(candidates[0].code),
    )


# --- Offices: scoping -------------------------------------------------------------------


def _is_active_actor(actor) -> bool:
    if actor is None:
        return False
    if hasattr(actor, "is_authenticated") and not actor.is_authenticated:
        return False
    return getattr(actor, "is_active", True) is not False


def office_subtree_ids(office: Office) -> QuerySet:
    """Ids of ``office`` and every office under it (one indexed prefix match on ``path``)."""
    return Office.objects.filter(path__startswith=office.path).values_list("id", flat=True)


def office_scope_ids(actor) -> QuerySet:
    """Ids of the offices ``actor`` may see: the union of its offices' subtrees.

    ``actor`` is a ``User`` or an ``accounts.ApiKey`` (both have an ``offices`` M2M); an
    inactive user, a revoked key or an anonymous user sees nothing; a superuser sees all.
    The result is a lazy queryset of ids, usable as ``office_id__in=office_scope_ids(u)``
    (a subquery, not a list).
    """
    if not _is_active_actor(actor):
        return Office.objects.none().values_list("id", flat=True)
    if getattr(actor, "is_superuser", False):
        return Office.objects.values_list("id", flat=True)
    paths = sorted(actor.offices.values_list("path", flat=True))
    roots: list[str] = []
    for path in paths:  # drop offices already inside another assigned subtree
        if path and not any(path.startswith(root) for root in roots):
            roots.append(path)
    if not roots:
        return Office.objects.none().values_list("id", flat=True)
    condition = Q()
    for root in roots:
        condition |= Q(path__startswith=root)
    return Office.objects.filter(condition).values_list("id", flat=True)


def office_in_scope(actor, office: Office) -> bool:
    return office_scope_ids(actor).filter(pk=office.pk).exists()


def office_can_edit(actor, office: Office) -> bool:
    """Administrators, provincial managers and supervisors may edit offices in their scope."""
    if not _is_active_actor(actor):
        return False
    if getattr(actor, "is_superuser", False):
        return True
    return has_role(actor, *OFFICE_EDIT_ROLES) and office_in_scope(actor, office)


def office_can_create_under(actor, parent: Office | None) -> bool:
    """Creating under ``parent`` needs the right to edit it; a new root needs an administrator."""
    if parent is None:
        return _is_active_actor(actor) and (
            getattr(actor, "is_superuser", False) or has_role(actor, Role.ADMIN)
        )
    return office_can_edit(actor, parent)


def office_can_edit_any(actor) -> bool:
    """Whether the user holds an editing role at all (to show "create" links)."""
    if not _is_active_actor(actor):
        return False
    return getattr(actor, "is_superuser", False) or has_role(actor, *OFFICE_EDIT_ROLES)


# --- Offices: lists ---------------------------------------------------------------------


def _office_filter(qs: QuerySet, q: str | None) -> QuerySet:
    for word in fold(q or "").split():
        qs = qs.filter(
            Q(search_name__contains=word)
            | Q(code__istartswith=word)
            | Q(postal_code__startswith=word)
        )
    return qs


def office_list_for_user(user, q: str | None = None) -> QuerySet[Office]:
    """Offices in the user's scope, in tree order, optionally filtered by ``q``.

    ``q`` matches, word by word, the name without diacritics, the start of the code or the
    start of the postal code.
    """
    qs = Office.objects.filter(id__in=office_scope_ids(user)).select_related(
        "commune__province", "parent"
    )
    return _office_filter(qs, q).order_by("path")


def office_get_for_user(user, pk) -> Office | None:
    """The office ``pk`` if the user may see it, else ``None`` (views answer 404)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return (
        Office.objects.filter(pk=pk, id__in=office_scope_ids(user))
        .select_related("commune__province", "parent")
        .first()
    )


class OfficeRow(NamedTuple):
    office: Office
    depth: int


def office_tree_for_user(user, q: str | None = None) -> list[OfficeRow]:
    """The user's offices as an indented tree: siblings ordered by code, each with a depth.

    Depth is relative to the shallowest office shown, so a post office supervisor's tree
    starts at their post office.
    """
    offices = list(office_list_for_user(user, q))
    if not offices:
        return []
    codes = {o.pk: o.code for o in offices}
    missing = {i for o in offices for i in rules.path_ids(o.path)} - codes.keys()
    if missing:
        codes.update(Office.objects.filter(pk__in=missing).values_list("pk", "code"))
    offices.sort(key=lambda o: [codes.get(i, "") for i in rules.path_ids(o.path)])
    base = min(rules.path_depth(o.path) for o in offices)
    return [OfficeRow(o, rules.path_depth(o.path) - base) for o in offices]


def office_children_for_user(user, office: Office) -> QuerySet[Office]:
    return (
        Office.objects.filter(parent=office, id__in=office_scope_ids(user))
        .select_related("commune__province")
        .order_by("code")
    )


def office_parent_choices_for_user(user) -> QuerySet[Office]:
    """Active offices the user may create under (or move an office to)."""
    parent_kinds = {k for kinds in rules.PARENT_KINDS.values() for k in kinds if k}
    qs = Office.objects.filter(is_active=True, kind__in=parent_kinds)
    if not office_can_edit_any(user):
        return qs.none()
    if not getattr(user, "is_superuser", False):
        qs = qs.filter(id__in=office_scope_ids(user))
    return qs.select_related("commune").order_by("path")


def office_ancestors(office: Office) -> list[Office]:
    """The offices above ``office``, root first (for breadcrumbs)."""
    ids = rules.path_ids(office.path)[:-1]
    found = Office.objects.in_bulk(ids)
    return [found[i] for i in ids if i in found]
