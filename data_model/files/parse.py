"""Reading CSV/XLSX into raw cells (sheets, encodings, formulas), and parsing cells: dates, counts, text."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from typing import Any

from data_model.files.limits import (
    MAX_CELLS,
    MAX_ROWS,
    CellBudget,
    FileError,
    check_upload_size,
    csv_members,
    is_csv_archive,
    open_archive,
    refuse_too_large,
    scan_part,
)
from data_model.texts.catalogue import Number, Text

EXCEL_EPOCH = dt.date(1899, 12, 30)
SERIAL_RANGE = (20000, 80000)  # Excel serials of 1954…2119: anything else is not a date
MAX_CELL_CHARS = 131_072  # Python's default CSV field limit; a longer cell is a row error, not a file error
_CSV_READ_LIMIT = 2**31 - 1  # the reader itself takes any cell the upload size allows, so that other rows are checked


class Formula:
    """A formula cell without a computed value (written by a program, never opened in Excel)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"Formula({self.text!r})"


class TooLong:
    """A CSV cell longer than MAX_CELL_CHARS (its text is not kept)."""

    def __init__(self, length: int) -> None:
        self.length = length

    def __repr__(self) -> str:
        return f"TooLong({self.length})"


@dataclass
class Sheet:
    """One sheet (a CSV file is one sheet) as rows of raw cell values; rows[i] is spreadsheet row i + 1."""

    name: str
    rows: list[list[Any]]


@dataclass
class RawFile:
    """The sheets of a file and what the reader noticed (encoding, formulas)."""

    sheets: list[Sheet]
    notes: list[str] = field(default_factory=list)
    # (sheet, row index, column index) → the formula of an XLSX cell as written ("=…"), whatever value was read:
    # a server's export writes typed text starting with "=" as a formula (xlsxwriter's default), with the value 0
    formulas: dict[tuple[str, int, int], str] = field(default_factory=dict)
    computed: int = 0  # formula cells read by their computed value (noted in notes)


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value.replace("\ufeff", "")).strip()
    return value


