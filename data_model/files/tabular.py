"""The one tabular-import layer every import uses: a column description, the header finder, a sheet's rows read by
column, the preview of what an import does row by row, and the refusal of a file with errors."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, TypeVar

import pandas as pd

from data_model.basics.cells import unescape_text
from data_model.basics.issues import DUPLICATE, ERROR, WARNING
from data_model.files.parse import (
    FileError,
    Formula,
    RawFile,
    TooLong,
    cell_text,
    is_blank,
    read_file,
    too_long_message,
)
from data_model.reference.names import normalise_name
from data_model.texts.catalogue import N_, Text, render
from data_model.texts.errors import UserError
from data_model.texts.input import BAD_TEXT, is_clean, safe_text

HEADER_SCAN_ROWS = 15  # a header row may sit below a title, an address and blank rows
TOTAL_WORDS = ("tổng cộng", "tổng số", "tổng", "cộng", "total", "sum")
STATUS = {"new": N_("Thêm mới"), "update": N_("Cập nhật"), "unchanged": N_("Không đổi"), "skip": N_("Bỏ qua"),
          "error": N_("Lỗi"), "withdraw": N_("Rút lại"), "restore": N_("Khôi phục"), "conflict": N_("Xung đột")}
SEVERITY = {ERROR: N_("Lỗi"), WARNING: N_("Cảnh báo"), DUPLICATE: N_("Có thể trùng")}
NO_ROWS = Text("Tệp không có dòng dữ liệu nào (chỉ có tiêu đề, dòng trống hoặc dòng tổng).")
T = TypeVar("T")


@dataclass(frozen=True)
class Column:
    """One column of an import format: its key, the headers templates write, and the other spellings accepted."""

    key: str
    header_vi: str
    header_en: str = ""
    aliases: tuple[str, ...] = ()
    required: bool = False


def header_key(text: Any) -> str:
    """A header cell as a matching key: normalised, without a trailing "(unit)" or "*"."""
    return _text_key(cell_text(text))


@lru_cache(maxsize=20_000)
def _text_key(text: str) -> str:
    # the "(unit)" goes before normalising: normalising puts a tone mark after the ")" ("(người)" → "(ngươi)̀")
    text = re.sub(r"\s*\([^)]*\)$", "", text.strip().rstrip("* ").strip())
    return normalise_name(text).rstrip("* ").strip()


@dataclass(frozen=True)
class TableFormat:
    """What an import reads: its columns; `hint` names a few of them for a file without a header row."""

    columns: tuple[Column, ...]
    hint: str

    @cached_property
    def known(self) -> dict[str, str]:
        """Header key → column key; the first column to claim a spelling keeps it."""
        keys: dict[str, str] = {}
        for column in self.columns:
            for text in (column.header_vi, column.header_en, column.key, *column.aliases):
                if text:
                    keys.setdefault(header_key(text), column.key)
        return keys

    @cached_property
    def headers(self) -> dict[str, str]:
        """Column key → the Vietnamese header, for naming a column the file does not have."""
        return {c.key: c.header_vi for c in self.columns}


@dataclass(frozen=True)
class Header:
    """A sheet's header row: where it is, the file's header texts, and the column each known key was found in."""

    index: int  # rows[index] is the header row (spreadsheet row index + 1)
    texts: tuple[str, ...]
    columns: dict[str, int]  # column key → index of the first column with that key
    ignored: tuple[str, ...]  # header texts of columns that are not in the format (or repeat one)

    def text(self, key: str) -> str:
        """The file's own header of a column key ("" when the file has no such column)."""
        return self.texts[self.columns[key]] if key in self.columns else ""


def read_header(*, rows: Sequence[Sequence[Any]], index: int, fmt: TableFormat) -> Header:
    """rows[index] read as the header row of the format."""
    texts = tuple(cell_text(c) for c in rows[index])
    columns: dict[str, int] = {}
    ignored: list[str] = []
    for column, text in enumerate(texts):
        if not text:
            continue
        key = fmt.known.get(header_key(text))
        if key is not None and key not in columns:
            columns[key] = column
        else:
            ignored.append(text[:60])
    return Header(index, texts, columns, tuple(ignored))


def find_header(*, rows: Sequence[Sequence[Any]], fmt: TableFormat) -> Header | None:
    """The row among the first HEADER_SCAN_ROWS with the most known headers (at least two), else None."""
    best: Header | None = None
    for index in range(min(len(rows), HEADER_SCAN_ROWS)):
        header = read_header(rows=rows, index=index, fmt=fmt)
        if len(header.columns) >= 2 and (best is None or len(header.columns) > len(best.columns)):
            best = header
    return best


def is_total_row(cells: Sequence[Any]) -> bool:
    """Whether a row is a total ("Tổng cộng", "Cộng:") by its first filled cell."""
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


@dataclass
class Problem:
    """One problem in one cell, named by the file's column header (or the row when column is "")."""

    column: str
    message: str
    severity: str = ERROR


