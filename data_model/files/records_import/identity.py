"""What each checked row does: new, update, unchanged or skip (by global id or file and row), and duplicates."""
from __future__ import annotations

import hashlib
from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data_model.basics.issues import DUPLICATE, WARNING
from data_model.basics.permissions import Actor, can_write_record
from data_model.definitions.fields import COMPARED, FIELD_BY_KEY, MEASURE_COLUMNS, RECORD_FIELDS
from data_model.files.records_import.outcome import RecordRow, RecordsPreview
from data_model.files.tabular import Problem
from data_model.records.bulk import chunked
from data_model.schema.models import ActivityRecord, ImportBatch
from data_model.texts.catalogue import Number, Pair, Text
from data_model.texts.formatting import format_number

SHOWN_DUPLICATES = 5

ID_HEADER, UID_HEADER = FIELD_BY_KEY["id"].label_vi, FIELD_BY_KEY["uid"].label_vi


REJECTED_REASON = "Bản gửi bị từ chối trên máy chủ"  # the delete reason of a withdrawn submission: how it returns


def hash_columns(*, columns: Any) -> str:
    """A hash of a record's compared columns (a dict or a row), the same for the same values on every engine."""
    get = columns.get if isinstance(columns, dict) else lambda c: getattr(columns, c)
    text = "\x1f".join(f"{c}={'' if get(c) in (None, '') else get(c)}" for c in COMPARED)
    return hashlib.sha256(text.encode()).hexdigest()


def _differences(rec: Any, columns: dict[str, Any]) -> str:
    """The fields a local edit and a server edit set differently: «field»: here → server."""
    return "; ".join(f"«{FIELD_BY_KEY[c].label_vi if c in FIELD_BY_KEY else c}»: {getattr(rec, c)} → {columns.get(c)}"
                     for c in COMPARED if getattr(rec, c) != columns.get(c))


def _mark_submission(r: RecordRow, rec: Any, actor: Actor) -> None:
    """A submission imported before: withdrawn, back, edited on the server, edited here, or both (a conflict)."""
    r.record_id = rec.id
    r.record_year = int(rec.year)
    if r.refused_on_server:
        if rec.deleted_at is None and can_write_record(actor, rec.reporting_unit_id):
            r.action, r.skip_reason = "withdraw", Text(
                "Bản gửi bị từ chối trên máy chủ ({review}): rút lại hoạt động số {id}", review=r.refused_on_server,
                id=rec.id)
        return
    if rec.deleted_at is not None:
        if rec.delete_reason.startswith(REJECTED_REASON) and can_write_record(actor, rec.reporting_unit_id):
            r.action, r.skip_reason = "restore", Text("Bản gửi được chấp nhận lại trên máy chủ: khôi phục hoạt động "
                                                      "số {id}", id=rec.id)
        else:
            r.action, r.skip_reason = "skip", Text("Hoạt động số {id} đã bị xóa; khôi phục trước nếu muốn sửa",
                                                  id=rec.id)
        return
    if rec.source_hash is None:  # imported before the submission itself was kept: nobody can tell who changed it
        r.action, r.skip_reason = "skip", Text(
            "Bản gửi đã nhập trước đây (hoạt động số {id}) khác hoạt động hiện nay; lần nhập đó chưa ghi lại bản gửi "
            "nên không biết bên nào đã sửa: giữ nguyên hoạt động", id=rec.id)
        return
    local_same = hash_columns(columns=rec) == rec.source_hash
    server_same = r.source_hash == rec.source_hash
    if server_same:
        r.action, r.skip_reason = "skip", Text(
            "Bản gửi đã nhập trước đây (hoạt động số {id}) và không đổi trên máy chủ; hoạt động đã sửa ở đây: giữ "
            "nguyên hoạt động", id=rec.id)
    elif not local_same:
        r.action, r.skip_reason = "conflict", Text(
            "Xung đột: bản gửi đã sửa trên máy chủ và hoạt động số {id} đã sửa ở đây; hoạt động được tính như hiện nay "
            "cho đến khi lãnh đạo chọn. Khác nhau ({fields})", id=rec.id, fields=_differences(rec, r.columns))
    elif not can_write_record(actor, rec.reporting_unit_id):
        r.problems.append(Problem(UID_HEADER, Text("bạn không có quyền sửa hoạt động số {id}", id=rec.id)))
        r.action = "error"
    else:
        r.action = "update"
        r.old = {c: getattr(rec, c) for c in RECORD_FIELDS}
        r.version = (rec.updated_at, rec.deleted_at)


