"""The dated reference data a check needs (communes, units, villages, names, population), loaded once per check."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_model.basics.issues import to_int
from data_model.reference.communes import CommuneMatcher, CommuneVersion, commune_version, load_commune_matcher
from data_model.reference.names import name_keys, normalise_name
from data_model.schema.models import ReportingUnit, Unit, UnitFact, UnitSuccessor, Village
from data_model.texts.catalogue import Date, Text


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

    communes: dict[str, CommuneVersion] = field(default_factory=dict)
    commune_matcher: CommuneMatcher | None = None  # with names=True: what imports match commune cells with
    successors: dict[str, list[tuple[str, dt.date]]] = field(default_factory=lambda: defaultdict(list))
    villages: dict[int, tuple[str, str]] = field(default_factory=dict)  # id → (commune key, name)
    villages_by_name: dict[tuple[str, str], int] = field(default_factory=dict)  # (commune key, norm) → id
    units: dict[int, UnitInfo] = field(default_factory=dict)
    units_by_name: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    commune_population: dict[str, list[tuple[int | None, float]]] = field(default_factory=lambda: defaultdict(list))
    village_population: dict[int, list[tuple[int | None, float]]] = field(default_factory=lambda: defaultdict(list))

    def successor_text(self, key: str) -> Text | str:
        """" (đã sáp nhập vào X từ dd/mm/yyyy)" for an abolished commune, else ""."""
        links = self.successors.get(key)
        if not links:
            return ""
        names = ", ".join(sorted({self.communes[t].name for t, _ in links if t in self.communes}))
        return Text(" (đã sáp nhập vào {names} từ {day})", names=names, day=Date(links[0][1]))


def load_catalogue(*, session: Session, names: bool = True) -> Catalogue:
    """Communes, villages, reporting units and population facts; names=True adds the name indexes imports match on."""
    cat = Catalogue()
    if names:
        cat.commune_matcher = load_commune_matcher(session=session)
        cat.communes = cat.commune_matcher.versions
    else:
        cat.communes = {u.key: commune_version(u) for u in session.scalars(select(Unit).where(Unit.level == "commune"))}
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
            cat.communes[unit.key] = commune_version(unit)
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

