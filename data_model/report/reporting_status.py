"""The report's sentences on reporting completeness ("11/14 đơn vị báo cáo đủ 12 tháng") and, for closed years, the
published figures beside the current ones with the revisions since closing."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_model.report.content import ReportContent
from data_model.report.document import ReportDocument, Table
from data_model.reporting.completeness import Completeness, year_completeness
from data_model.reporting.published import PublishedYear, published_years
from data_model.schema.models import ReportingUnit
from data_model.texts.formatting import format_date, format_number

WORDS = {
    "vi": {
        "province": "Năm {year}, {complete}/{units} đơn vị báo cáo đủ {months} tháng ({confirmed}/{expected} tháng đã "
                    "xác nhận nhập đủ số liệu, {on_time} đúng hạn).",
        "unit": "Năm {year}, {unit} đã xác nhận nhập đủ số liệu {confirmed}/{expected} tháng ({on_time} đúng hạn).",
        "closed": "Số liệu năm {year} đã khóa sổ ngày {date} ({by}); số liệu đã công bố là số liệu lúc khóa sổ.",
        "same": " Từ đó đến nay số liệu không thay đổi.",
        "differs": " Sau khi khóa sổ có {n} lần điều chỉnh, số liệu hiện tại (dùng trong báo cáo này) khác số liệu đã "
                   "công bố ở {m} chỉ tiêu (xem bảng dưới).",
        "table": "Số liệu năm {year}: đã công bố và hiện tại",
        "revisions": "Các điều chỉnh số liệu năm {year} sau khi khóa sổ",
        "cols": ["Chỉ tiêu", "Đã công bố", "Hiện tại", "Chênh lệch"],
        "rev_cols": ["Thời gian", "Người điều chỉnh", "Lý do", "Thay đổi"],
        "sheet": "Cong bo {year}", "rev_sheet": "Dieu chinh {year}",
    },
    "en": {
        "province": "In {year}, {complete} of {units} units reported all {months} months ({confirmed} of {expected} "
                    "months confirmed as fully entered, {on_time} on time).",
        "unit": "In {year}, {unit} confirmed {confirmed} of {expected} months as fully entered ({on_time} on time).",
        "closed": "The figures of {year} were closed on {date} ({by}); the published figures are those at closing.",
        "same": " They have not changed since.",
        "differs": " {n} revisions were made after closing: the current figures (used in this report) differ from "
                   "the published ones in {m} measures (see the table below).",
        "table": "Figures of {year}: published and current",
        "revisions": "Revisions of {year} after closing",
        "cols": ["Measure", "Published", "Current", "Difference"],
        "rev_cols": ["When", "By", "Reason", "What changed"],
        "sheet": "Published {year}", "rev_sheet": "Revisions {year}",
    },
}


def completeness_sentence(result: Completeness, *, lang: str, unit: str | None = None) -> str | None:
    """One sentence on a year's completeness; None when nobody confirmed anything that year (nothing to say)."""
    if not result.has_confirmations:
        return None
    w = WORDS[lang]
    if unit is not None:
        row = result.units.iloc[0]
        return w["unit"].format(year=result.year, unit=unit, confirmed=int(row["on_time"] + row["late"]),
                                expected=int(row["expected"]), on_time=int(row["on_time"]))
    p = result.province
    return w["province"].format(year=result.year, complete=p["units_complete"], units=p["units"],
                                months=p["months_due"], confirmed=format_number(p["confirmed"], lang),
                                expected=format_number(p["expected"], lang), on_time=format_number(p["on_time"], lang))


def published_paragraph(year: PublishedYear, *, lang: str) -> str:
    """When and by whom a year was closed, and whether its figures changed since."""
    w = WORDS[lang]
    text = w["closed"].format(year=year.year, date=format_date(year.closed_at.date(), lang), by=year.closed_by)
    differs = year.differs
    return text + (w["same"] if differs.empty else w["differs"].format(n=len(year.revisions), m=len(differs)))


def published_tables(year: PublishedYear, *, lang: str) -> list[Table]:
    """Published and current figures of the measures that differ, and the revisions; none when nothing differs."""
    differs = year.differs
    if differs.empty:
        return []
    w = WORDS[lang]
    figures = Table(title=w["table"].format(year=year.year), sheet=w["sheet"].format(year=year.year)[:31],
                    columns=w["cols"], formats=["text", "int", "int", "int"],
                    rows=[[f"{r.station + ' – ' if r.station else ''}{r.type_name} – {r.measure_label.lower()}",
                           int(r.published), int(r.current), int(r.difference)] for r in differs.itertuples()])
    revisions = Table(title=w["revisions"].format(year=year.year), sheet=w["rev_sheet"].format(year=year.year)[:31],
                      columns=w["rev_cols"], formats=["text"] * 4,
                      rows=[[f"{format_date(r.at.date(), lang)} {r.at:%H:%M}", r.username, r.reason, r.change]
                            for r in year.revisions.itertuples()])
    return [figures, revisions]


def add_reporting_status(doc: ReportDocument, *, session: Session, content: ReportContent, lang: str) -> None:
    """Add the completeness sentences and the closed years' published figures to the report's first section."""
    if not doc.sections or content.scope.scope.kind not in ("province", "station"):
        return  # completeness and published figures are kept per reporting unit and province, not per commune
    overview = doc.sections[0]
    unit_ids, unit = None, None
    if content.scope.scope.kind == "station":
        row = session.execute(select(ReportingUnit.id, ReportingUnit.short_name)
                              .where(ReportingUnit.key == content.scope.scope.key)).first()
        if row is None:
            return
        unit_ids, unit = [row.id], content.scope.name
    for year in range(content.period.year_from, content.period.year_to + 1):
        result = year_completeness(session=session, year=year, today=content.generated_on, unit_ids=unit_ids)
        if unit_ids is not None and result.units.empty:
            break  # not a unit that reports monthly
        sentence = completeness_sentence(result, lang=lang, unit=unit)
        if sentence:
            overview.paragraphs.append(sentence)
    if content.scope.scope.kind != "province":
        return
    for year in published_years(session=session, year_from=content.period.year_from,
                                year_to=content.period.year_to, lang=lang):
        overview.paragraphs.append(published_paragraph(year, lang=lang))
        overview.tables.extend(published_tables(year, lang=lang))