def _decode(data: bytes) -> tuple[str, str | None]:
    """Text of a CSV, with a note when it was not UTF-8."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), None
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1258"), Text("Tệp không dùng mã UTF-8; đã đọc theo bảng mã Windows-1258 (tiếng Việt). "
                                           "Nếu chữ có dấu hiện sai, hãy lưu lại tệp CSV với mã UTF-8.")
    except UnicodeDecodeError:
        return data.decode("latin-1"), Text("Tệp không dùng mã UTF-8 hay Windows-1258; đã đọc theo Latin-1, chữ có "
                                            "dấu có thể sai. Hãy lưu lại tệp CSV với mã UTF-8.")


def read_csv(data: bytes, *, name: str = "CSV") -> RawFile:
    """A CSV file (comma, semicolon or tab separated) as one sheet; refused as soon as it has too many rows or cells."""
    text, note = _decode(data)
    if "\x00" in text:
        raise FileError("Tệp chứa ký tự lạ (NUL): có thể không phải tệp CSV. Hãy xuất lại từ Excel dạng CSV UTF-8.")
    sample = "\n".join(text[:8192].splitlines()[:100])  # the sniffer's work grows with lines, not characters
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    # one line of commas would be a row of millions of cells, built whole; without quotes, lines are rows
    if text.count(delimiter) > MAX_CELLS or ('"' not in text and text.count("\n") > MAX_ROWS):
        raise refuse_too_large()
    if csv.field_size_limit() < _CSV_READ_LIMIT:
        csv.field_size_limit(_CSV_READ_LIMIT)  # process-wide; only ever raised
    budget = CellBudget()
    rows: list[list[Any]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            budget.add_row(width=len(row))
            rows.append([_csv_cell(c) for c in row])
    except csv.Error as exc:
        raise FileError("Không đọc được tệp CSV: {reason}", reason=exc) from None
    return RawFile([Sheet(name, rows)], [note] if note else [])


def _csv_cell(text: str) -> Any:
    return TooLong(len(text)) if len(text) > MAX_CELL_CHARS else _nfc(text)


def _sheet_rows(ws: Any, *, data_only: bool, budget: CellBudget) -> list[list[Any]]:
    """A read-only sheet's rows from its XML cells only, without the padding openpyxl adds up to the sheet's
    declared dimensions or a far empty cell; rows[i] is row i + 1, each as long as its last value."""
    from openpyxl.worksheet._reader import WorkSheetParser

    book = ws.parent
    rows: list[list[Any]] = []
    with ws._get_source() as source:
        parser = WorkSheetParser(source, ws._shared_strings, data_only=data_only, epoch=book.epoch,
                                 date_formats=book._date_formats, timedelta_formats=book._timedelta_formats)
        for index, cells in parser.parse():
            filled = [c for c in cells if c["value"] is not None]
            width = max((c["column"] for c in filled), default=0)
            budget.check_width(sheet=ws.title, width=width)
            budget.add_row(width=width, skipped=max(0, index - 1 - len(rows)))
            rows.extend([] for _ in range(index - 1 - len(rows)))
            if index <= len(rows):
                continue  # a row repeated out of order: Excel never writes one, openpyxl keeps the first
            row: list[Any] = [None] * width
            for c in filled:
                row[c["column"] - 1] = _nfc(c["value"]) if data_only else c["value"]
            rows.append(row)
    return rows


def read_xlsx(data: bytes) -> RawFile:
    """Every sheet of an XLSX workbook; formulas give their computed values or a Formula marker. The archive and
    each sheet are measured while streaming, before openpyxl parses anything."""
    archive = _open_workbook_archive(data)
    formulas = False
    for info in archive.infolist():
        if info.filename.startswith("xl/worksheets/") or info.filename == "xl/sharedStrings.xml":
            formulas = scan_part(archive=archive, info=info).formulas or formulas
    from openpyxl import load_workbook  # after the checks: a refused file never waits for openpyxl to load
    try:
        values = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise FileError("Tệp XLSX bị hỏng hoặc không phải XLSX ({kind}).", kind=type(exc).__name__) from None
    notes: list[str] = []
    sheets: list[Sheet] = []
    texts = load_workbook(io.BytesIO(data), read_only=True, data_only=False) if formulas else None
    used_cached = 0
    written: dict[tuple[str, int, int], str] = {}
    budget, formula_budget = CellBudget(), CellBudget()
    for ws in values.worksheets:
        rows = _sheet_rows(ws, data_only=True, budget=budget)
        if texts is not None:
            for r, row in enumerate(_sheet_rows(texts[ws.title], data_only=False, budget=formula_budget)):
                for c, cell in enumerate(row):
                    if isinstance(cell, str) and cell.startswith("="):
                        written[(ws.title, r, c)] = cell
                        rows.extend([] for _ in range(r + 1 - len(rows)))
                        rows[r].extend([None] * (c + 1 - len(rows[r])))  # a formula without a value ends no row
                        if rows[r][c] is None:
                            rows[r][c] = Formula(cell)
                        else:
                            used_cached += 1
        sheets.append(Sheet(ws.title, rows))
    values.close()
    if texts is not None:
        texts.close()
    if used_cached:
        notes.append(Text("{n} ô có công thức: đã dùng giá trị Excel đã tính cho các ô đó.", n=used_cached))
    return RawFile(sheets, notes, written, computed=used_cached)


def _open_workbook_archive(data: bytes) -> zipfile.ZipFile:
    try:
        return open_archive(data=data)
    except FileError:
        raise
    except Exception as exc:  # zipfile raises several kinds for a damaged archive
        raise FileError("Tệp XLSX bị hỏng hoặc không phải XLSX ({kind}).", kind=type(exc).__name__) from None


def read_file(*, data: bytes, filename: str) -> RawFile:
    """An uploaded file by its content (XLSX and ODK Central's export are zip archives) and name."""
    check_upload_size(size=len(data or b""))
    if not data or not data.strip():
        raise FileError("Tệp rỗng: không có dòng nào để nhập.")
    lower = filename.lower()
    if data[:4] == b"PK\x03\x04":
        return read_csv_zip(data) if is_csv_archive(data=data, zip_name=lower.endswith(".zip")) else read_xlsx(data)
    if lower.endswith(".zip"):
        raise FileError("Tệp có đuôi .zip nhưng không phải tệp ZIP hợp lệ.")
    if lower.endswith(".xlsx"):
        raise FileError("Tệp có đuôi .xlsx nhưng không phải tệp Excel hợp lệ.")
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or lower.endswith(".xls"):
        raise FileError("Tệp Excel kiểu cũ (.xls) chưa được hỗ trợ: hãy lưu lại thành .xlsx hoặc CSV UTF-8.")
    stem = filename.rsplit("/", 1)[-1].rsplit(".", 1)[0] or "CSV"
    return read_csv(data, name=stem)


def read_csv_zip(data: bytes) -> RawFile:
    """A zip of CSV files (ODK Central's `<formId>.zip`): each CSV a sheet named by its file; the CSVs of repeat
    groups (PARENT_KEY column) are left out with a note, the offline form has none."""
    sheets: list[Sheet] = []
    notes: list[str] = []
    left_out: list[str] = []
    for name, member in csv_members(data=data):
        stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0] or "CSV"
        raw = read_csv(member, name=stem)
        header = next((row for row in raw.sheets[0].rows if any(not is_blank(c) for c in row)), [])
        if any(cell_text(c) == "PARENT_KEY" for c in header):
            left_out.append(stem)
            continue
        sheets += raw.sheets
        notes += raw.notes
    if left_out:
        notes.append(Text("Không đọc các tệp nhóm lặp lại {names} (biểu mẫu nhập ngoại tuyến không có nhóm lặp lại).",
                          names=", ".join(f"«{n}»" for n in left_out)))
    if not sheets:
        raise FileError("Tệp ZIP không có tệp CSV nào để nhập (cần tệp xuất của ODK Central: «<mã biểu mẫu>.csv»).")
    return RawFile(sheets, notes)


