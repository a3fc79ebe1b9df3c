"""The report as a Word document (python-docx) in the layout of a Vietnamese administrative report."""
from __future__ import annotations

import io
from dataclasses import replace

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from data_model.report.document import ReportDocument, Section, Table
from data_model.report.docx_frame import page_numbers, write_header, write_signatures, write_title
from data_model.report.markdown import format_cell

FONT = "Times New Roman"
BODY_PT = 13
TABLE_PT = 10
RED = RGBColor(0xC0, 0x00, 0x00)
BLACK = RGBColor(0, 0, 0)
PORTRAIT = (Cm(21.0), Cm(29.7))
MARGINS_CM = {"left_margin": 3.0, "right_margin": 1.5, "top_margin": 2.0, "bottom_margin": 2.0}  # Decree 30: 30/15/20/20 mm
PORTRAIT_CM = 21.0 - 3.0 - 1.5
PORTRAIT_COLUMNS = 6  # a table with more columns gets a landscape page
LANDSCAPE_CM = 29.7 - 3.0 - 1.5


def _set_font(style, size: int, *, bold: bool | None = None) -> None:
    style.font.name = FONT
    style.font.size = Pt(size)
    style.font.color.rgb = BLACK
    if bold is not None:
        style.font.bold = bold
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)


def _styles(document) -> None:
    _set_font(document.styles["Normal"], BODY_PT)
    normal = document.styles["Normal"].paragraph_format
    normal.space_after = Pt(6)
    normal.line_spacing = 1.15
    for name, size in (("Title", 14), ("Heading 1", 13), ("Heading 2", 13)):
        _set_font(document.styles[name], size, bold=True)
    document.styles["Heading 2"].font.italic = True
    document.styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for name in ("Heading 1", "Heading 2"):
        document.styles[name].paragraph_format.space_before = Pt(10)
        document.styles[name].paragraph_format.space_after = Pt(4)


def _page(section, *, landscape: bool) -> None:
    width, height = PORTRAIT
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (height, width) if landscape else (width, height)
    for name, value in MARGINS_CM.items():
        setattr(section, name, Cm(value))
    section.header_distance = Cm(1.0)


def _no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _fixed_width(table, widths_cm: list[float]) -> None:
    """Fixed layout with explicit widths: the grid (LibreOffice), the cells (Word) and the table itself."""
    table.autofit = False
    for column, width in zip(table.columns, widths_cm):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm):
            cell.width = Cm(width)
    tbl_pr = table._tbl.tblPr
    for old in tbl_pr.findall(qn("w:tblW")):
        tbl_pr.remove(old)
    tbl_w = OxmlElement("w:tblW")
    tbl_w.set(qn("w:w"), str(int(sum(widths_cm) * 567)))  # 567 twips per cm
    tbl_w.set(qn("w:type"), "dxa")
    tbl_pr.append(tbl_w)
    for old in tbl_pr.findall(qn("w:tblLayout")):
        tbl_pr.remove(old)
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    _schema_order(tbl_pr)


TBL_PR_ORDER = ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize", "tblW",
                "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook")


def _schema_order(tbl_pr) -> None:
    """Table properties in the order the OOXML schema requires (Word refuses a file with them out of order)."""
    rank = {qn(f"w:{name}"): n for n, name in enumerate(TBL_PR_ORDER)}
    children = sorted(tbl_pr, key=lambda e: rank.get(e.tag, len(rank)))
    for child in children:
        tbl_pr.remove(child)
        tbl_pr.append(child)


def _cell_text(cell, text: str, *, bold: bool = False, italic: bool = False, size: int | None = None,
               align=WD_ALIGN_PARAGRAPH.CENTER) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    run = paragraph.add_run(text)
    run.bold, run.italic = bold, italic
    if size:
        run.font.size = Pt(size)


