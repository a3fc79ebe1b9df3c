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
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)


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
    _cell_text(table.cell(0, 0), h["agency_top"], size=11)
    _cell_text(table.cell(1, 0), h["agency"], bold=True, size=11)
    _cell_text(table.cell(0, 1), h["nation"], bold=True, size=12)
    _cell_text(table.cell(1, 1), h["motto"], bold=True, size=13)
    _fixed_width(table, [6.3, 9.7])
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    paragraph.add_run(h["place_date"]).italic = True


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
    char_cm = 0.17  # about one character at 9 pt
    widths: list[float | None] = []
    for i, kind in enumerate(table.formats):
        if kind != "text":
            widths.append(None)
            continue
        longest = max([len(str(r[i])) for r in table.rows if r[i] is not None] + [len(table.columns[i]) // 2, 4])
        widths.append(min(7.0, max(2.0, longest * char_cm + 0.4)))
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
