"""Building blocks of the dashboard queries: grouped summary frames, boundary roll-up, unit labels, population."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data_model.analytics.filters import Filters, summary_conditions
from data_model.analytics.summary import unpivot_measures
from data_model.definitions.activity_types import get_activity_type, list_activity_types, load_activity_types
from data_model.records.summaries import SUM_COLUMNS
from data_model.reference.boundaries import load_rollup, units_valid_on
from data_model.schema.models import ActivitySummary, ReportingUnit, Unit, UnitFact, UnitSuccessor

GROUP_COLUMNS = {"year": "year", "commune": "commune_key", "unit": "reporting_unit_id"}


def grouped_rows(*, session: Session, filters: Filters, by: tuple[str, ...],
                 sums: tuple[str, ...] = SUM_COLUMNS) -> list[tuple]:
    """(groups…, type_code, records, sums…) tuples, communes rolled up to the chosen boundaries."""
    filters.check()
    s = ActivitySummary
    cols = [getattr(s, GROUP_COLUMNS[g]) for g in by]
    stmt = (select(*cols, s.type_code, func.sum(s.n_records), *[func.sum(getattr(s, c)) for c in sums])
            .where(*summary_conditions(session=session, filters=filters)).group_by(*cols, s.type_code))
    rows = [tuple(r) for r in session.execute(stmt)]
    if "commune" in by and filters.boundaries == "current" and rows:
        return roll_up(rows, at=by.index("commune"), keys=len(by) + 1,
                       rollup=load_rollup(session=session, on=filters.on))
    return [r[:len(by) + 1] + tuple(int(v or 0) for v in r[len(by) + 1:]) for r in rows]


def grouped_summary(*, session: Session, filters: Filters, by: tuple[str, ...],
                    sums: tuple[str, ...] = SUM_COLUMNS) -> pd.DataFrame:
    """Sums of records and of the chosen s-columns per type and groups (year, commune, unit), as a DataFrame."""
    names = [GROUP_COLUMNS[g] for g in by] + ["type_code", "records", *sums]
    frame = pd.DataFrame(grouped_rows(session=session, filters=filters, by=by, sums=sums), columns=names)
    return frame.astype({c: "int64" for c in names[len(by) + 1:]})


def roll_up(rows: list[tuple], *, at: int, keys: int, rollup: dict[str, list[tuple[str, float]]]) -> list[tuple]:
    """Move each row's commune (position at) to the current commune(s), split by share, and add the rows up again.

    The first `keys` values of a row are its group key, the rest are sums; split sums are rounded at the end.
    """
    acc: dict[tuple, list[float]] = {}
    for row in rows:
        commune = row[at]
        values = [float(v or 0) for v in row[keys:]]
        for target, share in rollup.get(commune, [(commune, 1.0)]) if commune else [("", 1.0)]:
            key = row[:at] + (target,) + row[at + 1:keys]
            total = acc.setdefault(key, [0.0] * len(values))
            for i, v in enumerate(values):
                total[i] += v * share
    return [key + tuple(int(round(v)) for v in values) for key, values in acc.items()]


def long_measures(frame: pd.DataFrame, *, keys: list[str], lang: str = "vi") -> pd.DataFrame:
    """s1..s6 columns → one row per defined measure: keys…, type, type_name, measure, measure_label, unit, value."""
    long = unpivot_measures(frame, keys=keys)
    types = load_activity_types()
    measures = [types[t].measure(m) for t, m in zip(long["type"], long["measure"])]
    long.insert(len(keys) + 1, "type_name", [types[t].name(lang) for t in long["type"]])
    long.insert(len(keys) + 3, "measure_label", [m.label(lang) for m in measures])
    long.insert(len(keys) + 4, "unit", [m.unit(lang) for m in measures])
    return long


def measure_column(type_code: str, measure: str) -> str:
    """The summary column (s1..s6) of a type's measure."""
    return f"s{get_activity_type(type_code).measure(measure).slot}"


def _period(start: dt.date | None, end: dt.date | None, lang: str) -> str:
    if start and end:
        return f"{start.month}/{start.year}–{end.month}/{end.year}"
    if start:
        return ("từ " if lang == "vi" else "from ") + f"{start.month}/{start.year}"
    return (("đến " if lang == "vi" else "until ") + f"{end.month}/{end.year}") if end else ""


def commune_names(*, session: Session, boundaries: str, lang: str = "vi") -> dict[str, str]:
    """Display name of every commune version; names shared by several versions get the kind and validity added."""
    rows = session.execute(select(Unit.key, Unit.name, Unit.kind, Unit.valid_from, Unit.valid_to)
                           .where(Unit.level == "commune")).all()
    base = {key: name if kind in ("xã", "") else f"{name} ({kind})" for key, name, kind, _, _ in rows}
    if boundaries == "current":
        names = {key: name for key, name, *_ in rows}
    else:
        seen: dict[str, int] = {}
        for label in base.values():
            seen[label] = seen.get(label, 0) + 1
        names = {key: base[key] if seen[base[key]] == 1 else f"{base[key]} ({_period(start, end, lang)})"
                 for key, _, _, start, end in rows}
    names[""] = "(không ghi xã)" if lang == "vi" else "(no commune)"
    return names


