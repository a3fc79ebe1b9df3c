"""What the By-commune and By-station pages show: place × year for a measure, a ranking, rates per 1,000, details."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data_model.analytics.aggregate import grouped_rows, measure_column
from data_model.analytics.filters import Filters, keys_rolling_up_to
from data_model.analytics.overview import yearly_series
from data_model.analytics.reach import years_of_communes
from data_model.analytics.units import (
    Population,
    commune_names,
    population_by_commune,
    reporting_unit_names,
    with_cluster_units,
)
from data_model.definitions.activity_types import load_activity_types
from data_model.joint.credits import co_organiser_credits, joint_counts_by_unit
from data_model.records.summaries import VILLAGE_SUMS
from data_model.reference.boundaries import load_rollup
from data_model.schema.clock import today_local
from data_model.schema.models import ReportingUnit, StationCoverage, Unit, Village, VillageSummary
from data_model.texts.catalogue import translate

MATRIX_COLUMNS = ["key", "name", "year", "value"]
RANKING_COLUMNS = ["key", "name", "value", "records", "population", "population_note", "per_1000"]


@dataclass(frozen=True)
class PlaceView:
    """A measure of one type per place: place × year, and a ranking over the year range."""

    type_code: str
    measure: str
    matrix: pd.DataFrame  # MATRIX_COLUMNS
    ranking: pd.DataFrame  # RANKING_COLUMNS, biggest first
    extra: pd.DataFrame  # per page: stations' covered communes; empty for communes


def per_thousand(value: float, population: Population | None) -> float | None:
    """value per 1,000 residents, None when the population is not known."""
    if population is None or population.value <= 0:
        return None
    return value * 1000.0 / population.value


def _population_note(population: Population | None, lang: str) -> str:
    if population is None:
        return translate("chưa có số dân", lang=lang)
    notes = []
    if population.approximate:
        notes.append(translate("ước tính", lang=lang))
    if population.derived:
        notes.append(translate("cộng từ các xã cũ", lang=lang))
    if population.year:
        notes.append(translate("năm {year}", lang=lang, year=population.year))
    return ", ".join(notes)


def _matrix_and_ranking(rows: list[tuple], *, names: dict,
                        zeros: dict | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows (place, year, records, value) → place × year cells and a ranking, biggest first; zeros (place → its
    years) puts those places in the ranking and their years in the cells, as 0 where nothing was done."""
    # plain dictionaries: a few thousand rows, where pandas' group-by would cost more than the query
    zeros = zeros or {}
    cells: dict[tuple, int] = {(p, y): 0 for p, years in zeros.items() for y in years}
    totals: dict = {p: [0, 0] for p in zeros}
    for place, year, records, value in rows:
        cells[(place, year)] = cells.get((place, year), 0) + value
        total = totals.setdefault(place, [0, 0])
        total[0] += value
        total[1] += records
    matrix = pd.DataFrame([(p, names.get(p, str(p)), int(y), v) for (p, y), v in cells.items()], columns=MATRIX_COLUMNS)
    ranking = pd.DataFrame([(p, names.get(p, str(p)), v, n) for p, (v, n) in totals.items()],
                           columns=["key", "name", "value", "records"])
    ranking = ranking.sort_values(["value", "name"], ascending=[False, True], kind="stable").reset_index(drop=True)
    return matrix.sort_values(["name", "year"]).reset_index(drop=True), ranking


