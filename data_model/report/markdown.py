"""The report as Markdown (text escaped, numbers and dates the Vietnamese way)."""
from __future__ import annotations

import re

from data_model.report.document import Cell, ColumnFormat, ReportDocument, Section, Table
from data_model.texts.formatting import format_number, format_percent_change

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#!|~$])")
_LINE_START = re.compile(r"^(\s*)([-+=]|\d+[.)])(?=\s|$)")


def escape(text: str, *, line_start: bool = True) -> str:
    """Text shown literally by Markdown renderers (Streamlit included: no emphasis, links, HTML or LaTeX)."""
    text = _SPECIAL.sub(r"\\\1", text)
    if not line_start:  # after "## " or inside a table cell a leading "1." is no list marker
        return text
    return _LINE_START.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], text)


def format_cell(value: Cell, kind: ColumnFormat, lang: str) -> str:
    """A table cell as text: 41.262, +12,5%, – for no figure."""
    if value is None:
        return "–"
    if kind == "int" and isinstance(value, (int, float)):
        return format_number(value, lang)
    if kind == "pct" and isinstance(value, (int, float)):
        return format_percent_change(value, lang)
    if kind == "share" and isinstance(value, (int, float)):
        return format_number(value * 100, lang, decimals=1) + "%"
    return str(value)


def _table(table: Table, lang: str) -> list[str]:
    lines = [f"**{escape(table.title)}**", ""]
    lines.append("| " + " | ".join(escape(c, line_start=False) for c in table.columns) + " |")
    lines.append("|" + "|".join("---:" if f != "text" else "---" for f in table.formats) + "|")
    for i, row in enumerate(table.rows):
        cells = [escape(format_cell(v, f, lang), line_start=False) for v, f in zip(row, table.formats)]
        if table.total_row and i == len(table.rows) - 1:
            cells = [f"**{c}**" if c else c for c in cells]
        lines.append("| " + " | ".join(cells) + " |")
    return lines + [""]


def _section(section: Section, lang: str, level: int, images: list[str] | None, counter: list[int]) -> list[str]:
    lines = [f"{'#' * level} {escape(section.heading, line_start=False)}", ""]
    for p in section.paragraphs:
        lines += [escape(p), ""]
    for sub in section.subsections:
        lines += _section(sub, lang, level + 1, images, counter)
    for table in section.tables:
        if table.in_document:
            lines += _table(table, lang)
    for chart in section.charts:
        if images is not None and counter[0] < len(images):
            lines += [f"![{escape(chart.title)}]({images[counter[0]]})", ""]
        lines += [f"*{escape(chart.title)}*", ""]
        if chart.note:
            lines += [escape(chart.note), ""]
        counter[0] += 1
    return lines


def render_markdown(doc: ReportDocument, *, image_paths: list[str] | None = None, top_level: int = 1) -> str:
    """The whole report as Markdown; charts are linked when image_paths are given, else only named.

    top_level is the heading level of the title (a preview inside a page uses a smaller one).
    """
    lines = [f"{'#' * top_level} {escape(doc.title, line_start=False)}", "", f"**{escape(doc.subtitle)}**", "",
             f"*{escape(doc.header['place_date'])}*", ""]
    for notice in doc.notices:
        lines += [f"> **{escape(notice)}**", ""]
    counter = [0]
    for section in doc.sections:
        lines += _section(section, doc.lang, top_level + 1, image_paths, counter)
    if doc.all_charts() and image_paths is None:
        lines += [f"*{escape(doc.charts_note)}*", ""]
    lines += ["---", "", f"*{escape(doc.footer)}*", ""]
    return "\n".join(lines)
