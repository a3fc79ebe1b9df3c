"""Finding candidate pairs: same type, different units, overlapping dates, same place, similar figures, scored."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, false, func, or_, select
from sqlalchemy.orm import Session, aliased

from data_model.definitions.activity_types import ActivityType, list_activity_types
from data_model.schema.joint import JointDismissal, JointOrganiser
from data_model.schema.models import ActivityRecord, ReportingUnit, Unit, Village
from data_model.texts.catalogue import translate
from data_model.texts.formatting import format_date, format_number

MAX_CANDIDATES = 500


@dataclass(frozen=True)
class Candidate:
    """Two live records that may be one joint activity, with the score (0..1) and the reasons shown."""

    first_id: int
    second_id: int
    type_code: str
    first_unit: str
    second_unit: str
    score: float
    reasons: str


def joint_types() -> dict[str, ActivityType]:
    """The activity types whose records may be joint activities (a [type.joint] in the definitions)."""
    return {t.code: t for t in list_activity_types() if t.joint is not None}


def _larger(a: ColumnElement, b: ColumnElement) -> ColumnElement:
    return case((a >= b, a), else_=b)


def _similar_figures(a: Any, b: Any, types: Mapping[str, ActivityType]) -> ColumnElement[bool]:
    """Per type: the joint measure within the type's tolerance (or missing on one side)."""
    conditions = []
    for code, kind in types.items():
        assert kind.joint is not None
        column = kind.measure(kind.joint.measure).column
        x, y = getattr(a, column), getattr(b, column)
        close = func.abs(x - y) <= _larger(x, y) * kind.joint.tolerance
        conditions.append(and_(a.type_code == code, or_(x.is_(None), y.is_(None), close)))
    return or_(*conditions) if conditions else false()


def _dismissed(a: Any, b: Any) -> ColumnElement[bool]:
    d = JointDismissal  # stored smaller id first
    low, high = case((a.id < b.id, a.id), else_=b.id), case((a.id < b.id, b.id), else_=a.id)
    return exists().where(d.first_id == low, d.second_id == high, d.ended_at.is_(None))


def _pair_conditions(a: Any, b: Any, types: Mapping[str, ActivityType]) -> list[ColumnElement[bool]]:
    return [
        # no b.year == a.year: b starts within a, so in a's year, and the join seeks type, commune and start date
        a.type_code.in_(sorted(types)), b.type_code == a.type_code,
        b.commune_key == a.commune_key, a.commune_key.is_not(None),
        a.reporting_unit_id.is_not(None), b.reporting_unit_id.is_not(None),
        b.reporting_unit_id != a.reporting_unit_id,
        # overlapping dates, each pair once: b starts within a (a seek on ix_record_type_commune_start)
        b.start_date >= a.start_date, b.start_date <= a.end_date,
        or_(b.start_date > a.start_date, b.id > a.id),
        or_(a.village_id.is_(None), b.village_id.is_(None), a.village_id == b.village_id),
        a.deleted_at.is_(None), b.deleted_at.is_(None),
        _similar_figures(a, b, types),
    ]


_PAIR_COLUMNS = ("id", "type_code", "start_date", "end_date", "reporting_unit_id", "commune_key", "village_id",
                 "m1", "m2", "m3", "m4", "m5", "m6")


def find_candidates(*, session: Session, year: int | None = None, type_code: str | None = None,
                    limit: int = MAX_CANDIDATES, lang: str = "vi") -> list[Candidate]:
    """Candidate pairs over all live records (or one year, one type), best first, at most limit."""
    types = joint_types()
    if type_code is not None:
        types = {k: v for k, v in types.items() if k == type_code}
    a, b = aliased(ActivityRecord), aliased(ActivityRecord)
    stmt = (select(*(getattr(a, c) for c in _PAIR_COLUMNS), *(getattr(b, c) for c in _PAIR_COLUMNS))
            .join(b, and_(*_pair_conditions(a, b, types)))
            .where(~_dismissed(a, b)).order_by(a.start_date.desc(), a.id, b.id))
    if year is not None:
        stmt = stmt.where(a.year == year)
    rows = [(dict(zip(_PAIR_COLUMNS, r[:len(_PAIR_COLUMNS)])), dict(zip(_PAIR_COLUMNS, r[len(_PAIR_COLUMNS):])))
            for r in session.execute(stmt)]
    names = _Names.load(session=session, rows=[x for pair in rows for x in pair])
    found = [c for c in (score_pair(first=x, second=y, names=names, lang=lang) for x, y in rows) if c is not None]
    found.sort(key=lambda c: (-c.score, c.first_id, c.second_id))
    return found[:limit]


