"""Reporting completeness of a year: unit × month status, reporting rates, overdue months, timeliness of entry."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Date, Float, case, cast, func, literal, select
from sqlalchemy.orm import Session, aliased

from data_model.reporting.confirmations import EXPECTED_KINDS, expected_units
from data_model.reporting.deadline import deadline_of, get_deadline_day, local_now, local_today
from data_model.schema.models import ActivityRecord, MonthConfirmation, ReportingUnit

STATUSES = ("on_time", "late", "missing", "open", "not_expected")
STATUS_LABELS: dict[str, tuple[str, str]] = {
    "on_time": ("Đúng hạn", "On time"), "late": ("Trễ hạn", "Late"),
    "missing": ("Chưa xác nhận, quá hạn", "Missing, overdue"), "open": ("Chưa đến hạn", "Not yet due"),
    "not_expected": ("Chưa đến tháng", "Not expected yet"),
}
DUE = ("on_time", "late", "missing")  # the months a unit is expected to have confirmed by now
GRID_COLUMNS = ["unit_id", "unit_key", "unit", "kind", "month", "status", "revised", "confirmed_at", "confirmed_by",
                "deadline", "no_activity_types", "note"]
UNIT_COLUMNS = ["unit_id", "unit_key", "unit", "kind", "expected", "on_time", "late", "missing", "rate",
                "on_time_rate", "revised", "complete"]
TIMELINESS_COLUMNS = ["unit_id", "unit", "records", "average_days", "by_deadline"]


def month_status(*, year: int, month: int, confirmed: bool, late: bool, today: dt.date, deadline_day: int) -> str:
    """on_time | late (confirmed after the deadline) | missing (deadline passed) | open | not_expected (future)."""
    if confirmed:
        return "late" if late else "on_time"
    if (year, month) > (today.year, today.month):
        return "not_expected"
    return "missing" if today > deadline_of(year=year, month=month, day=deadline_day) else "open"


@dataclass(frozen=True)
class Completeness:
    """A year's reporting completeness: the grid, each unit's rates and the province's."""

    year: int
    today: dt.date
    deadline_day: int
    grid: pd.DataFrame  # GRID_COLUMNS, one row per unit and month
    units: pd.DataFrame  # UNIT_COLUMNS
    province: dict  # units, units_complete, months_due, expected, confirmed, on_time, late, missing, rate, on_time_rate

    @property
    def has_confirmations(self) -> bool:
        return bool((self.grid["status"].isin(("on_time", "late"))).any()) if not self.grid.empty else False


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def year_completeness(*, session: Session, year: int, today: dt.date | None = None,
                      unit_ids: list[int] | None = None) -> Completeness:
    """Status of every expected unit's every month of the year, with reporting rates (one small query)."""
    today = today or local_today()
    day = get_deadline_day(session=session)
    units = expected_units(session=session, unit_ids=unit_ids)
    c = MonthConfirmation
    found = {(r.reporting_unit_id, r.month): r for r in session.scalars(
        select(c).where(c.year == year, c.reporting_unit_id.in_([u.id for u in units])))}
    rows = []
    for u in units:
        for month in range(1, 13):
            conf = found.get((u.id, month))
            status = month_status(year=year, month=month, confirmed=conf is not None, late=bool(conf and conf.late),
                                  today=today, deadline_day=day)
            rows.append({"unit_id": u.id, "unit_key": u.key, "unit": u.name, "kind": u.kind, "month": month,
                         "status": status, "revised": bool(conf and conf.revised),
                         "confirmed_at": local_now(conf.confirmed_at) if conf else None,
                         "confirmed_by": conf.confirmed_by_name if conf else "",
                         "deadline": deadline_of(year=year, month=month, day=day),
                         "no_activity_types": conf.no_activity_types if conf else "",
                         "note": conf.note if conf else ""})
    grid = pd.DataFrame(rows, columns=GRID_COLUMNS)
    per_unit = []
    for u in units:
        mine = grid[grid["unit_id"] == u.id]
        counts = mine["status"].value_counts()
        on_time, late, missing = (int(counts.get(s, 0)) for s in DUE)
        expected = on_time + late + missing
        per_unit.append({"unit_id": u.id, "unit_key": u.key, "unit": u.name, "kind": u.kind, "expected": expected,
                         "on_time": on_time, "late": late, "missing": missing,
                         "rate": _rate(on_time + late, expected), "on_time_rate": _rate(on_time, expected),
                         "revised": int(mine["revised"].sum()), "complete": expected > 0 and missing == 0})
    table = pd.DataFrame(per_unit, columns=UNIT_COLUMNS)
    months_due = sum(1 for m in range(1, 13) if today > deadline_of(year=year, month=m, day=day))
    totals = {k: int(table[k].sum()) if not table.empty else 0 for k in ("expected", "on_time", "late", "missing")}
    province = {"units": len(units), "units_complete": int(table["complete"].sum()) if not table.empty else 0,
                "months_due": months_due, **totals, "confirmed": totals["on_time"] + totals["late"],
                "rate": _rate(totals["on_time"] + totals["late"], totals["expected"]),
                "on_time_rate": _rate(totals["on_time"], totals["expected"])}
    return Completeness(year=year, today=today, deadline_day=day, grid=grid, units=table, province=province)


