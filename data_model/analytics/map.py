"""What the commune map shows: a measure per 2025 commune (totals, per 1,000 residents), village coverage, stations."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from data_model.analytics.aggregate import grouped_rows, measure_column, roll_up
from data_model.analytics.filters import Filters, Rollup
from data_model.analytics.places import _population_note, per_thousand  # the By-commune page's own wording
from data_model.analytics.reach import communes_in_scope
from data_model.analytics.units import population_by_commune
from data_model.reference.boundaries import REORGANISATION_2025, load_rollup, units_valid_on
from data_model.reference.geo import ProvinceShapes
from data_model.reference.names import normalise_name
from data_model.schema.clock import today_local
from data_model.schema.models import NO_COMMUNE, ReportingUnit, StationCoverage, Unit, Village, VillageSummary

MAP_COLUMNS = ["key", "code", "name", "value", "records", "population", "population_note", "per_1000",
               "villages", "villages_reached", "coverage", "border_area"]
STATION_COLUMNS = ["station_id", "name", "commune_key", "placed_by"]
STATION_SPREAD_DEG = 0.035  # stations sharing a commune are set around its centre this far apart (about 3.5 km)
# colours of the map's layers, shared by the pages and the report: the lightest is still clearly tinted, apart from
# the grey of communes without a figure; coverage runs red (no village reached) to blue (every village)
LAYER_COLORS = {
    "value": ["#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"],
    "per_1000": ["#dadaeb", "#bcbddc", "#9e9ac8", "#807dba", "#6a51a3", "#54278f", "#3f007d"],
    "coverage": ["#a50026", "#d73027", "#f46d43", "#fdae61", "#fee090", "#abd9e9", "#74add1", "#4575b4", "#313695"],
}
STATION_DROP_DEG = 0.03  # and a little below it, so that the commune's own name stays readable
LABEL_LIFT_DEG = 0.02  # the commune's name a little above its centre, clear of a ring of stations


@dataclass(frozen=True)
class CommuneMap:
    """Figures per commune valid on the map's day (every commune, with or without records), and the stations."""

    type_code: str
    measure: str
    on: dt.date  # the day whose communes are drawn
    rolled_up: bool  # the filters asked for the communes as recorded: records were rolled up to today's communes
    coverage_year: int
    communes: pd.DataFrame  # MAP_COLUMNS, by name
    stations: pd.DataFrame  # STATION_COLUMNS
    outside: int  # the measure's total of records without a commune (not on the map)
    total: int  # the measure's total under the filters (map + outside)


def map_day(filters: Filters) -> dt.date:
    """The day whose communes the map draws: the filters' roll-up day, never before the 2025 polygons."""
    return max(filters.on or today_local(), REORGANISATION_2025)


def measure_per_commune(*, session: Session, filters: Filters, column: str,
                        rollup: Rollup) -> dict[str, tuple[int, int]]:
    """Commune key of the roll-up's day → (records, measure total), by the one aggregation path, rolled up."""
    rows = grouped_rows(session=session, filters=filters, by=("commune",), sums=(column,))
    # as recorded, or current on an earlier day (a report on a former commune): on to the communes of `on`
    rows = roll_up(rows=rows, at=0, keys=2, rollup=rollup)
    out: dict[str, tuple[int, int]] = {}
    for key, _type, records, value in rows:
        old = out.get(key, (0, 0))
        out[key] = (old[0] + int(records), old[1] + int(value))
    return out


def village_coverage(*, session: Session, year: int, types: tuple[str, ...],
                     rollup: Rollup) -> dict[str, tuple[int, int]]:
    """Commune key of the roll-up's day → (villages known, villages with a record in the year), from village records."""
    home = {k: max(parts, key=lambda p: p[1])[0] for k, parts in rollup.items() if parts}  # a village is never split
    s = VillageSummary
    reached_stmt = select(s.village_id).where(s.year == year, s.n_records != 0).distinct()
    if types:
        reached_stmt = reached_stmt.where(s.type_code.in_(types))
    reached = set(session.scalars(reached_stmt))
    out: dict[str, list[int]] = {}
    for village_id, unit_key in session.execute(select(Village.id, Village.unit_key)):
        counts = out.setdefault(home.get(unit_key, unit_key), [0, 0])
        counts[0] += 1
        counts[1] += village_id in reached
    return {k: (v[0], v[1]) for k, v in out.items()}


