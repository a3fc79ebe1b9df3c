"""SELECT statements over the yearly summary, built from resolved filters alone (no session: testable compiled)."""
from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.orm import aliased

from data_model.analytics.filters import ResolvedFilters
from data_model.definitions.activity_types import load_activity_types
from data_model.definitions.fields import SUM_COLUMNS
from data_model.schema.models import ActivityRollup, ActivitySummary, ReportingUnit, Unit

# what a summary can be grouped by (besides the activity type, always a group), and the column each group is named
GROUPS: dict[str, str] = {"year": "year", "commune": "commune_key", "district": "district_key",
                          "unit": "reporting_unit_id", "station": "station_id"}

_commune, _district, _unit = aliased(Unit), aliased(Unit), aliased(ReportingUnit)
SummaryTable = type[ActivitySummary] | type[ActivityRollup]


def source_table(*, resolved: ResolvedFilters, by: tuple[str, ...]) -> SummaryTable:
    """activity_rollup when neither a group nor a filter needs the commune (far fewer rows), else activity_summary."""
    if resolved.commune_keys is None and not {"commune", "district"} & set(by):
        return ActivityRollup
    return ActivitySummary


def summary_conditions(*, resolved: ResolvedFilters,
                       table: SummaryTable = ActivitySummary) -> list[ColumnElement[bool]]:
    """WHERE conditions on a summary table for the filters, written so the table's key can be used.

    With a type or commune filter, years and types become IN lists: the (year, type_code, commune_key, …) key then
    leads straight to the rows of those types (and communes) instead of every row of the year range.
    """
    s = table
    if resolved.commune_keys is None and resolved.types is None:
        conditions = [s.year >= resolved.year_from, s.year <= resolved.year_to]
    else:
        conditions = [s.year.in_(range(resolved.year_from, resolved.year_to + 1)),
                      s.type_code.in_(resolved.types or tuple(load_activity_types()))]
    if resolved.commune_keys is not None:
        conditions.append(s.commune_key.in_(resolved.commune_keys))  # source_table keeps these off the rollup
    if resolved.unit_ids is not None:
        conditions.append(s.reporting_unit_id.in_(resolved.unit_ids))
    conditions.append(s.n_records != 0)
    return conditions


def _group_column(group: str, s: SummaryTable) -> ColumnElement:
    if group == "district":  # the district the commune belonged to; NULL without one (no commune, or after 2025)
        return _district.key.label(GROUPS[group])
    if group == "station":  # a loudspeaker cluster's work counts under its station, as on every page and report
        is_cluster = and_(_unit.kind == "loudspeaker_cluster", _unit.parent_id.is_not(None))
        return case((is_cluster, _unit.parent_id), else_=s.reporting_unit_id).label(GROUPS[group])
    return getattr(s, GROUPS[group]).label(GROUPS[group])


def grouped_statement(*, resolved: ResolvedFilters, by: tuple[str, ...], sums: tuple[str, ...] = SUM_COLUMNS) -> Select:
    """SELECT groups…, type_code, records, sums… of the filtered summary, grouped by `by` and the activity type."""
    unknown = [g for g in by if g not in GROUPS]
    if unknown:
        raise ValueError(f"unknown grouping {unknown}")
    s = source_table(resolved=resolved, by=by)
    groups = [_group_column(g, s) for g in by]
    stmt = select(*groups, s.type_code, func.sum(s.n_records).label("records"),
                  *[func.sum(getattr(s, c)).label(c) for c in sums])
    if "district" in by:
        stmt = (stmt.outerjoin(_commune, _commune.key == s.commune_key)
                .outerjoin(_district, and_(_district.key == _commune.parent_key, _district.level == "district")))
    if "station" in by:
        stmt = stmt.outerjoin(_unit, _unit.id == s.reporting_unit_id)
    return stmt.where(*summary_conditions(resolved=resolved, table=s)).group_by(*groups, s.type_code)
