"""Importing activity records from CSV/XLSX: preview with a status per row, then all rows in one transaction or none."""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from data_model.accounts.permissions import Actor, PermissionDenied, can_write_record
from data_model.accounts.users import refresh_actor
from data_model.definitions.activity_types import ActivityType, load_activity_types
from data_model.files.parse import (
    BASE_HEADERS, FileError, Formula, RawFile, TooLong, base_header_keys, cell_text, header_key, is_blank,
    measure_header_keys, parse_count, parse_date, read_file, too_long_message, type_of_name, unescape_text,
)
from data_model.records.bulk import (
    PreparedRecords, PreparedUpdates, RecordUpdate, chunked, drop_staged, insert_records, prepare_records,
    prepare_updates, stage_writes, update_records,
)
from data_model.records.changelog import log_change
from data_model.records.summaries import MEASURE_COLUMNS
from data_model.records.validation.checks import (
    DUPLICATE, ERROR, WARNING, Catalogue, check_values, describe_values, load_catalogue,
)
from data_model.records.write import RECORD_FIELDS, figures_text
from data_model.reference.languages import parse_language
from data_model.reference.names import name_keys, normalise_name
from data_model.schema.db import read_session, write_bind
from data_model.schema.models import ActivityRecord, ImportBatch, new_uid, utcnow
from data_model.texts.formatting import format_number

HEADER_SCAN_ROWS = 15
TOTAL_WORDS = ("tổng cộng", "tổng số", "tổng", "cộng", "total", "sum")
COMPARED = ("type_code", "start_date", "end_date", "reporting_unit_id", "commune_key", "village_id", "languages", "topic",
            "note", *MEASURE_COLUMNS)


STATUS = {"new": "Thêm mới", "update": "Cập nhật", "unchanged": "Không đổi", "skip": "Bỏ qua", "error": "Lỗi"}
ID_HEADER, UID_HEADER = BASE_HEADERS["id"], BASE_HEADERS["uid"]
TAKEN = ("Tệp này đang được người khác nhập (hoặc vừa được nhập xong), chưa ghi dòng nào. Hãy thử lại sau: "
         "lần kiểm tra mới sẽ cho biết dòng nào còn cần nhập.")


@dataclass
class Problem:
    """One problem in one cell (or the row when column is "")."""

    column: str
    message: str
    severity: str = ERROR


@dataclass
class RowOutcome:
    """What the import does with one row."""

    sheet: str
    row: int
    action: str = "new"  # new | update | unchanged | skip | error
    type_code: str | None = None
    columns: dict[str, Any] | None = None
    record_id: int | None = None  # the matched record here (update, unchanged, skip), never the file's own id
    uid: str | None = None  # the row's global id, from the file
    source_key: str | None = None
    problems: list[Problem] = field(default_factory=list)
    skip_reason: str = ""
    old: dict[str, Any] | None = None  # the record's columns when checked (update)
    version: tuple | None = None  # the record's (updated_at, deleted_at) when checked (update)

    @property
    def has_error(self) -> bool:
        return any(p.severity == ERROR for p in self.problems)


