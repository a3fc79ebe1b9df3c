"""The report as a Word document (python-docx) in the layout of a Vietnamese administrative report."""
from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from data_model.report.document import ReportDocument, Section, Table
from data_model.report.markdown import format_cell

FONT = "Times New Roman"
BODY_PT = 13
TABLE_PT = 9
RED = RGBColor(0xC0, 0x00, 0x00)
BLACK = RGBColor(0, 0, 0)
PORTRAIT = (Cm(21.0), Cm(29.7))
MARGINS = {"left_margin": Cm(3.0), "right_margin": Cm(2.0), "top_margin": Cm(2.0), "bottom_margin": Cm(2.0)}


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
    for name, value in MARGINS.items():
        setattr(section, name, Cm(2.0) if landscape and name == "left_margin" else value)


def _page_number_footer(section) -> None:
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    run.font.size = Pt(10)


def _no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _cell_text(cell, text: str, *, bold: bool = False, italic: bool = False, size: int | None = None,
               align=WD_ALIGN_PARAGRAPH.CENTER) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    run = paragraph.add_run(text)
    run.bold, run.italic = bold, italic
    if size:
        run.font.size = Pt(size)


def _header(document, doc: ReportDocument) -> None:
    table = document.add_table(rows=2, cols=2)
    _no_borders(table)
    h = doc.header
    _cell_text(table.cell(0, 0), h["agency_top"], size=12)
    _cell_text(table.cell(1, 0), h["agency"], bold=True, size=12)
    _cell_text(table.cell(0, 1), h["nation"], bold=True, size=12)
    _cell_text(table.cell(1, 1), h["motto"], bold=True, size=13)
    table.autofit = False
    for row in table.rows:
        row.cells[0].width, row.cells[1].width = Cm(6.5), Cm(9.5)
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    paragraph.add_run(h["place_date"]).italic = True


def _shade(cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    trpr.append(element)


def _column_widths(table: Table, available_cm: float) -> list[float]:
    text_cols = [i for i, f in enumerate(table.formats) if f == "text"]
    numbers = len(table.formats) - len(text_cols)
    number_cm = min(2.6, max(1.35, (available_cm * 0.55) / max(numbers, 1)))
    text_cm = min(7.0, (available_cm - number_cm * numbers) / max(len(text_cols), 1))
    return [text_cm if f == "text" else number_cm for f in table.formats]


def _table(document, table: Table, lang: str, available_cm: float) -> None:
    caption = document.add_paragraph()
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.keep_with_next = True
    caption.paragraph_format.space_before = Pt(8)
    caption.add_run(table.title).bold = True
    grid = document.add_table(rows=1, cols=len(table.columns))
    grid.style = document.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    widths = _column_widths(table, available_cm)
    header = grid.rows[0]
    _repeat_header(header)
    for cell, title in zip(header.cells, table.columns):
        _cell_text(cell, title, bold=True, size=TABLE_PT)
        _shade(cell, "D9E2F3")
    last = len(table.rows) - 1
    for i, row in enumerate(table.rows):
        cells = grid.add_row().cells
        for cell, value, kind in zip(cells, row, table.formats):
            align = WD_ALIGN_PARAGRAPH.LEFT if kind == "text" else WD_ALIGN_PARAGRAPH.RIGHT
            _cell_text(cell, format_cell(value, kind, lang), size=TABLE_PT, align=align,
                       bold=table.total_row and i == last)
    for row in grid.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = Cm(width)


def _section(document, section: Section, lang: str, level: int, available_cm: float) -> None:
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


def render_docx(doc: ReportDocument) -> bytes:
    """The whole report as a .docx file's bytes."""
    document = Document()
    _styles(document)
    first = document.sections[0]
    _page(first, landscape=False)
    _page_number_footer(first)
    document.core_properties.title = doc.title
    document.core_properties.language = doc.lang
    _header(document, doc)
    document.add_paragraph(doc.title, style="Title")
    subtitle = document.add_paragraph()
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle.add_run(doc.subtitle).bold = True
    for notice in doc.notices:
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(notice)
        run.bold = True
        run.font.color.rgb = RED
    portrait_cm = 21.0 - 3.0 - 2.0
    for section in doc.sections:
        landscape = any(t.in_document for t in section.tables)
        if section.tables or section.charts:
            new = document.add_section(WD_SECTION.NEW_PAGE)
            _page(new, landscape=landscape)
        _section(document, section, doc.lang, 1, 29.7 - 4.0 if landscape else portrait_cm)
    closing = document.add_paragraph()
    closing.paragraph_format.space_before = Pt(12)
    closing.add_run(doc.footer).italic = True
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
