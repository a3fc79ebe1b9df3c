"""Reading a sheet: names in cells matched to reference ids (cached), dates, the header row and total rows."""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any

from data_model.accounts.permissions import Actor
from data_model.files.parse import Formula, header_key, is_blank, parse_date
from data_model.records.validation.catalogue import Catalogue
from data_model.reference.languages import parse_language
from data_model.reference.names import name_keys, normalise_name

HEADER_SCAN_ROWS = 15
TOTAL_WORDS = ("tổng cộng", "tổng số", "tổng", "cộng", "total", "sum")


class CellMatcher:
    """Resolving names in cells to reference ids, cached (a file repeats the same names many times)."""

    def __init__(self, catalogue: Catalogue, actor: Actor) -> None:
        self.cat = catalogue
        self.actor = actor
        self._units: dict[str, list[int]] = {}
        self._communes: dict[tuple[str, str], list[str]] = {}
        self._languages: dict[str, tuple[list[str], list[str]]] = {}
        self._dates: dict[Any, dt.date | str] = {}
        own = sorted(actor.unit_ids)
        self.default_unit = own[0] if actor.role == "staff" and len(own) == 1 else None

    def date(self, value: Any) -> dt.date:
        key = value if not isinstance(value, Formula) else id(value)
        if key not in self._dates:
            try:
                self._dates[key] = parse_date(value)
            except ValueError as exc:
                self._dates[key] = str(exc)
        result = self._dates[key]
        if isinstance(result, str):
            raise ValueError(result)
        return result

    def unit(self, text: str) -> int:
        if text not in self._units:
            found: list[int] = []
            for k in name_keys(text):
                found = self.cat.units_by_name.get(k, [])
                if found:
                    break
            self._units[text] = found
        found = self._units[text]
        if not found:
            raise ValueError(f"không tìm thấy đơn vị «{text}»")
        if len(found) > 1:
            raise ValueError(f"«{text}» trùng tên nhiều đơn vị; hãy ghi tên đầy đủ")
        return found[0]

    def commune(self, code: str, name: str, day: dt.date | None) -> str:
        if (code, name) not in self._communes:
            if code:
                keys = list(self.cat.communes_by_code.get(code.zfill(5), []))
                if name:
                    named = self.cat.communes_named(name_keys(name))
                    keys = [k for k in keys if k in named] or keys
            else:
                keys = self.cat.communes_named(name_keys(name))
            self._communes[(code, name)] = keys
        keys = self._communes[(code, name)]
        label = " ".join(x for x in (code, name) if x)
        if not keys:
            raise ValueError(f"không tìm thấy xã «{label}» (theo mã, tên hoặc tên khác)")
        if day is None:  # the date's own error is reported; the commune cannot be checked against it
            return keys[-1]
        valid = [k for k in keys if self.cat.communes[k].valid_on(day)]
        if len(valid) == 1:
            return valid[0]
        if len(valid) > 1:
            raise ValueError(f"«{label}» khớp nhiều xã vào ngày {day:%d/%m/%Y}; hãy ghi mã xã")
        return keys[-1]  # the validation explains which dates this commune existed on

    def village(self, commune_key: str | None, text: str) -> int:
        if not commune_key:
            raise ValueError("hãy ghi xã của bản")
        for k in name_keys(text):
            vid = self.cat.villages_by_name.get((commune_key, k))
            if vid:
                return vid
        raise ValueError(f"không tìm thấy bản «{text}» trong xã {self.cat.communes[commune_key].name}")

    def languages(self, text: str) -> list[str]:
        if text not in self._languages:
            codes, unknown = [], []
            for part in re.split(r"[,;/+\n]", text):
                if part.strip():
                    # languages.parse_language misses "tiếng …" after tone normalisation, so strip it here
                    bare = re.sub(r"^(tiếng|tieng)\s+", "", part.strip(), flags=re.IGNORECASE)
                    code = parse_language(part) or parse_language(bare)
                    (codes if code else unknown).append(code or part.strip())
            self._languages[text] = (codes, unknown)
        codes, unknown = self._languages[text]
        if unknown:
            raise ValueError("không biết ngôn ngữ " + ", ".join(f"«{u}»" for u in unknown))
        return codes


def is_total_row(cells: list[Any]) -> bool:
    first = next((c for c in cells if not is_blank(c)), None)
    return isinstance(first, str) and len(first) < 80 and _is_total_text(first)


@lru_cache(maxsize=10_000)
def _is_total_text(text: str) -> bool:
    if not text[:1].isalpha():  # e.g. the record number that starts every row of an export
        return False
    key = normalise_name(re.sub(r"[^\w\s]", " ", text))
    return any(key == w or key.startswith(w + " ") for w in _total_words())


@lru_cache(maxsize=1)
def _total_words() -> tuple[str, ...]:
    return tuple(normalise_name(w) for w in TOTAL_WORDS)


def find_header(rows: list[list[Any]], base: dict[str, str], measures: dict[str, dict[str, str]]) -> int | None:
    best, best_count = None, 1
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        count = sum(1 for c in row if not is_blank(c) and (header_key(c) in base or header_key(c) in measures))
        if count > best_count:
            best, best_count = i, count
    return best
