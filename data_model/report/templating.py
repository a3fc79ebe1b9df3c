"""The report's wording templates (templates/report.<lang>.toml): loading them and filling them with figures the
Vietnamese or English way."""
from __future__ import annotations

import math
import string
import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from data_model.report.content import ReportContent
from data_model.report.scope import Period, ReportError
from data_model.texts.catalogue import plural_index
from data_model.texts.formatting import format_number

TEMPLATE_DIR = Path(__file__).with_name("templates")
REPORT_LANGUAGES = ("vi", "en")


@cache
def load_templates(lang: str, directory: Path = TEMPLATE_DIR) -> dict[str, Any]:
    """The wording templates of a language (ReportError when the file is missing or not valid TOML)."""
    if lang not in REPORT_LANGUAGES:
        raise ReportError("Không có mẫu lời văn cho ngôn ngữ {lang_!r}", lang_=lang)
    path = directory / f"report.{lang}.toml"
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ReportError("Không tìm thấy tệp mẫu lời văn {path}", path=path) from None
    except tomllib.TOMLDecodeError as exc:
        raise ReportError("Tệp mẫu lời văn {name} viết sai cú pháp: {exc}", name=path.name, exc=exc) from None


def round_down(value: int, digits: int = 2) -> int:
    """Round down to `digits` significant digits: 20437 → 20000 (digits=1), 2647 → 2600."""
    if value <= 0:
        return value
    step = 10 ** max(int(math.floor(math.log10(value))) - digits + 1, 0)
    return value // step * step


class _Filler(string.Formatter):
    """str.format with Vietnamese numbers, {x:round[N]:word} thresholds, and unknown fields left visible."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def get_value(self, key, args, kwargs):
        if isinstance(key, str) and key not in kwargs:
            return "{" + key + "}"  # an unknown placeholder shows up in the text instead of breaking the report
        return super().get_value(key, args, kwargs)

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return str(value)
        if format_spec.startswith("plural:"):  # {x:plural:one|many}: the word's form for the number x
            forms = format_spec[len("plural:"):].split("|")
            return forms[min(plural_index(int(value), self.lang), len(forms) - 1)]
        if format_spec.startswith("round"):
            head, _, word = format_spec.partition(":")
            digits = int(head[5:]) if head[5:].isdigit() else 2
            rounded = round_down(int(value), digits)
            text = format_number(rounded, self.lang)
            return f"{word} {text}" if word and rounded != value else text
        return format_number(value, self.lang)


def fill(template: str, lang: str, **values: Any) -> str:
    """One template filled with values; a template with unbalanced braces comes back as written."""
    try:
        return _Filler(lang).format(template, **values)
    except (ValueError, IndexError):
        return template


def template_fields(template: str) -> list[str]:
    """The placeholder names of a template (none when its braces do not balance)."""
    try:
        return [name for _, name, _, _ in string.Formatter().parse(template) if name]
    except ValueError:
        return []


def lower_first(text: str) -> str:
    """The text with its first letter in lower case."""
    return text[:1].lower() + text[1:]


def join_list(items: list[str], words: Mapping[str, str]) -> str:
    """a, b và c."""
    if len(items) <= 1:
        return "".join(items)
    return words["sep"].join(items[:-1]) + words["last"] + items[-1]


def period_label(period: Period, tpl: Mapping[str, Any], *, title: bool = False) -> str:
    """"năm 2020" / "giai đoạn 2012–2020" (title=True: "Năm 2020")."""
    p = tpl["period"]
    if period.years == 1:
        return p["year_title" if title else "year"].format(year=period.year_from)
    return p["range_title" if title else "range"].format(year_from=period.year_from, year_to=period.year_to)


def scope_label(content: ReportContent, tpl: Mapping[str, Any]) -> str:
    """"tỉnh Lai Châu", "xã Mù Cả", "Đồn Biên phòng Ka Lăng"."""
    resolved = content.scope
    if resolved.scope.kind == "province" and not resolved.name:
        return tpl["scope"]["everywhere"]
    return tpl["scope"][resolved.scope.kind].format(kind=resolved.unit_kind, name=resolved.name).strip()
