"""Pure rules of the office tree and of postal codes (no Django import).

The network of a provincial post office is a tree (Vietnam Post organisation; issue #2,
item 4)::

    provincial post office (Bưu điện tỉnh)
      └─ post office (bưu cục, 6-digit code as printed in tracking events)
           ├─ commune post office (Bưu điện xã)
           │    └─ payout point (điểm chi trả, e.g. a village point)
           └─ commune cultural post point (Điểm Bưu điện - Văn hóa xã, BĐVHX)
                └─ payout point

Payout points may also hang directly under a post office: pensions are paid at post
offices as well as at commune points and village points (domain.md §2, "Payout points").
"""

from __future__ import annotations

import re

PROVINCIAL = "provincial"
POST_OFFICE = "post_office"
COMMUNE_POST = "commune_post"
BDVHX = "bdvhx"
PAYOUT_POINT = "payout_point"

KINDS = (PROVINCIAL, POST_OFFICE, COMMUNE_POST, BDVHX, PAYOUT_POINT)

# kind → the kinds its parent may have; ``None`` in the set means "may be a root".
PARENT_KINDS: dict[str, frozenset[str | None]] = {
    PROVINCIAL: frozenset({None}),
    POST_OFFICE: frozenset({PROVINCIAL}),
    COMMUNE_POST: frozenset({POST_OFFICE}),
    BDVHX: frozenset({POST_OFFICE}),
    PAYOUT_POINT: frozenset({POST_OFFICE, COMMUNE_POST, BDVHX}),
}

_POSTAL_CODE = re.compile(r"[0-9]{5}")
_POST_OFFICE_CODE = re.compile(r"[0-9]{6}")
# Codes of other units are internal: letters, digits, dot, dash, underscore.
_OTHER_CODE = re.compile(r"[0-9A-Za-z._-]{1,12}")


def parent_kind_allowed(kind: str, parent_kind: str | None) -> bool:
    """True when an office of ``kind`` may sit under a parent of ``parent_kind``.

    ``parent_kind`` is ``None`` for a root office. Unknown kinds are never allowed.
    """
    return parent_kind in PARENT_KINDS.get(kind, frozenset())


def child_kinds(kind: str) -> tuple[str, ...]:
    """The kinds that may be created under an office of ``kind``, in tree order."""
    return tuple(k for k in KINDS if kind in PARENT_KINDS[k])


def is_postal_code(value: str) -> bool:
    """A Vietnamese postal code: exactly 5 ASCII digits, kept as a string (leading zeros).

    Source: Decision 2334/QĐ-BKHCN (2025), postal codes of the 3,321 communes.
    """
    return isinstance(value, str) and _POSTAL_CODE.fullmatch(value) is not None


def is_office_code(kind: str, code: str) -> bool:
    """Whether ``code`` is a valid code for an office of ``kind``.

    Post offices carry the 6-digit code seen in tracking events (domain.md §3: "each event
    names the office (6-digit office code and name)"). Other units use internal codes of
    1–12 letters, digits, ``.``, ``-`` or ``_``.
    """
    if not isinstance(code, str):
        return False
    if kind == POST_OFFICE:
        return _POST_OFFICE_CODE.fullmatch(code) is not None
    return _OTHER_CODE.fullmatch(code) is not None


def path_for(parent_path: str | None, pk: int) -> str:
    """The materialised path of office ``pk`` under a parent with ``parent_path``.

    Paths are ``"/1/7/42/"``: the ids from the root, each followed by ``/``. Because ``/``
    sorts before every digit, ordering by path lists each subtree contiguously.
    """
    return f"{parent_path or '/'}{pk}/"


def path_ids(path: str) -> list[int]:
    """The ids along ``path``, root first: ``"/1/7/42/"`` → ``[1, 7, 42]``."""
    return [int(part) for part in path.split("/") if part]


def path_depth(path: str) -> int:
    """0 for a root, 1 for its children, and so on."""
    return max(len(path_ids(path)) - 1, 0)


def path_rebase(path: str, old_prefix: str, new_prefix: str) -> str:
    """Move ``path`` from under ``old_prefix`` to ``new_prefix`` (subtree moves)."""
    if not path.startswith(old_prefix):
        raise ValueError(f"{path!r} is not under {old_prefix!r}")
    return new_prefix + path[len(old_prefix) :]
