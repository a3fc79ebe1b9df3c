"""Checking a records file without writing: read it, match and check every row against the definitions."""
from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from itertools import chain
from typing import Any

from sqlalchemy.orm import Session

from data_model.basics.permissions import Actor, can_write_record
from data_model.definitions.activity_types import ActivityType, load_activity_types
from data_model.definitions.fields import FIELD_BY_KEY, FILE_FIELDS
from data_model.files.parse import FileError, parse_count, read_file
from data_model.files.record_format import measure_header_keys, records_format, type_of_name
from data_model.files.records_import.closed_years import mark_closed_years
from data_model.files.records_import.identity import mark_duplicates, mark_identity
from data_model.files.records_import.match import CellMatcher
from data_model.files.records_import.outcome import RecordRow, RecordsPreview
from data_model.files.records_import.submissions import is_submissions_export
from data_model.files.tabular import Problem, TableRow, read_upload
from data_model.records.validation.catalogue import Catalogue, load_catalogue
from data_model.records.validation.checks import check_values
from data_model.texts.catalogue import Pair, Text

# the columns that help find a field (the commune code finds the commune): its problems may be shown there
LOCATORS = {f.key: tuple(g.key for g in FILE_FIELDS if g.locates == f.key) for f in FILE_FIELDS}


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

        if plan_submissions(session=session, actor=actor, raw=raw, preview=preview, today=today or dt.date.today()):
            mark_identity(session, preview, actor, keep_existing=True)
            mark_duplicates(session, preview)
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
        preview.rows.append(_plan_row(row, matcher, sheet_type or default_type, today or dt.date.today()))
    mark_identity(session, preview, actor)
    mark_duplicates(session, preview)
    mark_closed_years(session, preview)
    return preview


def _plan_row(row: TableRow, matcher: CellMatcher, fallback_type: str | None, today: dt.date) -> RecordRow:
    out = RecordRow(row.sheet, row.row, problems=row.problems)
    type_text = row.text("type_code")
    type_code = type_of_name(type_text) if type_text else fallback_type
    if type_text and not type_code:
        row.problem("type_code", Text("không có loại hoạt động «{code}»", code=type_text[:60]))
    elif not type_code and "type_code" not in row.unreadable:
        row.problem("type_code", Text("không xác định được loại hoạt động: thêm cột «Loại hoạt động» hoặc chọn loại "
                                      "cho cả tệp"))
    out.type_code = type_code
    _read_identity(row, out)
    values = {"type_code": type_code, **_read_fields(row, matcher)}
    t = load_activity_types().get(type_code or "")
    if t is not None:
        values.update(_read_measures(row, t))
    if t is None or out.has_error:
        # still report the definition's checks for the fields that parsed, so one pass shows every problem
        if t is not None:
            _add_checks(row, out, matcher.cat, values, today, t, only_fields_without_problems=True)
        out.action = "error"
        return out
    _add_checks(row, out, matcher.cat, values, today, t)
    if out.has_error:
        out.action = "error"
    if out.columns is not None and not can_write_record(matcher.actor, out.columns["reporting_unit_id"]):
        row.problem("reporting_unit_id", Text("bạn không có quyền ghi hoạt động của đơn vị này"))
        out.action = "error"
    return out


def _read_identity(row: TableRow, out: RecordRow) -> None:
    """The file's record number (only ever a hint) and global id."""
    id_text = row.text("id")
    if id_text:
        try:
            out.record_id = parse_count(id_text)
            if not 1 <= out.record_id < 2**31:
                raise ValueError(id_text)
        except ValueError:
            out.record_id = None
            row.problem("id", Text("«{value}» không phải mã hoạt động (số)", value=id_text[:30]))
    uid_text = row.text("uid")
    if uid_text:
        try:
            out.uid = str(uuid.UUID(uid_text))
        except ValueError:
            row.problem("uid", Text("«{value}» không phải mã định danh (dạng xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
                                    value=uid_text[:40]))


def _read_fields(row: TableRow, matcher: CellMatcher) -> dict[str, Any]:
    """The record's fields from the row's cells, names matched to reference ids; what fails is the cell's problem."""
    values: dict[str, Any] = {}
    start = end = None
    if row.blank("start_date"):
        if "start_date" not in row.unreadable:
            row.problem("start_date", Text("chưa ghi ngày"))
    else:
        start = row.parsed("start_date", lambda: matcher.date(row.cells["start_date"]))
    if not row.blank("end_date"):
        end = row.parsed("end_date", lambda: matcher.date(row.cells["end_date"]))
    values["start_date"], values["end_date"] = start, end or start
    unit = row.text("reporting_unit_id")
    if unit:
        values["reporting_unit_id"] = row.parsed("reporting_unit_id", lambda: matcher.unit(unit))
    elif matcher.default_unit is not None:
        values["reporting_unit_id"] = matcher.default_unit
    elif "reporting_unit_id" not in row.unreadable:
        row.problem("reporting_unit_id", Text("chưa ghi đơn vị thực hiện"))
    code, name = row.text("commune_code"), row.text("commune_key")
    if code or name:
        values["commune_key"] = row.parsed("commune_key" if name else "commune_code",
                                           lambda: matcher.commune(code, name, start))
    village = row.text("village_id")
    if village:
        values["village_id"] = row.parsed("village_id", lambda: matcher.village(values.get("commune_key"), village))
    languages = row.text("languages")
    if languages:
        values["languages"] = row.parsed("languages", lambda: matcher.languages(languages))
    values["topic"] = row.text("topic")
    values["note"] = row.text("note")
    return values


def _read_measures(row: TableRow, t: ActivityType) -> dict[str, int | None]:
    """The type's measures from the measure columns the row fills; a column of another type is a problem."""
    values: dict[str, int | None] = {}
    measures = measure_header_keys()
    for key, value in row.cells.items():
        if key in FIELD_BY_KEY or row.blank(key):
            continue
        code = measures[key].get(t.code)
        if code is None:
            row.problem(key, Text("cột này không dùng cho loại «{type}», hãy để trống",
                                  type=Pair(t.name_vi, t.name_en)))
            continue
        values[code] = row.parsed(key, lambda: parse_count(value))  # noqa: B023 (called at once)
    return values


def _column_of(row: TableRow, field: str, t: ActivityType) -> str:
    """The file's column a validation issue belongs to: the field's own, one that locates it, or a measure's."""
    if field in FIELD_BY_KEY:
        found = (row.header.text(k) for k in (field, *LOCATORS.get(field, ())))
        return next((text for text in found if text), FIELD_BY_KEY[field].label_vi)
    measures = measure_header_keys()
    found = (row.header.text(k) for k in row.header.columns if measures.get(k, {}).get(t.code) == field)
    try:
        return next(found, None) or t.measure(field).label_vi
    except KeyError:
        return field


def _add_checks(row: TableRow, out: RecordRow, cat: Catalogue, values: dict[str, Any], today: dt.date,
                t: ActivityType, only_fields_without_problems: bool = False) -> None:
    checked = check_values(catalogue=cat, values=values, today=today)
    reported = {p.column for p in out.problems}
    for issue in checked.issues:
        column = _column_of(row, issue.field, t)
        if only_fields_without_problems and (column in reported or issue.field in ("start_date", "end_date")
                                             and not values.get("start_date")):
            continue
        if only_fields_without_problems and issue.field in ("reporting_unit_id", "commune_key") and not values.get(
                issue.field):
            continue
        out.problems.append(Problem(column, issue.detail or issue.message, issue.severity))
    if not only_fields_without_problems:
        out.columns = checked.columns
