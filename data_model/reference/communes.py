"""The one commune matcher of every import: the commune version a file names by its key, code, name or alias, chosen
by the day it must be valid on."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_model.reference.names import fold_diacritics, name_keys
from data_model.schema.models import Unit, UnitAlias
from data_model.texts.catalogue import Date, Text
from data_model.texts.errors import UserError


@dataclass(frozen=True)
class CommuneVersion:
    """One commune version with its validity interval [valid_from, valid_to)."""

    key: str
    code: str
    name: str
    valid_from: dt.date | None
    valid_to: dt.date | None

    def valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day < self.valid_to)


class CommuneNotFound(UserError, ValueError):
    """No commune version, or more than one, fits what a cell says; the message is Vietnamese."""


class CommuneMatcher:
    """Commune versions by key, code and every name and alias (normalised; without diacritics as a last resort)."""

    def __init__(self, versions: Iterable[CommuneVersion], aliases: Iterable[tuple[str, str]] = ()) -> None:
        self.versions = {v.key: v for v in versions}
        self._by_code: dict[str, list[str]] = defaultdict(list)
        self._by_name: dict[str, list[str]] = defaultdict(list)
        for v in self.versions.values():
            self._by_code[v.code].append(v.key)
        names = [(v.key, v.name) for v in self.versions.values()] + [(k, a) for k, a in aliases if k in self.versions]
        for key, name in names:
            for k in name_keys(name):
                if key not in self._by_name[k]:
                    self._by_name[k].append(key)
        self._found: dict[tuple[str, str], list[str]] = {}  # a file repeats the same communes many times

    def candidates(self, *, code: str = "", name: str = "") -> list[str]:
        """Keys of the versions a code and a name (a key, a code, a name or an alias) may mean, oldest first."""
        code, name = code.strip(), name.strip()
        if (code, name) not in self._found:
            named = self._named(name) if name else []
            if code:
                keys = self._by_code.get(code.zfill(5), [])
                keys = [k for k in keys if k in named] or keys
            else:
                keys = named
            self._found[(code, name)] = sorted(keys, key=lambda k: self.versions[k].valid_from or dt.date.min)
        return self._found[(code, name)]

    def _named(self, text: str) -> list[str]:
        if text in self.versions:
            return [text]
        if text.isdigit():
            return list(self._by_code.get(text.zfill(5), []))
        keys = name_keys(text)
        found = list(dict.fromkeys(k for name in keys for k in self._by_name.get(name, [])))
        if not found:
            folded = {fold_diacritics(k) for k in keys}
            found = list(dict.fromkeys(k for name, unit_keys in self._by_name.items() if fold_diacritics(name) in folded
                                       for k in unit_keys))
        return found

    def match(self, *, code: str = "", name: str = "", on: dt.date | None) -> str:
        """The key of the one version valid on the day; with none valid that day (or no day), the latest version,
        whose validity the caller's checks explain. CommuneNotFound when nothing or several versions fit."""
        keys = self.candidates(code=code, name=name)
        label = " ".join(x for x in (code.strip(), name.strip()) if x)[:60]
        if not keys:
            raise CommuneNotFound(Text("không tìm thấy xã «{commune}» (theo mã, tên hoặc tên khác)", commune=label))
        if on is None:
            return keys[-1]
        valid = [self.versions[k] for k in keys if self.versions[k].valid_on(on)]
        if len(valid) == 1:
            return valid[0].key
        if len(valid) > 1:
            names = ", ".join(f"{v.name} ({v.key})" for v in valid)
            raise CommuneNotFound(Text("«{commune}» khớp nhiều xã vào ngày {day}: {names}; hãy ghi mã xã hoặc mã đơn "
                                       "vị (ví dụ {key})", commune=label, day=Date(on), names=names, key=valid[0].key))
        return keys[-1]


def commune_version(unit: Unit) -> CommuneVersion:
    """A commune unit row as the matcher and the checks see it."""
    return CommuneVersion(unit.key, unit.code, unit.name, unit.valid_from, unit.valid_to)


def load_commune_matcher(*, session: Session) -> CommuneMatcher:
    """Every commune version with its names and aliases."""
    versions = [commune_version(u) for u in session.scalars(select(Unit).where(Unit.level == "commune"))]
    aliases = [(key, alias) for key, alias in session.execute(select(UnitAlias.unit_key, UnitAlias.alias))]
    return CommuneMatcher(versions, aliases)
