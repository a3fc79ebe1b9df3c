"""Crafted uploads that cost far more to read than their size (used by tests/test_upload_limits.py and
benchmarks/bench_uploads.py): big CSV, sheets with huge XML or millions of empty cells, a zip bomb."""
from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator

HEADER = "Loại hoạt động,Ngày bắt đầu,Đơn vị thực hiện,Mã xã,Xã,Chủ đề,Số buổi,Lượt người nghe\n"
ROW = "Tuyên truyền tại bản,06/05/2021,Đồn Biên phòng Dào San,03439,Ka Lăng,Chủ đề,1,120\n"
_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
        '+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
        'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/></Types>'),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
        'main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet '
        'name="Tuyên truyền tại bản" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'),
}
_SHEET_START = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                b'spreadsheetml/2006/main"><sheetData>')
_SHEET_END = b"</sheetData></worksheet>"
MB = 1024 * 1024


def big_csv(*, mb: float) -> bytes:
    """A records CSV of well-formed rows, `mb` megabytes long."""
    rows = int(mb * MB / len(ROW.encode())) + 1
    return (HEADER + ROW * rows).encode()


def tall_csv(*, rows: int) -> bytes:
    """A small CSV of `rows` one-cell rows."""
    return (HEADER + "x\n" * rows).encode()


def wide_csv(*, cells: int) -> bytes:
    """A CSV whose second line is one row of `cells` empty cells."""
    return (HEADER + "," * cells + "\n").encode()


def workbook(sheet: Iterable[bytes]) -> bytes:
    """A minimal XLSX whose one sheet's XML is the chunks given (written while streaming, never held whole)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in _PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(_SHEET_START)
            for chunk in sheet:
                fh.write(chunk)
            fh.write(_SHEET_END)
    return buffer.getvalue()


def _repeat(piece: bytes, times: int) -> Iterator[bytes]:
    block = piece * max(1, MB // len(piece))
    per_block = len(block) // len(piece)
    for _ in range(times // per_block):
        yield block
    yield piece * (times % per_block)


def huge_xml_xlsx(*, mb: int) -> bytes:
    """One header row, then `mb` MB of whitespace inside the sheet's XML (packs about 1,000 times)."""
    header = b'<row r="1"><c r="A1" t="inlineStr"><is><t>Xa</t></is></c></row>'
    return workbook([header, *_repeat(b" ", mb * MB)])


def empty_cells_xlsx(*, cells: int, per_row: int = 1_000) -> bytes:
    """`cells` empty cells <c/> in rows of `per_row`: nothing to read, everything to parse."""
    row = b"<row>" + b"<c/>" * per_row + b"</row>"
    return workbook(_repeat(row, cells // per_row))


def far_cell_xlsx(*, row: int = 1, column: str = "A") -> bytes:
    """A header cell, then one value at a far row or column (openpyxl pads up to it)."""
    cells = (b'<row r="1"><c r="A1" t="inlineStr"><is><t>Xa</t></is></c></row>'
             + f'<row r="{max(row, 2)}"><c r="{column}{max(row, 2)}"><v>1</v></c></row>'.encode())
    return workbook([cells])


def zip_bomb(*, mb: int) -> bytes:
    """A zip archive (what an XLSX is) with one member of `mb` MB of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive, \
            archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
        for chunk in _repeat(b"\0", mb * MB):
            fh.write(chunk)
    return buffer.getvalue()