def rows_imported_from(session: Session, fingerprint: str) -> int:
    """Rows added by every import of the file so far (read through the index on the batch's fingerprint)."""
    return session.scalar(select(func.coalesce(func.sum(ImportBatch.rows_added), 0))
                          .where(ImportBatch.fingerprint == fingerprint))


def mark_identity(session: Session, preview: RecordsPreview, actor: Actor, keep_existing: bool = False) -> None:
    """Decide new / update / unchanged / skip: by the global id when the row has one, else by the file and row.

    The file's own «Mã hoạt động» never picks a record: in another database, or in a copy of this one, the same number
    names an unrelated record. With keep_existing (submissions of the offline form), a submission imported before
    changes its record only when the server changed it and nobody here did (else skip, or a conflict to settle);
    rejected on the server, it withdraws the record; accepted again, the record comes back.
    """
    prefix = f"f:{preview.fingerprint[:20]}:"
    existing_keys = set(session.scalars(select(ActivityRecord.source_key)
                                        .where(ActivityRecord.source_key.like(prefix + "%"))))
    preview.file_imported = rows_imported_from(session, preview.fingerprint)
    a = ActivityRecord
    columns = [a.id, a.uid, a.updated_at, a.deleted_at, a.delete_reason, a.source_hash,
               *(getattr(a, c) for c in RECORD_FIELDS)]
    by_uid: dict[str, Any] = {}
    rows = [r for r in preview.rows if isinstance(r, RecordRow)]  # total rows are skipped as they are read
    for chunk in chunked(sorted({r.uid for r in rows if r.uid}), 500):
        for rec in session.execute(select(*columns).where(a.uid.in_(chunk))):
            by_uid[rec.uid] = rec
    seen: dict[str, int] = {}
    foreign_ids = 0
    for r in rows:
        if r.refused_on_server and r.uid in by_uid:
            _mark_submission(r, by_uid[r.uid], actor)
        if r.action in ("skip", "withdraw"):
            continue
        if r.uid:
            if r.uid in seen:
                r.problems.append(Problem(UID_HEADER, Text("mã định danh này đã có ở dòng {row}", row=seen[r.uid])))
            seen.setdefault(r.uid, r.row)
        local_id, r.record_id = r.record_id, None
        if r.has_error:
            r.action = "error"
            continue
        rec = by_uid.get(r.uid) if r.uid else None
        if r.uid and local_id is not None and (rec is None or rec.id != local_id):
            foreign_ids += 1
        if rec is not None:
            r.record_id = rec.id
            if keep_existing and (rec.deleted_at is not None or not all(
                    getattr(rec, c) == r.columns.get(c) for c in COMPARED)):
                _mark_submission(r, rec, actor)
            elif rec.deleted_at is not None:
                r.action, r.skip_reason = "skip", Text("Hoạt động số {id} đã bị xóa; khôi phục trước nếu muốn sửa",
                                                      id=rec.id)
            elif all(getattr(rec, c) == r.columns.get(c) for c in COMPARED):
                r.action = "unchanged"
            elif not can_write_record(actor, rec.reporting_unit_id):
                r.problems.append(Problem(UID_HEADER, Text("bạn không có quyền sửa hoạt động số {id}", id=rec.id)))
                r.action = "error"
            else:
                r.action = "update"
                r.old = {c: getattr(rec, c) for c in RECORD_FIELDS}
                r.version = (rec.updated_at, rec.deleted_at)
            continue
        r.source_key = f"{prefix}{r.sheet[:40]}:{r.row}"
        if r.source_key in existing_keys:
            r.action, r.skip_reason = "skip", Text("Dòng này đã được nhập từ chính tệp này trước đây")
            continue
        r.action = "new"
        if local_id is not None and not r.uid:
            r.problems.append(Problem(ID_HEADER, Text(
                "dòng không có «{uid_header}» nên «{id_header}» {id} không dùng để tìm hoạt động cần sửa: dòng sẽ được "
                "thêm mới. Muốn sửa hoạt động đã có, hãy xuất tệp mới rồi sửa trong tệp đó.", uid_header=UID_HEADER,
                id_header=ID_HEADER, id=local_id), WARNING))
    if foreign_ids:
        preview.notes.append(Text(
            "{count} dòng ghi «{id_header}» không phải số của hoạt động đó ở đây (tệp xuất từ cơ sở dữ liệu khác?): "
            "hoạt động được nhận ra theo «{uid_header}», «{id_header}» của tệp không được dùng.",
            n=foreign_ids, count=Number(foreign_ids), id_header=ID_HEADER, uid_header=UID_HEADER))