def station_of_unit(*, session: Session) -> dict[int, int]:
    """Reporting unit id → the station it counts under (a loudspeaker cluster counts under its parent station)."""
    units = session.execute(select(ReportingUnit.id, ReportingUnit.kind, ReportingUnit.parent_id)).all()
    return {uid: (parent if kind == "loudspeaker_cluster" and parent else uid) for uid, kind, parent in units}


def reporting_unit_names(*, session: Session) -> dict[int, tuple[str, str]]:
    """Reporting unit id → (short name, kind)."""
    return {uid: (name, kind) for uid, name, kind in
            session.execute(select(ReportingUnit.id, ReportingUnit.short_name, ReportingUnit.kind))}


@dataclass(frozen=True)
class Population:
    """Residents of a commune and whether the figure is approximate or derived from predecessors."""

    value: float
    year: int | None
    approximate: bool
    derived: bool = False


def population_by_commune(*, session: Session, boundaries: str, on: dt.date | None = None) -> dict[str, Population]:
    """The latest known population of each commune; a current commune without one adds up its direct predecessors'."""
    latest: dict[str, Population] = {}
    rows = session.execute(select(UnitFact.unit_key, UnitFact.year, UnitFact.value_num, UnitFact.approximate)
                           .where(UnitFact.fact == "population", UnitFact.value_num.is_not(None),
                                  UnitFact.village_id.is_(None), UnitFact.village_text == ""))
    for key, year, value, approx in rows:
        old = latest.get(key)
        if old is None or (year or 0) > (old.year or 0):
            latest[key] = Population(value=float(value), year=year, approximate=bool(approx))
    if boundaries != "current":
        return latest
    current = {u.key for u in units_valid_on(session=session, on=on or dt.date.today())}
    sources: dict[str, list[tuple[str, float]]] = {}
    # only direct predecessors: following a chain would count a commune merged earlier twice
    links = session.execute(select(UnitSuccessor.from_key, UnitSuccessor.to_key, UnitSuccessor.share))
    for from_key, to_key, share in links:
        sources.setdefault(to_key, []).append((from_key, share))
    result = {k: p for k, p in latest.items() if k in current}
    for key, parts in sources.items():
        if key in result or key not in current:
            continue
        if all(k in latest for k, _ in parts):
            result[key] = Population(value=sum(latest[k].value * s for k, s in parts), year=None,
                                     approximate=any(latest[k].approximate for k, _ in parts), derived=True)
    return result


def first_and_last_year(*, session: Session) -> tuple[int, int] | None:
    """First and last year that has records (None for an empty database); each end read along the summary's key."""
    s = ActivitySummary
    live = s.n_records != 0
    first = session.scalar(select(s.year).where(live).order_by(s.year.asc()).limit(1))
    if first is None:
        return None
    return int(first), int(session.scalar(select(s.year).where(live).order_by(s.year.desc()).limit(1)))


@dataclass(frozen=True)
class FilterOptions:
    """What the sidebar filters can offer."""

    years: tuple[int, int] | None
    districts: dict[str, str]  # key → name (historical view only)
    communes_recorded: dict[str, str]  # key → label, commune versions as recorded
    communes_current: dict[str, str]  # key → name, communes valid today
    stations: dict[int, str]  # reporting unit id → label (loudspeaker clusters are picked with their station)


def filter_options(*, session: Session, on: dt.date | None = None, lang: str = "vi") -> FilterOptions:
    """Years with records, districts, communes (both views) and reporting units for the sidebar."""
    recorded = commune_names(session=session, boundaries="historical", lang=lang)
    recorded.pop("", None)
    current = {u.key: u.name for u in units_valid_on(session=session, on=on or dt.date.today())}
    districts = dict(session.execute(
        select(Unit.key, Unit.name).where(Unit.level == "district").order_by(Unit.name)).all())
    units = session.execute(select(ReportingUnit.id, ReportingUnit.short_name, ReportingUnit.kind)
                            .where(ReportingUnit.kind != "loudspeaker_cluster")
                            .order_by(ReportingUnit.kind != "station", ReportingUnit.short_name)).all()
    return FilterOptions(
        years=first_and_last_year(session=session),
        districts=districts,
        communes_recorded=dict(sorted(recorded.items(), key=lambda kv: kv[1])),
        communes_current=dict(sorted(current.items(), key=lambda kv: kv[1])),
        stations={uid: name for uid, name, _ in units},
    )


def with_cluster_units(*, session: Session, station_ids: tuple[int, ...]) -> tuple[int, ...]:
    """The stations plus the loudspeaker clusters under them (a cluster's broadcasts are its station's work)."""
    if not station_ids:
        return ()
    children = session.scalars(select(ReportingUnit.id).where(ReportingUnit.parent_id.in_(station_ids),
                                                            ReportingUnit.kind == "loudspeaker_cluster"))
    return tuple(sorted(set(station_ids) | set(children)))


def type_order() -> dict[str, int]:
    """Position of each type in the definition file (for stable ordering)."""
    return {t.code: i for i, t in enumerate(list_activity_types())}