@dataclass
class ImportPreview:
    """Every row's outcome and what the file as a whole showed."""

    filename: str
    fingerprint: str
    rows: list[RowOutcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    catalogue: Catalogue | None = field(default=None, repr=False)  # for the change log of updated records
    file_imported: int = 0  # rows added by earlier imports of this very file, when it was checked

    @property
    def ok(self) -> bool:
        return not self.file_errors and not any(r.has_error for r in self.rows)

    def counts(self) -> dict[str, int]:
        """Rows per action, plus rows flagged as possible duplicates and rows with warnings."""
        out = {k: 0 for k in STATUS}
        for r in self.rows:
            out["error" if r.has_error else r.action] += 1
        out["duplicate"] = sum(any(p.severity == DUPLICATE for p in r.problems) for r in self.rows)
        out["warning"] = sum(any(p.severity == WARNING for p in r.problems) for r in self.rows)
        return out

    def table(self, lang: str = "vi") -> pd.DataFrame:
        """One line per row: sheet, row number, status, type, date, figures, messages."""
        types = load_activity_types()
        data = []
        for r in self.rows:
            t = types.get(r.type_code or "")
            status = STATUS["error" if r.has_error else r.action]
            if not r.has_error and any(p.severity == DUPLICATE for p in r.problems):
                status += " (có thể trùng)"
            data.append({
                "sheet": r.sheet, "row": r.row, "status": status, "type": t.name(lang) if t else "",
                "start_date": r.columns["start_date"] if r.columns else None,
                "figures": figures_text(r.type_code, r.columns, lang) if r.columns and r.type_code else "",
                "record_id": r.record_id,
                "message": r.skip_reason or "; ".join(_problem_text(p) for p in r.problems),
            })
        return pd.DataFrame(data, columns=["sheet", "row", "status", "type", "start_date", "figures", "record_id",
                                           "message"])

    def problems_table(self) -> pd.DataFrame:
        """Errors and warnings by sheet, row and column."""
        data = [{"sheet": r.sheet, "row": r.row, "column": p.column, "severity": p.severity, "message": p.message}
                for r in self.rows for p in r.problems]
        data += [{"sheet": "", "row": None, "column": "", "severity": ERROR, "message": m} for m in self.file_errors]
        return pd.DataFrame(data, columns=["sheet", "row", "column", "severity", "message"])

    def report_lines(self) -> list[str]:
        """The row-by-row report printed by the command line."""
        lines = [f"Lỗi tệp: {m}" for m in self.file_errors] + [f"Lưu ý: {m}" for m in self.notes]
        for r in self.rows:
            for p in r.problems:
                where = f"{r.sheet}, dòng {r.row}" + (f", cột «{p.column}»" if p.column else "")
                kind = {"error": "Lỗi", "warning": "Cảnh báo", "duplicate": "Có thể trùng"}[p.severity]
                lines.append(f"{kind} – {where}: {p.message}")
        return lines


def _problem_text(p: Problem) -> str:
    return f"«{p.column}»: {p.message}" if p.column else p.message


class ImportConflict(Exception):
    """What the file's check relied on changed before the write (someone else imported or edited); nothing written."""


class ImportRejected(Exception):
    """The file has errors; nothing was written. `preview` says which rows and columns."""

    def __init__(self, preview: ImportPreview) -> None:
        self.preview = preview
        n = sum(r.has_error for r in preview.rows)
        super().__init__(preview.file_errors[0] if preview.file_errors else f"{n} dòng có lỗi, chưa nhập dòng nào")


@dataclass(frozen=True)
class ImportResult:
    """What a successful import wrote."""

    batch_id: int | None
    added: int
    updated: int
    unchanged: int
    skipped: int
    record_ids: list[int]
    write_seconds: float = 0.0  # how long the write transaction (on SQLite: the write lock) was held


class _Matcher:
    """Resolving names in cells to reference ids, cached (a file repeats the same names many times)."""

    def __init__(self, catalogue: Catalogue, actor: Actor) -> None:
        self.cat = catalogue
        self.actor = actor
        self._units: dict[str, list[int]] = {}
        self._communes: dict[tuple[str, str], list[str]] = {}
        self._languages: dict[str, tuple[list[str], list[str]]] = {}
        self._dates: dict[Any, dt.date | str] = {}
        own = sorted(actor.unit_ids)
        self.default_unit = own[0] if actor.role == "staff" and len(own) == 1 else None

    def date(self, value: Any) -> dt.date:
        key = value if not isinstance(value, Formula) else id(value)
        if key not in self._dates:
            try:
                self._dates[key] = parse_date(value)
            except ValueError as exc:
                self._dates[key] = str(exc)
        result = self._dates[key]
        if isinstance(result, str):
            raise ValueError(result)
        return result

    def unit(self, text: str) -> int:
        if text not in self._units:
            found: list[int] = []
            for k in name_keys(text):
                found = self.cat.units_by_name.get(k, [])
                if found:
                    break
            self._units[text] = found
        found = self._units[text]
        if not found:
            raise ValueError(f"không tìm thấy đơn vị «{text}»")
        if len(found) > 1:
            raise ValueError(f"«{text}» trùng tên nhiều đơn vị; hãy ghi tên đầy đủ")
        return found[0]

    def commune(self, code: str, name: str, day: dt.date | None) -> str:
        if (code, name) not in self._communes:
            if code:
                keys = list(self.cat.communes_by_code.get(code.zfill(5), []))
                if name:
                    named = self.cat.communes_named(name_keys(name))
                    keys = [k for k in keys if k in named] or keys
            else:
                keys = self.cat.communes_named(name_keys(name))
            self._communes[(code, name)] = keys
        keys = self._communes[(code, name)]
        label = " ".join(x for x in (code, name) if x)
        if not keys:
            raise ValueError(f"không tìm thấy xã «{label}» (theo mã, tên hoặc tên khác)")
        if day is None:  # the date's own error is reported; the commune cannot be checked against it
            return keys[-1]
        valid = [k for k in keys if self.cat.communes[k].valid_on(day)]
        if len(valid) == 1:
            return valid[0]
        if len(valid) > 1:
            raise ValueError(f"«{label}» khớp nhiều xã vào ngày {day:%d/%m/%Y}; hãy ghi mã xã")
        return keys[-1]  # the validation explains which dates this commune existed on

    def village(self, commune_key: str | None, text: str) -> int:
        if not commune_key:
            raise ValueError("hãy ghi xã của bản")
        for k in name_keys(text):
            vid = self.cat.villages_by_name.get((commune_key, k))
            if vid:
                return vid
        raise ValueError(f"không tìm thấy bản «{text}» trong xã {self.cat.communes[commune_key].name}")

    def languages(self, text: str) -> list[str]:
        if text not in self._languages:
            codes, unknown = [], []
            for part in re.split(r"[,;/+\n]", text):
                if part.strip():
                    # languages.parse_language misses "tiếng …" after tone normalisation, so strip it here
                    bare = re.sub(r"^(tiếng|tieng)\s+", "", part.strip(), flags=re.IGNORECASE)
                    code = parse_language(part) or parse_language(bare)
                    (codes if code else unknown).append(code or part.strip())
            self._languages[text] = (codes, unknown)
        codes, unknown = self._languages[text]
        if unknown:
            raise ValueError("không biết ngôn ngữ " + ", ".join(f"«{u}»" for u in unknown))
        return codes


def _is_total_row(cells: list[Any]) -> bool:
    first = next((c for c in cells if not is_blank(c)), None)
    return isinstance(first, str) and len(first) < 80 and _is_total_text(first)


@lru_cache(maxsize=10_000)
def _is_total_text(text: str) -> bool:
    if not text[:1].isalpha():  # e.g. the record number that starts every row of an export
        return False
    key = normalise_name(re.sub(r"[^\w\s]", " ", text))
    return any(key == w or key.startswith(w + " ") for w in _total_words())


@lru_cache(maxsize=1)
def _total_words() -> tuple[str, ...]:
    return tuple(normalise_name(w) for w in TOTAL_WORDS)


def _find_header(rows: list[list[Any]], base: dict[str, str], measures: dict[str, dict[str, str]]) -> int | None:
    best, best_count = None, 1
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        count = sum(1 for c in row if not is_blank(c) and (header_key(c) in base or header_key(c) in measures))
        if count > best_count:
            best, best_count = i, count
    return best


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
    _mark_identity(session, preview, actor)
    _mark_duplicates(session, preview)
    return preview


def _plan_rows(preview: ImportPreview, raw: RawFile, cat: Catalogue, actor: Actor, default_type: str | None,
               today: dt.date) -> None:
    base, measures = base_header_keys(), measure_header_keys()
    types = load_activity_types()
    matcher = _Matcher(cat, actor)
    found_header = False
    for sheet in raw.sheets:
        if not any(not is_blank(c) for row in sheet.rows for c in row):
            continue
        header_index = _find_header(sheet.rows, base, measures)
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
            if _is_total_row(cells):
                preview.rows.append(RowOutcome(sheet.name, row_no, action="skip", skip_reason="Dòng tổng, bỏ qua"))
                continue
            outcome = _plan_row(sheet.name, row_no, cells, header, roles, measures, types, matcher,
                                sheet_type or default_type, cat, today)
            preview.rows.append(outcome)
    if not found_header and not preview.file_errors:
        preview.file_errors.append("Tệp không có dữ liệu.")


def _plan_row(sheet: str, row_no: int, cells: list[Any], header: list[str], roles: dict[int, tuple[str, str]],
              measures: dict[str, dict[str, str]], types: dict[str, ActivityType], matcher: _Matcher,
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


def _rows_imported_from(session: Session, fingerprint: str) -> int:
    """Rows added by every import of the file so far (read through the index on the batch's fingerprint)."""
    return session.scalar(select(func.coalesce(func.sum(ImportBatch.rows_added), 0))
                          .where(ImportBatch.fingerprint == fingerprint))


def _mark_identity(session: Session, preview: ImportPreview, actor: Actor) -> None:
    """Decide new / update / unchanged / skip: by the global id when the row has one, else by the file and row.

    The file's own «Mã hoạt động» never picks a record: in another database, or in a copy of this one, the same number
    names an unrelated record.
    """
    prefix = f"f:{preview.fingerprint[:20]}:"
    existing_keys = set(session.scalars(select(ActivityRecord.source_key)
                                        .where(ActivityRecord.source_key.like(prefix + "%"))))
    preview.file_imported = _rows_imported_from(session, preview.fingerprint)
    a = ActivityRecord
    columns = [a.id, a.uid, a.updated_at, a.deleted_at, *(getattr(a, c) for c in RECORD_FIELDS)]
    by_uid: dict[str, Any] = {}
    for chunk in chunked(sorted({r.uid for r in preview.rows if r.uid}), 500):
        for rec in session.execute(select(*columns).where(a.uid.in_(chunk))):
            by_uid[rec.uid] = rec
    seen: dict[str, int] = {}
    foreign_ids = 0
    for r in preview.rows:
        if r.action == "skip":
            continue
        if r.uid:
            if r.uid in seen:
                r.problems.append(Problem(UID_HEADER, f"mã định danh này đã có ở dòng {seen[r.uid]}"))
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
                r.action, r.skip_reason = "skip", f"Hoạt động số {rec.id} đã bị xoá; khôi phục trước nếu muốn sửa"
            elif all(getattr(rec, c) == r.columns.get(c) for c in COMPARED):
                r.action = "unchanged"
            elif not can_write_record(actor, rec.reporting_unit_id):
                r.problems.append(Problem(UID_HEADER, f"bạn không có quyền sửa hoạt động số {rec.id}"))
                r.action = "error"
            else:
                r.action = "update"
                r.old = {c: getattr(rec, c) for c in RECORD_FIELDS}
                r.version = (rec.updated_at, rec.deleted_at)
            continue
        r.source_key = f"{prefix}{r.sheet[:40]}:{r.row}"
        if r.source_key in existing_keys:
            r.action, r.skip_reason = "skip", "Dòng này đã được nhập từ chính tệp này trước đây"
            continue
        r.action = "new"
        if local_id is not None and not r.uid:
            r.problems.append(Problem(ID_HEADER, f"dòng không có «{UID_HEADER}» nên «{ID_HEADER}» {local_id} không "
                                      "dùng để tìm hoạt động cần sửa: dòng sẽ được thêm mới. Muốn sửa hoạt động đã "
                                      "có, hãy xuất tệp mới rồi sửa trong tệp đó.", WARNING))
    if foreign_ids:
        preview.notes.append(
            f"{format_number(foreign_ids)} dòng ghi «{ID_HEADER}» không phải số của hoạt động đó ở đây (tệp xuất từ "
            f"cơ sở dữ liệu khác?): hoạt động được nhận ra theo «{UID_HEADER}», «{ID_HEADER}» của tệp không được "
            "dùng.")


def _signature(columns: dict[str, Any]) -> tuple:
    return (columns["type_code"], columns["start_date"], columns["end_date"], columns.get("commune_key"),
            columns.get("village_id"), *(columns.get(m) for m in MEASURE_COLUMNS))


def _mark_duplicates(session: Session, preview: ImportPreview) -> None:
    """Flag new rows identical to another row of the file or to a live record."""
    new_rows = [r for r in preview.rows if r.action == "new" and r.columns]
    if not new_rows:
        return
    by_signature: dict[tuple, list[RowOutcome]] = defaultdict(list)
    for r in new_rows:
        by_signature[_signature(r.columns)].append(r)
    for rows in by_signature.values():
        if len(rows) > 1:
            for r in rows:
                others = ", ".join(f"{o.row}" for o in rows if o is not r)
                r.problems.append(Problem("", f"Có thể trùng với dòng {others} của tệp (cùng loại, ngày, nơi, số liệu)",
                                          DUPLICATE))
    a = ActivityRecord
    types = sorted({r.columns["type_code"] for r in new_rows})
    first = min(r.columns["start_date"] for r in new_rows)
    last = max(r.columns["start_date"] for r in new_rows)
    stmt = select(a.id, a.type_code, a.start_date, a.end_date, a.commune_key, a.village_id,
                  *(getattr(a, m) for m in MEASURE_COLUMNS)).where(
        a.deleted_at.is_(None), a.type_code.in_(types), a.start_date >= first, a.start_date <= last)
    for row in session.execute(stmt):
        for r in by_signature.get(tuple(row[1:]), []):
            r.problems.append(Problem("", f"Có thể trùng với hoạt động đã có số {row[0]}", DUPLICATE))


def run_import(*, engine: Engine, actor: Actor, data: bytes, filename: str, default_type: str | None = None,
               today: dt.date | None = None) -> tuple[ImportPreview, ImportResult]:
    """Check the whole file without the write lock, then write every row in one short transaction (or nothing)."""
    with read_session(engine) as session:
        preview = preview_import(session=session, actor=actor, data=data, filename=filename,
                                 default_type=default_type, today=today)
    return preview, write_import(engine=engine, actor=actor, preview=preview)


def write_import(*, engine: Engine, actor: Actor, preview: ImportPreview) -> ImportResult:
    """Write a checked file in one write transaction that re-checks what may have changed since the check.

    ImportRejected when the check found errors, ImportConflict when another import or edit got there first,
    PermissionDenied when the user may no longer write these records; in every case nothing is written.
    """
    if not preview.ok:
        raise ImportRejected(preview)
    new_rows = [r for r in preview.rows if r.action == "new"]
    updates = [r for r in preview.rows if r.action == "update"]
    counts = preview.counts()
    if not new_rows and not updates:
        return ImportResult(None, 0, 0, counts["unchanged"], counts["skip"], [])
    # everything that does not need the lock is prepared before taking it
    now = utcnow()
    inserts = prepare_records([{**r.columns, "uid": r.uid or new_uid(), "source_key": r.source_key, "created_at": now,
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
                seconds = time.perf_counter() - started
            finally:
                drop_staged(connection=connection, tables=staged)
    except IntegrityError as exc:  # PostgreSQL: a concurrent import inserted the same rows after our re-check
        if "source_key" in str(exc.orig) or "uid" in str(exc.orig):
            raise ImportConflict(TAKEN) from None
        raise ImportConflict("Dữ liệu danh mục (đơn vị, xã, bản) vừa thay đổi trong lúc nhập, chưa ghi dòng nào. "
                             "Hãy tải tệp lên lại để kiểm tra.") from None
    return ImportResult(batch_id, len(new_rows), len(updates), counts["unchanged"], counts["skip"], ids, seconds)


def _write(session: Session, actor: Actor, preview: ImportPreview, new_rows: list[RowOutcome],
           updates: list[RowOutcome], inserts: PreparedRecords, changes: PreparedUpdates,
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
                    "unchanged": counts["unchanged"], "skipped": counts["skip"]})
    return ids, batch.id


def _recheck(session: Session, actor: Actor, preview: ImportPreview, new_rows: list[RowOutcome],
             updates: list[RowOutcome]) -> None:
    """Inside the write transaction: the user's rights now, rows imported meanwhile, records changed meanwhile."""
    units = {r.columns["reporting_unit_id"] for r in new_rows + updates} | {r.old["reporting_unit_id"] for r in updates}
    if not all(can_write_record(actor, u) for u in units):
        raise PermissionDenied("Quyền của bạn đã thay đổi từ lúc kiểm tra tệp: bạn không còn được ghi hoạt động của "
                               "mọi đơn vị trong tệp. Chưa ghi dòng nào.")
    a = ActivityRecord
    # rows of this file imported meanwhile (one indexed read); global ids taken meanwhile, and on PostgreSQL rows of
    # an import that has not committed yet, are refused by the unique indexes at the insert (IntegrityError below)
    if new_rows and _rows_imported_from(session, preview.fingerprint) != preview.file_imported:
        raise ImportConflict(TAKEN)
    expected = {r.record_id: r.version for r in updates}
    for chunk in chunked(sorted(expected), 500):
        # FOR UPDATE: on PostgreSQL nobody changes these records between this check and our write
        for rid, updated_at, deleted_at in session.execute(
                select(a.id, a.updated_at, a.deleted_at).where(a.id.in_(chunk)).order_by(a.id).with_for_update()):
            if (updated_at, deleted_at) != expected.pop(rid):
                raise ImportConflict(f"Hoạt động số {rid} vừa được sửa hoặc xoá trong lúc kiểm tra tệp, chưa ghi dòng "
                                     "nào. Hãy tải tệp lên lại để kiểm tra.")
    if expected:
        raise ImportConflict(f"Hoạt động số {min(expected)} không còn nữa, chưa ghi dòng nào. Hãy tải tệp lên lại.")


def summarise_result(result: ImportResult) -> str:
    """One Vietnamese sentence about what an import wrote."""
    return (f"Đã thêm {format_number(result.added)} hoạt động, cập nhật {format_number(result.updated)}, "
            f"{format_number(result.unchanged)} không đổi, bỏ qua {format_number(result.skipped)} dòng.")
