"""The figures of a report, gathered from the summary tables into plain data (no wording here)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data_model.analytics.aggregate import grouped_rows
from data_model.analytics.filters import Filters
from data_model.analytics.summary import summarise
from data_model.analytics.units import NONE_CODE, commune_names
from data_model.basics.issues import YEAR_MIN
from data_model.definitions.activity_types import list_activity_types
from data_model.definitions.fields import MEASURE_COLUMNS
from data_model.joint.credits import count_joint_activities
from data_model.records.summaries import LANGUAGE_SUMS
from data_model.reference.boundaries import load_rollup
from data_model.report.plans import plan_totals
from data_model.report.scope import Period, ResolvedScope, Scope, resolve_scope
from data_model.schema.clock import today_local
from data_model.schema.meta import is_demo_database
from data_model.schema.models import (
    NO_UNIT,
    ActivityRecord,
    LanguageSummary,
    RecordLanguage,
    ReportingUnit,
    StationCoverage,
    Unit,
    Village,
    VillageSummary,
)


@dataclass
class TypeFigures:
    """Totals of one activity type in the period and the previous period."""

    code: str
    values: dict[str, int]  # measure code → total
    previous: dict[str, int]  # measure code → total in the previous period
    n_records: int
    n_units: int  # reporting units that recorded it
    communes: list[str]  # names of communes with records, biggest first
    languages: list[tuple[str, int]]  # (language code, main-measure total), biggest first
    by_year: dict[int, dict[str, int]]  # year → measure code → total


@dataclass
class PlaceFigures:
    """Totals of one commune or reporting unit: (type, measure) → value."""

    key: str
    name: str
    group: str  # district name for a commune, kind for a reporting unit
    values: dict[tuple[str, str], int] = field(default_factory=dict)


@dataclass
class VillageGap:
    """A village of the scope with no recorded activity in the period."""

    commune: str
    village: str
    is_demo: bool


@dataclass
class ReportContent:
    """Everything a report says, as numbers and names."""

    period: Period
    previous: Period
    scope: ResolvedScope
    generated_on: dt.date
    is_demo: bool
    n_records: int
    types: list[TypeFigures]
    communes: list[PlaceFigures]
    stations: list[PlaceFigures]
    n_villages: int
    n_villages_reached: int
    villages_without: list[VillageGap]
    languages: list[tuple[str, str, int, int]]  # (type, language, records, main-measure total)
    plans: dict[tuple[str, str], int] = field(default_factory=dict)  # (type, measure) → target over the period
    previous_empty: bool = False  # the comparison period has no records at all: nothing to compare with
    n_joint: int = 0  # of n_records, the joint activities (merged from two units' records, each counted once)

    @property
    def empty(self) -> bool:
        return self.n_records == 0

    def type_figures(self, code: str) -> TypeFigures | None:
        """The figures of one type (None when it has no records in the period)."""
        return next((t for t in self.types if t.code == code), None)


def _totals(frame: pd.DataFrame) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for row in frame.itertuples(index=False):
        out.setdefault(row.type, {})[row.measure] = int(row.value)
    return out


def _records_and_units_by_type(*, session: Session, filters: Filters) -> tuple[dict[str, int], dict[str, int]]:
    """Records of each type, and how many reporting units (as entered) recorded it."""
    records: dict[str, int] = {}
    units: dict[str, int] = {}
    for unit, code, n in grouped_rows(session=session, filters=filters, by=("unit",), sums=()):
        records[code] = records.get(code, 0) + n
        if unit != NO_UNIT and n:
            units[code] = units.get(code, 0) + 1
    return records, units


def _places(frame: pd.DataFrame, *, key: str, name: str, groups: dict[str, str]) -> list[PlaceFigures]:
    places: dict[str, PlaceFigures] = {}
    for row in frame.itertuples(index=False):
        rec = row._asdict()
        k = rec[key]
        place = places.setdefault(k, PlaceFigures(key=k, name=rec[name] or "", group=groups.get(k, "")))
        place.values[(rec["type"], rec["measure"])] = int(rec["value"])
    return list(places.values())


def _language_totals(*, session: Session, resolved: ResolvedScope, period: Period) -> list[tuple[str, str, int, int]]:
    if resolved.scope.kind == "station":
        r, rl = ActivityRecord, RecordLanguage
        main = getattr(r, MEASURE_COLUMNS[0])  # slot 1 holds every type's main measure
        stmt = (select(r.type_code, rl.language, func.count(), func.coalesce(func.sum(main), 0))
                .join(rl, rl.record_id == r.id)
                .where(r.deleted_at.is_(None), r.year.between(period.year_from, period.year_to),
                       r.reporting_unit_id.in_(resolved.filters.stations))
                .group_by(r.type_code, rl.language))
    else:
        s = LanguageSummary
        stmt = (select(s.type_code, s.language, func.sum(s.n_records), func.sum(getattr(s, LANGUAGE_SUMS[0])))
                .where(s.year.between(period.year_from, period.year_to), s.n_records != 0)
                .group_by(s.type_code, s.language))
        if resolved.recorded_communes is not None:
            stmt = stmt.where(s.commune_key.in_(resolved.recorded_communes))
    order = {t.code: i for i, t in enumerate(list_activity_types())}
    rows = [(t, lang, int(n), int(v)) for t, lang, n, v in session.execute(stmt)]
    return sorted(rows, key=lambda r: (order.get(r[0], 99), -r[3], r[1] != "vi", r[1]))


def _scope_villages(*, session: Session, resolved: ResolvedScope, period: Period):
    """SELECT of (village id, name, commune name, is_demo, commune key) for villages of communes in scope valid in the
    period."""
    u = Unit
    stmt = (select(Village.id, Village.name, u.name, Village.is_demo, u.key).join(u, u.key == Village.unit_key)
            .where(u.level == "commune", (u.valid_from.is_(None)) | (u.valid_from <= period.end),
                   (u.valid_to.is_(None)) | (u.valid_to > period.start)))
    if resolved.scope.kind == "station":
        c = StationCoverage
        covered = (select(c.unit_key).where(c.station_id.in_(resolved.filters.stations),
                                            (c.valid_from.is_(None)) | (c.valid_from <= period.end),
                                            (c.valid_to.is_(None)) | (c.valid_to > period.start)))
        stmt = stmt.where(u.key.in_(covered))
    elif resolved.recorded_communes is not None:
        stmt = stmt.where(u.key.in_(resolved.recorded_communes))
    return stmt


def _reached_villages(*, resolved: ResolvedScope, period: Period):
    """SELECT of the ids of villages with recorded activity in the period (by the station, for a station scope)."""
    if resolved.scope.kind == "station":
        r = ActivityRecord
        return (select(r.village_id).where(r.deleted_at.is_(None), r.village_id.is_not(None),
                                           r.year.between(period.year_from, period.year_to),
                                           r.reporting_unit_id.in_(resolved.filters.stations)))
    v = VillageSummary
    return select(v.village_id).where(v.year.between(period.year_from, period.year_to), v.n_records != 0)


def _village_gaps(*, session: Session, resolved: ResolvedScope, period: Period) -> tuple[int, int, list[VillageGap]]:
    villages = _scope_villages(session=session, resolved=resolved, period=period).subquery()
    reached = _reached_villages(resolved=resolved, period=period)
    total = session.scalar(select(func.count()).select_from(villages)) or 0
    n_reached = session.scalar(select(func.count()).select_from(villages).where(villages.c.id.in_(reached))) or 0
    rows = session.execute(select(villages).where(villages.c.id.not_in(reached))).all()
    today: dict[str, str] = {}
    if resolved.filters.boundaries == "current" and resolved.scope.kind != "commune":
        # the villages listed under today's commune, like every other table of a period reaching 1 July 2025
        rollup = load_rollup(session=session, on=resolved.filters.on)
        names = commune_names(session=session, boundaries="current")
        today = {k: names.get(max(parts, key=lambda p: p[1])[0], "") for k, parts in rollup.items() if parts}
    gaps = sorted((VillageGap(commune=today.get(k) or c, village=n, is_demo=bool(d)) for _, n, c, d, k in rows),
                  key=lambda g: (g.commune, g.village))
    return int(total), int(n_reached), gaps


def gather_report(*, session: Session, scope: Scope, period: Period, today: dt.date | None = None) -> ReportContent:
    """All figures of the report for a scope and period (ReportError/QueryError for an impossible request)."""
    resolved = resolve_scope(session=session, scope=scope, period=period)
    filters = resolved.filters
    previous = period.previous()
    totals = _totals(summarise(session=session, filters=filters, by="type"))
    # the period before a long one may start before the years the app knows: only its known years are compared
    before: dict[str, dict[str, int]] = {}
    if previous.year_to >= YEAR_MIN:
        before_filters = replace(filters, year_from=max(previous.year_from, YEAR_MIN), year_to=previous.year_to)
        before = _totals(summarise(session=session, filters=before_filters, by="type"))
    records, units = _records_and_units_by_type(session=session, filters=filters)
    by_year: dict[str, dict[int, dict[str, int]]] = {}
    for row in summarise(session=session, filters=filters, by="year").itertuples(index=False):
        by_year.setdefault(row.type, {}).setdefault(int(row.year), {})[row.measure] = int(row.value)

    districts = dict(session.execute(select(Unit.key, Unit.name).where(Unit.level == "district")).all())
    parents = dict(session.execute(select(Unit.key, Unit.parent_key).where(Unit.level == "commune")).all())
    commune_frame = summarise(session=session, filters=filters, by="commune")
    communes = _places(commune_frame, key="commune_key", name="commune",
                       groups={k: districts.get(p or "", "") for k, p in parents.items()})
    kinds = dict(session.execute(select(ReportingUnit.key, ReportingUnit.kind)).all())
    stations = _places(summarise(session=session, filters=filters, by="station"), key="station_key", name="station",
                       groups=kinds)
    languages = _language_totals(session=session, resolved=resolved, period=period)
    n_villages, n_reached, gaps = _village_gaps(session=session, resolved=resolved, period=period)

    types: list[TypeFigures] = []
    for definition in list_activity_types():
        if definition.code not in totals or records.get(definition.code, 0) == 0:
            continue
        main = definition.main_measure.code
        places = [c for c in communes if c.key != NONE_CODE and c.values.get((definition.code, main), 0) > 0]
        places.sort(key=lambda c: (-c.values[(definition.code, main)], c.name))
        types.append(TypeFigures(
            code=definition.code, values=totals[definition.code], previous=before.get(definition.code, {}),
            n_records=records.get(definition.code, 0), n_units=units.get(definition.code, 0),
            communes=list(dict.fromkeys(c.name for c in places)),
            languages=[(lang, value) for t, lang, _, value in languages if t == definition.code],
            by_year=by_year.get(definition.code, {}),
        ))
    return ReportContent(
        period=period, previous=previous, scope=resolved, generated_on=today or today_local(),
        is_demo=is_demo_database(session=session), n_records=sum(records.values()), types=types,
        communes=communes, stations=stations, n_villages=n_villages, n_villages_reached=n_reached,
        villages_without=gaps, languages=languages,
        plans=plan_totals(session=session, resolved=resolved, period=period), previous_empty=not before,
        n_joint=_joint(session=session, filters=filters),
    )


def _joint(*, session: Session, filters: Filters) -> int:
    """The period's joint activities, for a report of the whole province (a part's count is not kept apart)."""
    if filters.communes or filters.stations or filters.district:
        return 0
    return count_joint_activities(session=session, year_from=filters.year_from, year_to=filters.year_to,
                                  types=filters.types or None)
