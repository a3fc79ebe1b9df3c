"""What each checked row does: new, update, unchanged or skip (by global id or file and row), and duplicates."""
from __future__ import annotations

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


def rows_imported_from(session: Session, fingerprint: str) -> int:
    """Rows added by every import of the file so far (read through the index on the batch's fingerprint)."""
    return session.scalar(select(func.coalesce(func.sum(ImportBatch.rows_added), 0))
                          .where(ImportBatch.fingerprint == fingerprint))


def mark_identity(session: Session, preview: RecordsPreview, actor: Actor, keep_existing: bool = False) -> None:
    """Decide new / update / unchanged / skip: by the global id when the row has one, else by the file and row.

    The file's own «Mã hoạt động» never picks a record: in another database, or in a copy of this one, the same number
    names an unrelated record. With keep_existing (submissions of the offline form), a row whose record exists never
    changes it: the submission was imported before, and the record may have been corrected here since.
    """
    prefix = f"f:{preview.fingerprint[:20]}:"
    existing_keys = set(session.scalars(select(ActivityRecord.source_key)
                                        .where(ActivityRecord.source_key.like(prefix + "%"))))
    preview.file_imported = rows_imported_from(session, preview.fingerprint)
    a = ActivityRecord
    columns = [a.id, a.uid, a.updated_at, a.deleted_at, *(getattr(a, c) for c in RECORD_FIELDS)]
    by_uid: dict[str, Any] = {}
    rows = [r for r in preview.rows if isinstance(r, RecordRow)]  # total rows are skipped as they are read
    for chunk in chunked(sorted({r.uid for r in rows if r.uid}), 500):
        for rec in session.execute(select(*columns).where(a.uid.in_(chunk))):
            by_uid[rec.uid] = rec
    seen: dict[str, int] = {}
    foreign_ids = 0
    for r in rows:
        if r.action == "skip":
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
            if rec.deleted_at is not None:
                r.action, r.skip_reason = "skip", Text("Hoạt động số {id} đã bị xoá; khôi phục trước nếu muốn sửa",
                                                      id=rec.id)
            elif all(getattr(rec, c) == r.columns.get(c) for c in COMPARED):
                r.action = "unchanged"
            elif keep_existing:
                r.action, r.skip_reason = "skip", (
                    f"Bản gửi đã nhập trước đây (hoạt động số {rec.id}); hoạt động nay khác bản gửi (đã sửa ở đây, "
                    "hoặc bản gửi đã sửa trên máy chủ): giữ nguyên hoạt động")
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