def _signature(columns: dict[str, Any]) -> tuple:
    return (columns["type_code"], columns["start_date"], columns["end_date"], columns.get("commune_key"),
            columns.get("village_id"), *(columns.get(m) for m in MEASURE_COLUMNS))


def _same_as(row: RecordRow, rows: list[RecordRow], more: Pair | None) -> Text:
    # a few row numbers, not every other one: 20,000 identical rows would write 20,000 numbers on each of them
    listed = ", ".join(str(o.row) for o in [o for o in rows[:SHOWN_DUPLICATES + 1] if o is not row][:SHOWN_DUPLICATES])
    if more is not None:
        return Text("Có thể trùng với dòng {rows} và {more} dòng khác của tệp (cùng loại, ngày, nơi, số liệu)",
                    rows=listed, more=more)
    return Text("Có thể trùng với dòng {rows} của tệp (cùng loại, ngày, nơi, số liệu)", rows=listed)


def mark_duplicates(session: Session, preview: RecordsPreview) -> None:
    """Flag new rows identical to another row of the file or to a live record."""
    new_rows = [r for r in preview.rows if r.action == "new" and isinstance(r, RecordRow) and r.columns]
    if not new_rows:
        return
    by_signature: dict[tuple, list[RecordRow]] = defaultdict(list)
    for r in new_rows:
        by_signature[_signature(r.columns)].append(r)
    for rows in by_signature.values():
        if len(rows) > 1:
            more = len(rows) - 1 - SHOWN_DUPLICATES  # formatted once per group: babel is slow
            shown = Pair(format_number(more, "vi"), format_number(more, "en")) if more > 0 else None
            for r in rows:
                r.problems.append(Problem("", _same_as(r, rows, shown), DUPLICATE))
    a = ActivityRecord
    types = sorted({r.columns["type_code"] for r in new_rows})
    first = min(r.columns["start_date"] for r in new_rows)
    last = max(r.columns["start_date"] for r in new_rows)
    stmt = select(a.id, a.type_code, a.start_date, a.end_date, a.commune_key, a.village_id,
                  *(getattr(a, m) for m in MEASURE_COLUMNS)).where(
        a.deleted_at.is_(None), a.type_code.in_(types), a.start_date >= first, a.start_date <= last)
    for row in session.execute(stmt):
        for r in by_signature.get(tuple(row[1:]), []):
            r.problems.append(Problem("", Text("Có thể trùng với hoạt động đã có số {id}", id=row[0]), DUPLICATE))
