"""Progress against the plan: each target beside what was done (the very figures of `summary`), the percent achieved
and, in the current year, the share expected by today."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from data_model.analytics.filters import Filters, QueryError
from data_model.analytics.summary import summarise
from data_model.definitions.activity_types import list_activity_types, load_activity_types
from data_model.plans.targets import scope_names, today as vietnam_today
from data_model.reference.boundaries import load_rollup
from data_model.schema.models import ReportingUnit, Target

PROGRESS_BYS = ("station", "commune", "type", "province")
LEVEL_OF = {"station": "unit", "commune": "commune", "province": "province"}
PROGRESS_COLUMNS = ["year", "level", "key", "name", "type", "type_name", "measure", "measure_label", "unit", "target",
                    "actual", "percent", "expected_percent", "behind", "basis"]
Figures = dict[tuple[str, str, str], int]  # (group key, type, measure) → value


def expected_share(*, year: int, today: dt.date) -> float | None:
    """The share of a year's plan due by today, pro rata by whole months past (None for a year already over)."""
    if year < today.year:
        return None
    if year > today.year:
        return 0.0
    return (today.month - 1) / 12  # the month under way is not due yet (its figures come in after it ends)


def _year_filters(year: int) -> Filters:
    return Filters(year_from=year, year_to=year)


def _figures(frame: pd.DataFrame, key: str | None) -> Figures:
    return {("" if key is None else str(getattr(r, key)), r.type, r.measure): int(r.value)
            for r in frame.itertuples(index=False)}


def province_actuals(*, session: Session, year: int) -> Figures:
    """The province's totals of a year per type and measure: `summary --by type`."""
    return _figures(summarise(session=session, filters=_year_filters(year), by="type"), None)


def unit_actuals(*, session: Session, year: int) -> Figures:
    """Each reporting unit's totals of a year (clusters under their station): `summary --by station`."""
    return _figures(summarise(session=session, filters=_year_filters(year), by="station"), "station_key")


def commune_actuals(*, session: Session, year: int, keys: set[str]) -> Figures:
    """Each target commune's totals of a year: its own records (`summary --by commune`, as recorded) plus those of the
    communes that merged into it by the year's end (a commune made in mid-year counts its predecessors' months)."""
    recorded = _figures(summarise(session=session, filters=_year_filters(year), by="commune"), "commune_key")
    rollup = load_rollup(session=session, on=dt.date(year, 12, 31))
    out: dict[tuple[str, str, str], float] = defaultdict(float)
    for (commune, type_code, measure), value in recorded.items():
        if commune in keys:
            out[(commune, type_code, measure)] += value
        for successor, share in rollup.get(commune, []):
            if successor != commune and successor in keys:
                out[(successor, type_code, measure)] += value * share
    return {k: int(round(v)) for k, v in out.items()}


def _row(*, year: int, level: str, key: str, name: str, type_code: str, measure: str, target: int, actual: int,
         share: float | None, lang: str, basis: str) -> dict:
    definition = load_activity_types()[type_code]
    m = definition.measure(measure)
    percent = actual * 100.0 / target if target else None
    due = 100.0 if share is None else share * 100.0
    return {"year": year, "level": level, "key": key, "name": name, "type": type_code,
            "type_name": definition.name(lang), "measure": measure, "measure_label": m.label(lang),
            "unit": m.unit(lang), "target": target, "actual": actual, "percent": percent,
            "expected_percent": None if share is None else share * 100.0,
            "behind": bool(target) and percent is not None and percent < due, "basis": basis}


def _targets(session: Session, year: int, level: str) -> list[Target]:
    return list(session.scalars(select(Target).where(Target.year == year, Target.level == level)))


def _order(frame: pd.DataFrame) -> pd.DataFrame:
    types = {t.code: i for i, t in enumerate(list_activity_types())}
    slots = {(t.code, m.code): m.slot for t in list_activity_types() for m in t.measures}
    if frame.empty:
        return frame
    keys = frame.assign(_l=frame["level"].map({"type": 0, "province": 0, "unit": 1, "commune": 2}),
                        _t=frame["type"].map(types),
                        _m=[slots[(t, m)] for t, m in zip(frame["type"], frame["measure"])])
    return keys.sort_values(["_l", "name", "_t", "_m"], kind="stable").drop(columns=["_l", "_t", "_m"]) \
        .reset_index(drop=True)


