"""Writing activity records one at a time: create, edit, soft delete, restore, and reading one's records and history."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Mapping

import pandas as pd
from sqlalchemy import delete, insert, or_, select
from sqlalchemy.orm import Session, aliased

from data_model.accounts.permissions import Actor, PermissionDenied, require_record_write
from data_model.accounts.users import refresh_actor
from data_model.definitions.activity_types import get_activity_type, load_activity_types
from data_model.records.changelog import log_change
from data_model.records.summaries import MEASURE_COLUMNS, RecordFigures, apply_changes
from data_model.records.validation.catalogue import Catalogue, load_catalogue, load_catalogue_for
from data_model.records.validation.checks import Checked, check_values, describe_values, text_issues
from data_model.records.validation.rules import (
    DUPLICATE, ERROR, MAX_REASON, WARNING, Issue, ValidationError, field_label,
)
from data_model.reference.names import normalise_name
from data_model.schema.models import (
    ActivityRecord, ChangeLog, ImportBatch, RecordLanguage, ReportingUnit, Unit, User, Village, utcnow,
)
from data_model.texts.formatting import format_number
from data_model.texts.input import TextInputError, clean_text

ENTITY = "record"
LIST_LIMIT = 500
RECORD_FIELDS = ("type_code", "start_date", "end_date", "year", "reporting_unit_id", "commune_key", "village_id",
                 "languages", "topic", "note", *MEASURE_COLUMNS)


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
    numbers = ", ".join(f"số {i}" for i in ids)
    return Issue("type_code", f"Có thể trùng với hoạt động đã nhập ({numbers}): cùng loại, ngày, nơi và số liệu. "
                 "Hãy kiểm tra, hoặc xác nhận đây là hoạt động khác.", DUPLICATE)


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


def _not_found(record_id: Any) -> ValidationError:
    return ValidationError([Issue("id", f"Mã hoạt động: không có hoạt động số {record_id}")])


def _load(session: Session, record_id: int) -> ActivityRecord:
    stmt = select(ActivityRecord).where(ActivityRecord.id == record_id).with_for_update()
    record = session.scalars(stmt).first()
    if record is None:
        raise _not_found(record_id)
    return record


def _columns_of(record: ActivityRecord) -> dict[str, Any]:
    return {c: getattr(record, c) for c in RECORD_FIELDS}


def _write_languages(session: Session, record_id: int, languages: str) -> None:
    session.execute(delete(RecordLanguage).where(RecordLanguage.record_id == record_id))
    rows = [{"record_id": record_id, "language": x} for x in dict.fromkeys(languages.split(",")) if x]
    if rows:
        session.execute(insert(RecordLanguage), rows)


def create_record(*, session: Session, actor: Actor, values: Mapping[str, Any], confirm_warnings: bool = False,
                  confirm_duplicate: bool = False, today: dt.date | None = None) -> int:
    """Validate, check permission and insert one record with its summaries and a change-log entry; returns its id."""
    actor = refresh_actor(session=session, actor=actor)
    _refuse_bad_text(values)
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
                   new=describe_values(catalogue=catalogue, columns=columns))
    return record.id


def update_record(*, session: Session, actor: Actor, record_id: int, values: Mapping[str, Any],
                  confirm_warnings: bool = False, confirm_duplicate: bool = False, today: dt.date | None = None) -> None:
    """Validate and apply an edit (old unit and new unit both checked), moving the figures in the summaries."""
    actor = refresh_actor(session=session, actor=actor)
    _refuse_bad_text(values)
    record = _load(session, record_id)
    require_record_write(actor, record.reporting_unit_id)
    if _unit_id(values) is not None:
        require_record_write(actor, _unit_id(values))
    if record.deleted_at is not None:
        raise ValidationError([Issue("id", f"Hoạt động số {record_id} đã bị xoá; hãy khôi phục trước khi sửa")])
    catalogue = load_catalogue_for(session=session, records=[values, _columns_of(record)])
    checked = check_record(session=session, values=values, exclude_id=record_id, today=today, catalogue=catalogue)
    columns = _accept(checked, confirm_warnings=confirm_warnings, confirm_duplicate=confirm_duplicate)
    require_record_write(actor, columns["reporting_unit_id"])
    apply_update(session=session, actor=actor, record_id=record_id, columns=columns, catalogue=catalogue)


def apply_update(*, session: Session, actor: Actor, record_id: int, columns: Mapping[str, Any], catalogue: Catalogue,
                 reason: str = "") -> bool:
    """Write already-checked columns over a live record (summaries moved, change logged); False when nothing changed.

    The caller has refreshed the actor in this transaction (refresh_actor), once for all its rows."""
    record = _load(session, record_id)
    require_record_write(actor, record.reporting_unit_id)
    require_record_write(actor, columns["reporting_unit_id"])
    old = _columns_of(record)
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
        log_change(session=session, actor=actor, action="update", entity=ENTITY, entity_id=record.id,
                   old=describe_values(catalogue=catalogue, columns=old),
                   new=describe_values(catalogue=catalogue, columns=columns), reason=reason)
    return True


def delete_record(*, session: Session, actor: Actor, record_id: int, reason: str) -> None:
    """Soft-delete a record with a reason; its figures leave the summaries."""
    actor = refresh_actor(session=session, actor=actor)
    reason = _reason(reason)
    record = _load(session, record_id)
    require_record_write(actor, record.reporting_unit_id)
    if not reason:
        raise ValidationError([Issue("reason", "Lý do: hãy ghi lý do xoá")])
    if record.deleted_at is not None:
        raise ValidationError([Issue("id", f"Hoạt động số {record_id} đã bị xoá trước đó")])
    with session.begin_nested():
        record.deleted_at, record.deleted_by, record.delete_reason = utcnow(), actor.user_id, reason
        session.flush()
        apply_changes(session=session, removed=[RecordFigures.of(record)])
        log_change(session=session, actor=actor, action="delete", entity=ENTITY, entity_id=record.id, reason=reason)


def restore_record(*, session: Session, actor: Actor, record_id: int, reason: str = "") -> None:
    """Bring a soft-deleted record back; its figures return to the summaries."""
    actor = refresh_actor(session=session, actor=actor)
    reason = _reason(reason)
    record = _load(session, record_id)
    require_record_write(actor, record.reporting_unit_id)
    if record.deleted_at is None:
        raise ValidationError([Issue("id", f"Hoạt động số {record_id} chưa bị xoá")])
    with session.begin_nested():
        record.deleted_at, record.deleted_by, record.delete_reason = None, None, ""
        record.updated_by, record.updated_at = actor.user_id, utcnow()
        session.flush()
        apply_changes(session=session, added=[RecordFigures.of(record)])
        log_change(session=session, actor=actor, action="restore", entity=ENTITY, entity_id=record.id, reason=reason)


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


def get_record(*, session: Session, record_id: int) -> dict[str, Any]:
    """One record as form values (measures under their codes), with deletion state."""
    record = session.get(ActivityRecord, record_id)
    if record is None:
        raise _not_found(record_id)
    t = get_activity_type(record.type_code)
    values = {c: getattr(record, c) for c in RECORD_FIELDS if c not in MEASURE_COLUMNS}
    values["languages"] = [x for x in record.languages.split(",") if x]
    for m in t.measures:
        values[m.code] = getattr(record, m.column)
    values.update(id=record.id, deleted=record.deleted_at is not None, delete_reason=record.delete_reason,
                  created_by=record.created_by, created_at=record.created_at)
    return values


def can_edit(actor: Actor | None, reporting_unit_id: int | None) -> bool:
    """Whether the actor may edit a record of that unit (for showing buttons; the write functions check again)."""
    if actor is None:
        return False
    try:
        require_record_write(actor, reporting_unit_id)
    except PermissionDenied:
        return False
    return True


def figures_text(type_code: str, measures: Mapping[str, Any], lang: str = "vi") -> str:
    """"3 buổi; 120 lượt người" from m1..m6 by the definition."""
    types = load_activity_types()
    t = types.get(type_code)
    if t is None:
        return ""
    parts = [f"{format_number(measures.get(m.column), lang)} {m.unit(lang)}" for m in t.measures
             if measures.get(m.column) is not None]
    return "; ".join(parts)


def list_records(*, session: Session, actor: Actor, search: str = "", year: int | None = None,
                 type_code: str | None = None, include_deleted: bool = True, limit: int = LIST_LIMIT,
                 lang: str = "vi") -> pd.DataFrame:
    """Records the actor entered or that belong to the actor's units (everything for an admin), newest first."""
    r = ActivityRecord
    commune, village, unit = aliased(Unit), aliased(Village), aliased(ReportingUnit)
    stmt = (select(r, commune.name.label("commune"), village.name.label("village"), unit.short_name.label("unit"))
            .outerjoin(commune, commune.key == r.commune_key).outerjoin(village, village.id == r.village_id)
            .outerjoin(unit, unit.id == r.reporting_unit_id))
    if actor.role != "admin":
        mine = r.created_by == actor.user_id if actor.user_id is not None else r.id < 0
        if actor.role == "staff" and actor.unit_ids:
            mine = or_(mine, r.reporting_unit_id.in_(sorted(actor.unit_ids)))
        stmt = stmt.where(mine)
    if year:
        stmt = stmt.where(r.year == year)
    if type_code:
        stmt = stmt.where(r.type_code == type_code)
    if not include_deleted:
        stmt = stmt.where(r.deleted_at.is_(None))
    try:
        text = clean_text(search, field="Tìm", limit=200)
    except TextInputError as exc:
        raise ValidationError([Issue("search", str(exc))]) from None
    if text:
        like = f"%{text}%"
        conditions = [r.topic.ilike(like), r.note.ilike(like), commune.name.ilike(like), village.name.ilike(like),
                      unit.short_name.ilike(like)]
        if text.isdigit():
            conditions.append(r.id == int(text))
        stmt = stmt.where(or_(*conditions))
    stmt = stmt.order_by(r.start_date.desc(), r.id.desc()).limit(limit)
    types = load_activity_types()
    rows = []
    for rec, commune_name, village_name, unit_name in session.execute(stmt):
        t = types.get(rec.type_code)
        rows.append({
            "id": rec.id, "start_date": rec.start_date, "end_date": rec.end_date,
            "type": t.name(lang) if t else rec.type_code, "unit": unit_name or "", "commune": commune_name or "",
            "village": village_name or "", "figures": figures_text(rec.type_code, _columns_of(rec), lang),
            "topic": rec.topic, "deleted": rec.deleted_at is not None, "delete_reason": rec.delete_reason,
        })
    columns = ["id", "start_date", "end_date", "type", "unit", "commune", "village", "figures", "topic", "deleted",
               "delete_reason"]
    return pd.DataFrame(rows, columns=columns)


