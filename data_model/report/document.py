"""A written report as plain parts (headings, paragraphs, tables, charts) that DOCX, XLSX and Markdown render."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Cell = str | int | float | None
ColumnFormat = Literal["text", "int", "pct", "share"]  # share: 1.043 → 104,3% (no sign)


@dataclass
class Table:
    """A table with exact figures; numbers stay numbers until a renderer formats them."""

    title: str
    sheet: str
    columns: list[str]
    formats: list[ColumnFormat]
    rows: list[list[Cell]]
    total_row: bool = False  # the last row is a total (rendered bold)
    in_document: bool = True  # False: only in the XLSX workbook
    in_xlsx: bool = True  # False: only in the document (a print form of a sheet the workbook has)


@dataclass
class Chart:
    """A chart drawn as a PNG image."""

    title: str
    png: bytes
    note: str = ""  # printed under the caption: a numbered legend, how the map was drawn


@dataclass
class Section:
    """A heading with paragraphs, sub-sections, tables and charts, in that order."""

    heading: str
    paragraphs: list[str] = field(default_factory=list)
    subsections: list[Section] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


@dataclass
class Signing:
    """The administrative-document frame of Decree 30/2020/NĐ-CP, Appendix I, around the report's body."""

    issuers: list[tuple[str, str]]  # (superior, issuing body) top left, one pair per issuer
    number: str  # "Số: …/BC-SKHCN"
    doc_type: str  # "BÁO CÁO"
    summary: str  # the summary title under the document type
    signers: list[tuple[str, str, str]]  # (authority, title, full name), the leading issuer last (on the right)
    recipients_label: str
    recipients: list[str]


@dataclass
class ReportDocument:
    """The whole report in one language."""

    lang: str
    title: str
    subtitle: str
    header: dict[str, str]  # agency_top, agency, nation, motto, place_date
    notices: list[str]  # shown first, in red (demo data)
    sections: list[Section]
    footer: str
    file_stem: str
    charts_note: str = ""
    signing: Signing | None = None

    def all_tables(self) -> list[Table]:
        """Every table, in document order."""
        found: list[Table] = []

        def walk(section: Section) -> None:
            found.extend(section.tables)
            for sub in section.subsections:
                walk(sub)

        for s in self.sections:
            walk(s)
        return found

    def all_charts(self) -> list[Chart]:
        """Every chart, in document order."""
        return [c for s in self.sections for c in s.charts]
