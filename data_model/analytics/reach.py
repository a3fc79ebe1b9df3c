"""Which border-area communes and villages a type of activity did not reach in a year, with their population and the
station that covers them (the planner's list); the communes every commune ranking counts, reached or not."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data_model.analytics.aggregate import grouped_rows
from data_model.analytics.filters import Filters, keys_rolling_up_to
from data_model.analytics.units import commune_names, population_by_commune
from data_model.reference.boundaries import load_rollup, units_valid_on
from data_model.schema.clock import today_local
from data_model.schema.models import ReportingUnit, StationCoverage, Unit, UnitFact, Village, VillageSummary

COMMUNE_COLUMNS = ["key", "commune", "population", "stations", "villages"]
VILLAGE_COLUMNS = ["commune_key", "commune", "village", "population", "stations", "commune_reached"]


def _border_or_covered(units: list[Unit], covered: set[str]) -> list[str]:
    return [u.key for u in units if u.border_status != "not_border" or u.key in covered]


def communes_in_scope(*, session: Session, filters: Filters) -> list[str]:
    """Keys of the border-area communes (or those a station covers) in the chosen boundaries over the filters' years,
    narrowed by the sidebar's communes, district and stations."""
    start, end = dt.date(filters.year_from, 1, 1), dt.date(filters.year_to + 1, 1, 1)
    c = StationCoverage
    coverage = session.execute(select(c.station_id, c.unit_key).where(
        (c.valid_from.is_(None)) | (c.valid_from < end), (c.valid_to.is_(None)) | (c.valid_to > start))).all()
    if filters.boundaries == "current":
        on = filters.on or today_local()
        rollup = load_rollup(session=session, on=on)
        lift = {k: {t for t, _ in parts} for k, parts in rollup.items()}
        covered = {t for _, key in coverage for t in lift.get(key, {key})}
        units = units_valid_on(session=session, on=on)
    else:
        lift = {}
        covered = {key for _, key in coverage}
        units = list(session.scalars(select(Unit).where(
            Unit.level == "commune", (Unit.valid_from.is_(None)) | (Unit.valid_from < end),
            (Unit.valid_to.is_(None)) | (Unit.valid_to > start))))
        if filters.district:
            units = [u for u in units if u.parent_key == filters.district]
    keys = _border_or_covered(units, covered)
    if filters.communes:
        keys = [k for k in keys if k in set(filters.communes)]
    if filters.stations:
        mine = {t for station, key in coverage if station in set(filters.stations) for t in lift.get(key, {key})}
        keys = [k for k in keys if k in mine]
    return sorted(keys)


def years_of_communes(*, session: Session, filters: Filters) -> dict[str, list[int]]:
    """Each commune in scope → the filters' years it existed in (today's communes: every year, their predecessors'
    work counts for them)."""
    keys = communes_in_scope(session=session, filters=filters)
    years = range(filters.year_from, filters.year_to + 1)
    if filters.boundaries == "current":
        return {k: list(years) for k in keys}
    spans = {key: (start or dt.date.min, end or dt.date.max) for key, start, end in session.execute(
        select(Unit.key, Unit.valid_from, Unit.valid_to).where(Unit.key.in_(keys)))}
    return {k: [y for y in years if spans[k][0] < dt.date(y + 1, 1, 1) and spans[k][1] > dt.date(y, 1, 1)]
            for k in keys}


def covering_stations(*, session: Session, filters: Filters, keys: list[str]) -> dict[str, str]:
    """Commune key → the short names of the stations covering it (or, for a current commune, its predecessors)
    during the filters' years."""
    start, end = dt.date(filters.year_from, 1, 1), dt.date(filters.year_to + 1, 1, 1)
    c, r = StationCoverage, ReportingUnit
    rows = session.execute(select(c.unit_key, r.short_name).join(r, r.id == c.station_id).where(
        (c.valid_from.is_(None)) | (c.valid_from < end), (c.valid_to.is_(None)) | (c.valid_to > start))
        .order_by(r.short_name)).all()
    lift: dict[str, set[str]] = {}
    if filters.boundaries == "current":
        lift = {k: {t for t, _ in parts} for k, parts in load_rollup(session=session, on=filters.on).items()}
    found: dict[str, dict[str, None]] = {}
    for key, station in rows:
        for target in lift.get(key, {key}):
            found.setdefault(target, {})[station] = None
    return {k: ", ".join(found.get(k, {})) for k in keys}


