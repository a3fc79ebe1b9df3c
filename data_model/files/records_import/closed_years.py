"""Rows of a records file that would change a closed year: an error on the row, so nothing of the file is written."""
from __future__ import annotations

from sqlalchemy.orm import Session

from data_model.basics.issues import ERROR
from data_model.files.records_import.outcome import RecordRow, RecordsPreview
from data_model.files.tabular import Problem
from data_model.reporting.year_close import standing_closes


def mark_closed_years(session: Session, preview: RecordsPreview) -> None:
    """Refuse new rows and updates of a closed year (admins revise such records one by one, with a reason)."""
    rows = [r for r in preview.rows if isinstance(r, RecordRow) and r.columns and r.action in ("new", "update")]
    years = {int(r.columns["year"]) for r in rows} | {int(r.old["year"]) for r in rows if r.old}
    closed = standing_closes(session=session, years=years)
    if not closed:
        return
    for r in rows:
        hit = sorted({int(r.columns["year"]), *([int(r.old["year"])] if r.old else [])} & set(closed))
        if hit:
            r.problems.append(Problem("", f"Năm {hit[0]} đã khóa sổ (số liệu đã công bố): không nhập được hoạt động "
                                          "của năm này từ tệp; quản trị viên điều chỉnh từng hoạt động, kèm lý do",
                                      ERROR))
            r.action = "error"