def _shade(cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _row_flag(row, flag: str) -> None:
    """Set a row property such as w:tblHeader (repeat on every page) or w:cantSplit (keep the row whole)."""
    element = OxmlElement(f"w:{flag}")
    element.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(element)


def _column_widths(table: Table, available_cm: float) -> list[float]:
    """Text columns as wide as their longest entry (within limits); number columns share the rest."""
    char_cm = 0.19  # about one character at 10 pt
    widths: list[float | None] = []
    for i, kind in enumerate(table.formats):
        if kind != "text":
            widths.append(None)
            continue
        longest = max([len(str(r[i])) for r in table.rows if r[i] is not None] + [len(table.columns[i]) // 2, 4])
        widths.append(min(7.0 if longest < 60 else 8.0, max(2.0, longest * char_cm + 0.4)))
    numbers = widths.count(None)
    fixed = sum(w for w in widths if w is not None)
    if fixed > available_cm * 0.6 and numbers:
        widths = [w * available_cm * 0.6 / fixed if w is not None else None for w in widths]
        fixed = available_cm * 0.6
    number_cm = min(3.0, (available_cm - fixed) / numbers) if numbers else 0.0
    return [number_cm if w is None else w for w in widths]


def _table(document, table: Table, lang: str, available_cm: float) -> None:
    caption = document.add_paragraph()
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.keep_with_next = True
    caption.paragraph_format.space_before = Pt(8)
    caption.add_run(table.title).bold = True
    grid = document.add_table(rows=1, cols=len(table.columns))
    grid.style = document.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = _column_widths(table, available_cm)
    header = grid.rows[0]
    _row_flag(header, "tblHeader")
    _row_flag(header, "cantSplit")
    for cell, title in zip(header.cells, table.columns):
        _cell_text(cell, title, bold=True, size=TABLE_PT)
        _shade(cell, "D9E2F3")
    last = len(table.rows) - 1
    for i, row in enumerate(table.rows):
        added = grid.add_row()
        _row_flag(added, "cantSplit")
        cells = added.cells
        for cell, value, kind in zip(cells, row, table.formats):
            align = WD_ALIGN_PARAGRAPH.LEFT if kind == "text" else WD_ALIGN_PARAGRAPH.RIGHT
            _cell_text(cell, format_cell(value, kind, lang), size=TABLE_PT, align=align,
                       bold=table.total_row and i == last)
    _fixed_width(grid, widths)


def _section(document, section: Section, lang: str, level: int, available_cm: float) -> None:
    if section.heading:
        document.add_heading(section.heading, level=level)
    for text in section.paragraphs:
        paragraph = document.add_paragraph(text)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        paragraph.paragraph_format.first_line_indent = Cm(1.0)
    for sub in section.subsections:
        _section(document, sub, lang, level + 1, available_cm)
    for table in section.tables:
        if table.in_document:
            _table(document, table, lang, available_cm)
    for chart in section.charts:
        picture = document.add_paragraph()
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.paragraph_format.keep_with_next = True
        picture.add_run().add_picture(io.BytesIO(chart.png), width=Cm(min(16.0, available_cm)))
        caption = document.add_paragraph()
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
        caption.add_run(chart.title).italic = True
        if chart.note:
            caption.paragraph_format.keep_with_next = True
            note = document.add_paragraph()
            note.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            note.add_run(chart.note).font.size = Pt(BODY_PT)


def render_docx(doc: ReportDocument) -> bytes:
    """The whole report as a .docx file's bytes: the frame of an administrative document around the text, the
    signature block after the text, tables and charts as an annex on pages of their own."""
    document = Document()
    _styles(document)
    first = document.sections[0]
    _page(first, landscape=False)
    page_numbers(first)
    document.core_properties.title = doc.title
    document.core_properties.language = doc.lang
    signing = doc.signing
    assert signing is not None, "render_docx needs a document framed by write_report"
    write_header(document, doc, grid=_fixed_width, no_borders=_no_borders)
    write_title(document, signing, width_cm=PORTRAIT_CM)
    for notice in doc.notices:
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(notice)
        run.bold = True
        run.font.color.rgb = RED
    text = [s for s in doc.sections if not _has_annex(s)]
    annex = [s for s in doc.sections if _has_annex(s)]
    for section in text:
        _section(document, section, doc.lang, 1, PORTRAIT_CM)
    for last in document.paragraphs[-2:]:  # the signature page never holds the signature alone
        last.paragraph_format.keep_with_next = True
    closing = document.add_paragraph()
    closing.paragraph_format.space_before = Pt(6)
    closing.paragraph_format.keep_with_next = True
    closing.add_run(doc.footer).italic = True
    write_signatures(document, signing, grid=_fixed_width, no_borders=_no_borders, width_cm=PORTRAIT_CM)
    for section in annex:
        _annex(document, section, doc.lang)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _new_page(document, *, landscape: bool) -> float:
    """A new page section in that orientation; returns the width available for text."""
    new = document.add_section(WD_SECTION.NEW_PAGE)
    _page(new, landscape=landscape)
    new.different_first_page_header_footer = False  # only the document's first page goes unnumbered
    return LANDSCAPE_CM if landscape else PORTRAIT_CM


def _annex(document, section: Section, lang: str) -> None:
    """A section of tables or charts from a new page: landscape pages only for the wide tables."""
    tables = [t for t in section.tables if t.in_document]
    landscape = bool(tables) and len(tables[0].columns) > PORTRAIT_COLUMNS
    width = _new_page(document, landscape=landscape)
    _section(document, replace(section, tables=[], charts=[]), lang, 1, width)
    for table in tables:
        wide = len(table.columns) > PORTRAIT_COLUMNS
        if wide != landscape:
            landscape = wide
            width = _new_page(document, landscape=landscape)
        _table(document, table, lang, width)
    if section.charts and landscape:
        width = _new_page(document, landscape=False)
    _section(document, replace(section, heading="", paragraphs=[], subsections=[], tables=[]), lang, 1, width)


def _has_annex(section: Section) -> bool:
    """Whether a section holds tables or charts (printed after the signatures, on pages of their own)."""
    return bool(section.tables or section.charts) or any(_has_annex(s) for s in section.subsections)
