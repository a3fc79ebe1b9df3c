"""The report's tables as an Excel workbook (XlsxWriter), one sheet per table, exact figures as numbers."""
from __future__ import annotations

import io
import re

import xlsxwriter

from data_model.report.document import ReportDocument, Table

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
MAX_SHEET_NAME = 31


def _sheet_name(name: str, used: set[str]) -> str:
    base = _BAD_SHEET_CHARS.sub(" ", name).strip()[:MAX_SHEET_NAME] or "Sheet"
    candidate, n = base, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate = base[:MAX_SHEET_NAME - len(suffix)] + suffix
        n += 1
    used.add(candidate.lower())
    return candidate


def _write_table(book, sheet, table: Table, formats: dict) -> None:
    sheet.write(0, 0, table.title, formats["title"])
    for col, title in enumerate(table.columns):
        sheet.write(2, col, title, formats["header"])
    last = len(table.rows) - 1
    for r, row in enumerate(table.rows):
        bold = table.total_row and r == last
        for c, (value, kind) in enumerate(zip(row, table.formats)):
            style = formats[(kind, bold)]
            if value is None:
                sheet.write_blank(3 + r, c, None, style)
            elif kind == "text":
                sheet.write_string(3 + r, c, str(value), style)
            else:
                sheet.write_number(3 + r, c, value, style)
    for c, (title, kind) in enumerate(zip(table.columns, table.formats)):
        longest = max([len(str(title))] + [len(str(row[c])) for row in table.rows if row[c] is not None])
        sheet.set_column(c, c, min(max(longest + 2, 10 if kind != "text" else 12), 45))
    sheet.freeze_panes(3, 1)
    if table.rows:
        sheet.autofilter(2, 0, 2 + len(table.rows) - (1 if table.total_row else 0), len(table.columns) - 1)


def render_xlsx(doc: ReportDocument) -> bytes:
    """The report's cover and every table (also those only in the workbook) as .xlsx bytes."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.set_properties({"title": doc.title, "subject": doc.subtitle})
    formats = {
        "title": book.add_format({"bold": True, "font_size": 13}),
        "header": book.add_format({"bold": True, "bg_color": "#D9E2F3", "border": 1, "text_wrap": True,
                                   "valign": "top"}),
        "notice": book.add_format({"bold": True, "font_color": "#C00000", "text_wrap": True}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
    }
    for bold in (False, True):
        formats[("text", bold)] = book.add_format({"border": 1, "bold": bold})
        formats[("int", bold)] = book.add_format({"border": 1, "bold": bold, "num_format": "#,##0"})
        formats[("pct", bold)] = book.add_format({"border": 1, "bold": bold, "num_format": "+0.0%;-0.0%;0.0%"})
        formats[("share", bold)] = book.add_format({"border": 1, "bold": bold, "num_format": "0.0%"})
    used: set[str] = set()
    cover = book.add_worksheet(_sheet_name("Báo cáo" if doc.lang == "vi" else "Report", used))
    cover.set_column(0, 0, 110)
    lines = [(doc.title, formats["title"]), (doc.subtitle, formats["title"]),
             (doc.header["place_date"], formats["wrap"])]
    lines += [(n, formats["notice"]) for n in doc.notices]
    lines += [(t.title, formats["wrap"]) for t in doc.all_tables() if t.in_xlsx]
    lines += [(doc.footer, formats["wrap"])]
    for r, (text, style) in enumerate(lines):
        cover.write_string(r, 0, text, style)
    for table in (t for t in doc.all_tables() if t.in_xlsx):
        _write_table(book, book.add_worksheet(_sheet_name(table.sheet, used)), table, formats)
    book.close()
    return buffer.getvalue()