@dataclass
class TableRow:
    """One data row of a sheet: its cells by column key; a cell that cannot be read is a problem instead."""

    sheet: str
    row: int  # the spreadsheet's row number
    cells: dict[str, Any]
    header: Header
    fmt: TableFormat
    problems: list[Problem] = field(default_factory=list)
    unreadable: set[str] = field(default_factory=set)  # keys of cells too long to read (already reported)

    def column(self, key: str) -> str:
        """The column's header as the file writes it, else as the template does."""
        return self.header.text(key) or self.fmt.headers.get(key, key)

    def problem(self, key: str, message: str, severity: str = ERROR) -> None:
        self.problems.append(Problem(self.column(key), message, severity))

    def blank(self, key: str) -> bool:
        return is_blank(self.cells.get(key))

    def text(self, key: str) -> str:
        """A cell as text; exports protect text from spreadsheets (a leading apostrophe), reading reverses it."""
        value = self.cells.get(key)
        if isinstance(value, Formula):
            self.problem(key, Text("ô có công thức {formula} chưa có giá trị; hãy dán giá trị", formula=value.text))
            return ""
        return unescape_text(cell_text(value))

    def parsed(self, key: str, parse: Callable[[], T]) -> T | None:
        """What parse returns, or None with its ValueError as the cell's problem (without a leading "Label: ")."""
        try:
            return parse()
        except ValueError as exc:
            self.problem(key, _without_label(exc, self.fmt.headers.get(key, key)))
            return None


def _without_label(exc: ValueError, label: str) -> str:
    """A ValueError's message (a Text when it has one) without a leading "Label: "."""
    message = getattr(exc, "text", None) or (exc.args[0] if exc.args else "")
    if isinstance(message, Text):
        if message.msgid == "{field}: {problem}" and str(message.params.get("field")) == label:
            return message.params["problem"]
        return message
    return str(exc).removeprefix(f"{label}: ")


def table_row(sheet: str, row: int, cells: Sequence[Any], header: Header, fmt: TableFormat) -> TableRow:
    """One data row's cells by column key; a cell too long or holding a bad character is the row's problem."""
    out = TableRow(sheet, row, {}, header, fmt)
    for key, index in header.columns.items():
        value = cells[index] if index < len(cells) else None
        if isinstance(value, TooLong):
            out.problem(key, too_long_message(value))
            out.unreadable.add(key)
            continue
        if not is_clean(value):
            out.problem(key, Text(BAD_TEXT))
            value = safe_text(value)  # shown in the preview, never written
        out.cells[key] = value
    return out


def read_rows(*, raw: RawFile, fmt: TableFormat, preview: ImportPreview) -> Iterator[TableRow]:
    """Every data row of every sheet with data; headers not found, missing columns, total rows go into the preview."""
    preview.notes.extend(raw.notes)
    for sheet in raw.sheets:
        first = next((i for i, cells in enumerate(sheet.rows) if any(not is_blank(c) for c in cells)), None)
        if first is None:
            continue
        header = find_header(rows=sheet.rows, fmt=fmt)
        found = header or read_header(rows=sheet.rows, index=first, fmt=fmt)  # the first filled row, to name what is missing
        missing = [c.header_vi for c in fmt.columns if c.required and c.key not in found.columns]
        if missing:
            preview.file_errors.append(Text("Trang «{sheet}», dòng {row}: thiếu cột {columns}", sheet=sheet.name,
                                            row=found.index + 1, columns=", ".join(missing)))
            continue
        if header is None:
            preview.file_errors.append(Text("Trang «{sheet}»: không tìm thấy dòng tiêu đề (cần các cột như {hint}…). "
                                            "Hãy dùng tệp mẫu.", sheet=sheet.name, hint=fmt.hint))
            continue
        if header.ignored:
            preview.notes.append(Text("Trang «{sheet}»: bỏ qua các cột không thuộc mẫu nhập: {columns}.",
                                      sheet=sheet.name, columns=", ".join(f"«{text}»" for text in header.ignored)))
        for index in range(header.index + 1, len(sheet.rows)):
            cells = sheet.rows[index]
            if all(is_blank(c) for c in cells):
                continue
            if is_total_row(cells):
                preview.rows.append(RowOutcome(sheet.name, index + 1, action="skip",
                                               skip_reason=Text("Dòng tổng, bỏ qua")))
                continue
            yield table_row(sheet.name, index + 1, cells, header, fmt)


def read_upload(*, data: bytes, filename: str, fmt: TableFormat, preview: ImportPreview,
                raw: RawFile | None = None) -> Iterator[TableRow]:
    """The rows of an uploaded file (read_rows), or none with the reason in the preview's file errors; `raw` is the
    file already read, when the caller looked at it first."""
    if raw is None:
        try:
            raw = read_file(data=data or b"", filename=filename)
        except FileError as exc:
            preview.file_errors.append(exc.text)
            return
    data_rows = 0
    for row in read_rows(raw=raw, fmt=fmt, preview=preview):
        data_rows += 1
        yield row
    if not data_rows and not preview.rows and not preview.file_errors:  # not even a total row
        preview.file_errors.append(NO_ROWS)


