"""Checking a records file without writing: read it, match and check every row against the definitions."""
from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import Any

from sqlalchemy.orm import Session

from data_model.accounts.permissions import Actor, can_write_record
from data_model.definitions.activity_types import ActivityType, load_activity_types
from data_model.files.parse import (
    BASE_HEADERS, FileError, Formula, RawFile, TooLong, base_header_keys, cell_text, header_key, is_blank,
    measure_header_keys, parse_count, read_file, too_long_message, type_of_name, unescape_text,
)
from data_model.files.records_import.identity import mark_duplicates, mark_identity
from data_model.files.records_import.match import CellMatcher, find_header, is_total_row
from data_model.files.records_import.outcome import ImportPreview, Problem, RowOutcome
from data_model.records.validation.catalogue import Catalogue, load_catalogue
from data_model.records.validation.checks import check_values
from data_model.records.validation.rules import ERROR


def fingerprint_of(data: bytes) -> str:
    """The file's identity: SHA-256 of its bytes."""
    return hashlib.sha256(data).hexdigest()


def preview_import(*, session: Session, actor: Actor, data: bytes, filename: str, default_type: str | None = None,
                   today: dt.date | None = None) -> ImportPreview:
    """Read, match and check every row without writing anything."""
    preview = ImportPreview(filename=filename, fingerprint=fingerprint_of(data or b""))
    try:
        raw = read_file(data=data or b"", filename=filename)
    except FileError as exc:
        preview.file_errors.append(str(exc))
        return preview
    preview.notes.extend(raw.notes)
    catalogue = preview.catalogue = load_catalogue(session=session)
    default_type = default_type or type_of_name(filename)
    _plan_rows(preview, raw, catalogue, actor, default_type, today or dt.date.today())
    if not preview.rows and not preview.file_errors:
        preview.file_errors.append("Tệp không có dòng dữ liệu nào (chỉ có tiêu đề, dòng trống hoặc dòng tổng).")
    mark_identity(session, preview, actor)
    mark_duplicates(session, preview)
    return preview


def _plan_rows(preview: ImportPreview, raw: RawFile, cat: Catalogue, actor: Actor, default_type: str | None,
               today: dt.date) -> None:
    base, measures = base_header_keys(), measure_header_keys()
    types = load_activity_types()
    matcher = CellMatcher(cat, actor)
    found_header = False
    for sheet in raw.sheets:
        if not any(not is_blank(c) for row in sheet.rows for c in row):
            continue
        header_index = find_header(sheet.rows, base, measures)
        if header_index is None:
            preview.file_errors.append(
                f"Trang «{sheet.name}»: không tìm thấy dòng tiêu đề (cần các cột như «Ngày bắt đầu», «Xã», "
                "«Số buổi»…). Hãy dùng tệp mẫu.")
            continue
        found_header = True
        header = [cell_text(c) for c in sheet.rows[header_index]]
        roles: dict[int, tuple[str, str]] = {}  # column index → ("base", key) | ("measure", header key)
        seen: set[str] = set()
        for i, text in enumerate(header):
            if not text:
                continue
            key = header_key(text)
            if key in base and base[key] not in seen:
                roles[i] = ("base", base[key])
                seen.add(base[key])
            elif key in measures:
                roles[i] = ("measure", key)
            else:
                preview.notes.append(f"Trang «{sheet.name}»: cột «{text}» không thuộc mẫu nhập, đã bỏ qua.")
        sheet_type = type_of_name(sheet.name) if sheet.name != "CSV" else None
        for index in range(header_index + 1, len(sheet.rows)):
            cells = sheet.rows[index]
            if all(is_blank(c) for c in cells):
                continue
            row_no = index + 1
            if is_total_row(cells):
                preview.rows.append(RowOutcome(sheet.name, row_no, action="skip", skip_reason="Dòng tổng, bỏ qua"))
                continue
            outcome = _plan_row(sheet.name, row_no, cells, header, roles, measures, types, matcher,
                                sheet_type or default_type, cat, today)
            preview.rows.append(outcome)
    if not found_header and not preview.file_errors:
        preview.file_errors.append("Tệp không có dữ liệu.")


