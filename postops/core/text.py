"""Text folding for diacritics-insensitive search of Vietnamese names.

"Đông Kinh" → "dong kinh", "Tân An" → "tan an". Unicode NFD removes the combining marks;
"đ"/"Đ" are letters of their own (not a base letter plus a mark) so they are mapped by hand.
Input in NFC or NFD folds the same.
"""

import unicodedata

_D_MAP = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Lower-case ``text``, strip Vietnamese diacritics and collapse whitespace."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_MAP))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())
