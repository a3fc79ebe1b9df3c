"""Bulk insert and update of activity records with Core (the ORM is several times slower here), summaries kept exact."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from sqlalchemy import bindparam, delete, insert, update
from sqlalchemy.orm import Session

from data_model.changelog import change_entry
from data_model.models import ActivityRecord, ChangeLog, RecordLanguage, new_uid, utcnow
from data_model.permissions import Actor
from data_model.summary_store import RecordFigures, apply_changes, rebuild_summaries

RECORD_COLUMNS = (
    "uid", "type_code", "start_date", "end_date", "year", "reporting_unit_id", "commune_key", "village_id",
    "languages", "topic", "note", "m1", "m2", "m3", "m4", "m5", "m6", "source_key", "import_batch_id", "is_demo",
    "created_by", "created_at",
)
UPDATED_COLUMNS = ("type_code", "start_date", "end_date", "year", "reporting_unit_id", "commune_key", "village_id",
                   "languages", "topic", "note", "m1", "m2", "m3", "m4", "m5", "m6")


def _complete(row: dict) -> dict:
    full = {c: row.get(c) for c in RECORD_COLUMNS}
    full["uid"] = full["uid"] or new_uid()  # a record is given its global id once, here or in the ORM default
    full["year"] = full["year"] or full["start_date"].year
    full["languages"] = full["languages"] or ""
    full["topic"] = full["topic"] or ""
    full["note"] = full["note"] or ""
    full["is_demo"] = bool(full["is_demo"])
    full["created_at"] = full["created_at"] or utcnow()
    return full


def _language_rows(pairs: Iterable[tuple[int, str]]) -> list[dict]:
    return [{"record_id": rid, "language": lang}
            for rid, languages in pairs for lang in dict.fromkeys(x for x in (languages or "").split(",") if x)]


def insert_records(*, session: Session, rows: Sequence[dict], rebuild: bool = False) -> list[int]:
    """Insert validated record rows in one statement; returns their ids. rebuild=True recomputes summaries fully."""
    if not rows:
        return []
    full = [_complete(r) for r in rows]
    # Core on the table, not the ORM entity: the ORM splits rows into one statement per pattern of NULL columns.
    table = ActivityRecord.__table__
    result = session.connection().execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), full)
    ids = [r[0] for r in result]
    lang_rows = _language_rows((rid, row["languages"]) for rid, row in zip(ids, full))
    if lang_rows:
        session.connection().execute(insert(RecordLanguage.__table__), lang_rows)
    if rebuild:
        rebuild_summaries(session=session)
    else:
        apply_changes(session=session, added=[RecordFigures.of(r) for r in full])
    return ids


@dataclass(frozen=True)
class RecordUpdate:
    """One checked edit of a live record: its columns before and after, and their readable form for the log."""

    record_id: int
    old: Mapping[str, Any]
    new: Mapping[str, Any]
    old_text: Mapping[str, Any]
    new_text: Mapping[str, Any]
    reason: str = ""


def update_records(*, session: Session, actor: Actor, updates: Sequence[RecordUpdate],
                   now: dt.datetime | None = None) -> None:
    """Write checked edits in a few statements: columns, languages, one summary delta, one log entry per record."""
    if not updates:
        return
    now = now or utcnow()
    table = ActivityRecord.__table__
    connection = session.connection()
    connection.execute(
        update(table).where(table.c.id == bindparam("record_id")),
        [{"record_id": u.record_id, **{c: u.new.get(c) for c in UPDATED_COLUMNS}, "updated_by": actor.user_id,
          "updated_at": now} for u in updates])
    ids = [u.record_id for u in updates]
    for chunk in chunked(ids, 500):
        connection.execute(delete(RecordLanguage.__table__).where(RecordLanguage.record_id.in_(chunk)))
    lang_rows = _language_rows((u.record_id, u.new.get("languages")) for u in updates)
    if lang_rows:
        connection.execute(insert(RecordLanguage.__table__), lang_rows)
    apply_changes(session=session, removed=[RecordFigures.of(u.old) for u in updates],
                  added=[RecordFigures.of(u.new) for u in updates])
    connection.execute(insert(ChangeLog.__table__), [
        {**change_entry(actor=actor, action="update", entity="record", entity_id=u.record_id, old=u.old_text,
                        new=u.new_text, reason=u.reason), "at": now} for u in updates])


def chunked(rows: Iterable[Any], size: int) -> Iterable[list[Any]]:
    """Lists of at most size rows."""
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
