"""Writing a checked records file: one short transaction that re-checks what may have changed, all rows or none."""
from __future__ import annotations

import datetime as dt
import time

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from data_model.accounts.users import refresh_actor
from data_model.audit.changelog import log_change
from data_model.basics.permissions import Actor, PermissionDenied, can_write_record
from data_model.files.records_import.held import record_held
from data_model.files.records_import.identity import REJECTED_REASON, rows_imported_from
from data_model.files.records_import.outcome import ImportConflict, ImportResult, RecordRow, RecordsPreview
from data_model.files.records_import.preview import preview_import
from data_model.files.tabular import ImportRejected
from data_model.records.bulk import (
    PreparedRecords,
    PreparedUpdates,
    RecordUpdate,
    chunked,
    drop_staged,
    insert_records,
    prepare_records,
    prepare_updates,
    stage_writes,
    update_records,
)
from data_model.records.validation.checks import describe_values
from data_model.records.write import delete_record, restore_record
from data_model.schema.db import read_session, write_bind, write_session
from data_model.schema.models import ActivityRecord, ImportBatch, new_uid, utcnow
from data_model.texts.catalogue import Number, Text

TAKEN = Text("Tệp này đang được người khác nhập (hoặc vừa được nhập xong), chưa ghi dòng nào. Hãy thử lại sau: "
         "lần kiểm tra mới sẽ cho biết dòng nào còn cần nhập.")


def run_import(*, engine: Engine, actor: Actor, data: bytes, filename: str, default_type: str | None = None,
               today: dt.date | None = None) -> tuple[RecordsPreview, ImportResult]:
    """Check the whole file without the write lock, then write every row in one short transaction (or nothing)."""
    with read_session(engine) as session:
        preview = preview_import(session=session, actor=actor, data=data, filename=filename,
                                 default_type=default_type, today=today)
    return preview, write_import(engine=engine, actor=actor, preview=preview)


def write_import(*, engine: Engine, actor: Actor, preview: RecordsPreview) -> ImportResult:
    """Write a checked file in one write transaction that re-checks what may have changed since the check.

    ImportRejected when the check found errors, ImportConflict when another import or edit got there first,
    PermissionDenied when the user may no longer write these records; in every case nothing is written.
    """
    if not preview.ok:
        raise ImportRejected(preview)
    new_rows = [r for r in preview.rows if r.action == "new"]
    updates = [r for r in preview.rows if r.action == "update"]
    returns = [r for r in preview.rows if r.action in ("withdraw", "restore")]
    counts = preview.counts()
    held = len(preview.held_rows())
    if not new_rows and not updates and not returns:
        if preview.server_export:  # nothing to write but the list of submissions held back
            with write_session(engine) as session:
                record_held(session=session, actor=actor, preview=preview)
        return ImportResult(None, 0, 0, counts["unchanged"], counts["skip"], [], held=held, others=preview.others,
                            conflicts=counts["conflict"])
    # everything that does not need the lock is prepared before taking it
    now = utcnow()
    inserts = prepare_records([{**r.columns, "uid": r.uid or new_uid(), "source_key": r.source_key,
                                "source_hash": r.source_hash, "created_at": now,
                                "created_by": actor.user_id} for r in new_rows], dialect=engine.dialect,
                              late=("import_batch_id",))
    reason = f"Nhập từ tệp {preview.filename}"
    catalogue = preview.catalogue
    changes = prepare_updates([RecordUpdate(record_id=r.record_id, old=r.old, new=r.columns, reason=reason,
                                            old_text=describe_values(catalogue=catalogue, columns=r.old),
                                            new_text=describe_values(catalogue=catalogue, columns=r.columns))
                               for r in updates], actor=actor, dialect=engine.dialect, now=now)
    try:
        with engine.connect() as connection:
            staged = stage_writes(connection=connection, records=inserts, updates=changes)
            try:
                started = time.perf_counter()
                with Session(write_bind(connection), expire_on_commit=False) as session, session.begin():
                    ids, batch_id = _write(session, actor, preview, new_rows, updates, inserts, changes, counts)
                    _write_server_changes(session, actor, updates, returns)
                    record_held(session=session, actor=actor, preview=preview)
                seconds = time.perf_counter() - started
            finally:
                drop_staged(connection=connection, tables=staged)
    except IntegrityError as exc:  # PostgreSQL: a concurrent import inserted the same rows after our re-check
        if "source_key" in str(exc.orig) or "uid" in str(exc.orig):
            raise ImportConflict(TAKEN) from None
        raise ImportConflict(Text("Dữ liệu danh mục (đơn vị, xã, bản) vừa thay đổi trong lúc nhập, chưa ghi dòng nào. "
                                  "Hãy tải tệp lên lại để kiểm tra.")) from None
    return ImportResult(batch_id, len(new_rows), len(updates), counts["unchanged"], counts["skip"], ids, seconds,
                        withdrawn=counts["withdraw"], restored=counts["restore"], conflicts=counts["conflict"],
                        held=held, others=preview.others)