def progress(*, session: Session, year: int, by: str, today: dt.date | None = None, lang: str = "vi") -> pd.DataFrame:
    """Every target of the year at one level (PROGRESS_COLUMNS) with the actual, the percent achieved and whether
    it is behind (below the share due by today in the current year, below 100% in a past year)."""
    if by not in PROGRESS_BYS:
        raise QueryError(f"Không xem tiến độ theo {by!r}; chọn một trong: {', '.join(PROGRESS_BYS)}")
    share = expected_share(year=year, today=today or vietnam_today())
    if by == "type":
        return _order(_by_type(session, year, share, lang))
    level = LEVEL_OF[by]
    targets = _targets(session, year, level)
    if not targets:
        return pd.DataFrame(columns=PROGRESS_COLUMNS)
    if level == "province":
        actuals = province_actuals(session=session, year=year)
    elif level == "unit":
        actuals = unit_actuals(session=session, year=year)
    else:
        actuals = commune_actuals(session=session, year=year, keys={t.scope_key for t in targets})
    names = scope_names(session=session, lang=lang)
    rows = [_row(year=year, level=level, key=t.scope_key or "province", name=names.get((level, t.scope_key), ""),
                 type_code=t.type_code, measure=t.measure, target=int(t.value),
                 actual=actuals.get((t.scope_key, t.type_code, t.measure), 0), share=share, lang=lang, basis=level)
            for t in targets if t.type_code in load_activity_types()]
    return _order(pd.DataFrame(rows, columns=PROGRESS_COLUMNS))


def _by_type(session: Session, year: int, share: float | None, lang: str) -> pd.DataFrame:
    """Per type and measure: the province's target where one is set, else the sum of the units' targets against
    those units' work (a plan kept per unit still gives a line per type)."""
    province = {(t.type_code, t.measure): int(t.value) for t in _targets(session, year, "province")}
    units: dict[tuple[str, str], list[Target]] = defaultdict(list)
    for t in _targets(session, year, "unit"):
        units[(t.type_code, t.measure)].append(t)
    if not province and not units:
        return pd.DataFrame(columns=PROGRESS_COLUMNS)
    whole = province_actuals(session=session, year=year)
    by_unit = unit_actuals(session=session, year=year) if set(units) - set(province) else {}
    label = "Toàn tỉnh" if lang == "vi" else "Province"
    rows = []
    for (type_code, measure) in sorted(set(province) | set(units)):
        if type_code not in load_activity_types():
            continue
        if (type_code, measure) in province:
            target, actual, basis = province[(type_code, measure)], whole.get(("", type_code, measure), 0), "province"
        else:
            chosen = units[(type_code, measure)]
            target = sum(int(t.value) for t in chosen)
            actual = sum(by_unit.get((t.scope_key, type_code, measure), 0) for t in chosen)
            basis = "units"
        rows.append(_row(year=year, level="type", key=type_code, name=label, type_code=type_code, measure=measure,
                         target=target, actual=actual, share=share, lang=lang, basis=basis))
    return pd.DataFrame(rows, columns=PROGRESS_COLUMNS)


def behind_plan(*, session: Session, year: int, today: dt.date | None = None, lang: str = "vi") -> pd.DataFrame:
    """The targets of units, communes and the province that are behind plan, furthest behind first."""
    frames = [progress(session=session, year=year, by=by, today=today, lang=lang)
              for by in ("province", "station", "commune")]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=PROGRESS_COLUMNS)
    frame = pd.concat(frames, ignore_index=True)
    frame = frame[frame["behind"]]
    gap = frame["percent"].fillna(0) - frame["expected_percent"].fillna(100.0)
    return frame.assign(_gap=gap).sort_values(["_gap", "name"], kind="stable").drop(columns="_gap") \
        .reset_index(drop=True)


def place_progress(*, session: Session, year: int, level: str, type_code: str, measure: str,
                   today: dt.date | None = None, lang: str = "vi") -> pd.DataFrame:
    """One type's measure at one level (unit or commune): key, unit_id (units), target, actual, percent, behind."""
    by = "station" if level == "unit" else "commune"
    frame = progress(session=session, year=year, by=by, today=today, lang=lang)
    frame = frame[(frame["type"] == type_code) & (frame["measure"] == measure)].reset_index(drop=True)
    if level == "unit":
        ids = dict(session.execute(select(ReportingUnit.key, ReportingUnit.id)).all())
        frame = frame.assign(unit_id=[ids.get(k) for k in frame["key"]])
    return frame


def ranking_with_progress(*, session: Session, ranking: pd.DataFrame, year: int, level: str, type_code: str,
                          measure: str, today: dt.date | None = None, lang: str = "vi") -> pd.DataFrame:
    """A results page's ranking (its `key`: station id or commune key) with the year's plan_target, plan_actual,
    plan_percent and plan_behind where the place has a target for the measure (empty cells elsewhere)."""
    found = place_progress(session=session, year=year, level=level, type_code=type_code, measure=measure,
                           today=today, lang=lang)
    by = "unit_id" if level == "unit" else "key"
    rows = {r[by]: r for r in found.to_dict(orient="records")}
    out = ranking.copy()
    for column, source in (("plan_target", "target"), ("plan_actual", "actual"), ("plan_percent", "percent"),
                           ("plan_behind", "behind")):
        out[column] = pd.Series([rows[k][source] if k in rows else None for k in ranking["key"]], index=ranking.index,
                                dtype=object)
    return out