FIELD_ORDER = ("type_code", "start_date", "end_date", "reporting_unit_id", "commune_key", "village_id", "languages",
               "topic", "note")
ACTION_NAMES = {"create": ("Tạo mới", "Created"), "update": ("Sửa", "Edited"), "delete": ("Xoá", "Deleted"),
                "restore": ("Khôi phục", "Restored"), "import": ("Nhập từ tệp", "Imported")}


def record_history(*, session: Session, record_id: int, lang: str = "vi") -> pd.DataFrame:
    """Who changed the record when: one row per changed field (old → new), oldest first."""
    stmt = (select(ChangeLog).where(ChangeLog.entity == ENTITY, ChangeLog.entity_id == str(record_id))
            .order_by(ChangeLog.at, ChangeLog.id))
    rec = session.get(ActivityRecord, record_id)
    t = load_activity_types().get(rec.type_code) if rec else None
    rows = []
    if rec is not None and rec.import_batch_id is not None:
        # imports log one entry per file, not per row: the record's own import is shown from its batch
        batch = session.get(ImportBatch, rec.import_batch_id)
        user = session.get(User, rec.created_by) if rec.created_by else None
        rows.append({"at": rec.created_at, "user": user.username if user else "", "action": ACTION_NAMES["import"][
            0 if lang == "vi" else 1], "field": "", "old": "", "new": batch.filename if batch else "", "reason": ""})
    entries = list(session.scalars(stmt))
    if rec is not None and rec.import_batch_id is None and not any(e.action == "create" for e in entries):
        # bulk-loaded records (demo data, generated data) have no create entry: say when and how they came
        user = session.get(User, rec.created_by) if rec.created_by else None
        origin = ("dữ liệu mẫu (demo)" if lang == "vi" else "demo data") if rec.is_demo else (
            "nạp hàng loạt" if lang == "vi" else "bulk load")
        rows.append({"at": rec.created_at, "user": user.username if user else "", "action": ACTION_NAMES["create"][
            0 if lang == "vi" else 1], "field": "", "old": "", "new": origin, "reason": ""})
    for entry in entries:
        old = json.loads(entry.old_values) if entry.old_values else {}
        new = json.loads(entry.new_values) if entry.new_values else {}
        action = ACTION_NAMES.get(entry.action, (entry.action, entry.action))[0 if lang == "vi" else 1]
        base = {"at": entry.at, "user": entry.username, "action": action, "reason": entry.reason}
        order = [*FIELD_ORDER, *(m.code for m in t.measures)] if t else list(FIELD_ORDER)
        present = [k for k in set(new) | set(old) if not (_show(k, new.get(k), lang) == _show(k, old.get(k), lang) == "")]
        fields = sorted(present, key=lambda k: order.index(k) if k in order else len(order))
        if not fields:
            rows.append({**base, "field": "", "old": "", "new": ""})
        for key in fields:
            rows.append({**base, "field": field_label(key, t, lang), "old": _show(key, old.get(key), lang),
                         "new": _show(key, new.get(key), lang)})
    return pd.DataFrame(rows, columns=["at", "user", "action", "field", "old", "new", "reason"])


