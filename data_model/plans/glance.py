"""The Overview's first screen: the year to open on, and the chosen year at a glance (each type's main figure, % of
plan and change, reporting completeness, what needs attention), with the long overview below, in one call."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data_model.analytics.aggregate import first_and_last_year
from data_model.analytics.filters import Filters, narrow_records
from data_model.analytics.overview import (
    Overview,
    YearTypeSums,
    kpis_from,
    period_sentence,
    series_from,
    totals_from,
    year_type_sums,
)
from data_model.definitions.activity_types import list_activity_types
from data_model.definitions.fields import MEASURE_COLUMNS
from data_model.plans.progress import behind_plan, progress
from data_model.reporting.completeness import overdue_months, year_completeness
from data_model.reporting.confirmations import expected_units
from data_model.reporting.deadline import local_today
from data_model.schema.models import ActivityRecord, ActivityRollup
from data_model.schema.planning import MonthConfirmation, YearClose

FIGURE_COLUMNS = ["type", "type_name", "color", "measure", "measure_label", "unit", "value", "previous", "change",
                  "target", "percent", "expected_percent", "behind"]
BEHIND_COLUMNS = ["level", "name", "targets", "worst", "percent", "expected_percent"]
OVERDUE_COLUMNS = ["unit", "months", "days_overdue"]


def complete_years(*, session: Session, today: dt.date | None = None) -> list[int]:
    """Years over by today in which every expected unit confirmed all twelve months, oldest first."""
    today = today or local_today()
    ids = [u.id for u in expected_units(session=session)]
    if not ids:
        return []
    c = MonthConfirmation
    rows = session.execute(select(c.year, func.count()).where(c.reporting_unit_id.in_(ids), c.year < today.year)
                           .group_by(c.year))
    return sorted(int(year) for year, n in rows if int(n) >= 12 * len(ids))


def choose_overview_year(*, session: Session, today: dt.date | None = None) -> int | None:
    """The year the Overview opens on: the latest year with complete reporting or closed, else the latest year over
    that has records, else the newest year with records (None without any record)."""
    today = today or local_today()
    span = first_and_last_year(session=session)
    if span is None:
        return None
    closed = session.scalar(select(func.max(YearClose.year)).where(YearClose.current_year.is_not(None)))
    settled = [y for y in (*complete_years(session=session, today=today), closed) if y is not None]
    if settled:
        return max(settled)
    r = ActivityRollup
    past = session.scalar(select(func.max(r.year)).where(r.n_records != 0, r.year < today.year))
    return int(past) if past is not None else span[1]


def months_ended(*, year: int, today: dt.date) -> int:
    """Whole months of the year over by today: 12 for a past year, 0 for a future one."""
    if year < today.year:
        return 12
    return today.month - 1 if year == today.year else 0


def _cutoff(*, year: int, months: int, today: dt.date) -> dt.date:
    """The first day not counted in a year in progress: the first of the month under way (today's date in January)."""
    return dt.date(year, months + 1, 1) if months else dt.date(year, today.month, today.day)


def year_to_date_sums(*, session: Session, filters: Filters, year: int, until: dt.date) -> YearTypeSums:
    """Year × type sums of the live records of `year` (and the year before, to the same day) that ended before
    `until`: a year in progress against the same months of last year."""
    r = ActivityRecord
    before = until.replace(year=until.year - 1) if (until.month, until.day) != (2, 29) else dt.date(until.year - 1, 3, 1)
    ended = ((r.year == year) & (r.end_date < until)) | ((r.year == year - 1) & (r.end_date < before))
    stmt = (select(r.year, r.type_code, func.count(), *[func.coalesce(func.sum(getattr(r, c)), 0)
                                                         for c in MEASURE_COLUMNS])
            .where(r.deleted_at.is_(None), r.year.in_((year - 1, year)), ended).group_by(r.year, r.type_code))
    stmt = narrow_records(stmt, session=session, filters=filters)
    return {(int(row[0]), row[1]): tuple(int(v) for v in row[2:]) for row in session.execute(stmt)}


@dataclass(frozen=True)
class YearGlance:
    """One year at a glance: each type's main figure with % of plan and change, reporting, what needs attention."""

    year: int
    months: int  # whole months counted: 12 for a year over, else the months ended so far
    figures: pd.DataFrame  # FIGURE_COLUMNS, one row per type with data in the year or the one before (main measure)
    plan_shown: bool  # False when a commune, station or district filter makes the province's plan beside the point
    reporting: dict  # units, units_complete, months_due, expected, confirmed, missing, rate
    overdue: pd.DataFrame  # OVERDUE_COLUMNS: units with months past their deadline not confirmed
    behind: pd.DataFrame  # BEHIND_COLUMNS: units and communes behind plan, furthest behind first

    @property
    def in_progress(self) -> bool:
        return self.months < 12


@dataclass(frozen=True)
class OverviewPage:
    """The Overview page: the year at a glance on top, the period and the long cards below."""

    glance: YearGlance
    overview: Overview


def _figures(kpis: pd.DataFrame, plan: pd.DataFrame) -> pd.DataFrame:
    """Each type's main measure (its first row in kpis) beside the plan's target and percent achieved."""
    main = {d.code: d.main_measure.code for d in list_activity_types()}
    rows = kpis[[main.get(t) == m for t, m in zip(kpis["type"], kpis["measure"])]]
    targets = {(p.type, p.measure): p for p in plan.itertuples()}
    out = []
    for row in rows.to_dict(orient="records"):
        p = targets.get((row["type"], row["measure"]))
        if p is None or not p.target:
            out.append({**row, "target": None, "percent": None, "expected_percent": None, "behind": False})
            continue
        # against the province's plan the figure shown is the actual (a year in progress: to the end of last month,
        # the months the expected share counts); a plan kept per unit counts those units' work only
        percent = row["value"] * 100.0 / p.target if p.basis == "province" else p.percent
        due = 100.0 if p.expected_percent is None or pd.isna(p.expected_percent) else p.expected_percent
        out.append({**row, "target": int(p.target), "percent": percent,
                    "expected_percent": None if pd.isna(p.expected_percent) else p.expected_percent,
                    "behind": percent < due})
    frame = pd.DataFrame(out, columns=FIGURE_COLUMNS)
    for column in ("change", "target", "percent", "expected_percent"):  # None, not NaN, where there is nothing
        frame[column] = pd.Series([r[column] for r in out], index=frame.index, dtype=object)
    return frame


def _behind(frame: pd.DataFrame) -> pd.DataFrame:
    """Units and communes behind plan, one row each: how many targets, the furthest behind (frame comes sorted)."""
    rows = []
    for (level, name), group in frame[frame["level"] != "province"].groupby(["level", "name"], sort=False):
        worst = group.iloc[0]
        rows.append({"level": level, "name": name, "targets": len(group),
                     "worst": f"{worst['type_name']} – {str(worst['measure_label']).lower()}",
                     "percent": worst["percent"], "expected_percent": worst["expected_percent"]})
    return pd.DataFrame(rows, columns=BEHIND_COLUMNS)


def build_year_glance(*, session: Session, filters: Filters, year: int, kpis: pd.DataFrame,
                      today: dt.date | None = None, lang: str = "vi") -> YearGlance:
    """The year's main figures (from its KPIs) with the plan, its reporting completeness and what is behind."""
    today = today or local_today()
    plan_shown = not (filters.communes or filters.stations or filters.district)
    plan = progress(session=session, year=year, by="type", today=today, lang=lang) if plan_shown else pd.DataFrame()
    completeness = year_completeness(session=session, year=year, today=today)
    overdue = overdue_months(completeness)
    behind = behind_plan(session=session, year=year, today=today, lang=lang)
    if filters.types:
        behind = behind[behind["type"].isin(filters.types)]
    p = completeness.province
    return YearGlance(
        year=year, months=months_ended(year=year, today=today),
        figures=_figures(kpis, plan if not plan.empty else pd.DataFrame(columns=["type", "measure"])),
        plan_shown=plan_shown,
        reporting={"units": p["units"], "units_complete": p["units_complete"], "months_due": p["months_due"],
                   "expected": p["expected"], "confirmed": p["confirmed"], "missing": p["missing"], "rate": p["rate"]},
        overdue=overdue[["unit", "months", "days_overdue"]].reset_index(drop=True),
        behind=_behind(behind) if not behind.empty else pd.DataFrame(columns=BEHIND_COLUMNS),
    )


def build_overview_page(*, session: Session, filters: Filters, year: int, period: tuple[int, int] | None = None,
                        today: dt.date | None = None, lang: str = "vi") -> OverviewPage:
    """Everything the Overview page shows: the year at a glance (a year in progress against the same months of last
    year), the period's sentence and totals, the trends."""
    today = today or local_today()
    period = period or (filters.year_from, filters.year_to)
    first = min(filters.year_from, period[0], year - 1)
    last = max(filters.year_to, period[1], year)
    sums = year_type_sums(session=session, filters=replace(filters, year_from=first, year_to=last))
    months = months_ended(year=year, today=today)
    compared = sums
    if months < 12:
        compared = {**sums, **{(y, t): (0,) * 7 for y, t in sums if y in (year - 1, year)},
                    **year_to_date_sums(session=session, filters=filters, year=year,
                                        until=_cutoff(year=year, months=months, today=today))}
    kpis = kpis_from(compared, filters=filters, year=year, lang=lang)
    totals = totals_from(sums, filters=filters, years=period, lang=lang)
    overview = Overview(year=year, kpis=kpis, period=totals,
                        sentence=period_sentence(totals=totals, year_from=period[0], year_to=period[1], lang=lang),
                        trend=series_from(sums, filters=filters, lang=lang, main_only=True))
    glance = build_year_glance(session=session, filters=filters, year=year, kpis=kpis, today=today, lang=lang)
    return OverviewPage(glance=glance, overview=overview)