def find_matches(*, session: Session, columns: Mapping[str, Any], exclude_id: int | None = None,
                 lang: str = "vi") -> list[Candidate]:
    """Live records of other units that may be the same joint activity as these (not yet saved) columns."""
    kind = joint_types().get(str(columns.get("type_code")))
    if kind is None or not columns.get("commune_key") or not columns.get("reporting_unit_id"):
        return []
    b = aliased(ActivityRecord)
    start, end = columns["start_date"], columns.get("end_date") or columns["start_date"]
    stmt = (select(*(getattr(b, c) for c in _PAIR_COLUMNS))
            .where(b.type_code == kind.code, b.commune_key == columns["commune_key"],
                   b.start_date >= dt.date(start.year, 1, 1), b.start_date <= end, start <= b.end_date,
                   b.reporting_unit_id.is_not(None), b.reporting_unit_id != int(columns["reporting_unit_id"]),
                   b.deleted_at.is_(None))
            .order_by(b.id).limit(50))
    if exclude_id is not None:
        stmt = stmt.where(b.id != exclude_id)
    mine = {c: columns.get(c) for c in _PAIR_COLUMNS} | {"id": exclude_id or 0, "end_date": end}
    others = [dict(zip(_PAIR_COLUMNS, r)) for r in session.execute(stmt)]
    names = _Names.load(session=session, rows=[mine, *others])
    found = [c for c in (score_pair(first=mine, second=o, names=names, lang=lang) for o in others) if c is not None]
    return sorted(found, key=lambda c: -c.score)[:5]


@dataclass(frozen=True)
class _Names:
    units: dict[int, str]
    communes: dict[str, str]
    villages: dict[int, str]

    @classmethod
    def load(cls, *, session: Session, rows: list[dict[str, Any]]) -> _Names:
        unit_ids = sorted({r["reporting_unit_id"] for r in rows if r["reporting_unit_id"]})
        communes = sorted({r["commune_key"] for r in rows if r["commune_key"]})
        villages = sorted({r["village_id"] for r in rows if r["village_id"]})
        return cls(
            units=dict(session.execute(select(ReportingUnit.id, ReportingUnit.short_name)
                                       .where(ReportingUnit.id.in_(unit_ids))).all()),
            communes=dict(session.execute(select(Unit.key, Unit.name).where(Unit.key.in_(communes))).all()),
            villages=dict(session.execute(select(Village.id, Village.name)
                                          .where(Village.id.in_(villages))).all()),
        )


def score_pair(*, first: Mapping[str, Any], second: Mapping[str, Any], names: _Names,
               lang: str = "vi") -> Candidate | None:
    """The pair's score and reasons ("cùng ngày, cùng bản Pa Vây Sử, số người 120 / 118"), None below the type's
    min_score or outside its tolerance."""
    kind = joint_types().get(first["type_code"])
    if kind is None or kind.joint is None:
        return None
    date_score, date_text = _dates(first, second, lang)
    place_score, place_text = _place(first, second, names, lang)
    measure = kind.measure(kind.joint.measure)
    x, y = first.get(measure.column), second.get(measure.column)
    if x is None or y is None:
        figure_score, figure_text = 0.5, translate("{measure}: thiếu số liệu để so", lang=lang,
                                                   measure=measure.label(lang).lower())
    else:
        gap = abs(x - y) / max(x, y, 1)
        if gap > kind.joint.tolerance:
            return None
        figure_score = 1.0 - 0.5 * gap / kind.joint.tolerance if kind.joint.tolerance else 1.0
        figure_text = f"{measure.label(lang).lower()} {format_number(x, lang)} / {format_number(y, lang)}"
    score = round((date_score + place_score + figure_score) / 3, 3)
    if score < kind.joint.min_score:
        return None
    return Candidate(first_id=int(first["id"]), second_id=int(second["id"]), type_code=kind.code,
                     first_unit=names.units.get(first["reporting_unit_id"], ""),
                     second_unit=names.units.get(second["reporting_unit_id"], ""),
                     score=score, reasons=", ".join((date_text, place_text, figure_text)))


def _dates(first: Mapping[str, Any], second: Mapping[str, Any], lang: str) -> tuple[float, str]:
    if first["start_date"] == second["start_date"] and first["end_date"] == second["end_date"]:
        return 1.0, translate("cùng ngày", lang=lang)
    start: dt.date = max(first["start_date"], second["start_date"])
    end: dt.date = min(first["end_date"], second["end_date"])
    days = f"{format_date(start, lang)}–{format_date(end, lang)}" if start != end else format_date(start, lang)
    return 0.7, translate("trùng thời gian {days}", lang=lang, days=days)


def _place(first: Mapping[str, Any], second: Mapping[str, Any], names: _Names, lang: str) -> tuple[float, str]:
    if first["village_id"] and first["village_id"] == second["village_id"]:
        return 1.0, translate("cùng bản {village}", lang=lang, village=names.villages.get(first["village_id"], ""))
    return 0.7, translate("cùng xã {commune}", lang=lang, commune=names.communes.get(first["commune_key"], ""))


def co_organiser_units(*, session: Session, record_id: int) -> list[int]:
    """The units credited with a joint activity besides its own unit (active links only)."""
    stmt = (select(JointOrganiser.reporting_unit_id)
            .where(JointOrganiser.record_id == record_id, JointOrganiser.ended_at.is_(None))
            .order_by(JointOrganiser.id))
    return list(session.scalars(stmt))
