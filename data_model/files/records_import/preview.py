"""Checking a records file without writing: read it, match and check every row against the definitions."""
from __future__ import annotations

import datetime as dt
import hashlib
from itertools import chain

from sqlalchemy.orm import Session

from data_model.basics.permissions import Actor
from data_model.files.parse import FileError, read_file
from data_model.files.record_format import records_format, type_of_name
from data_model.files.records_import.closed_years import mark_closed_years
from data_model.files.records_import.identity import mark_duplicates, mark_identity
from data_model.files.records_import.match import CellMatcher
from data_model.files.records_import.outcome import RecordRow, RecordsPreview
from data_model.files.records_import.rows import plan_row
from data_model.files.records_import.submissions import is_submissions_export
from data_model.files.tabular import read_upload
from data_model.joint.candidates import joint_types
from data_model.joint.notes import joint_note
from data_model.records.validation.catalogue import load_catalogue
from data_model.schema.clock import today_local
from data_model.texts.catalogue import Pair, Text

MAX_JOINT_ROWS = 2_000  # new rows of a file looked up for a joint activity another unit recorded
SHOWN_JOINT = 10
# the columns that help find a field (the commune code finds the commune): its problems may be shown there


def fingerprint_of(data: bytes) -> str:
    """The file's identity: SHA-256 of its bytes."""
    return hashlib.sha256(data).hexdigest()


def preview_import(*, session: Session, actor: Actor, data: bytes, filename: str, default_type: str | None = None,
                   today: dt.date | None = None) -> RecordsPreview:
    """Read, match and check every row without writing anything."""
    preview = RecordsPreview(filename, fingerprint=fingerprint_of(data or b""))
    try:
        raw = read_file(data=data or b"", filename=filename)
    except FileError as exc:
        preview.file_errors.append(str(exc))
        return preview
    if is_submissions_export(raw):  # an ODK Central / KoboToolbox export of the offline form
        from data_model.files.records_import.odk import plan_submissions

        if plan_submissions(session=session, actor=actor, raw=raw, preview=preview, today=today or today_local()):
            mark_identity(session, preview, actor, keep_existing=True)
            mark_duplicates(session, preview)
            mark_closed_years(session, preview)
        return preview
    rows = read_upload(data=data, filename=filename, fmt=records_format(), preview=preview, raw=raw)
    first = next(rows, None)
    if first is None:
        return preview
    catalogue = preview.catalogue = load_catalogue(session=session)
    matcher = CellMatcher(catalogue, actor)
    default_type = default_type or type_of_name(filename)
    for row in chain([first], rows):
        sheet_type = type_of_name(row.sheet) if row.sheet != "CSV" else None
        preview.rows.append(plan_row(row, matcher, sheet_type or default_type, today or today_local()))
    mark_identity(session, preview, actor)
    mark_duplicates(session, preview)
    mark_closed_years(session, preview)
    note_joint(session, preview)
    return preview


def note_joint(session: Session, preview: RecordsPreview) -> None:
    """A note for new rows another unit may already have recorded (a joint activity: counted once after review)."""
    rows = [r for r in preview.rows if r.action == "new" and isinstance(r, RecordRow) and r.columns
            and r.columns.get("type_code") in joint_types()][:MAX_JOINT_ROWS]  # a bounded look, not a full scan
    notes = [(r, joint_note(session=session, columns=r.columns or {})) for r in rows]
    found = [(r, n) for r, n in notes if n]
    sheets = len({r.sheet for r in preview.rows})
    for r, note in found[:SHOWN_JOINT]:
        both = Pair(note, joint_note(session=session, columns=r.columns or {}, lang="en"))
        preview.notes.append(Text("Trang «{sheet}», dòng {row}: {note}", sheet=r.sheet, row=r.row, note=both)
                             if sheets > 1 else Text("Dòng {row}: {note}", row=r.row, note=both))
    if len(found) > SHOWN_JOINT:
        preview.notes.append(Text("Và {rows} dòng khác có thể trùng với hoạt động do đơn vị khác ghi.",
                                  rows=len(found) - SHOWN_JOINT))
