"""Rows of a records file that would change a closed year: an error on the row, so nothing of the file is written."""
from __future__ import annotations

from sqlalchemy.orm import Session

from data_model.basics.issues import ERROR
from data_model.files.records_import.outcome import RecordRow, RecordsPreview
from data_model.files.tabular import Problem
from data_model.reporting.year_close import standing_closes
from data_model.texts.catalogue import Number, Text


def mark_closed_years(session: Session, preview: RecordsPreview) -> None:
    """Refuse new rows, updates, withdrawals and restorations of a closed year (admins revise such records one by
    one, with a reason); in a server's export, a note names the submissions refused."""
    rows = [r for r in preview.rows if isinstance(r, RecordRow) and r.action in ("new", "update", "withdraw", "restore")
            and (r.columns or r.record_year is not None)]
    row_years = {id(r): _years(r) for r in rows}
    closed = standing_closes(session=session, years=set().union(*row_years.values()))
    if not closed:
        return
    refused: dict[int, list[str]] = {}
    for r in rows:
        hit = sorted(row_years[id(r)] & set(closed))
        if hit:
            r.problems.append(Problem("", f"Năm {hit[0]} đã khóa sổ (số liệu đã công bố): không nhập được hoạt động "
                                          "của năm này từ tệp; quản trị viên điều chỉnh từng hoạt động, kèm lý do",
                                      ERROR))
            r.action = "error"
            refused.setdefault(hit[0], []).append(r.sheet)
    if preview.server_export:
        for year, labels in sorted(refused.items()):
            preview.notes.append(Text("Năm {year} đã khóa sổ: giữ lại {count} bản gửi, không nhập: {labels}.",
                                      year=year, n=len(labels), count=Number(len(labels)),
                                      labels="; ".join(labels[:20]) + ("…" if len(labels) > 20 else "")))


def _years(r: RecordRow) -> set[int]:
    """The years a row would change: its own, the record's before an update, the record's it withdraws or restores."""
    years = {int(r.columns["year"])} if r.columns and r.action in ("new", "update") else set()
    if r.old:
        years.add(int(r.old["year"]))
    if r.action in ("withdraw", "restore") and r.record_year is not None:
        years.add(r.record_year)
    return years
