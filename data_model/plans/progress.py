"""Progress against the plan: each target beside what was done (the very figures of `summary`), the percent achieved
and, in the current year, the share expected by today."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from data_model.analytics.aggregate import grouped_rows
from data_model.analytics.filters import Filters, QueryError, keys_rolling_up_to
from data_model.definitions.activity_types import list_activity_types, load_activity_types
from data_model.definitions.fields import SUM_COLUMNS
from data_model.plans.targets import scope_names
from data_model.reference.boundaries import load_rollup
from data_model.reporting.deadline import local_today
from data_model.schema.models import ReportingUnit
from data_model.schema.planning import Target

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


def _sums(session: Session, *, year: int, by: str | None, types: Iterable[str],
          communes: Iterable[str] = ()) -> Figures:
    """(group, type, measure) → the year's total, from the one aggregation path `summary` reads (grouped_rows over the
    summary table; communes as recorded, a station's clusters under it), only for the types asked."""
    types = tuple(sorted(t for t in set(types) if t in load_activity_types()))
    if not types:
        return {}
    filters = Filters(year_from=year, year_to=year, types=types, communes=tuple(sorted(set(communes))))
    rows = grouped_rows(session=session, filters=filters, by=(by,) if by else ())
    definitions = load_activity_types()
    at = 1 if by else 0
    out: Figures = {}
    for row in rows:
        group = "" if by is None else row[0]
        for m in definitions[row[at]].measures:
            out[(group, row[at], m.code)] = int(row[at + 2 + SUM_COLUMNS.index(m.sum_column)])
    return out


def province_actuals(*, session: Session, year: int, types: Iterable[str] | None = None) -> Figures:
    """The province's totals of a year per type and measure: the figures of `summary --by type`."""
    return _sums(session, year=year, by=None, types=load_activity_types() if types is None else types)


def unit_actuals(*, session: Session, year: int, types: Iterable[str] | None = None) -> Figures:
    """Each reporting unit's totals of a year (clusters under their station): the figures of `summary --by station`,
    keyed by the unit's key."""
    keys = dict(session.execute(select(ReportingUnit.id, ReportingUnit.key)).all())
    sums = _sums(session, year=year, by="station", types=load_activity_types() if types is None else types)
    return {(keys.get(int(unit), str(unit)) if unit not in ("", None) else "none", t, m): v
            for (unit, t, m), v in sums.items()}


def commune_actuals(*, session: Session, year: int, keys: set[str], types: Iterable[str] | None = None) -> Figures:
    """Each target commune's totals of a year: its own records (`summary --by commune`, as recorded) plus those of the
    communes that merged into it by the year's end (a commune made in mid-year counts its predecessors' months)."""
    rollup = load_rollup(session=session, on=dt.date(year, 12, 31))
    recorded_keys = set(keys) | set(keys_rolling_up_to(rollup=rollup, targets=keys))
    if not recorded_keys:
        return {}
    recorded = _sums(session, year=year, by="commune", types=load_activity_types() if types is None else types,
                     communes=recorded_keys)
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


def _targets(session: Session, year: int, level: str) -> list:
    """The year's targets at a level as plain rows (scope_key, type_code, measure, value): no ORM objects to build."""
    t = Target
    return list(session.execute(select(t.scope_key, t.type_code, t.measure, t.value)
                                .where(t.year == year, t.level == level)))


def _order(rows: list[dict]) -> pd.DataFrame:
    """Rows as a frame: the province first, then units and communes by name, types and measures as defined."""
    types = {t.code: i for i, t in enumerate(list_activity_types())}
    slots = {(t.code, m.code): m.slot for t in list_activity_types() for m in t.measures}
    levels = {"type": 0, "province": 0, "unit": 1, "commune": 2}
    rows = sorted(rows, key=lambda r: (levels.get(r["level"], 3), r["name"], types.get(r["type"], 99),
                                       slots.get((r["type"], r["measure"]), 9)))
    return pd.DataFrame(rows, columns=PROGRESS_COLUMNS)


def progress(*, session: Session, year: int, by: str, today: dt.date | None = None, lang: str = "vi") -> pd.DataFrame:
    """Every target of the year at one level (PROGRESS_COLUMNS) with the actual, the percent achieved and whether
    it is behind (below the share due by today in the current year, below 100% in a past year)."""
    if by not in PROGRESS_BYS:
        raise QueryError("Không xem tiến độ theo {by}; chọn một trong: {choices}", by=repr(by),
                         choices=", ".join(PROGRESS_BYS))
    share = expected_share(year=year, today=today or local_today())
    if by == "type":
        return _order(_by_type(session, year, share, lang))
    level = LEVEL_OF[by]
    targets = _targets(session, year, level)
    if not targets:
        return pd.DataFrame(columns=PROGRESS_COLUMNS)
    types = {t.type_code for t in targets}
    if level == "province":
        actuals = province_actuals(session=session, year=year, types=types)
    elif level == "unit":
        actuals = unit_actuals(session=session, year=year, types=types)
    else:
        actuals = commune_actuals(session=session, year=year, keys={t.scope_key for t in targets}, types=types)
    names = scope_names(session=session, lang=lang, levels=(level,))
    rows = [_row(year=year, level=level, key=t.scope_key or "province", name=names.get((level, t.scope_key), ""),
                 type_code=t.type_code, measure=t.measure, target=int(t.value),
                 actual=actuals.get((t.scope_key, t.type_code, t.measure), 0), share=share, lang=lang, basis=level)
            for t in targets if t.type_code in load_activity_types()]
    return _order(rows)


def _by_type(session: Session, year: int, share: float | None, lang: str) -> list[dict]:
    """Per type and measure: the province's target where one is set, else the sum of the units' targets against
    those units' work (a plan kept per unit still gives a line per type)."""
    province = {(t.type_code, t.measure): int(t.value) for t in _targets(session, year, "province")}
    units: dict[tuple[str, str], list[Target]] = defaultdict(list)
    for t in _targets(session, year, "unit"):
        units[(t.type_code, t.measure)].append(t)
    if not province and not units:
        return []
    whole = province_actuals(session=session, year=year, types={t for t, _ in province})
    by_unit = unit_actuals(session=session, year=year, types={t for t, _ in set(units) - set(province)})
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
    return rows


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