def station_communes(*, session: Session, on: dt.date, rollup: Rollup) -> pd.DataFrame:
    """Each border station with the commune valid on `on` where it is drawn, and how that commune was found."""
    by_name: dict[str, list[str]] = {}
    for key, name in session.execute(select(Unit.key, Unit.name_norm).where(Unit.level == "commune")):
        by_name.setdefault(name, []).append(key)
    covered: dict[int, list[str]] = {}
    c = StationCoverage
    for station_id, unit_key in session.execute(
            select(c.station_id, c.unit_key).where((c.valid_from.is_(None)) | (c.valid_from <= on),
                                                  (c.valid_to.is_(None)) | (c.valid_to > on)).order_by(c.id)):
        covered.setdefault(station_id, []).append(unit_key)
    rows = []
    stations = session.execute(select(ReportingUnit.id, ReportingUnit.short_name, ReportingUnit.commune_key)
                               .where(ReportingUnit.kind == "station").order_by(ReportingUnit.short_name))
    for station_id, name, commune_key in stations:
        # no station has coordinates: it goes to its own commune, else the commune it is named after, else the
        # first commune it covers today
        placed_by, key = "commune", commune_key
        if not key:
            named = sorted(by_name.get(normalise_name(name), []))
            placed_by, key = ("name", named[-1]) if named else ("coverage", (covered.get(station_id) or [None])[0])
        if key:
            key = max(rollup.get(key, [(key, 1.0)]), key=lambda p: p[1])[0]
        rows.append((station_id, name, key, placed_by if key else ""))
    return pd.DataFrame(rows, columns=STATION_COLUMNS)


def commune_map(*, session: Session, filters: Filters, type_code: str, measure: str, coverage_year: int | None = None,
                lang: str = "vi") -> CommuneMap:
    """One type's measure on every commune valid today, with rates per 1,000 residents and village coverage."""
    on = map_day(filters)
    column = measure_column(type_code, measure)
    mine = replace(filters, types=(type_code,))
    rollup = load_rollup(session=session, on=on)
    figures = measure_per_commune(session=session, filters=mine, column=column, rollup=rollup)
    year = coverage_year or filters.year_to
    coverage = village_coverage(session=session, year=year, types=tuple(filters.types), rollup=rollup)
    people = population_by_commune(session=session, boundaries="current", on=on)
    # a commune outside the border area without activity is not "not reached": the programme is not meant for it
    border = set(communes_in_scope(session=session, filters=Filters(year_from=filters.year_from,
                                                                     year_to=filters.year_to, boundaries="current",
                                                                     on=on)))
    rows = []
    for unit in units_valid_on(session=session, on=on):
        records, value = figures.get(unit.key, (0, 0))
        known, reached = coverage.get(unit.key, (0, 0))
        population = people.get(unit.key)
        rows.append((unit.key, unit.code, unit.name, value, records, population.value if population else None,
                     _population_note(population, lang), per_thousand(value, population), known, reached,
                     reached / known if known else None, unit.key in border))
    communes = pd.DataFrame(rows, columns=MAP_COLUMNS)
    drawn = set(communes["key"])
    outside = sum(v for k, (_, v) in figures.items() if k not in drawn or k == NO_COMMUNE)
    return CommuneMap(type_code=type_code, measure=measure, on=on, rolled_up=filters.boundaries != "current",
                      coverage_year=year, communes=communes,
                      stations=station_communes(session=session, on=on, rollup=rollup),
                      outside=int(outside), total=int(sum(v for _, v in figures.values())))


def station_points(*, stations: pd.DataFrame, shapes: ProvinceShapes) -> pd.DataFrame:
    """Stations with lon/lat at their commune's centre; several in one commune are set around it (no coordinates)."""
    placed = stations[stations["commune_key"].isin(list(shapes.communes))].copy()
    lon, lat = [], []
    for key, group in placed.groupby("commune_key", sort=False):
        cx, cy = shapes.communes[key].centroid
        cy -= STATION_DROP_DEG
        n = len(group)
        for i in range(n):
            angle = math.pi / 2 + 2 * math.pi * i / n
            radius = 0 if n == 1 else STATION_SPREAD_DEG
            lon.append((group.index[i], cx + radius * math.cos(angle)))
            lat.append((group.index[i], cy + radius * math.sin(angle)))
    placed["lon"] = pd.Series(dict(lon), dtype=float)
    placed["lat"] = pd.Series(dict(lat), dtype=float)
    return placed.reset_index(drop=True)
