"""Vietnamese text helpers: NFC normalisation and accent folding for search.

The catalogue mixes NFC and NFD; everything is stored NFC. ``fold`` removes case, tone marks and vowel
marks and maps đ/Đ to d, so "Đăng ký khai sinh", "dang ky khai sinh" and an NFD spelling all fold to the
same key. The standard library suffices (no GPL ``unidecode``; ADR 0003).
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w\s]", re.UNICODE)


def nfc(text: str | None) -> str:
    """Return ``text`` in Unicode NFC with surrounding whitespace removed (None becomes "")."""
    if not text:
        return ""
    return unicodedata.normalize("NFC", text).strip()


def fold(text: str | None) -> str:
    """Fold case, diacritics and đ for matching: ``fold("Đăng Ký") == "dang ky"``."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    cleaned = _NON_WORD.sub(" ", stripped.lower())
    return _SPACES.sub(" ", cleaned).strip()


def tokens(text: str | None) -> list[str]:
    """Folded words of ``text``."""
    folded = fold(text)
    return folded.split(" ") if folded else []