def _show(key: str, value: Any, lang: str) -> str:
    if value is None or value == "":
        return ""
    if key == "type_code":
        t = load_activity_types().get(value)
        return t.name(lang) if t else str(value)
    if key in ("start_date", "end_date"):
        try:
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return str(value)
    if isinstance(value, int):
        return format_number(value, lang)
    return str(value)


@dataclass(frozen=True)
class EntryChoices:
    """What an entry form may offer for one type and date: reporting units, communes that exist, their villages."""

    units: dict[int, str]
    communes: dict[str, str]
    villages: dict[str, dict[int, str]]


def entry_choices(*, session: Session, type_code: str, on: dt.date, actor: Actor | None) -> EntryChoices:
    """Units the actor may write for this type, communes valid on the day (by name), villages per commune."""
    t = get_activity_type(type_code)
    cat = load_catalogue(session=session, names=False)
    kinds = list(t.reporting_kinds)
    units = sorted((u for u in cat.units.values() if u.kind in kinds and (actor is None or can_edit(actor, u.id))),
                   key=lambda u: (kinds.index(u.kind), u.name))
    communes = {}
    if t.commune != "none":
        valid = sorted((c for c in cat.communes.values() if c.valid_on(on)), key=lambda c: (normalise_name(c.name), c.code))
        communes = {c.key: f"{c.name} ({c.code})" for c in valid}
    villages: dict[str, dict[int, str]] = {}
    if t.village != "none":
        for vid, (unit_key, name) in sorted(cat.villages.items(), key=lambda kv: normalise_name(kv[1][1])):
            if unit_key in communes:
                villages.setdefault(unit_key, {})[vid] = name
    return EntryChoices(units={u.id: u.name for u in units}, communes=communes, villages=villages)
