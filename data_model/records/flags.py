"""The follow-up list: officials and planners mark a record "cần kiểm tra lại" with a reason; the unit's staff answer
or correct it, which closes the flag with who and when. Every step is in the change log; no figure changes."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from data_model.accounts.users import refresh_actor
from data_model.audit.changelog import log_change
from data_model.basics.issues import MAX_REASON, Issue, ValidationError
from data_model.basics.permissions import (
    Actor,
    PermissionDenied,
    can_write_record,
    has_capability,
    require_flag_raise,
)
from data_model.definitions.activity_types import load_activity_types
from data_model.schema.clock import convert_to_local
from data_model.schema.follow_up import RecordFlag
from data_model.schema.models import ActivityRecord, ReportingUnit, User, utcnow
from data_model.texts.catalogue import Text
from data_model.texts.input import TextInputError, clean_text

ENTITY = "record"  # flags are logged on their record, so its history shows them
ANSWERED, CORRECTED = "answered", "corrected"
CORRECTED_ANSWER = "Đã sửa hoạt động"
FLAG_COLUMNS = ["flag_id", "record_id", "unit_id", "unit", "start_date", "type", "reason", "raised_by", "raised_at"]


@dataclass(frozen=True)
class OpenFlag:
    """The open flag of one record, as the unit's staff read it."""

    id: int
    record_id: int
    reason: str
    raised_by: str
    raised_at: dt.datetime  # Vietnam time


def raise_flag(*, session: Session, actor: Actor, record_id: int, reason: str) -> int:
    """Mark a live record "cần kiểm tra lại" with a reason (officials, planners, admins); returns the flag's id."""
    actor = refresh_actor(session=session, actor=actor)
    require_flag_raise(actor)
    try:
        reason = clean_text(reason, field="Lý do cần kiểm tra lại", limit=MAX_REASON, required=True)
    except TextInputError as exc:
        raise ValidationError([Issue("reason", str(exc))]) from None
    record = _record(session, record_id)
    if record.deleted_at is not None:
        raise ValidationError([Issue("id", Text("Hoạt động số {id} đã bị xóa: không cần kiểm tra lại", id=record_id))])
    if _open(session, record_id) is not None:
        raise ValidationError([Issue("id", Text("Hoạt động số {id} đã có yêu cầu kiểm tra lại chưa được trả lời",
                                                id=record_id))])
    with session.begin_nested():
        flag = RecordFlag(record_id=record_id, reason=reason, raised_by=actor.user_id, raised_at=utcnow())
        session.add(flag)
        session.flush()
        log_change(session=session, actor=actor, action="flag", entity=ENTITY, entity_id=record_id, reason=reason)
    return flag.id


def answer_flag(*, session: Session, actor: Actor, record_id: int, answer: str) -> None:
    """Close the record's open flag with the unit's answer (staff of the record's unit, admins)."""
    actor = refresh_actor(session=session, actor=actor)
    try:
        answer = clean_text(answer, field="Trả lời", limit=MAX_REASON, required=True)
    except TextInputError as exc:
        raise ValidationError([Issue("answer", str(exc))]) from None
    record = _record(session, record_id)
    _require_answer(actor, record)
    flag = _open(session, record_id)
    if flag is None:
        raise ValidationError([Issue("id", Text("Hoạt động số {id} không có yêu cầu kiểm tra lại đang mở",
                                                id=record_id))])
    _close(session, actor, flag, resolution=ANSWERED, answer=answer)


def close_flag_after_correction(*, session: Session, actor: Actor, record_id: int) -> bool:
    """Close the record's open flag because its unit has just edited it (in the edit's transaction); False if none.

    The caller has checked that the actor may write the record."""
    flag = _open(session, record_id)
    if flag is None:
        return False
    _close(session, actor, flag, resolution=CORRECTED, answer=CORRECTED_ANSWER)
    return True


def get_open_flag(*, session: Session, record_id: int) -> OpenFlag | None:
    """The record's open flag with who raised it and when, or None."""
    f, u = RecordFlag, User
    row = session.execute(select(f.id, f.reason, f.raised_at, u.full_name, u.username)
                          .outerjoin(u, u.id == f.raised_by)
                          .where(f.record_id == record_id, f.closed_at.is_(None))).first()
    if row is None:
        return None
    return OpenFlag(id=row.id, record_id=record_id, reason=row.reason, raised_by=row.full_name or row.username or "",
                    raised_at=convert_to_local(utc=row.raised_at))


