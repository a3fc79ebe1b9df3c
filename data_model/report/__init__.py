"""Yearly and period report written from the records: figures → wording → DOCX, XLSX, Markdown."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from data_model.report.content import ReportContent, gather_report
from data_model.report.document import ReportDocument
from data_model.report.issuer import resolve_issuers
from data_model.report.reporting_status import add_reporting_status
from data_model.report.scope import Period, ReportError, Scope
from data_model.report.templating import REPORT_LANGUAGES
from data_model.report.wording import write_report
from data_model.schema.db import read_session

FORMATS = ("docx", "pdf", "xlsx", "md")

__all__ = ["FORMATS", "Period", "ReportError", "ReportFiles", "ReportPreview", "Scope", "build_report_files",
           "build_report_pdf", "build_report_preview", "make_report", "save_report"]


def make_report(*, session: Session, scope: Scope, period: Period, lang: str = "vi", charts: bool = True,
                today: dt.date | None = None) -> tuple[ReportContent, ReportDocument]:
    """The report's figures and its written document (charts drawn when asked)."""
    if lang not in REPORT_LANGUAGES:
        raise ReportError("Ngôn ngữ báo cáo không hợp lệ: {lang_!r} (chọn vi hoặc en)", lang_=lang)
    content = gather_report(session=session, scope=scope, period=period, today=today)
    drawn = []
    if charts:
        from data_model.report.charts import draw_charts  # matplotlib only when charts are wanted

        drawn = draw_charts(content, lang)
        if drawn:
            from data_model.report.map_figure import draw_report_map

            drawn[1:1] = [m for m in [draw_report_map(session=session, content=content, lang=lang)] if m]
    issuers = resolve_issuers(session=session, start=period.start, end=period.end, lang=lang)
    doc = write_report(content, lang, charts=drawn, issuers=issuers)
    add_reporting_status(doc, session=session, content=content, lang=lang)
    return content, doc


def file_stem(doc: ReportDocument, content: ReportContent) -> str:
    """bao-cao-2012-2020-province, bao-cao-2020-commune-c03451_1900 …"""
    years = str(content.period.year_from) + ("" if content.period.years == 1 else f"-{content.period.year_to}")
    scope = str(content.scope.scope).replace(":", "-").replace("@", "_")
    return f"{doc.file_stem}-{years}-{scope}"


def render(doc: ReportDocument, fmt: str, *, image_paths: list[str] | None = None) -> bytes:
    """The document in one format: docx, pdf, xlsx or md."""
    if fmt in ("docx", "pdf"):
        from data_model.report.docx import render_docx

        if fmt == "docx":
            return render_docx(doc)
        from data_model.report.pdf import convert_docx_to_pdf

        return convert_docx_to_pdf(docx=render_docx(doc))
    if fmt == "xlsx":
        from data_model.report.xlsx import render_xlsx

        return render_xlsx(doc)
    if fmt == "md":
        from data_model.report.markdown import render_markdown

        return render_markdown(doc, image_paths=image_paths).encode("utf-8")
    raise ReportError("Định dạng không hỗ trợ: {fmt!r} (chọn .docx, .pdf, .xlsx hoặc .md)", fmt=fmt)


def save_report(*, session: Session, scope: Scope, period: Period, lang: str, path: Path) -> list[Path]:
    """Write the report to path (format from its suffix); a Markdown report gets its charts as PNGs beside it."""
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ReportError("Tệp kết quả phải có đuôi .docx, .pdf, .xlsx hoặc .md, không phải {name!r}", name=path.name)
    _, doc = make_report(session=session, scope=scope, period=period, lang=lang, charts=fmt != "xlsx")
    written = []
    images = None
    if fmt == "md":
        images = []
        for n, chart in enumerate(doc.all_charts(), start=1):
            image = path.with_name(f"{path.stem}-chart-{n}.png")
            image.write_bytes(chart.png)
            written.append(image)
            images.append(image.name)
    path.write_bytes(render(doc, fmt, image_paths=images))
    return [path, *written]


@dataclass
class ReportFiles:
    """A report ready to preview and download."""

    content: ReportContent
    document: ReportDocument
    markdown: str
    docx: bytes
    xlsx: bytes
    file_stem: str


def build_report_files(*, engine: Engine, scope: str, year_from: int, year_to: int, lang: str = "vi",
                       today: dt.date | None = None) -> ReportFiles:
    """The report for a scope ("province", "commune:KEY" …) and years, in Markdown, DOCX and XLSX."""
    with read_session(engine) as session:
        content, doc = make_report(session=session, scope=Scope.parse(scope), period=Period(year_from, year_to),
                                   lang=lang, today=today)
    return ReportFiles(content=content, document=doc, markdown=render(doc, "md").decode("utf-8"),
                       docx=render(doc, "docx"), xlsx=render(doc, "xlsx"), file_stem=file_stem(doc, content))


@dataclass(frozen=True)
class ReportPreview:
    """The report's text without charts or files: what the report page shows before anyone asks for a document."""

    preview: str  # Markdown, tables included, no charts
    file_stem: str
    is_demo: bool


def build_report_preview(*, engine: Engine, scope: str, year_from: int, year_to: int, lang: str = "vi",
                         today: dt.date | None = None) -> ReportPreview:
    """The report's text for a scope and years, without drawing charts or rendering DOCX/XLSX (fast)."""
    with read_session(engine) as session:
        content, doc = make_report(session=session, scope=Scope.parse(scope), period=Period(year_from, year_to),
                                   lang=lang, charts=False, today=today)
    from data_model.report.markdown import render_markdown

    without_charts = replace(doc, sections=[s for s in doc.sections if not s.charts], charts_note="")
    return ReportPreview(preview=render_markdown(without_charts, top_level=3), file_stem=file_stem(doc, content),
                         is_demo=content.is_demo)


def build_report_pdf(*, files: ReportFiles) -> bytes:
    """The PDF of a report already made (its DOCX through LibreOffice; ReportError when that is not possible)."""
    from data_model.report.pdf import convert_docx_to_pdf

    return convert_docx_to_pdf(docx=files.docx)
