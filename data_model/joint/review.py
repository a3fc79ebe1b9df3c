"""Reviewing a candidate pair: merge into one joint activity (credit to both units), dismiss, or undo either."""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_model.accounts.users import refresh_actor
from data_model.audit.changelog import log_change
from data_model.basics.issues import MAX_REASON, Issue, ValidationError
from data_model.basics.permissions import Actor, require_joint_review, require_joint_undo
from data_model.definitions.activity_types import ActivityType, get_activity_type
from data_model.records.summaries import RecordFigures, apply_changes
from data_model.records.write import columns_of
from data_model.records.write_checks import check_record_write
from data_model.schema.joint import JointDismissal, JointOrganiser
from data_model.schema.models import ActivityRecord, utcnow
from data_model.texts.catalogue import Text
from data_model.texts.input import TextInputError, clean_text

T = TypeVar("T", JointOrganiser, JointDismissal)  # what an admin may undo

ENTITY = "joint"
PAIR_ENTITY = "joint_pair"


def _refuse(field: str, message: Text) -> ValidationError:
    return ValidationError([Issue(field, message)])


def _load(session: Session, record_id: int) -> ActivityRecord:
    record = session.scalars(select(ActivityRecord).where(ActivityRecord.id == int(record_id))
                             .with_for_update()).first()
    if record is None:
        raise _refuse("id", Text("Mã hoạt động: không có hoạt động số {id}", id=record_id))
    return record


def _reason(reason: object, *, required: bool) -> str:
    try:
        text = clean_text(reason, field="Lý do", limit=MAX_REASON)
    except TextInputError as exc:
        raise ValidationError([Issue("reason", str(exc))]) from None
    if required and not text:
        raise _refuse("reason", Text("Lý do: hãy ghi lý do hoàn tác"))
    return text


def _live_pair(session: Session, first_id: int, second_id: int) -> tuple[ActivityRecord, ActivityRecord]:
    if int(first_id) == int(second_id):
        raise _refuse("id", Text("Hai hoạt động phải khác nhau"))
    first, second = (_load(session, i) for i in sorted((int(first_id), int(second_id))))
    for record in (first, second):
        if record.deleted_at is not None:
            raise _refuse("id", Text("Hoạt động số {id} đã bị xóa hoặc đã được gộp", id=record.id))
    if first.type_code != second.type_code:
        raise _refuse("type_code", Text("Loại hoạt động: hai hoạt động khác loại, không gộp được"))
    if first.reporting_unit_id == second.reporting_unit_id or None in (first.reporting_unit_id,
                                                                        second.reporting_unit_id):
        raise _refuse("reporting_unit_id", Text("Đơn vị: hoạt động phối hợp cần hai đơn vị khác nhau"))
    return first, second


def default_figures(*, kind: ActivityType, first: Mapping[str, Any],
                    second: Mapping[str, Any]) -> dict[str, int | None]:
    """The figures a merge keeps unless the official picks others: those of the record with the larger main
    joint figure (attendance), never the sum."""
    assert kind.joint is not None
    column = kind.measure(kind.joint.measure).column
    larger = first if int(first.get(column) or 0) >= int(second.get(column) or 0) else second
    return {m.code: larger.get(m.column) for m in kind.measures}


def _picked(kind: ActivityType, first: ActivityRecord, second: ActivityRecord,
            figures: Mapping[str, int | None] | None) -> dict[str, int | None]:
    chosen = default_figures(kind=kind, first=columns_of(first), second=columns_of(second))
    for code, value in (figures or {}).items():
        try:
            measure = kind.measure(code)
        except KeyError:
            raise _refuse(code, Text("Số liệu: loại hoạt động này không có chỉ tiêu {code}", code=code)) from None
        options = {getattr(first, measure.column), getattr(second, measure.column)}
        if value not in options:
            raise _refuse(code, Text("{label}: chọn số của một trong hai bản ghi ({options}), không cộng dồn",
                                     label=measure.label_vi,
                                     options=" / ".join(str(o) for o in options if o is not None) or "–"))
        chosen[code] = value
    return chosen


def merge_pair(*, session: Session, actor: Actor, keep_id: int, merge_id: int,
               figures: Mapping[str, int | None] | None = None, reason: str = "") -> int:
    """Make two units' records one joint activity: keep_id stays (with the figures picked, default the larger
    attendance), merge_id leaves the totals and its unit is credited as co-organiser; returns the link's id."""
    actor = refresh_actor(session=session, actor=actor)
    require_joint_review(actor)
    reason = _reason(reason, required=False)
    first, second = _live_pair(session, keep_id, merge_id)
    keep, gone = (first, second) if first.id == int(keep_id) else (second, first)
    kind = get_activity_type(keep.type_code)
    if kind.joint is None:
        raise _refuse("type_code", Text("Loại hoạt động: {name} không có hoạt động phối hợp", name=kind.name_vi))
    chosen = _picked(kind, keep, gone, figures)
    with session.begin_nested():
        old_keep, old_gone = columns_of(keep), columns_of(gone)
        before = {m.column: getattr(keep, m.column) for m in kind.measures}
        for m in kind.measures:
            setattr(keep, m.column, chosen[m.code])
        now = utcnow()
        keep.updated_by, keep.updated_at = actor.user_id, now
        gone.deleted_at, gone.deleted_by = now, actor.user_id
        gone.delete_reason = f"Gộp vào hoạt động phối hợp số {keep.id}"
        session.flush()
        apply_changes(session=session, removed=[RecordFigures.of(old_keep), RecordFigures.of(old_gone)],
                      added=[RecordFigures.of(keep)])
        link = JointOrganiser(record_id=keep.id, reporting_unit_id=gone.reporting_unit_id, merged_record_id=gone.id,
                              kept_before=json.dumps({"before": before, "after": {m.column: chosen[m.code]
                                                                                  for m in kind.measures}},
                                                     sort_keys=True),
                              created_at=now, created_by=actor.user_id)
        session.add(link)
        session.flush()
        log_change(session=session, actor=actor, action="merge", entity=ENTITY, entity_id=link.id, reason=reason,
                   new={"kept_record": keep.id, "merged_record": gone.id, "co_organiser": gone.reporting_unit_id,
                        **{m.code: chosen[m.code] for m in kind.measures}},
                   old={m.code: before[m.column] for m in kind.measures})
        check_record_write(session=session, actor=actor, record_id=keep.id, action="update", old=old_keep,
                           new=columns_of(keep), reason=reason)
        check_record_write(session=session, actor=actor, record_id=gone.id, action="delete", old=old_gone, new=None,
                           reason=reason)
    return link.id


