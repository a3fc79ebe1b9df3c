"""The DOCX frame of an administrative document (Decree 30/2020/NĐ-CP, Appendix I): header, title, signers,
recipients, page numbers in the top margin from page 2."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from data_model.report.document import ReportDocument, Signing

LEFT_CM, RIGHT_CM = 7.5, 9.0  # the two header columns: issuing body | national name and motto
CELL_MARGIN_CM = 0.05
MEASURE_SLACK = 1.08  # LibreOffice sets Vietnamese capitals a little wider than the font's advance widths say
P_BDR_SUCCESSORS = tuple(f"w:{n}" for n in (
    "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE",
    "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents",
    "suppressOverlap", "jc", "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle",
    "rPr", "sectPr", "pPrChange"))
FONT_DIRS = (Path("/usr/share/fonts/truetype/liberation"), Path("/usr/share/fonts/truetype/liberation2"))


@cache
def _font(bold: bool):
    """Liberation Serif has the metrics of Times New Roman: used only to measure text (None when absent)."""
    from PIL import ImageFont

    name = "LiberationSerif-Bold.ttf" if bold else "LiberationSerif-Regular.ttf"
    for folder in FONT_DIRS:
        if (folder / name).exists():
            return ImageFont.truetype(str(folder / name), 100)
    return None


def text_cm(text: str, *, size: float, bold: bool) -> float:
    """Printed width of one line of Times New Roman text."""
    font = _font(bold)
    em = font.getlength(text) / 100 if font else len(text) * (0.68 if bold else 0.6)
    return em * size / 72 * 2.54 * MEASURE_SLACK


def balanced_lines(text: str, *, width_cm: float, size: float, bold: bool) -> list[str]:
    """The text as one line, or broken between words into two lines as even as possible when it does not fit
    (a name never wraps as "…TRUYỀN / THÔNG")."""
    if text_cm(text, size=size, bold=bold) <= width_cm or " " not in text:
        return [text]
    words = text.split()
    splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
    best = min(splits, key=lambda s: max(text_cm(s[0], size=size, bold=bold), text_cm(s[1], size=size, bold=bold)))
    return list(best)


def _paragraph(cell_or_doc, text: str = "", *, size: float, bold: bool = False, italic: bool = False,
               align=WD_ALIGN_PARAGRAPH.CENTER, first: bool = False):
    paragraph = cell_or_doc.paragraphs[0] if first else cell_or_doc.add_paragraph()
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_before, fmt.space_after, fmt.line_spacing, fmt.first_line_indent = Pt(0), Pt(0), 1.0, Cm(0)
    if text:
        run = paragraph.add_run(text)
        run.bold, run.italic = bold, italic
        run.font.size = Pt(size)
    return paragraph


def _rule(cell_or_doc, *, length_cm: float, width_cm: float, space_after: float = 0) -> None:
    """A solid line of the given length, centred: the bottom border of an empty paragraph narrowed by indents."""
    paragraph = _paragraph(cell_or_doc, size=2)
    paragraph.paragraph_format.space_before = Pt(2)  # clear of the descenders above
    indent = max(0.0, (width_cm - length_cm) / 2)
    paragraph.paragraph_format.left_indent = paragraph.paragraph_format.right_indent = Cm(indent)
    paragraph.paragraph_format.space_after = Pt(space_after)
    run = paragraph.add_run("\u200b")
    run.font.size = Pt(2)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for attr, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(attr), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().insert_element_before(borders, *P_BDR_SUCCESSORS)


def _lines(cell, text: str, *, width_cm: float, size: float, bold: bool, first: bool = False) -> float:
    """Write text centred in the cell on balanced lines; returns the widest line's width."""
    lines = balanced_lines(text, width_cm=width_cm - 2 * CELL_MARGIN_CM - 0.1, size=size, bold=bold)
    for i, line in enumerate(lines):
        _paragraph(cell, line, size=size, bold=bold, first=first and i == 0)
    return max(text_cm(line, size=size, bold=bold) for line in lines)


