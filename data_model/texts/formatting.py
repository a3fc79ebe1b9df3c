"""Numbers and dates the Vietnamese way (41.262; 06/05/2021) or the English way."""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from babel import numbers


@lru_cache(maxsize=8192, typed=True)
def _cached_decimal(value: Any, pattern: str, locale: str) -> str:
    return numbers.format_decimal(value, format=pattern, locale=locale)


@lru_cache(maxsize=4096, typed=True)
def _cached_percent(value: Any, pattern: str, locale: str) -> str:
    return numbers.format_percent(value, format=pattern, locale=locale)


def format_decimal(value, *, format: str, locale: str) -> str:
    """Babel's format_decimal, remembered: a page view formats the same few hundred figures on every rerun and
    Babel parses the pattern each time (~50 us a call)."""
    try:
        return _cached_decimal(value, format, locale)
    except TypeError:  # unhashable
        return numbers.format_decimal(value, format=format, locale=locale)


def format_percent(value, *, format: str, locale: str) -> str:
    """Babel's format_percent, remembered (see format_decimal)."""
    try:
        return _cached_percent(value, format, locale)
    except TypeError:
        return numbers.format_percent(value, format=format, locale=locale)


def format_number(value: float | int | None, lang: str = "vi", *, decimals: int = 0) -> str:
    """41262 → "41.262" in Vietnamese, "41,262" in English; None → "–"."""
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale="vi_VN" if lang == "vi" else "en_US")


def format_percent_change(ratio: float | None, lang: str = "vi", *, decimals: int = 1) -> str:
    """0.125 → "+12,5%" (Vietnamese); None → "–"."""
    if ratio is None:
        return "–"
    pattern = "+#,##0" + ("." + "0" * decimals if decimals else "") + "%"
    pattern += ";-#,##0" + ("." + "0" * decimals if decimals else "") + "%"
    return format_percent(ratio, format=pattern, locale="vi_VN" if lang == "vi" else "en_US")


def format_date(value: dt.date | None, lang: str = "vi") -> str:
    """dd/mm/yyyy in Vietnamese, yyyy-mm-dd in English; None → ""."""
    if value is None:
        return ""
    return value.strftime("%d/%m/%Y") if lang == "vi" else value.isoformat()


def format_share(ratio: float | None, lang: str = "vi") -> str:
    """1.128 → "112,8%", 1.0 → "100%" (a whole percent without ",0"); None → "–"."""
    if ratio is None or ratio != ratio:
        return "–"
    text = format_number(ratio * 100, lang, decimals=1)
    return (text[:-2] if text.endswith((",0", ".0")) else text) + "%"
