"""Languages of broadcasts and of the people in a commune, and the ethnic groups that speak them."""
from __future__ import annotations

from data_model.reference.names import normalise_name

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


_TIENG_PREFIX = normalise_name("tiếng") + " "


def language_name(code: str, lang: str = "vi") -> str:
    """Display name of a language code (the code itself when unknown)."""
    names = LANGUAGES.get(code)
    if not names:
        return code
    return names[0] if lang == "vi" else names[1]


def parse_language(text: str) -> str | None:
    """The language code for a name or code as people write it ("Mông", "tiếng Hà Nhì", "la_hu")."""
    key = normalise_name(text.strip())
    if key in _LANGUAGE_KEYS:
        return _LANGUAGE_KEYS[key]
    return _LANGUAGE_KEYS.get(key.removeprefix(_TIENG_PREFIX))


def languages_of_ethnic_groups(text: str) -> list[str]:
    """Language codes named in an ethnic-group fact such as "Thái (91%); Mảng (4.5%); Kinh"."""
    found: list[str] = []
    for part in text.replace(",", ";").split(";"):
        name = part.split("(")[0].strip()
        code = _ETHNIC_KEYS.get(normalise_name(name))
        if code and code not in found:
            found.append(code)
    return found
