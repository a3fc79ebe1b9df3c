"""Reporting completeness of a year: unit × month status, reporting rates, overdue months, timeliness of entry."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import DateTime, case, cast, func, literal, select
from sqlalchemy.orm import Session, aliased

from data_model.audit.log import LOCAL_OFFSET
from data_model.reporting.confirmations import expected_units
from data_model.reporting.deadline import deadline_of, get_deadline_day, local_now, local_today
from data_model.schema.models import ActivityRecord, ReportingUnit
from data_model.schema.planning import MonthConfirmation

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
    found = {(row.reporting_unit_id, row.month): row for row in session.execute(
        select(c.reporting_unit_id, c.month, c.late, c.revised, c.confirmed_at, c.confirmed_by_name,
               c.no_activity_types, c.note).where(c.year == year, c.reporting_unit_id.in_([u.id for u in units])))}
    deadlines = [deadline_of(year=year, month=m, day=day) for m in range(1, 13)]
    rows, per_unit = [], []
    for u in units:
        counts = dict.fromkeys(STATUSES, 0)
        revised = 0
        for month, deadline in enumerate(deadlines, start=1):
            conf = found.get((u.id, month))
            status = month_status(year=year, month=month, confirmed=conf is not None, late=bool(conf and conf.late),
                                  today=today, deadline_day=day)
            counts[status] += 1
            revised += bool(conf and conf.revised)
            rows.append((u.id, u.key, u.name, u.kind, month, status, bool(conf and conf.revised),
                         local_now(conf.confirmed_at) if conf else None, conf.confirmed_by_name if conf else "",
                         deadline, conf.no_activity_types if conf else "", conf.note if conf else ""))
        expected = counts["on_time"] + counts["late"] + counts["missing"]
        per_unit.append((u.id, u.key, u.name, u.kind, expected, counts["on_time"], counts["late"], counts["missing"],
                         _rate(counts["on_time"] + counts["late"], expected), _rate(counts["on_time"], expected),
                         revised, expected > 0 and counts["missing"] == 0))
    grid = pd.DataFrame(rows, columns=GRID_COLUMNS)
    table = pd.DataFrame(per_unit, columns=UNIT_COLUMNS)
    totals = {k: sum(r[i] for r in per_unit) for k, i in (("expected", 4), ("on_time", 5), ("late", 6), ("missing", 7))}
    province = {"units": len(units), "units_complete": sum(1 for r in per_unit if r[-1]),
                "months_due": sum(1 for d in deadlines if today > d), **totals,
                "confirmed": totals["on_time"] + totals["late"],
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
    """Per unit: live records of the year, average days from the activity's end to its entry (Vietnamese time), and
    the share entered by the reporting deadline of the activity's month (loudspeaker clusters count for their station).
    """
    r, u = ActivityRecord, aliased(ReportingUnit)
    day = get_deadline_day(session=session)
    # the deadline of each end month as a UTC instant (end of the deadline day in Vietnam): plain comparisons of
    # created_at, read with the end date from the covering index ix_record_year_unit_entry
    thresholds = [(dt.date(year + m // 12, m % 12 + 1, 1),
                   dt.datetime.combine(deadline_of(year=year, month=m, day=day) + dt.timedelta(days=1), dt.time())
                   - LOCAL_OFFSET) for m in range(1, 13)]
    deadline = case(*[(r.end_date < first_of_next, literal(instant)) for first_of_next, instant in thresholds[:-1]],
                    else_=literal(thresholds[-1][1]))
    if session.get_bind().dialect.name == "postgresql":
        days = func.extract("epoch", r.created_at - cast(r.end_date, DateTime)) / 86400.0
    else:
        days = func.julianday(r.created_at) - func.julianday(r.end_date)
    days = days + LOCAL_OFFSET.total_seconds() / 86400.0
    units = select(r.reporting_unit_id.label("unit_id"), func.count().label("records"),
                   func.sum(days).label("days"), func.sum(case((r.created_at < deadline, 1), else_=0)).label("in_time")
                   ).where(r.year == year, r.deleted_at.is_(None)).group_by(r.reporting_unit_id).subquery()
    station = case((u.kind == "loudspeaker_cluster", u.parent_id), else_=units.c.unit_id)
    stmt = (select(station.label("unit_id"), func.sum(units.c.records), func.sum(units.c.days),
                   func.sum(units.c.in_time)).join(u, u.id == units.c.unit_id).group_by(station))
    figures = {unit: (int(n), float(d), int(ok)) for unit, n, d, ok in session.execute(stmt)}
    rows = []
    for x in expected_units(session=session, unit_ids=unit_ids):
        n, d, ok = figures.get(x.id, (0, 0.0, 0))
        rows.append({"unit_id": x.id, "unit": x.name, "records": n, "average_days": d / n if n else None,
                     "by_deadline": ok / n if n else None})
    return pd.DataFrame(rows, columns=TIMELINESS_COLUMNS)