def commune_view(*, session: Session, filters: Filters, type_code: str, measure: str, lang: str = "vi") -> PlaceView:
    """One type's measure per commune (in the chosen boundaries) and year, a ranking with rates per 1,000 residents;
    the border-area communes without activity count as 0."""
    column = measure_column(type_code, measure)
    rows = grouped_rows(session=session, filters=replace(filters, types=(type_code,)), by=("year", "commune"),
                        sums=(column,))
    names = commune_names(session=session, boundaries=filters.boundaries, lang=lang, year_from=filters.year_from,
                          year_to=filters.year_to, on=filters.on)
    # the border-area communes without activity are there as 0: a ranking or heatmap without them hides who was missed
    matrix, ranking = _matrix_and_ranking([(c, y, n, v) for y, c, _, n, v in rows if c], names=names,
                                          zeros=years_of_communes(session=session, filters=filters))
    people = population_by_commune(session=session, boundaries=filters.boundaries, on=filters.on)
    ranking["population"] = [people[k].value if k in people else None for k in ranking["key"]]
    ranking["population_note"] = [_population_note(people.get(k), lang) for k in ranking["key"]]
    ranking["per_1000"] = [per_thousand(v, people.get(k)) for k, v in zip(ranking["key"], ranking["value"])]
    return PlaceView(type_code, measure, matrix, ranking[RANKING_COLUMNS], pd.DataFrame())


def station_coverage(*, session: Session, filters: Filters, lang: str = "vi") -> pd.DataFrame:
    """station_id, station, commune, valid_from, valid_to of coverage links that overlap the year range."""
    start, end = dt.date(filters.year_from, 1, 1), dt.date(filters.year_to + 1, 1, 1)
    c, u, r = StationCoverage, Unit, ReportingUnit
    rows = session.execute(
        select(c.station_id, r.short_name, u.key, u.name, c.valid_from, c.valid_to)
        .join(u, u.key == c.unit_key).join(r, r.id == c.station_id)
        .where((c.valid_from.is_(None)) | (c.valid_from < end), (c.valid_to.is_(None)) | (c.valid_to > start))
        .order_by(r.short_name, c.valid_from.is_not(None), c.valid_from, u.name)).all()
    return pd.DataFrame(rows, columns=["station_id", "station", "commune_key", "commune", "valid_from", "valid_to"])


def station_view(*, session: Session, filters: Filters, type_code: str, measure: str, lang: str = "vi") -> PlaceView:
    """One type's measure per border station and year (loudspeaker clusters counted under their station), a ranking."""
    column = measure_column(type_code, measure)
    rows = grouped_rows(session=session, filters=replace(filters, types=(type_code,)), by=("year", "station"),
                        sums=(column,))
    units = reporting_unit_names(session=session)
    names = {i: n for i, (n, _) in units.items()}
    # a joint activity is in the totals once, under its record's unit; each co-organising station is credited too
    credits = co_organiser_credits(session=session, year_from=filters.year_from, year_to=filters.year_to,
                                   type_code=type_code,
                                   column=load_activity_types()[type_code].measure(measure).column)
    wanted = set(filters.stations)
    own = [(u, y, n, v) for y, u, _, n, v in rows]
    matrix, ranking = _matrix_and_ranking([(u, y, n, v) for u, y, n, v in own + (credits if not filters.communes else [])
                                           if units.get(u, ("", ""))[1] == "station" and (not wanted or u in wanted)],
                                          names=names)
    joint = joint_counts_by_unit(session=session, year_from=filters.year_from, year_to=filters.year_to,
                                 type_code=type_code)
    coverage = station_coverage(session=session, filters=filters, lang=lang)
    covered = coverage.groupby("station_id")["commune"].agg(lambda s: ", ".join(dict.fromkeys(s))).to_dict()
    ranking["population"] = None
    ranking["population_note"] = [covered.get(k, "") for k in ranking["key"]]
    ranking["per_1000"] = None
    ranking["joint"] = [joint.get(k, 0) for k in ranking["key"]]  # "trong đó phối hợp"
    return PlaceView(type_code, measure, matrix, ranking[[*RANKING_COLUMNS, "joint"]], coverage)


@dataclass(frozen=True)
class PlaceDetail:
    """One commune or station: its trend per type, its villages (communes only), its population."""

    key: str
    name: str
    trend: pd.DataFrame  # yearly_series columns
    villages: pd.DataFrame  # village_id, village, is_demo, type, type_name, records, s1, s2
    population: Population | None
    filters: Filters  # the filters that select this place's records


