"""Name normalisation for matching: Unicode form, tone-mark placement, case, spacing, kind prefixes."""
from __future__ import annotations

import re
import unicodedata

# Vietnamese tone marks as combining characters; their placement inside a syllable varies between sources.
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_PREFIXES = ("thị trấn", "phường", "xã", "bản", "huyện", "thành phố", "thị xã", "tỉnh", "đồn biên phòng", "đồn bp")
_SPACE = re.compile(r"[\s\u00a0]+")


def _normalise_syllable(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    tones = sorted(c for c in decomposed if c in _TONES)
    base = "".join(c for c in decomposed if c not in _TONES)
    return base + "".join(tones)


def normalise_name(text: str | None, *, strip_prefix: bool = False) -> str:
    """A matching key: lower case, one space, tone marks at the end of each syllable, no kind prefix."""
    if not text:
        return ""
    cleaned = _SPACE.sub(" ", unicodedata.normalize("NFC", str(text))).strip().lower()
    cleaned = cleaned.replace("–", "-").replace("—", "-")
    if strip_prefix:
        for prefix in sorted(_PREFIXES, key=len, reverse=True):
            if cleaned.startswith(prefix + " "):
                cleaned = cleaned[len(prefix) + 1:]
                break
    return " ".join(_normalise_syllable(w) for w in cleaned.split(" "))


def fold_diacritics(text: str) -> str:
    """"mường tè" → "muong te": the last resort for names typed without diacritics."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def name_keys(text: str | None) -> list[str]:
    """Matching keys to try in order: the whole name, then without a kind prefix ("xã Bản Lang" → "bản lang")."""
    keys = [normalise_name(text), normalise_name(text, strip_prefix=True)]
    return [k for i, k in enumerate(keys) if k and k not in keys[:i]]
