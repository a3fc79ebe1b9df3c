"""Writing activity records one at a time: check, create, edit, soft delete and restore, each in the change log."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from data_model.accounts.users import refresh_actor
from data_model.audit.changelog import log_change
from data_model.basics.issues import DUPLICATE, ERROR, MAX_REASON, WARNING, Issue, ValidationError
from data_model.basics.permissions import Actor, require_record_write
from data_model.definitions.fields import MEASURE_COLUMNS, RECORD_FIELDS
from data_model.records.flags import close_flag_after_correction
from data_model.records.summaries import RecordFigures, apply_changes
from data_model.records.validation.catalogue import Catalogue, load_catalogue_for
from data_model.records.validation.checks import Checked, check_values, describe_values, text_issues
from data_model.records.write_checks import check_record_write
from data_model.schema.joint import JointOrganiser
from data_model.schema.models import ActivityRecord, RecordLanguage, utcnow
from data_model.texts.catalogue import Text
from data_model.texts.input import TextInputError, clean_text

ENTITY = "record"


def duplicate_filter(columns: Mapping[str, Any]):
    """WHERE clause of live records with the same type, dates, place and measures."""
    r = ActivityRecord
    conditions = [r.deleted_at.is_(None), r.type_code == columns["type_code"], r.start_date == columns["start_date"],
                  r.end_date == columns["end_date"], r.commune_key.is_not_distinct_from(columns.get("commune_key")),
                  r.village_id.is_not_distinct_from(columns.get("village_id"))]
    conditions += [getattr(r, m).is_not_distinct_from(columns.get(m)) for m in MEASURE_COLUMNS]
    return conditions


def find_duplicates(*, session: Session, columns: Mapping[str, Any], exclude_id: int | None = None) -> list[int]:
    """Ids of live records that look like the same activity."""
    stmt = select(ActivityRecord.id).where(*duplicate_filter(columns)).order_by(ActivityRecord.id).limit(5)
    if exclude_id is not None:
        stmt = stmt.where(ActivityRecord.id != exclude_id)
    return list(session.scalars(stmt))


def duplicate_issue(ids: list[int]) -> Issue:
    """The message shown for a likely duplicate."""
    return Issue("type_code", Text("Có thể trùng với hoạt động đã nhập (số {ids}): cùng loại, ngày, nơi và số liệu. Hãy "
                                   "kiểm tra, hoặc xác nhận đây là hoạt động khác.", ids=", ".join(map(str, ids))),
                 DUPLICATE)


def check_record(*, session: Session, values: Mapping[str, Any], exclude_id: int | None = None,
                 today: dt.date | None = None, catalogue: Catalogue | None = None) -> Checked:
    """Validation against the definition and reference data, plus the duplicate check."""
    catalogue = catalogue or load_catalogue_for(session=session, records=[values])
    checked = check_values(catalogue=catalogue, values=values, today=today)
    if checked.columns is not None:
        ids = find_duplicates(session=session, columns=checked.columns, exclude_id=exclude_id)
        if ids:
            checked.issues.append(duplicate_issue(ids))
    return checked


def _accept(checked: Checked, *, confirm_warnings: bool, confirm_duplicate: bool) -> dict[str, Any]:
    """The columns to write, or ValidationError with what still blocks the write."""
    blocking = [i for i in checked.issues if i.severity == ERROR
                or (i.severity == WARNING and not confirm_warnings)
                or (i.severity == DUPLICATE and not confirm_duplicate)]
    if blocking or checked.columns is None:
        raise ValidationError(checked.issues)
    return checked.columns


def record_not_found(record_id: Any) -> ValidationError:
    return ValidationError([Issue("id", Text("Mã hoạt động: không có hoạt động số {id}", id=record_id))])


def _load(session: Session, record_id: int) -> ActivityRecord:
    stmt = select(ActivityRecord).where(ActivityRecord.id == record_id).with_for_update()
    record = session.scalars(stmt).first()
    if record is None:
        raise record_not_found(record_id)
    return record


def columns_of(record: ActivityRecord) -> dict[str, Any]:
    return {c: getattr(record, c) for c in RECORD_FIELDS}


def _write_languages(session: Session, record_id: int, languages: str) -> None:
    session.execute(delete(RecordLanguage).where(RecordLanguage.record_id == record_id))
    rows = [{"record_id": record_id, "language": x} for x in dict.fromkeys(languages.split(",")) if x]
    if rows:
        session.execute(insert(RecordLanguage), rows)


def create_record(*, session: Session, actor: Actor, values: Mapping[str, Any], confirm_warnings: bool = False,
                  confirm_duplicate: bool = False, today: dt.date | None = None, reason: str = "") -> int:
    """Validate, check permission and insert one record with its summaries and a change-log entry; returns its id.

    reason: needed (admins only) for a record of a closed year, which is then a revision."""
    actor = refresh_actor(session=session, actor=actor)
    _refuse_bad_text(values)
    reason = _reason(reason)
    if _unit_id(values) is not None:
        require_record_write(actor, _unit_id(values))
    catalogue = load_catalogue_for(session=session, records=[values])
    checked = check_record(session=session, values=values, today=today, catalogue=catalogue)
    columns = _accept(checked, confirm_warnings=confirm_warnings, confirm_duplicate=confirm_duplicate)
    require_record_write(actor, columns["reporting_unit_id"])
    with session.begin_nested():
        record = ActivityRecord(**columns, created_by=actor.user_id, created_at=utcnow())
        session.add(record)
        session.flush()
        _write_languages(session, record.id, columns["languages"])
        apply_changes(session=session, added=[RecordFigures.of(columns)])
        log_change(session=session, actor=actor, action="create", entity=ENTITY, entity_id=record.id,
                   new=describe_values(catalogue=catalogue, columns=columns), reason=reason)
        check_record_write(session=session, actor=actor, record_id=record.id, action="create", old=None,
                            new=columns, reason=reason)
    return record.id


def update_record(*, session: Session, actor: Actor, record_id: int, values: Mapping[str, Any],
                  confirm_warnings: bool = False, confirm_duplicate: bool = False, today: dt.date | None = None,
                  reason: str = "") -> None:
    """Validate and apply an edit (old unit and new unit both checked), moving the figures in the summaries; an edit
    that changes something closes the record's open follow-up flag as corrected.

    reason: needed (admins only) to edit a record of a closed year, which is then a revision."""
    actor = refresh_actor(session=session, actor=actor)
    _refuse_bad_text(values)
    reason = _reason(reason)
    record = _load(session, record_id)
    require_record_write(actor, record.reporting_unit_id)
    if _unit_id(values) is not None:
        require_record_write(actor, _unit_id(values))
    if record.deleted_at is not None:
        raise ValidationError([Issue("id", Text("Hoạt động số {id} đã bị xóa; hãy khôi phục trước khi sửa", id=record_id))])
    catalogue = load_catalogue_for(session=session, records=[values, columns_of(record)])
    checked = check_record(session=session, values=values, exclude_id=record_id, today=today, catalogue=catalogue)
    columns = _accept(checked, confirm_warnings=confirm_warnings, confirm_duplicate=confirm_duplicate)
    require_record_write(actor, columns["reporting_unit_id"])
    if apply_update(session=session, actor=actor, record_id=record_id, columns=columns, catalogue=catalogue,
                    reason=reason):
        close_flag_after_correction(session=session, actor=actor, record_id=record_id)


def apply_update(*, session: Session, actor: Actor, record_id: int, columns: Mapping[str, Any], catalogue: Catalogue,
                 reason: str = "") -> bool:
    """Write already-checked columns over a live record (summaries moved, change logged); False when nothing changed.

    The caller has refreshed the actor in this transaction (refresh_actor), once for all its rows."""
    record = _load(session, record_id)
    require_record_write(actor, record.reporting_unit_id)
    require_record_write(actor, columns["reporting_unit_id"])
    old = columns_of(record)
    if all(old.get(k) == columns.get(k) for k in RECORD_FIELDS if k in columns):
        return False
    with session.begin_nested():
        for key, value in columns.items():
            if key in RECORD_FIELDS:
                setattr(record, key, value)
        record.updated_by, record.updated_at = actor.user_id, utcnow()
        session.flush()
        _write_languages(session, record.id, columns["languages"])
        apply_changes(session=session, removed=[RecordFigures.of(old)], added=[RecordFigures.of(record)])
        old_text = describe_values(catalogue=catalogue, columns=old)
        new_text = describe_values(catalogue=catalogue, columns=columns)
        log_change(session=session, actor=actor, action="update", entity=ENTITY, entity_id=record.id,
                   old=old_text, new=new_text, reason=reason)
        check_record_write(session=session, actor=actor, record_id=record.id, action="update", old=old,
                            new=columns_of(record), reason=reason, old_text=old_text, new_text=new_text)
    return True


def delete_record(*, session: Session, actor: Actor, record_id: int, reason: str) -> None:
    """Soft-delete a record with a reason; its figures leave the summaries."""
    actor = refresh_actor(session=session, actor=actor)
    reason = _reason(reason)
    record = _load(session, record_id)
    require_record_write(actor, record.reporting_unit_id)
    if not reason:
        raise ValidationError([Issue("reason", Text("Lý do: hãy ghi lý do xóa"))])
    if record.deleted_at is not None:
        raise ValidationError([Issue("id", Text("Hoạt động số {id} đã bị xóa trước đó", id=record_id))])
    with session.begin_nested():
        record.deleted_at, record.deleted_by, record.delete_reason = utcnow(), actor.user_id, reason
        session.flush()
        apply_changes(session=session, removed=[RecordFigures.of(record)])
        log_change(session=session, actor=actor, action="delete", entity=ENTITY, entity_id=record.id, reason=reason)
        check_record_write(session=session, actor=actor, record_id=record.id, action="delete",
                            old=columns_of(record), new=None, reason=reason)


def restore_record(*, session: Session, actor: Actor, record_id: int, reason: str = "") -> None:
    """Bring a soft-deleted record back; its figures return to the summaries."""
    actor = refresh_actor(session=session, actor=actor)
    reason = _reason(reason)
    record = _load(session, record_id)
    require_record_write(actor, record.reporting_unit_id)
    if record.deleted_at is None:
        raise ValidationError([Issue("id", Text("Hoạt động số {id} chưa bị xóa", id=record_id))])
    joint_id = session.scalar(select(JointOrganiser.record_id).where(JointOrganiser.merged_record_id == record_id,
                                                                     JointOrganiser.ended_at.is_(None)).limit(1))
    if joint_id is not None:  # it counts in the joint activity; only undoing the merge brings it back
        raise ValidationError([Issue("id", Text("Hoạt động số {id} đã được gộp vào hoạt động phối hợp số {joint}; "
                                                "hãy nhờ quản trị bỏ gộp", id=record_id, joint=joint_id))])
    with session.begin_nested():
        record.deleted_at, record.deleted_by, record.delete_reason = None, None, ""
        record.updated_by, record.updated_at = actor.user_id, utcnow()
        session.flush()
        apply_changes(session=session, added=[RecordFigures.of(record)])
        log_change(session=session, actor=actor, action="restore", entity=ENTITY, entity_id=record.id, reason=reason)
        check_record_write(session=session, actor=actor, record_id=record.id, action="restore", old=None,
                            new=columns_of(record), reason=reason)


def _refuse_bad_text(values: Mapping[str, Any]) -> None:
    issues = text_issues(values)
    if issues:  # before any query: such text must never reach the database
        raise ValidationError(issues)


def _reason(reason: Any) -> str:
    try:
        return clean_text(reason, field="Lý do", limit=MAX_REASON)
    except TextInputError as exc:
        raise ValidationError([Issue("reason", str(exc))]) from None


def _unit_id(values: Mapping[str, Any]) -> int | None:
    try:
        return int(values.get("reporting_unit_id"))
    except (TypeError, ValueError):
        return None

