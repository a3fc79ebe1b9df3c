"""The one aggregation path of pages, command line and report: grouped sums in SQL, the roll-up, the long form."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from data_model.analytics.filters import Filters, QueryError, Rollup, resolve_filters
from data_model.analytics.statements import GROUPS, grouped_statement
from data_model.analytics.units import commune_names
from data_model.definitions.activity_types import get_activity_type, list_activity_types, load_activity_types
from data_model.definitions.fields import SUM_COLUMNS
from data_model.reference.boundaries import load_rollup, units_valid_on
from data_model.schema.clock import today_local
from data_model.schema.models import NO_COMMUNE, ActivityRollup, ReportingUnit, Unit

LONG_COLUMNS = ["type", "measure", "value"]


def grouped_rows(*, session: Session, filters: Filters, by: tuple[str, ...],
                 sums: tuple[str, ...] = SUM_COLUMNS) -> list[tuple]:
    """(groups…, type_code, records, sums…) tuples, communes rolled up to the chosen boundaries."""
    # groups: year, commune, district (as recorded only), unit (as entered), station (clusters under their station)
    resolved = resolve_filters(session=session, filters=filters)
    if "district" in by and resolved.boundaries != "historical":
        raise QueryError("Nhóm theo huyện chỉ dùng được với địa giới như khi ghi nhận")
    keys = len(by) + 1
    rows = [tuple(NO_COMMUNE if v is None and i < len(by) else v for i, v in enumerate(r)) for r in
            session.execute(grouped_statement(resolved=resolved, by=by, sums=sums))]
    if "commune" in by and resolved.boundaries == "current" and rows:
        rollup = load_rollup(session=session, on=resolved.on)
        return roll_up(rows=rows, at=by.index("commune"), keys=keys, rollup=rollup)
    return [r[:keys] + tuple(int(v or 0) for v in r[keys:]) for r in rows]


def grouped_summary(*, session: Session, filters: Filters, by: tuple[str, ...],
                    sums: tuple[str, ...] = SUM_COLUMNS) -> pd.DataFrame:
    """Sums of records and of the chosen s-columns per type and groups (year, commune, unit…), as a DataFrame."""
    names = [GROUPS[g] for g in by] + ["type_code", "records", *sums]
    frame = pd.DataFrame(grouped_rows(session=session, filters=filters, by=by, sums=sums), columns=names)
    return frame.astype(dict.fromkeys(names[len(by) + 1:], "int64"))


def roll_up(*, rows: list[tuple], at: int, keys: int, rollup: Rollup) -> list[tuple]:
    """Move each row's unit (position at) to the unit(s) it rolls up to, split by share, and add the rows up again."""
    # the first `keys` values of a row are its group key, the rest are sums; split sums are rounded at the end;
    # a unit the roll-up does not know (such as the empty key of records without a commune) stays as it is
    acc: dict[tuple, list[float]] = {}
    for row in rows:
        values = [float(v or 0) for v in row[keys:]]
        for target, share in rollup.get(row[at], [(row[at], 1.0)]):
            key = row[:at] + (target,) + row[at + 1:keys]
            total = acc.setdefault(key, [0.0] * len(values))
            for i, v in enumerate(values):
                total[i] += v * share
    return [key + tuple(int(round(v)) for v in values) for key, values in acc.items()]


def type_order() -> dict[str, int]:
    """Position of each type in the definition file (for stable ordering)."""
    return {t.code: i for i, t in enumerate(list_activity_types())}


def unpivot_measures(wide: pd.DataFrame, *, keys: list[str]) -> pd.DataFrame:
    """s1..s6 columns → long rows (keys…, type, measure, value): by the keys, then types and measures as defined."""
    types = load_activity_types()
    order = type_order()
    wide = wide.assign(_o=wide["type_code"].map(order)).sort_values([*keys, "_o"], kind="stable")
    out = []
    for row in wide.itertuples(index=False):
        rec = row._asdict()
        definition = types.get(rec["type_code"])
        if definition is None:
            continue
        for m in definition.measures:
            out.append({**{k: rec[k] for k in keys}, "type": rec["type_code"], "measure": m.code,
                        "value": int(rec[m.sum_column] or 0)})
    return pd.DataFrame(out, columns=keys + LONG_COLUMNS)


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
    return get_activity_type(type_code).measure(measure).sum_column


def first_and_last_year(*, session: Session) -> tuple[int, int] | None:
    """First and last year that has records (None for an empty database); each end read along the rollup's key."""
    s = ActivityRollup
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
    current = {u.key: u.name for u in units_valid_on(session=session, on=on or today_local())}
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


def commune_choices(*, session: Session, boundaries: str, year_from: int, year_to: int, on: dt.date | None = None,
                    lang: str = "vi") -> dict[str, str]:
    """key → name of the communes a picker offers for the period: today's communes, or as recorded the versions that
    existed in it (each named by the one naming rule), by name."""
    day = on or today_local()
    if boundaries == "current":
        return {u.key: u.name for u in units_valid_on(session=session, on=day)}
    start, end = dt.date(year_from, 1, 1), dt.date(year_to, 12, 31)
    names = commune_names(session=session, boundaries="historical", lang=lang, year_from=year_from, year_to=year_to,
                          on=day)
    keys = session.scalars(select(Unit.key).where(
        Unit.level == "commune", (Unit.valid_from.is_(None)) | (Unit.valid_from <= end),
        (Unit.valid_to.is_(None)) | (Unit.valid_to > start)))
    return dict(sorted(((k, names[k]) for k in keys), key=lambda kv: kv[1]))
