"""Names in a records file's cells matched to reference ids (cached: a file repeats the same names many times)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from data_model.basics.permissions import Actor
from data_model.files.parse import Formula, parse_date
from data_model.records.validation.catalogue import Catalogue
from data_model.reference.languages import parse_languages
from data_model.reference.names import name_keys
from data_model.texts.catalogue import Text

T = TypeVar("T")


@dataclass(frozen=True)
class _Failed:
    message: str


def _remembered(memo: dict[Any, Any], key: Any, compute: Callable[[], T]) -> T:
    """compute()'s result, or its ValueError again, computed once per key."""
    if key not in memo:
        try:
            memo[key] = compute()
        except ValueError as exc:
            memo[key] = _Failed(str(exc))
    result = memo[key]
    if isinstance(result, _Failed):
        raise ValueError(result.message)
    return result


class CellMatcher:
    """Resolving the cells of a records file to reference ids, dates and language codes."""

    def __init__(self, catalogue: Catalogue, actor: Actor) -> None:
        if catalogue.commune_matcher is None:
            raise ValueError("the catalogue of an import is loaded with its names (load_catalogue(names=True))")
        self.cat = catalogue
        self.actor = actor
        self.communes = catalogue.commune_matcher
        self._units: dict[str, Any] = {}
        self._languages: dict[str, Any] = {}
        self._dates: dict[Any, Any] = {}
        own = sorted(actor.unit_ids)
        self.default_unit = own[0] if actor.role == "staff" and len(own) == 1 else None

    def date(self, value: Any) -> dt.date:
        key = value if not isinstance(value, Formula) else id(value)
        return _remembered(self._dates, key, lambda: parse_date(value))

    def unit(self, text: str) -> int:
        return _remembered(self._units, text, lambda: self._find_unit(text))

    def _find_unit(self, text: str) -> int:
        found = next((ids for k in name_keys(text) if (ids := self.cat.units_by_name.get(k))), [])
        if not found:
            raise ValueError(Text("không tìm thấy đơn vị «{unit}»", unit=text))
        if len(found) > 1:
            raise ValueError(Text("«{unit}» trùng tên nhiều đơn vị; hãy ghi tên đầy đủ", unit=text))
        return found[0]

    def commune(self, code: str, name: str, day: dt.date | None) -> str:
        return self.communes.match(code=code, name=name, on=day)

    def village(self, commune_key: str | None, text: str) -> int:
        if not commune_key:
            raise ValueError(Text("hãy ghi xã của bản"))
        for k in name_keys(text):
            vid = self.cat.villages_by_name.get((commune_key, k))
            if vid:
                return vid
        raise ValueError(Text("không tìm thấy bản «{village}» trong xã {commune}", village=text,
                              commune=self.cat.communes[commune_key].name))

    def languages(self, text: str) -> list[str]:
        return _remembered(self._languages, text, lambda: parse_languages(text))