def write_header(document, doc: ReportDocument, *, grid, no_borders) -> None:
    """Issuing bodies and number top left, national name, motto, place and date top right."""
    signing = doc.signing
    assert signing is not None
    table = document.add_table(rows=1, cols=2)
    no_borders(table)
    left, right = table.cell(0, 0), table.cell(0, 1)
    first = True
    for n, (superior, body) in enumerate(signing.issuers):
        if n:
            _paragraph(left, size=6)
        if superior:
            _lines(left, superior, width_cm=LEFT_CM, size=12.5, bold=False, first=first)
            first = False
        widest = _lines(left, body, width_cm=LEFT_CM, size=12.5, bold=True, first=first)
        first = False
        _rule(left, length_cm=max(1.5, widest / 2.5), width_cm=LEFT_CM, space_after=6)
    _paragraph(left, signing.number, size=13)
    _paragraph(right, doc.header["nation"], size=12, bold=True, first=True)
    _paragraph(right, doc.header["motto"], size=13.5, bold=True)
    _rule(right, length_cm=text_cm(doc.header["motto"], size=13.5, bold=True), width_cm=RIGHT_CM, space_after=6)
    if len(signing.issuers) > 1:  # the place and date sit level with the number under the issuers
        _paragraph(right, size=12.5 * len(signing.issuers))
    _paragraph(right, doc.header["place_date"], size=13.5, italic=True)
    grid(table, [LEFT_CM, RIGHT_CM])
    _cell_margins(table, CELL_MARGIN_CM)


def _cell_margins(table, cm: float) -> None:
    """Narrow left and right cell margins, so that the names get the whole column."""
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:w"), str(int(cm * 567)))
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    look = table._tbl.tblPr.find(qn("w:tblLook"))
    if look is not None:
        look.addprevious(margins)
    else:
        table._tbl.tblPr.append(margins)


def write_title(document, signing: Signing, *, width_cm: float) -> None:
    """Document type and the summary title, with the line under it."""
    heading = _paragraph(document, signing.doc_type, size=13.5, bold=True)
    heading.paragraph_format.space_before = Pt(18)
    heading.paragraph_format.keep_with_next = True
    summary = _paragraph(document, size=13.5)
    summary.paragraph_format.keep_with_next = True
    lines = [part for given in signing.summary.split("\n")
             for part in balanced_lines(given, width_cm=width_cm - 1.0, size=13.5, bold=True)]
    for n, line in enumerate(lines):
        run = summary.add_run()
        if n:
            run.add_break()  # one paragraph, broken into even lines
        run.add_text(line)
        run.bold, run.font.size = True, Pt(13.5)
    _rule(document, length_cm=width_cm / 3, width_cm=width_cm, space_after=12)


def _signer(cell, authority: str, title: str, name: str, *, first: bool) -> None:
    if authority:
        _paragraph(cell, authority.upper(), size=13.5, bold=True, first=first)
        first = False
    _paragraph(cell, title.upper(), size=13.5, bold=True, first=first)
    for _ in range(5):  # room for the signature and the seal
        _paragraph(cell, size=13.5)
    _paragraph(cell, name, size=13.5, bold=True)


def write_signatures(document, signing: Signing, *, grid, no_borders, width_cm: float) -> None:
    """Signers (the leading issuer on the right) and the recipients list bottom left."""
    spacer = _paragraph(document, size=6)
    spacer.paragraph_format.keep_with_next = True
    joint = len(signing.signers) > 1
    if joint:
        table = document.add_table(rows=1, cols=len(signing.signers))
        no_borders(table)
        for cell, signer in zip(table.rows[0].cells, signing.signers):
            _signer(cell, *signer, first=True)
        grid(table, [width_cm / len(signing.signers)] * len(signing.signers))
        _keep_together(table)
    table = document.add_table(rows=1, cols=2)
    no_borders(table)
    left, right = table.cell(0, 0), table.cell(0, 1)
    _paragraph(left, signing.recipients_label, size=12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT,
               first=True)
    for line in signing.recipients:
        _paragraph(left, line, size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    if joint:
        _paragraph(right, first=True, size=13.5)
    else:
        _signer(right, *signing.signers[0], first=True)
    grid(table, [LEFT_CM, width_cm - LEFT_CM])
    _keep_together(table)


def _keep_together(table) -> None:
    """The signature row never splits across pages and stays with the text above it."""
    for row in table.rows:
        flag = OxmlElement("w:cantSplit")
        flag.set(qn("w:val"), "true")
        row._tr.get_or_add_trPr().append(flag)


def page_numbers(section, *, size: float = 13) -> None:
    """Arabic page numbers centred in the top margin, none on the first page."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
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
    run.font.size = Pt(size)