def _open_for_undo(session: Session, actor: Actor, model: type[T], row_id: int, reason: object,
                   missing: Text) -> tuple[Actor, str, T]:
    """The admin rechecked, the reason required, and the merge or dismissal locked while still in force."""
    actor = refresh_actor(session=session, actor=actor)
    require_joint_undo(actor)
    checked = _reason(reason, required=True)
    row = session.scalars(select(model).where(model.id == int(row_id)).with_for_update()).first()
    if row is None or row.ended_at is not None:
        raise _refuse("id", missing)
    return actor, checked, row


def undo_merge(*, session: Session, actor: Actor, link_id: int, reason: str) -> None:
    """An admin undoes a merge: the merged record counts again, the kept one gets its own figures back."""
    actor, reason, link = _open_for_undo(session, actor, JointOrganiser, link_id, reason, Text(
        "Không có hoạt động phối hợp số {id} đang có hiệu lực", id=link_id))
    keep, gone = _load(session, link.record_id), _load(session, link.merged_record_id)
    with session.begin_nested():
        old_keep = columns_of(keep)
        keep_live = keep.deleted_at is None
        kept = json.loads(link.kept_before or "{}")
        # the kept record's own figures come back unless someone corrected the merged figures since
        if all(getattr(keep, c) == v for c, v in kept.get("after", {}).items()):
            for column, value in kept.get("before", {}).items():
                setattr(keep, column, value)
        now = utcnow()
        keep.updated_by, keep.updated_at = actor.user_id, now
        gone.deleted_at, gone.deleted_by, gone.delete_reason = None, None, ""
        gone.updated_by, gone.updated_at = actor.user_id, now
        link.ended_at, link.ended_by, link.end_reason = now, actor.user_id, reason
        session.flush()
        # a kept record deleted since the merge is out of the totals already: only its columns go back
        apply_changes(session=session, removed=[RecordFigures.of(old_keep)] if keep_live else [],
                      added=[RecordFigures.of(gone), *([RecordFigures.of(keep)] if keep_live else [])])
        log_change(session=session, actor=actor, action="unmerge", entity=ENTITY, entity_id=link.id, reason=reason,
                   new={"kept_record": keep.id, "restored_record": gone.id})
        if keep_live:
            check_record_write(session=session, actor=actor, record_id=keep.id, action="update", old=old_keep,
                               new=columns_of(keep), reason=reason)
        check_record_write(session=session, actor=actor, record_id=gone.id, action="restore", old=None,
                           new=columns_of(gone), reason=reason)


def dismiss_pair(*, session: Session, actor: Actor, first_id: int, second_id: int, reason: str = "") -> int:
    """Record that two records are different activities: the pair is never offered again; returns its id."""
    actor = refresh_actor(session=session, actor=actor)
    require_joint_review(actor)
    reason = _reason(reason, required=False)
    first, second = _live_pair(session, first_id, second_id)
    row = session.scalars(select(JointDismissal).where(JointDismissal.first_id == first.id,
                                                       JointDismissal.second_id == second.id)
                          .with_for_update()).first()
    if row is not None and row.ended_at is None:
        raise _refuse("id", Text("Hai hoạt động số {a} và {b} đã được xác định là khác nhau", a=first.id, b=second.id))
    with session.begin_nested():
        now = utcnow()
        if row is None:
            row = JointDismissal(first_id=first.id, second_id=second.id, created_at=now, created_by=actor.user_id)
            session.add(row)
        else:  # dismissed again after an undo
            row.created_at, row.created_by, row.ended_at, row.ended_by, row.end_reason = now, actor.user_id, None, None, ""
        session.flush()
        log_change(session=session, actor=actor, action="dismiss", entity=PAIR_ENTITY, entity_id=row.id,
                   new={"first_record": first.id, "second_record": second.id}, reason=reason)
    return row.id


def undo_dismissal(*, session: Session, actor: Actor, dismissal_id: int, reason: str) -> None:
    """An admin undoes a dismissal: the pair may be offered again."""
    actor, reason, row = _open_for_undo(session, actor, JointDismissal, dismissal_id, reason, Text(
        "Không có cặp hoạt động khác nhau số {id} đang có hiệu lực", id=dismissal_id))
    with session.begin_nested():
        row.ended_at, row.ended_by, row.end_reason = utcnow(), actor.user_id, reason
        session.flush()
        log_change(session=session, actor=actor, action="undismiss", entity=PAIR_ENTITY, entity_id=row.id,
                   old={"first_record": row.first_id, "second_record": row.second_id}, reason=reason)


def merged_into(*, session: Session, record_id: int) -> int | None:
    """The joint activity a record was merged into (active link), None when it was not."""
    return session.scalar(select(JointOrganiser.record_id).where(JointOrganiser.merged_record_id == int(record_id),
                                                                 JointOrganiser.ended_at.is_(None)).limit(1))