def _plan_row(sheet: str, row_no: int, cells: list[Any], header: list[str], roles: dict[int, tuple[str, str]],
              measures: dict[str, dict[str, str]], types: dict[str, ActivityType], matcher: CellMatcher,
              fallback_type: str | None, cat: Catalogue, today: dt.date) -> RowOutcome:
    out = RowOutcome(sheet, row_no)
    headers: dict[str, str] = {}
    base_cells: dict[str, Any] = {}
    measure_cells: list[tuple[str, str, Any]] = []
    oversized: set[str] = set()
    for i, (kind, key) in roles.items():
        value = cells[i] if i < len(cells) else None
        if isinstance(value, TooLong):
            out.problems.append(Problem(header[i], too_long_message(value)))
            oversized.add(key)
            continue
        if kind == "base":
            base_cells[key] = value
            headers[key] = header[i]
        elif not is_blank(value):
            measure_cells.append((header[i], key, value))

    def problem(col_key: str, message: str, severity: str = ERROR) -> None:
        out.problems.append(Problem(headers.get(col_key) or BASE_HEADERS.get(col_key, col_key), message, severity))

    def text(key: str) -> str:
        value = base_cells.get(key)
        if isinstance(value, Formula):
            problem(key, f"ô có công thức {value.text} chưa có giá trị; hãy dán giá trị")
            return ""
        return unescape_text(cell_text(value))  # exports protect text from spreadsheets; the import reverses it

    # type
    type_text = text("type")
    type_code = type_of_name(type_text) if type_text else fallback_type
    if type_text and not type_code:
        problem("type", f"không có loại hoạt động «{type_text[:60]}»")
    elif not type_code and "type" not in oversized:
        out.problems.append(Problem("Loại hoạt động", "không xác định được loại hoạt động: thêm cột «Loại hoạt động» "
                                    "hoặc chọn loại cho cả tệp"))
    out.type_code = type_code
    t = types.get(type_code or "")
    values: dict[str, Any] = {"type_code": type_code}

    id_text = text("id")
    if id_text:
        try:
            out.record_id = parse_count(id_text)
            if not 1 <= out.record_id < 2**31:
                raise ValueError(id_text)
        except ValueError:
            out.record_id = None
            problem("id", f"«{id_text[:30]}» không phải mã hoạt động (số)")
    uid_text = text("uid")
    if uid_text:
        try:
            out.uid = str(uuid.UUID(uid_text))
        except ValueError:
            problem("uid", f"«{uid_text[:40]}» không phải mã định danh (dạng xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)")

    start = end = None
    if is_blank(base_cells.get("start_date")):
        if "start_date" not in oversized:
            problem("start_date", "chưa ghi ngày")
    else:
        try:
            start = matcher.date(base_cells["start_date"])
        except ValueError as exc:
            problem("start_date", str(exc))
    if not is_blank(base_cells.get("end_date")):
        try:
            end = matcher.date(base_cells["end_date"])
        except ValueError as exc:
            problem("end_date", str(exc))
    values["start_date"], values["end_date"] = start, end or start

    unit_text = text("unit")
    if unit_text:
        try:
            values["reporting_unit_id"] = matcher.unit(unit_text)
        except ValueError as exc:
            problem("unit", str(exc))
    elif matcher.default_unit is not None:
        values["reporting_unit_id"] = matcher.default_unit
    elif "unit" not in oversized:
        problem("unit", "chưa ghi đơn vị thực hiện")

    code, name = text("commune_code"), text("commune")
    if code or name:
        try:
            values["commune_key"] = matcher.commune(code, name, start)
        except ValueError as exc:
            problem("commune" if name else "commune_code", str(exc))
    village = text("village")
    if village:
        try:
            values["village_id"] = matcher.village(values.get("commune_key"), village)
        except ValueError as exc:
            problem("village", str(exc))
    languages = text("languages")
    if languages:
        try:
            values["languages"] = matcher.languages(languages)
        except ValueError as exc:
            problem("languages", str(exc))
    values["topic"] = text("topic")
    values["note"] = text("note")

    for column, key, value in measure_cells:
        measure_code = measures[key].get(type_code or "")
        if t is None:
            continue
        if measure_code is None:
            out.problems.append(Problem(column, f"cột này không dùng cho loại «{t.name_vi}», hãy để trống"))
            continue
        try:
            values[measure_code] = parse_count(value)
        except ValueError as exc:
            out.problems.append(Problem(column, str(exc)))
            values[measure_code] = None
    if t is None or out.has_error:
        # still report the definition's checks for the fields that parsed, so one pass shows every problem
        if t is not None:
            _add_checks(out, cat, values, today, headers, t, only_fields_without_problems=True)
        out.action = "error"
        return out
    _add_checks(out, cat, values, today, headers, t)
    if out.has_error:
        out.action = "error"
    if out.columns is not None and not can_write_record(matcher.actor, out.columns["reporting_unit_id"]):
        problem("unit", "bạn không có quyền ghi hoạt động của đơn vị này")
        out.action = "error"
    return out


_FIELD_COLUMN = {"type_code": "type", "start_date": "start_date", "end_date": "end_date",
                 "reporting_unit_id": "unit", "commune_key": "commune", "village_id": "village",
                 "languages": "languages", "topic": "topic", "note": "note", "id": "id", "uid": "uid"}


def _add_checks(out: RowOutcome, cat: Catalogue, values: dict[str, Any], today: dt.date, headers: dict[str, str],
                t: ActivityType, only_fields_without_problems: bool = False) -> None:
    checked = check_values(catalogue=cat, values=values, today=today)
    if not checked.issues:
        if not only_fields_without_problems:
            out.columns = checked.columns
        return
    measure_headers = {m.code: m.label_vi for m in t.measures}
    reported = {p.column for p in out.problems}
    for issue in checked.issues:
        if issue.field in _FIELD_COLUMN:
            key = _FIELD_COLUMN[issue.field]
            column = (headers.get(key) or headers.get("commune_code" if key == "commune" else key)
                      or BASE_HEADERS.get(key, issue.field))
        else:
            column = next((h for h in headers.values() if header_key(h) == header_key(measure_headers.get(issue.field, ""))),
                          measure_headers.get(issue.field, issue.field))
        if only_fields_without_problems and (column in reported or issue.field in ("start_date", "end_date")
                                             and not values.get("start_date")):
            continue
        if only_fields_without_problems and issue.field in ("reporting_unit_id", "commune_key") and not values.get(issue.field):
            continue
        out.problems.append(Problem(column, issue.detail or issue.message, issue.severity))
    if not only_fields_without_problems:
        out.columns = checked.columns
