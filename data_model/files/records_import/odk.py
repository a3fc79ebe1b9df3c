"""Checking an ODK Central / KoboToolbox submissions export with the records import's own row checks."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from data_model.basics.permissions import Actor, can_write_record
from data_model.files.parse import RawFile
from data_model.files.records_import.identity import hash_columns
from data_model.files.records_import.outcome import RecordRow, RecordsPreview
from data_model.files.records_import.rows import plan_row
from data_model.files.records_import.submissions import SubmissionMatcher, submission_rows, version_warning
from data_model.files.tabular import NO_ROWS, TableRow
from data_model.files.xlsform.form import definitions_version
from data_model.records.validation.catalogue import load_catalogue
from data_model.texts.catalogue import Number, Text


def plan_submissions(*, session: Session, actor: Actor, raw: RawFile, preview: RecordsPreview,
                     today: dt.date) -> bool:
    """Check every submission as a row of the records format; False when there is nothing to check."""
    current = definitions_version(session=session)
    # what the reader noticed (encoding, a zip's other files), except formula values: the typed text is read instead
    preview.notes.extend(raw.notes[:len(raw.notes) - 1] if raw.computed else raw.notes)
    submissions = submission_rows(raw=raw, current_version=current, notes=preview.notes,
                                  file_errors=preview.file_errors)
    if not submissions:
        if not preview.file_errors:
            preview.file_errors.append(NO_ROWS)
        return False
    preview.catalogue = load_catalogue(session=session)
    matcher = SubmissionMatcher(preview.catalogue, actor)
    units = {u.key: u.id for u in preview.catalogue.units.values()}
    preview.server_export = True
    for submission in submissions:
        unit_id = units.get(submission.unit_key)
        if unit_id is not None and not can_write_record(actor, unit_id):  # a province-wide export: left for them
            preview.others += 1
            preview.rows.append(RecordRow(submission.row.sheet, submission.row.row, action="skip",
                                          skip_reason=Text("Bản gửi của đơn vị khác: không nhập")))
            continue
        if not isinstance(submission.row, TableRow):  # rejected on the server: withdraws its record if imported
            row = submission.row
            preview.rows.append(RecordRow(row.sheet, row.row, action="skip", skip_reason=row.skip_reason,
                                          uid=submission.uid, refused_on_server=submission.refused,
                                          instance=submission.instance, submitter=submission.submitter))
            continue
        out = plan_row(submission.row, matcher, None, today)
        out.uid, out.instance, out.submitter = submission.uid, submission.instance, submission.submitter
        if out.columns:
            out.source_hash = hash_columns(columns=out.columns)
        if out.has_error and (warning := version_warning(submission.version, current)):
            out.problems.append(warning)
        preview.rows.append(out)
    if preview.others:
        preview.notes.append(Text("{count} bản gửi thuộc đơn vị khác, không phải đơn vị của bạn: không nhập (đơn vị "
                                  "đó hoặc quản trị viên nhập).", n=preview.others, count=Number(preview.others)))
    return True
