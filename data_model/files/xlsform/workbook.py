"""The offline form as an XLSX workbook (survey, choices, settings sheets), as ODK Central, KoboToolbox and pyxform
read it."""
from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook

from data_model.files.xlsform.form import CHOICE_COLUMNS, SETTINGS_COLUMNS, SURVEY_COLUMNS, XlsForm

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsform_bytes(form: XlsForm) -> bytes:
    """The XLSForm workbook; every cell is text (an XPath expression is never taken for a spreadsheet formula)."""
    book = Workbook()
    book.remove(book.active)
    _sheet(book, "survey", SURVEY_COLUMNS, form.survey)
    _sheet(book, "choices", CHOICE_COLUMNS, form.choices)
    _sheet(book, "settings", SETTINGS_COLUMNS, [form.settings])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet(book: Workbook, title: str, columns: Sequence[str], rows: Sequence[dict[str, str]]) -> None:
    sheet = book.create_sheet(title)
    sheet.append(list(columns))
    for row in rows:
        sheet.append([row.get(c, "") or None for c in columns])
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    for index, column in enumerate(columns, start=1):
        width = max([len(column)] + [len(str(r.get(column) or "")) for r in rows[:300]]) + 2
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = min(width, 60)
    sheet.freeze_panes = "A2"


def xform_xml(form: XlsForm) -> bytes:
    """The form converted to an XForm by pyxform (what ODK Collect reads when a form is copied onto the phone)."""
    from pyxform.xls2xform import convert  # a second or so: only when someone asks for the XML

    return convert(xlsform=io.BytesIO(xlsform_bytes(form)), file_type=".xlsx").xform.encode("utf-8")


def xlsform_filename(form: XlsForm, suffix: str = "xlsx") -> str:
    """bieu_mau_<form id>_<version>.xlsx (or .xml)"""
    return f"bieu_mau_{form.form_id}_{form.version}.{suffix}"