@dataclass
class RowOutcome:
    """What an import does with one row of the file, and every problem found in it."""

    sheet: str
    row: int
    action: str = "new"  # new | update | unchanged | skip | error | withdraw | restore | conflict
    problems: list[Problem] = field(default_factory=list)
    skip_reason: str = ""

    @property
    def has_error(self) -> bool:
        return any(p.severity == ERROR for p in self.problems)

    def shown(self, lang: str = "vi") -> dict[str, Any]:
        """What the preview table shows of the row besides its place, status and messages (each import says)."""
        return {}


@dataclass
class ImportPreview:
    """Every row's outcome and what the file as a whole showed; nothing is written while previewing."""

    filename: str
    rows: list[RowOutcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    shown_columns: tuple[str, ...] = ()  # the table columns RowOutcome.shown gives
    totals: dict[str, int] = field(default_factory=dict)  # the import's own figures (what it adds, what it wrote)

    @property
    def ok(self) -> bool:
        return not self.file_errors and not any(r.has_error for r in self.rows)

    def counts(self) -> dict[str, int]:
        """Rows per action, plus rows flagged as possible duplicates and rows with warnings."""
        out = dict.fromkeys(STATUS, 0)
        for r in self.rows:
            out["error" if r.has_error else r.action] += 1
        out["duplicate"] = sum(any(p.severity == DUPLICATE for p in r.problems) for r in self.rows)
        out["warning"] = sum(any(p.severity == WARNING for p in r.problems) for r in self.rows)
        return out

    def table(self, lang: str = "vi") -> pd.DataFrame:
        """One line per row: sheet, row number, status, what the import shows of it, messages (in lang)."""
        data = []
        for r in self.rows:
            status = Text(STATUS["error" if r.has_error else r.action])
            if not r.has_error and any(p.severity == DUPLICATE for p in r.problems):
                status = Text("{status} (có thể trùng)", status=status)
            message = r.skip_reason or "; ".join(render(_problem_text(p), lang) for p in r.problems)
            data.append({"sheet": r.sheet, "row": r.row, "status": status.render(lang), **r.shown(lang),
                         "message": render(message, lang)})
        return pd.DataFrame(data, columns=["sheet", "row", "status", *self.shown_columns, "message"])

    def problems_table(self, lang: str = "vi") -> pd.DataFrame:
        """Errors and warnings by sheet, row and column (messages in lang)."""
        data = [{"sheet": r.sheet, "row": r.row, "column": p.column, "severity": p.severity,
                 "message": render(p.message, lang)} for r in self.rows for p in r.problems]
        data += [{"sheet": "", "row": None, "column": "", "severity": ERROR, "message": render(m, lang)}
                 for m in self.file_errors]
        return pd.DataFrame(data, columns=["sheet", "row", "column", "severity", "message"])

    def report_lines(self, lang: str = "vi") -> list[str]:
        """The row-by-row report: file errors, notes, then each problem with its sheet, row and column."""
        lines = [Text("Lỗi tệp: {message}", message=m) for m in self.file_errors]
        lines += [Text("Lưu ý: {message}", message=m) for m in self.notes]
        lines += [Text("{severity} – {where}: {message}", severity=Text(SEVERITY[p.severity]), where=_where(r, p),
                       message=p.message) for r in self.rows for p in r.problems]
        return [line.render(lang) for line in lines]

    def error_lines(self, lang: str | None = None) -> list[str]:
        """Only what stops the import: file errors, then each row error with its sheet, row and column.

        Without lang: Texts (Vietnamese as str, any language on render)."""
        lines = list(self.file_errors) + [Text("{where}: {message}", where=_where(r, p), message=p.message)
                                          for r in self.rows for p in r.problems if p.severity == ERROR]
        return lines if lang is None else [render(line, lang) for line in lines]


def _where(r: RowOutcome, p: Problem) -> Text:
    if p.column:
        return Text("{sheet}, dòng {row}, cột «{column}»", sheet=r.sheet, row=r.row, column=p.column)
    return Text("{sheet}, dòng {row}", sheet=r.sheet, row=r.row)


def _problem_text(p: Problem) -> Text | str:
    return Text("«{column}»: {message}", column=p.column, message=p.message) if p.column else p.message


class ImportRejected(UserError):
    """The file has errors; nothing was written. `preview` says which rows and columns."""

    def __init__(self, preview: ImportPreview) -> None:
        self.preview = preview
        errors = preview.error_lines() or [NO_ROWS]
        if len(errors) > 1:
            super().__init__(Text("Không nhập, chưa ghi dòng nào: {error} (và {n} lỗi khác)", error=errors[0],
                                  n=len(errors) - 1))
        else:
            super().__init__(Text("Không nhập, chưa ghi dòng nào: {error}", error=errors[0]))