def list_open_flags(*, session: Session, actor: Actor, lang: str = "vi") -> pd.DataFrame:
    """The open flags the actor may see (staff: their units'; others: all), by unit, oldest first."""
    f, r, u, who = RecordFlag, ActivityRecord, aliased(ReportingUnit), aliased(User)
    stmt = (select(f.id, f.record_id, r.reporting_unit_id, u.short_name, r.start_date, r.type_code, f.reason,
                   who.full_name, who.username, f.raised_at)
            .join(r, r.id == f.record_id).outerjoin(u, u.id == r.reporting_unit_id).outerjoin(who, who.id == f.raised_by)
            .where(f.closed_at.is_(None), r.deleted_at.is_(None))
            .order_by(u.short_name, f.raised_at, f.id))
    if actor.role == "staff":
        stmt = stmt.where(r.reporting_unit_id.in_(sorted(actor.unit_ids)))
    types = load_activity_types()
    rows = [{"flag_id": row[0], "record_id": row[1], "unit_id": row[2], "unit": row[3] or "", "start_date": row[4],
             "type": types[row[5]].name(lang) if row[5] in types else row[5], "reason": row[6],
             "raised_by": row[7] or row[8] or "", "raised_at": convert_to_local(utc=row[9])} for row in session.execute(stmt)]
    return pd.DataFrame(rows, columns=FLAG_COLUMNS)


def count_open_flags(*, session: Session, actor: Actor) -> pd.DataFrame:
    """Open flags per unit the actor may see: unit, count, oldest raised (Vietnam time)."""
    f, r, u = RecordFlag, ActivityRecord, ReportingUnit
    stmt = (select(u.short_name, func.count(f.id), func.min(f.raised_at))
            .join(r, r.id == f.record_id).outerjoin(u, u.id == r.reporting_unit_id)
            .where(f.closed_at.is_(None), r.deleted_at.is_(None))
            .group_by(u.short_name).order_by(func.count(f.id).desc(), u.short_name))
    if actor.role == "staff":
        stmt = stmt.where(r.reporting_unit_id.in_(sorted(actor.unit_ids)))
    rows = [{"unit": name or "", "open": n, "oldest": convert_to_local(utc=oldest)}
            for name, n, oldest in session.execute(stmt)]
    return pd.DataFrame(rows, columns=["unit", "open", "oldest"])


@dataclass(frozen=True)
class FollowUpList:
    """The open flags the actor may see: per unit (unit, open, oldest) and one row each."""

    per_unit: pd.DataFrame
    flags: pd.DataFrame


def follow_up_list(*, session: Session, actor: Actor, lang: str = "vi") -> FollowUpList:
    """The open flags per unit and one by one, as «Tiến độ báo cáo» shows them."""
    return FollowUpList(per_unit=count_open_flags(session=session, actor=actor),
                        flags=list_open_flags(session=session, actor=actor, lang=lang))


def can_answer_flag(actor: Actor | None, reporting_unit_id: int | None) -> bool:
    """Whether the actor may answer or correct a flagged record of that unit (for showing the answer box)."""
    return actor is not None and can_write_record(actor, reporting_unit_id)


def can_raise_flag(actor: Actor | None) -> bool:
    """Whether the actor may mark records for a check (for showing the flag box)."""
    return has_capability(actor, "flag_records")


def _require_answer(actor: Actor, record: ActivityRecord) -> None:
    if not can_answer_flag(actor, record.reporting_unit_id):
        raise PermissionDenied("Chỉ cán bộ của đơn vị nhập hoạt động này được trả lời yêu cầu kiểm tra lại")


def _close(session: Session, actor: Actor, flag: RecordFlag, *, resolution: str, answer: str) -> None:
    with session.begin_nested():
        flag.closed_by, flag.closed_at, flag.resolution, flag.answer = actor.user_id, utcnow(), resolution, answer
        session.flush()
        log_change(session=session, actor=actor, action="flag_close", entity=ENTITY, entity_id=flag.record_id,
                   reason=answer)


def _record(session: Session, record_id: int) -> ActivityRecord:
    # locked: two officials flagging the same record at once make one flag, not two
    record = session.scalars(select(ActivityRecord).where(ActivityRecord.id == record_id).with_for_update()).first()
    if record is None:
        raise ValidationError([Issue("id", Text("Mã hoạt động: không có hoạt động số {id}", id=record_id))])
    return record


def _open(session: Session, record_id: int) -> RecordFlag | None:
    stmt = select(RecordFlag).where(RecordFlag.record_id == record_id, RecordFlag.closed_at.is_(None))
    return session.scalars(stmt).first()

