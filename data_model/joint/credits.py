"""Counted once, credited to each: the joint activities a unit organised (its own or as co-organiser), the year's
count of joint activities, and the check that a merged record never counts twice."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, distinct, func, select
from sqlalchemy.orm import Session, aliased

from data_model.schema.joint import JointOrganiser
from data_model.schema.models import ActivityRecord, ReportingUnit


def _live_joint(types: Iterable[str] | None, year_from: int, year_to: int):
    link, rec = JointOrganiser, ActivityRecord
    conditions = [link.ended_at.is_(None), rec.deleted_at.is_(None), rec.year >= year_from, rec.year <= year_to]
    if types:
        conditions.append(rec.type_code.in_(sorted(types)))
    return link, rec, and_(*conditions)


def co_organiser_credits(*, session: Session, year_from: int, year_to: int, type_code: str,
                         column: str) -> list[tuple[int, int, int, int]]:
    """(unit id, year, joint activities, their figure in the record column m1…m6) credited to co-organisers: the kept record's
    figures, which the record's own unit already has in the totals."""
    link, rec, where = _live_joint((type_code,), year_from, year_to)
    rows = session.execute(select(link.reporting_unit_id, rec.year, func.count(distinct(rec.id)),
                                  func.sum(getattr(rec, column)))
                           .join(rec, rec.id == link.record_id).where(where)
                           .group_by(link.reporting_unit_id, rec.year))
    return [(int(u), int(y), int(n), int(v or 0)) for u, y, n, v in rows]


def joint_counts_by_unit(*, session: Session, year_from: int, year_to: int,
                         type_code: str | None = None) -> dict[int, int]:
    """Per unit: how many joint activities it organised, as the kept record's unit or as a co-organiser."""
    link, rec, where = _live_joint((type_code,) if type_code else None, year_from, year_to)
    counts: dict[int, int] = {}
    owners = session.execute(select(rec.reporting_unit_id, func.count(distinct(rec.id)))
                             .join(link, link.record_id == rec.id).where(where).group_by(rec.reporting_unit_id))
    partners = session.execute(select(link.reporting_unit_id, func.count(distinct(rec.id)))
                               .join(rec, rec.id == link.record_id).where(where).group_by(link.reporting_unit_id))
    for unit, n in (*owners, *partners):
        counts[int(unit)] = counts.get(int(unit), 0) + int(n)
    return counts


def count_joint_activities(*, session: Session, year_from: int, year_to: int,
                           types: Iterable[str] | None = None) -> int:
    """How many live activities of the years are joint (merged from two or more units' records), each once."""
    link, rec, where = _live_joint(types, year_from, year_to)
    return int(session.scalar(select(func.count(distinct(rec.id))).join(link, link.record_id == rec.id)
                              .where(where)) or 0)


def check_joint(*, session: Session) -> list[str]:
    """What breaks the rule "a joint activity counts once": a merged record live again, a record merged twice,
    a co-organiser that is the activity's own unit (empty when all is well)."""
    link, merged, kept, unit = JointOrganiser, aliased(ActivityRecord), aliased(ActivityRecord), ReportingUnit
    active = link.ended_at.is_(None)
    problems = [f"Hoạt động số {m} đã gộp vào số {k} (phối hợp) nhưng vẫn được tính: bị tính hai lần"
                for k, m in session.execute(select(link.record_id, link.merged_record_id)
                                            .join(merged, merged.id == link.merged_record_id)
                                            .where(active, merged.deleted_at.is_(None)).order_by(link.id).limit(20))]
    problems += [f"Hoạt động số {m} được gộp {n} lần" for m, n in session.execute(
        select(link.merged_record_id, func.count()).where(active).group_by(link.merged_record_id)
        .having(func.count() > 1).order_by(link.merged_record_id).limit(20))]
    problems += [f"Hoạt động phối hợp số {k}: {name} vừa là đơn vị ghi vừa là đơn vị phối hợp" for k, name in
                 session.execute(select(link.record_id, unit.short_name).join(kept, kept.id == link.record_id)
                                 .join(unit, unit.id == link.reporting_unit_id)
                                 .where(active, kept.reporting_unit_id == link.reporting_unit_id).limit(20))]
    return problems