def _village_population(session: Session, ids: list[int]) -> dict[int, float]:
    f = UnitFact
    latest: dict[int, tuple[int, float]] = {}
    for village_id, year, value in session.execute(select(f.village_id, f.year, f.value_num).where(
            f.fact == "population", f.village_id.in_(ids), f.value_num.is_not(None))):
        if village_id is None or value is None:
            continue
        if village_id not in latest or (year or 0) > latest[village_id][0]:
            latest[village_id] = (year or 0, float(value))
    return {k: v for k, (_, v) in latest.items()}


@dataclass(frozen=True)
class NotReached:
    """The communes and villages of the border area without an activity of a type in a year."""

    type_code: str
    year: int
    communes_in_scope: int
    communes: pd.DataFrame  # COMMUNE_COLUMNS, by name
    villages: pd.DataFrame  # VILLAGE_COLUMNS, by commune and village


def list_not_reached(*, session: Session, filters: Filters, type_code: str, year: int,
                     lang: str = "vi") -> NotReached:
    """The border-area communes (in the chosen boundaries) and their villages without a record of the type in the
    year, with population and the covering station."""
    year_filters = replace(filters, year_from=year, year_to=year, types=(type_code,))
    scope = communes_in_scope(session=session, filters=year_filters)
    reached = {row[0] for row in grouped_rows(session=session, filters=year_filters, by=("commune",), sums=())
               if row[2]}
    names = commune_names(session=session, boundaries=filters.boundaries, lang=lang, year_from=year, year_to=year,
                          on=filters.on)
    people = population_by_commune(session=session, boundaries=filters.boundaries, on=filters.on)
    stations = covering_stations(session=session, filters=year_filters, keys=scope)
    # the villages of each commune in scope (for today's communes, those of the communes merged into it)
    v, s = Village, VillageSummary
    recorded_to_scope: dict[str, str] = {k: k for k in scope}
    if filters.boundaries == "current":  # a commune without a village list of its own has its predecessors'
        listed = set(session.scalars(select(v.unit_key).where(v.unit_key.in_(scope)).distinct()))
        rollup = load_rollup(session=session, on=filters.on)
        for key in set(scope) - listed:
            for old in keys_rolling_up_to(rollup=rollup, targets=[key]):
                recorded_to_scope.setdefault(old, key)
    villages = session.execute(select(v.id, v.unit_key, v.name).where(v.unit_key.in_(list(recorded_to_scope)))
                               .order_by(v.name)).all()
    with_activity = set(session.scalars(select(s.village_id).where(
        s.year == year, s.type_code == type_code, s.village_id.in_([x.id for x in villages]))
        .group_by(s.village_id).having(func.sum(s.n_records) > 0)))
    village_people = _village_population(session, [x.id for x in villages])
    missing_villages = [(recorded_to_scope[unit_key], name, village_people.get(vid))
                        for vid, unit_key, name in villages if vid not in with_activity]
    per_commune: dict[str, int] = {}
    for key, _, _ in missing_villages:
        per_commune[key] = per_commune.get(key, 0) + 1
    communes = pd.DataFrame(
        [(k, names.get(k, k), people[k].value if k in people else None, stations.get(k, ""), per_commune.get(k, 0))
         for k in scope if k not in reached], columns=COMMUNE_COLUMNS)
    village_rows = pd.DataFrame(
        [(k, names.get(k, k), name, pop, stations.get(k, ""), k in reached) for k, name, pop in missing_villages],
        columns=VILLAGE_COLUMNS)
    return NotReached(
        type_code=type_code, year=year, communes_in_scope=len(scope),
        communes=communes.sort_values("commune", kind="stable").reset_index(drop=True),
        villages=village_rows.sort_values(["commune", "village"], kind="stable").reset_index(drop=True))