def overdue_months(completeness: Completeness) -> pd.DataFrame:
    """Units with months past their deadline and not confirmed: unit, months, oldest deadline, days overdue."""
    missing = completeness.grid[completeness.grid["status"] == "missing"]
    rows = []
    for (unit_id, unit), group in missing.groupby(["unit_id", "unit"], sort=False):
        oldest = min(group["deadline"])
        rows.append({"unit_id": unit_id, "unit": unit, "months": [int(m) for m in group["month"]],
                     "oldest_deadline": oldest, "days_overdue": (completeness.today - oldest).days})
    frame = pd.DataFrame(rows, columns=["unit_id", "unit", "months", "oldest_deadline", "days_overdue"])
    return frame.sort_values("days_overdue", ascending=False, kind="stable").reset_index(drop=True)


def entry_timeliness(*, session: Session, year: int, unit_ids: list[int] | None = None) -> pd.DataFrame:
    """Per unit: live records of the year, average days from the activity's end to its entry, and the share entered
    by the reporting deadline of the activity's month (loudspeaker clusters count under their station)."""
    r, u = ActivityRecord, aliased(ReportingUnit)
    day = get_deadline_day(session=session)
    station = case((u.kind == "loudspeaker_cluster", u.parent_id), else_=r.reporting_unit_id)
    if session.get_bind().dialect.name == "postgresql":
        entered = func.date(r.created_at + literal(dt.timedelta(hours=7)))
        days = cast(entered - r.end_date, Float)
        deadline = cast(func.date_trunc("month", r.end_date) + literal(dt.timedelta(days=day - 1))
                        + func.make_interval(0, 1), Date)
    else:
        entered = func.date(r.created_at, "+7 hours")
        days = func.julianday(entered) - func.julianday(r.end_date)
        deadline = func.date(r.end_date, "start of month", "+1 month", f"+{day - 1} days")
    stmt = (select(station.label("unit_id"), func.count().label("records"), func.avg(days).label("average_days"),
                   func.avg(case((entered <= deadline, 1.0), else_=0.0)).label("by_deadline"))
            .join(u, u.id == r.reporting_unit_id)
            .where(r.year == year, r.deleted_at.is_(None), u.kind.in_((*EXPECTED_KINDS, "loudspeaker_cluster")))
            .group_by(station))
    figures = {row.unit_id: row for row in session.execute(stmt)}
    rows = [{"unit_id": x.id, "unit": x.name, "records": int(figures[x.id].records) if x.id in figures else 0,
             "average_days": float(figures[x.id].average_days) if x.id in figures else None,
             "by_deadline": float(figures[x.id].by_deadline) if x.id in figures else None}
            for x in expected_units(session=session, unit_ids=unit_ids)]
    return pd.DataFrame(rows, columns=TIMELINESS_COLUMNS)