def too_long_message(cell: TooLong) -> Text:
    """Why a cell over the limit was not read."""
    return Text("ô dài quá {limit} ký tự (có {length} ký tự), không đọc được; hãy rút gọn",
                limit=Number(MAX_CELL_CHARS), length=Number(cell.length))


def is_blank(value: Any) -> bool:
    """Whether a cell holds nothing."""
    return value is None or (isinstance(value, str) and not value.strip())


_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_COUNT_DOT = re.compile(r"^\d{1,3}(\.\d{3})+$")
_COUNT_COMMA = re.compile(r"^\d{1,3}(,\d{3})+$")


def parse_date(value: Any) -> dt.date:
    """A date from a cell: a date, dd/mm/yyyy, yyyy-mm-dd or an Excel serial; ValueError with a message otherwise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, Formula):
        raise ValueError(Text("ô có công thức {formula} chưa có giá trị; hãy dán giá trị (Paste Values)",
                              formula=value.text))
    if isinstance(value, TooLong):
        raise ValueError(too_long_message(value))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value == value and SERIAL_RANGE[0] <= value <= SERIAL_RANGE[1] and float(value).is_integer():
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise ValueError(Text("«{value}» không phải ngày (dd/mm/yyyy)", value=value))
    text = str(value).strip()
    match = _DMY.match(text)
    try:
        if match:
            return dt.date(int(match[3]), int(match[2]), int(match[1]))
        match = _YMD.match(text)
        if match:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise ValueError(Text("«{value}» không phải ngày có thật", value=text)) from None
    if text.isdigit() and SERIAL_RANGE[0] <= int(text) <= SERIAL_RANGE[1]:
        return EXCEL_EPOCH + dt.timedelta(days=int(text))
    raise ValueError(Text("«{value}» không phải ngày (dd/mm/yyyy)", value=text[:40]))


def parse_count(value: Any) -> int | None:
    """A whole number from a cell: 41262, "41.262", "41 262", 41262.0; None when blank; ValueError otherwise."""
    if is_blank(value):
        return None
    if isinstance(value, Formula):
        raise ValueError(Text("ô có công thức {formula} chưa có giá trị; hãy dán giá trị (Paste Values)",
                              formula=value.text))
    if isinstance(value, TooLong):
        raise ValueError(too_long_message(value))
    if isinstance(value, bool):
        raise ValueError(Text("«{value}» không phải số", value=value))
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(Text("không phải số"))
        if not value.is_integer():
            raise ValueError(Text("«{value}» không phải số nguyên", value=value))
        return int(value)
    if isinstance(value, (dt.date, dt.datetime)):
        raise ValueError(Text("là ngày, không phải số (kiểm tra lại cột)"))
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if text.startswith("="):
        raise ValueError(Text("công thức «{formula}» không được hỗ trợ; hãy nhập số", formula=text[:30]))
    if len(text) > 30:
        raise ValueError(Text("số quá lớn"))
    if text.isdigit():
        return int(text)
    if _COUNT_DOT.match(text):
        return int(text.replace(".", ""))
    if _COUNT_COMMA.match(text):
        return int(text.replace(",", ""))
    if text.startswith("-") and text[1:].isdigit():
        return int(text)
    if re.match(r"^\d+[.,]0+$", text):
        return int(re.split(r"[.,]", text)[0])
    raise ValueError(Text("«{value}» không phải số nguyên", value=text))


def cell_text(value: Any) -> str:
    """A cell as text (numbers without a trailing .0, dates as dd/mm/yyyy)."""
    if value is None or isinstance(value, TooLong):
        return ""
    if isinstance(value, Formula):
        return value.text
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()
