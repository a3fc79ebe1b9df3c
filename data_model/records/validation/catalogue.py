"""The dated reference data a check needs (communes, units, villages, names, population), loaded once per check."""
from __future__ import annotations

import datetime as dt
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_model.records.validation.rules import to_int
from data_model.schema.models import ReportingUnit, Unit, UnitAlias, UnitFact, UnitSuccessor, Village
from data_model.texts.formatting import format_date


@dataclass(frozen=True)
class CommuneInfo:
    """One commune version with its validity interval."""

    key: str
    code: str
    name: str
    valid_from: dt.date | None
    valid_to: dt.date | None

    def valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day < self.valid_to)


@dataclass(frozen=True)
class UnitInfo:
    """A reporting unit as validation needs it."""

    id: int
    key: str
    kind: str
    name: str
    short_name: str


@dataclass
class Catalogue:
    """The reference data validation needs, loaded once (an import checks many rows against it)."""

    communes: dict[str, CommuneInfo] = field(default_factory=dict)
    communes_by_code: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    communes_by_name: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    successors: dict[str, list[tuple[str, dt.date]]] = field(default_factory=lambda: defaultdict(list))
    villages: dict[int, tuple[str, str]] = field(default_factory=dict)  # id → (commune key, name)
    villages_by_name: dict[tuple[str, str], int] = field(default_factory=dict)  # (commune key, norm) → id
    units: dict[int, UnitInfo] = field(default_factory=dict)
    units_by_name: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    commune_population: dict[str, list[tuple[int | None, float]]] = field(default_factory=lambda: defaultdict(list))
    village_population: dict[int, list[tuple[int | None, float]]] = field(default_factory=lambda: defaultdict(list))

    def communes_named(self, keys: Iterable[str]) -> list[str]:
        """Commune keys whose name or alias has one of the normalised keys (without diacritics as a last resort)."""
        keys = list(keys)
        found: list[str] = []
        for k in keys:
            for unit_key in self.communes_by_name.get(k, []):
                if unit_key not in found:
                    found.append(unit_key)
        if not found:
            folded = {fold_diacritics(k) for k in keys}
            for name_key, unit_keys in self.communes_by_name.items():
                if fold_diacritics(name_key) in folded:
                    found.extend(u for u in unit_keys if u not in found)
        return found

    def successor_text(self, key: str) -> str:
        """" (đã sáp nhập vào X từ dd/mm/yyyy)" for an abolished commune, else ""."""
        links = self.successors.get(key)
        if not links:
            return ""
        names = ", ".join(sorted({self.communes[t].name for t, _ in links if t in self.communes}))
        return f" (đã sáp nhập vào {names} từ {format_date(links[0][1])})"


def load_catalogue(*, session: Session, names: bool = True) -> Catalogue:
    """Communes, villages, reporting units and population facts; names=True adds the name indexes imports match on."""
    from data_model.reference.names import normalise_name, name_keys

    cat = Catalogue()
    for unit in session.scalars(select(Unit).where(Unit.level == "commune")):
        cat.communes[unit.key] = CommuneInfo(unit.key, unit.code, unit.name, unit.valid_from, unit.valid_to)
        cat.communes_by_code[unit.code].append(unit.key)
        if names:
            for k in name_keys(unit.name):
                cat.communes_by_name[k].append(unit.key)
    if names:
        for unit_key, alias in session.execute(select(UnitAlias.unit_key, UnitAlias.alias)):
            if unit_key in cat.communes:
                for k in name_keys(alias):
                    if unit_key not in cat.communes_by_name[k]:
                        cat.communes_by_name[k].append(unit_key)
    for from_key, to_key, date in session.execute(select(UnitSuccessor.from_key, UnitSuccessor.to_key, UnitSuccessor.date)):
        cat.successors[from_key].append((to_key, date))
    for vid, unit_key, name in session.execute(select(Village.id, Village.unit_key, Village.name)):
        cat.villages[vid] = (unit_key, name)
        if names:
            for k in name_keys(name):
                cat.villages_by_name.setdefault((unit_key, k), vid)
    for row in session.execute(select(ReportingUnit.id, ReportingUnit.key, ReportingUnit.kind, ReportingUnit.name,
                                      ReportingUnit.short_name, ReportingUnit.number)):
        unit = UnitInfo(row.id, row.key, row.kind, row.name, row.short_name)
        cat.units[unit.id] = unit
        if names:
            for text in (unit.key, unit.name, unit.short_name):
                for k in name_keys(text):
                    if unit.id not in cat.units_by_name[k]:
                        cat.units_by_name[k].append(unit.id)
            if row.number:
                cat.units_by_name[normalise_name(row.number)].append(unit.id)
    _load_population(session, cat, select(UnitFact.unit_key, UnitFact.village_id, UnitFact.village_text, UnitFact.year,
                                          UnitFact.value_num))
    return cat


def load_catalogue_for(*, session: Session, records: Iterable[Mapping[str, Any]]) -> Catalogue:
    """Only the reference rows some records name (one record's checks stay fast however big the reference is)."""
    records = list(records)
    commune_keys = {r.get("commune_key") for r in records if isinstance(r.get("commune_key"), str)}
    village_ids = {r.get("village_id") for r in records if isinstance(r.get("village_id"), int)}
    unit_ids = set()
    for r in records:
        try:
            unit_ids.add(to_int(r.get("reporting_unit_id")))
        except ValueError:
            pass
    unit_ids.discard(None)
    cat = Catalogue()
    links = session.execute(select(UnitSuccessor.from_key, UnitSuccessor.to_key, UnitSuccessor.date)
                            .where(UnitSuccessor.from_key.in_(commune_keys))).all() if commune_keys else []
    for from_key, to_key, date in links:
        cat.successors[from_key].append((to_key, date))
    wanted = commune_keys | {to_key for _, to_key, _ in links}
    if wanted:
        for unit in session.scalars(select(Unit).where(Unit.level == "commune", Unit.key.in_(wanted))):
            cat.communes[unit.key] = CommuneInfo(unit.key, unit.code, unit.name, unit.valid_from, unit.valid_to)
    if village_ids:
        for vid, unit_key, name in session.execute(select(Village.id, Village.unit_key, Village.name)
                                                   .where(Village.id.in_(village_ids))):
            cat.villages[vid] = (unit_key, name)
    if unit_ids:
        for row in session.execute(select(ReportingUnit.id, ReportingUnit.key, ReportingUnit.kind, ReportingUnit.name,
                                          ReportingUnit.short_name).where(ReportingUnit.id.in_(unit_ids))):
            cat.units[row.id] = UnitInfo(row.id, row.key, row.kind, row.name, row.short_name)
    if commune_keys or village_ids:
        f = UnitFact
        _load_population(session, cat, select(f.unit_key, f.village_id, f.village_text, f.year, f.value_num).where(
            f.unit_key.in_(commune_keys) | f.village_id.in_(village_ids)))
    return cat


def _load_population(session: Session, cat: Catalogue, stmt) -> None:
    stmt = stmt.where(UnitFact.fact == "population", UnitFact.value_num.is_not(None))
    for unit_key, village_id, village_text, year, value in session.execute(stmt):
        if village_id:
            cat.village_population[village_id].append((year, value))
        elif not village_text:
            cat.commune_population[unit_key].append((year, value))


def fold_diacritics(text: str) -> str:
    """"mường tè" → "muong te": the last resort for names typed without diacritics."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))
