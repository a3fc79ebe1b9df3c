"""Bulk insert of activity records with Core (the ORM is several times slower here), summaries kept exact."""
from __future__ import annotations

from typing import Iterable, Sequence

from sqlalchemy import insert
from sqlalchemy.orm import Session

from data_model.models import ActivityRecord, RecordLanguage, utcnow
from data_model.summary_store import RecordFigures, apply_changes, rebuild_summaries

RECORD_COLUMNS = (
    "type_code", "start_date", "end_date", "year", "reporting_unit_id", "commune_key", "village_id", "languages",
    "topic", "note", "m1", "m2", "m3", "m4", "m5", "m6", "source_key", "import_batch_id", "is_demo",
    "created_by", "created_at",
)


def _complete(row: dict) -> dict:
    full = {c: row.get(c) for c in RECORD_COLUMNS}
    full["year"] = full["year"] or full["start_date"].year
    full["languages"] = full["languages"] or ""
    full["topic"] = full["topic"] or ""
    full["note"] = full["note"] or ""
    full["is_demo"] = bool(full["is_demo"])
    full["created_at"] = full["created_at"] or utcnow()
    return full


def insert_records(*, session: Session, rows: Sequence[dict], rebuild: bool = False) -> list[int]:
    """Insert validated record rows in one statement; returns their ids. rebuild=True recomputes summaries fully."""
    if not rows:
        return []
    full = [_complete(r) for r in rows]
    # Core on the table, not the ORM entity: the ORM splits rows into one statement per pattern of NULL columns.
    table = ActivityRecord.__table__
    result = session.connection().execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), full)
    ids = [r[0] for r in result]
    lang_rows = [
        {"record_id": rid, "language": lang}
        for rid, row in zip(ids, full) for lang in dict.fromkeys(l for l in row["languages"].split(",") if l)
    ]
    if lang_rows:
        session.connection().execute(insert(RecordLanguage.__table__), lang_rows)
    if rebuild:
        rebuild_summaries(session=session)
    else:
        apply_changes(session=session, added=[RecordFigures.of(r) for r in full])
    return ids


def chunked(rows: Iterable[dict], size: int) -> Iterable[list[dict]]:
    """Lists of at most size rows."""
    chunk: list[dict] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