def _write(session: Session, actor: Actor, preview: RecordsPreview, new_rows: list[RecordRow],
           updates: list[RecordRow], inserts: PreparedRecords, changes: PreparedUpdates,
           counts: dict[str, int]) -> tuple[list[int], int]:
    """The write transaction: re-check, then the batch, the records, the edits and one log entry for the file."""
    actor = refresh_actor(session=session, actor=actor)
    _recheck(session, actor, preview, new_rows, updates)
    batch = ImportBatch(fingerprint=preview.fingerprint, filename=preview.filename[:255], rows_added=len(new_rows),
                        user_id=actor.user_id)
    session.add(batch)
    session.flush()
    ids = insert_records(session=session, rows=inserts, late={"import_batch_id": batch.id})
    update_records(session=session, updates=changes)
    log_change(session=session, actor=actor, action="import", entity="import_batch", entity_id=batch.id,
               new={"filename": preview.filename, "added": len(new_rows), "updated": len(updates),
                    "unchanged": counts["unchanged"], "skipped": counts["skip"],
                    **({"held": counts["error"], "others": preview.others} if preview.server_export else {})})
    return ids, batch.id


def _write_server_changes(session: Session, actor: Actor, updates: list[RecordRow], returns: list[RecordRow]) -> None:
    """Submissions the server changed: the hash of what was applied, and records withdrawn or brought back."""
    for r in updates:
        if r.source_hash:
            session.execute(update(ActivityRecord).where(ActivityRecord.id == r.record_id)
                            .values(source_hash=r.source_hash))
    for r in returns:
        if r.action == "withdraw":
            delete_record(session=session, actor=actor, record_id=r.record_id,
                          reason=f"{REJECTED_REASON} ({r.refused_on_server})")
        else:
            restore_record(session=session, actor=actor, record_id=r.record_id,
                           reason="Bản gửi được chấp nhận lại trên máy chủ")


def _recheck(session: Session, actor: Actor, preview: RecordsPreview, new_rows: list[RecordRow],
             updates: list[RecordRow]) -> None:
    """Inside the write transaction: the user's rights now, rows imported meanwhile, records changed meanwhile."""
    units = {r.columns["reporting_unit_id"] for r in new_rows + updates} | {r.old["reporting_unit_id"] for r in updates}
    if not all(can_write_record(actor, u) for u in units):
        raise PermissionDenied(Text("Quyền của bạn đã thay đổi từ lúc kiểm tra tệp: bạn không còn được ghi hoạt động "
                                    "của mọi đơn vị trong tệp. Chưa ghi dòng nào."))
    a = ActivityRecord
    # rows of this file imported meanwhile (one indexed read); global ids taken meanwhile, and on PostgreSQL rows of
    # an import that has not committed yet, are refused by the unique indexes at the insert (IntegrityError below)
    if new_rows and rows_imported_from(session, preview.fingerprint) != preview.file_imported:
        raise ImportConflict(TAKEN)
    expected = {r.record_id: r.version for r in updates}
    for chunk in chunked(sorted(expected), 500):
        # FOR UPDATE: on PostgreSQL nobody changes these records between this check and our write
        for rid, updated_at, deleted_at in session.execute(
                select(a.id, a.updated_at, a.deleted_at).where(a.id.in_(chunk)).order_by(a.id).with_for_update()):
            if (updated_at, deleted_at) != expected.pop(rid):
                raise ImportConflict(Text("Hoạt động số {id} vừa được sửa hoặc xóa trong lúc kiểm tra tệp, chưa ghi "
                                          "dòng nào. Hãy tải tệp lên lại để kiểm tra.", id=rid))
    if expected:
        raise ImportConflict(Text("Hoạt động số {id} không còn nữa, chưa ghi dòng nào. Hãy tải tệp lên lại.",
                                  id=min(expected)))


def summarise_result(result: ImportResult) -> Text:
    """One sentence about what an import wrote (a Text: Vietnamese as str, any language on render)."""
    text = Text("Đã thêm {added} hoạt động, cập nhật {updated}, {unchanged} không đổi, bỏ qua {skipped} dòng.",
                added=Number(result.added), updated=Number(result.updated), unchanged=Number(result.unchanged),
                skipped=Number(result.skipped))
    if result.withdrawn or result.restored or result.conflicts:
        text = Text("{done} Theo máy chủ: rút lại {withdrawn} hoạt động, khôi phục {restored}; {conflicts} xung đột "
                    "chờ lãnh đạo chọn.", done=text, withdrawn=Number(result.withdrawn),
                    restored=Number(result.restored), conflicts=Number(result.conflicts))
    if result.held:
        text = Text("{done} Giữ lại {held} bản gửi có lỗi (xem danh sách bản gửi bị giữ lại; nhập lại khi tệp xuất sau "
                    "của máy chủ đã sửa).", done=text, held=Number(result.held))
    if result.others:
        text = Text("{done} {others} bản gửi của đơn vị khác không nhập.", done=text, others=Number(result.others))
    return text
