"""The plan behind a report: the targets of its scope over its years, for the lines that have one in every year."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_model.report.scope import Period, ResolvedScope
from data_model.schema.models import ReportingUnit
from data_model.schema.planning import Target


def _level_and_key(session: Session, resolved: ResolvedScope) -> tuple[str, str] | None:
    """The target level and scope key a report scope's plan is kept at (None: a district has no plan of its own)."""
    kind, key = resolved.scope.kind, resolved.scope.key
    if kind == "province":
        return "province", ""
    if kind == "commune":
        return "commune", key
    if kind == "station":
        unit = session.scalar(select(ReportingUnit.key).where(ReportingUnit.key == key))
        return ("unit", unit) if unit else None
    return None


def plan_totals(*, session: Session, resolved: ResolvedScope, period: Period) -> dict[tuple[str, str], int]:
    """(type, measure) → the sum of the scope's targets over the period, only where every year has a target (a plan
    known for some years only would make the percent achieved meaningless)."""
    found = _level_and_key(session, resolved)
    if found is None:
        return {}
    level, key = found
    t = Target
    per_line: dict[tuple[str, str], dict[int, int]] = defaultdict(dict)
    for year, type_code, measure, value in session.execute(
            select(t.year, t.type_code, t.measure, t.value).where(
                t.level == level, t.scope_key == key, t.year.between(period.year_from, period.year_to))):
        per_line[(type_code, measure)][int(year)] = int(value)
    return {line: sum(years.values()) for line, years in per_line.items()
            if len(years) == period.years and sum(years.values()) > 0}
