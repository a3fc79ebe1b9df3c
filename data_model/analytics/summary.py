"""Aggregates over the summary tables, filtered and grouped, returned as small long DataFrames."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data_model.analytics.filters import Filters, QueryError, filtered_summary
from data_model.definitions.activity_types import list_activity_types, load_activity_types
from data_model.records.summaries import SUM_COLUMNS
from data_model.reference.boundaries import load_rollup
from data_model.schema.models import NO_COMMUNE, ActivitySummary, ReportingUnit, Unit

GROUP_BYS: tuple[str, ...] = ("year", "commune", "station", "type", "district")
NONE_CODE = "none"
LONG_COLUMNS = ["type", "measure", "value"]


def _grouped(*, session: Session, filters: Filters, group_cols: list) -> pd.DataFrame:
    base = filtered_summary(session=session, filters=filters).subquery()
    cols = [base.c[c.key] for c in group_cols]
    stmt = select(*cols, base.c.type_code, func.sum(base.c.n_records).label("records"),
                  *[func.sum(base.c[c]).label(c) for c in SUM_COLUMNS]).group_by(*cols, base.c.type_code)
    rows = session.execute(stmt).all()
    names = [c.key for c in group_cols] + ["type_code", "records", *SUM_COLUMNS]
    return pd.DataFrame(rows, columns=names)


def unpivot_measures(wide: pd.DataFrame, *, keys: list[str]) -> pd.DataFrame:
    """Turn s1..s6 columns into long rows (keys…, type, measure, value) using each type's definition."""
    types = load_activity_types()
    out = []
    for row in wide.itertuples(index=False):
        rec = row._asdict()
        definition = types.get(rec["type_code"])
        if definition is None:
            continue
        for m in definition.measures:
            out.append({**{k: rec[k] for k in keys}, "type": rec["type_code"], "measure": m.code,
                        "value": int(rec[f"s{m.slot}"] or 0)})
    frame = pd.DataFrame(out, columns=keys + LONG_COLUMNS)
    return frame


def _roll_up_communes(wide: pd.DataFrame, *, session: Session, on: dt.date | None) -> pd.DataFrame:
    rollup = load_rollup(session=session, on=on)
    parts = []
    for row in wide.itertuples(index=False):
        rec = row._asdict()
        targets = rollup.get(rec["commune_key"], [(rec["commune_key"], 1.0)]) if rec["commune_key"] else [("", 1.0)]
        for key, share in targets:
            part = {**rec, "commune_key": key}
            if share != 1.0:
                for c in ("records", *SUM_COLUMNS):
                    part[c] = rec[c] * share
            parts.append(part)
    frame = pd.DataFrame(parts, columns=wide.columns)
    if frame.empty:
        return frame
    frame = frame.groupby(["commune_key", "type_code"], as_index=False)[["records", *SUM_COLUMNS]].sum()
    for c in ("records", *SUM_COLUMNS):
        frame[c] = frame[c].round().astype("int64")
    return frame


def summarise(*, session: Session, filters: Filters, by: str) -> pd.DataFrame:
    """Totals of every measure per group and type, long: group columns, type, measure, value."""
    filters.check()
    if by not in GROUP_BYS:
        raise QueryError(f"Không nhóm được theo {by!r}; chọn một trong: {', '.join(GROUP_BYS)}")
    s = ActivitySummary
    if by == "year":
        wide = _grouped(session=session, filters=filters, group_cols=[s.year])
        return unpivot_measures(wide, keys=["year"]).sort_values(["year", "type", "measure"], kind="stable").reset_index(drop=True)
    if by == "type":
        wide = _grouped(session=session, filters=filters, group_cols=[])
        return _order_types(unpivot_measures(wide, keys=[]))
    if by == "station":
        wide = _grouped(session=session, filters=filters, group_cols=[s.reporting_unit_id])
        units = {u.id: u for u in session.scalars(select(ReportingUnit))}
        long = unpivot_measures(wide, keys=["reporting_unit_id"])
        long.insert(0, "station_key", [units[i].key if i in units else NONE_CODE for i in long["reporting_unit_id"]])
        long.insert(1, "station", [units[i].short_name if i in units else "" for i in long["reporting_unit_id"]])
        return long.drop(columns="reporting_unit_id").sort_values(["station_key", "type", "measure"], kind="stable").reset_index(drop=True)
    wide = _grouped(session=session, filters=filters, group_cols=[s.commune_key])
    if by == "district":
        if filters.boundaries != "historical":
            raise QueryError("Nhóm theo huyện chỉ dùng được với địa giới như khi ghi nhận")
        parents = dict(session.execute(select(Unit.key, Unit.parent_key).where(Unit.level == "commune")).all())
        wide["district_key"] = [parents.get(k) or NO_COMMUNE for k in wide["commune_key"]]
        wide = wide.groupby(["district_key", "type_code"], as_index=False)[["records", *SUM_COLUMNS]].sum()
        return _label_units(unpivot_measures(wide, keys=["district_key"]), session=session, key_col="district_key", prefix="district")
    if filters.boundaries == "current":
        wide = _roll_up_communes(wide, session=session, on=filters.on)
    return _label_units(unpivot_measures(wide, keys=["commune_key"]), session=session, key_col="commune_key", prefix="commune")


def _label_units(long: pd.DataFrame, *, session: Session, key_col: str, prefix: str) -> pd.DataFrame:
    units = {u.key: u for u in session.scalars(select(Unit))}
    codes = [units[k].code if k in units else NONE_CODE for k in long[key_col]]
    names = [units[k].name if k in units else "" for k in long[key_col]]
    long.insert(0, f"{prefix}_code", codes)
    long.insert(1, prefix, names)
    long = long.rename(columns={key_col: f"{prefix}_key"})
    long[f"{prefix}_key"] = [k if k else NONE_CODE for k in long[f"{prefix}_key"]]
    return long.sort_values([f"{prefix}_code", f"{prefix}_key", "type", "measure"], kind="stable").reset_index(drop=True)


def _order_types(long: pd.DataFrame) -> pd.DataFrame:
    order = {t.code: i for i, t in enumerate(list_activity_types())}
    long = long.assign(_o=long["type"].map(order)).sort_values(["_o"], kind="stable")
    return long.drop(columns="_o").reset_index(drop=True)


