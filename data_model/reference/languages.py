"""Languages of broadcasts and of the people in a commune, and the ethnic groups that speak them."""
from __future__ import annotations

import re
from collections.abc import Sequence

from data_model.reference.names import fold_diacritics, normalise_name

# code: (Vietnamese name, English name)
LANGUAGES: dict[str, tuple[str, str]] = {
    "vi": ("Tiếng Việt (phổ thông)", "Vietnamese"),
    "thai": ("Tiếng Thái", "Thai (Tai Dam)"),
    "mong": ("Tiếng Mông", "Hmong"),
    "dao": ("Tiếng Dao", "Dao"),
    "ha_nhi": ("Tiếng Hà Nhì", "Hani"),
    "la_hu": ("Tiếng La Hủ", "Lahu"),
    "mang": ("Tiếng Mảng", "Mang"),
    "giay": ("Tiếng Giáy", "Giay"),
    "lo_lo": ("Tiếng Lô Lô", "Lolo"),
    "kho_mu": ("Tiếng Khơ Mú", "Khmu"),
    "hoa": ("Tiếng Hoa", "Chinese"),
}

_ETHNIC_TO_LANGUAGE = {
    "kinh": "vi", "thái": "thai", "mông": "mong", "hmông": "mong", "h'mông": "mong", "dao": "dao",
    "hà nhì": "ha_nhi", "la hủ": "la_hu", "mảng": "mang", "giáy": "giay", "lô lô": "lo_lo",
    "khơ mú": "kho_mu", "hoa": "hoa",
}
_ETHNIC_KEYS = {normalise_name(k): v for k, v in _ETHNIC_TO_LANGUAGE.items()}
_LANGUAGE_KEYS = {
    **{normalise_name(vi): code for code, (vi, _) in LANGUAGES.items()},
    **{normalise_name(vi.removeprefix("Tiếng ")): code for code, (vi, _) in LANGUAGES.items()},
    **{normalise_name(en): code for code, (_, en) in LANGUAGES.items()},
    **{code: code for code in LANGUAGES},
    **{normalise_name(k): v for k, v in {"phổ thông": "vi", "việt": "vi", "tiếng phổ thông": "vi"}.items()},
    **_ETHNIC_KEYS,
}
# the same names typed without diacritics ("tieng Mong", "Ha Nhi"), as commune names are matched; none of the
# known names collide when folded
_FOLDED_KEYS = {fold_diacritics(k): v for k, v in _LANGUAGE_KEYS.items()}
_TIENG = fold_diacritics(normalise_name("tiếng")) + " "
_SEPARATORS = re.compile(r"[,;/+\n]")


def language_name(code: str, lang: str = "vi") -> str:
    """Display name of a language code (the code itself when unknown)."""
    names = LANGUAGES.get(code)
    if not names:
        return code
    return names[0] if lang == "vi" else names[1]


def parse_language(text: str) -> str | None:
    """The language code for a name or code as people write it ("Mông", "tiếng Hà Nhì", "tieng Mong", "la_hu")."""
    key = normalise_name(text)
    if key in _LANGUAGE_KEYS:
        return _LANGUAGE_KEYS[key]
    # diacritics are folded before "tiếng" is taken off, so that the prefix goes whichever way it was typed
    folded = fold_diacritics(key)
    return _FOLDED_KEYS.get(folded) or _FOLDED_KEYS.get(folded.removeprefix(_TIENG))


def parse_languages(text: str | Sequence[str]) -> list[str]:
    """Language codes, each once, from "Mông, tiếng Việt" (also ; / + or lines between) or a list of names or codes;
    ValueError naming every unknown one."""
    parts = _SEPARATORS.split(text) if isinstance(text, str) else [str(part) for part in text]
    codes: list[str] = []
    unknown: list[str] = []
    for part in (p.strip() for p in parts):
        code = parse_language(part) if part else None
        if code is None and part:
            unknown.append(part[:40])
        elif code is not None and code not in codes:
            codes.append(code)
    if unknown:
        known = ", ".join(vi.removeprefix("Tiếng ") for vi, _ in LANGUAGES.values())
        raise ValueError(f"không biết ngôn ngữ {', '.join(f'«{u}»' for u in unknown)} (dùng: {known})")
    return codes


def languages_of_ethnic_groups(text: str) -> list[str]:
    """Language codes named in an ethnic-group fact such as "Thái (91%); Mảng (4.5%); Kinh"."""
    found: list[str] = []
    for part in text.replace(",", ";").split(";"):
        name = part.split("(")[0].strip()
        code = _ETHNIC_KEYS.get(normalise_name(name))
        if code and code not in found:
            found.append(code)
    return found
