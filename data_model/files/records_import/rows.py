"""One row of a records import read, matched and checked: what the file preview and the ODK/Kobo submissions
export share."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from data_model.basics.permissions import can_write_record
from data_model.definitions.activity_types import ActivityType, load_activity_types
from data_model.definitions.fields import FIELD_BY_KEY, FILE_FIELDS
from data_model.files.parse import parse_count
from data_model.files.record_format import measure_header_keys, type_of_name
from data_model.files.records_import.match import CellMatcher
from data_model.files.records_import.outcome import RecordRow
from data_model.files.tabular import Problem, TableRow
from data_model.records.validation.catalogue import Catalogue
from data_model.records.validation.checks import check_values
from data_model.texts.catalogue import Pair, Text

LOCATORS = {f.key: tuple(g.key for g in FILE_FIELDS if g.locates == f.key) for f in FILE_FIELDS}


def plan_row(row: TableRow, matcher: CellMatcher, fallback_type: str | None, today: dt.date) -> RecordRow:
    """The row as a record to write, or with its problems: fields, measures, the definition's checks, permission."""
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
            record_id = parse_count(id_text)
            if record_id is None or not 1 <= record_id < 2**31:  # id_text is not blank, so never None
                raise ValueError(id_text)
            out.record_id = record_id
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