def recorded_communes_of(*, session: Session, key: str, boundaries: str, on: dt.date | None = None) -> list[str]:
    """Commune keys as recorded that belong to a commune of the chosen boundaries."""
    if boundaries != "current":
        return [key]
    return keys_rolling_up_to(rollup=load_rollup(session=session, on=on), targets=[key])


def predecessors_of(*, session: Session, key: str) -> list[str]:
    """The commune itself and every earlier commune merged into it (following successor chains)."""
    unit = session.get(Unit, key)
    if unit is None:
        return [key]
    last_day = unit.valid_to - dt.timedelta(days=1) if unit.valid_to else today_local()
    rollup = load_rollup(session=session, on=last_day)
    return sorted({key, *keys_rolling_up_to(rollup=rollup, targets=[key])})


def village_totals(*, session: Session, filters: Filters, commune_keys: list[str], lang: str = "vi") -> pd.DataFrame:
    """Every village of the communes with its records per type over the year range (0 rows for villages not reached)."""
    v, s = Village, VillageSummary
    villages = session.execute(
        select(v.id, v.name, v.is_demo).where(v.unit_key.in_(commune_keys)).order_by(v.name)).all()
    sums = [func.sum(getattr(s, c)) for c in VILLAGE_SUMS]
    stmt = (select(s.village_id, s.type_code, func.sum(s.n_records), *sums)
            .join(v, v.id == s.village_id)
            .where(v.unit_key.in_(commune_keys), s.year >= filters.year_from, s.year <= filters.year_to)
            .group_by(s.village_id, s.type_code))
    if filters.types:
        stmt = stmt.where(s.type_code.in_(filters.types))
    sums: dict[int, list[tuple]] = {}
    for village_id, type_code, n, s1, s2 in session.execute(stmt):
        sums.setdefault(village_id, []).append((type_code, int(n or 0), int(s1 or 0), int(s2 or 0)))
    types = load_activity_types()
    out = []
    for village_id, name, is_demo in villages:
        for type_code, n, s1, s2 in sums.get(village_id, [(None, 0, 0, 0)]):
            type_name = types[type_code].name(lang) if type_code in types else ""
            out.append((village_id, name, bool(is_demo), type_code, type_name, n, s1, s2))
    return pd.DataFrame(out, columns=["village_id", "village", "is_demo", "type", "type_name", "records", "s1", "s2"])


def commune_detail(*, session: Session, filters: Filters, commune_key: str, lang: str = "vi") -> PlaceDetail:
    """A commune's trend per type, its villages and their activity, its population."""
    mine = replace(filters, communes=(commune_key,), district=None)  # years and types become key lookups
    recorded = recorded_communes_of(session=session, key=commune_key, boundaries=filters.boundaries, on=filters.on)
    names = commune_names(session=session, boundaries=filters.boundaries, lang=lang, year_from=filters.year_from,
                          year_to=filters.year_to, on=filters.on)
    people = population_by_commune(session=session, boundaries=filters.boundaries, on=filters.on)
    return PlaceDetail(
        key=commune_key, name=names.get(commune_key, commune_key),
        trend=yearly_series(session=session, filters=mine, lang=lang),
        villages=village_totals(session=session, filters=filters, commune_keys=recorded, lang=lang),
        population=people.get(commune_key), filters=mine,
    )


def station_detail(*, session: Session, filters: Filters, station_id: int, type_code: str | None = None,
                   lang: str = "vi") -> PlaceDetail:
    """A station's trend (one type, or the filters' types) with its loudspeaker clusters; its records' filters."""
    units = with_cluster_units(session=session, station_ids=(station_id,))
    mine = replace(filters, stations=units, types=(type_code,) if type_code else filters.types)
    name = reporting_unit_names(session=session).get(station_id, ("", ""))[0]
    return PlaceDetail(key=str(station_id), name=name, trend=yearly_series(session=session, filters=mine, lang=lang),
                       villages=pd.DataFrame(), population=None, filters=mine)
