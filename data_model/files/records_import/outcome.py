"""What an import finds and does: each cell's problems, each row's outcome, the file's preview, the result."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from data_model.definitions.activity_types import load_activity_types
from data_model.records.query import figures_text
from data_model.records.validation.catalogue import Catalogue
from data_model.records.validation.rules import DUPLICATE, ERROR, WARNING

STATUS = {"new": "Thêm mới", "update": "Cập nhật", "unchanged": "Không đổi", "skip": "Bỏ qua", "error": "Lỗi"}


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
