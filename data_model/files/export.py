"""Exporting records as CSV and XLSX in exactly the import format (an export re-imports to the same data); templates."""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from data_model.basics.cells import escape_text
from data_model.definitions.activity_types import ActivityType, get_activity_type, list_activity_types
from data_model.definitions.fields import FILE_FIELDS
from data_model.files.record_format import export_columns, template_columns
from data_model.reference.languages import language_name
from data_model.schema.clock import today_local
from data_model.schema.models import ActivityRecord, ReportingUnit, Unit, Village

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# every string is written as a string: never as a formula, a link or a number (xlsxwriter would convert them)
_XLSX_OPTIONS = {"options": {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}}


@dataclass(frozen=True)
class ExportFilters:
    """Which live records to export."""

    year_from: int | None = None
    year_to: int | None = None
    types: tuple[str, ...] = ()
    reporting_unit_ids: tuple[int, ...] = ()


def _statement(filters: ExportFilters):
    r = ActivityRecord
    commune, village, unit = aliased(Unit), aliased(Village), aliased(ReportingUnit)
    stmt = (select(r, commune.code, commune.name, village.name, unit.name)
            .outerjoin(commune, commune.key == r.commune_key).outerjoin(village, village.id == r.village_id)
            .outerjoin(unit, unit.id == r.reporting_unit_id).where(r.deleted_at.is_(None)))
    if filters.year_from is not None:
        stmt = stmt.where(r.year >= filters.year_from)
    if filters.year_to is not None:
        stmt = stmt.where(r.year <= filters.year_to)
    if filters.types:
        stmt = stmt.where(r.type_code.in_(filters.types))
    if filters.reporting_unit_ids:
        stmt = stmt.where(r.reporting_unit_id.in_(filters.reporting_unit_ids))
    return stmt.order_by(r.type_code, r.start_date, r.id)


def _rows(session: Session, filters: ExportFilters, *, dates_as_text: bool) -> Iterator[tuple[str, dict[str, Any]]]:
    headers = {f.key: f.label_vi for f in FILE_FIELDS}
    for rec, commune_code, commune_name, village_name, unit_name in session.execute(
            _statement(filters).execution_options(yield_per=2000)):
        t = get_activity_type(rec.type_code)
        fmt = (lambda d: d.strftime("%d/%m/%Y")) if dates_as_text else (lambda d: d)
        texts = {  # every text cell neutralised, reference names as much as notes (an admin may name a village "=…")
            "type_code": t.name_vi, "reporting_unit_id": unit_name or "", "commune_code": commune_code or "",
            "commune_key": commune_name or "", "village_id": village_name or "",
            "languages": "; ".join(language_name(x) for x in rec.languages.split(",") if x),
            "topic": rec.topic, "note": rec.note,
        }
        row: dict[str, Any] = {
            headers["id"]: rec.id, headers["uid"]: rec.uid, headers["start_date"]: fmt(rec.start_date),
            headers["end_date"]: fmt(rec.end_date), **{headers[k]: escape_text(v) for k, v in texts.items()},
        }
        for m in t.measures:
            value = getattr(rec, m.column)
            row[m.label_vi] = value if value is not None else None
        yield rec.type_code, row


def export_frame(*, session: Session, filters: ExportFilters, dates_as_text: bool = True) -> pd.DataFrame:
    """The filtered live records as one table in the import format (every base column, then each measure)."""
    present: set[str] = set()
    rows = []
    for type_code, row in _rows(session, filters, dates_as_text=dates_as_text):
        present.add(type_code)
        rows.append(row)
    types = [t for t in list_activity_types() if t.code in present or (not present and t.code in filters.types)]
    frame = pd.DataFrame(rows, columns=export_columns(types))
    return _integers(frame, types)


def _integers(frame: pd.DataFrame, types: list[ActivityType]) -> pd.DataFrame:
    for label in dict.fromkeys(m.label_vi for t in types for m in t.measures):
        if label in frame.columns:
            frame[label] = frame[label].astype("Int64")
    return frame


def export_csv(*, session: Session, filters: ExportFilters) -> bytes:
    """CSV (UTF-8 with BOM so that Excel shows the diacritics) with a type column and every type's measures."""
    frame = export_frame(session=session, filters=filters)
    return frame.to_csv(index=False).encode("utf-8-sig")


def export_xlsx(*, session: Session, filters: ExportFilters) -> bytes:
    """XLSX with one sheet per activity type, named after the type, columns as in that type's template."""
    by_type: dict[str, list[dict[str, Any]]] = {}
    for type_code, row in _rows(session, filters, dates_as_text=False):
        by_type.setdefault(type_code, []).append(row)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="xlsxwriter", datetime_format="dd/mm/yyyy", date_format="dd/mm/yyyy",
                        engine_kwargs=_XLSX_OPTIONS) as writer:
        if not by_type:
            pd.DataFrame(columns=export_columns(list_activity_types())).to_excel(writer, index=False,
                                                                               sheet_name="Hoạt động")
        for t in list_activity_types():
            if t.code in by_type:
                frame = _integers(pd.DataFrame(by_type[t.code], columns=template_columns(t)), [t])
                _write_sheet(writer, frame, sheet_name(t))
    return buffer.getvalue()


def sheet_name(activity_type: ActivityType) -> str:
    """The sheet of a type in exports and templates (Excel allows 31 characters)."""
    return activity_type.name_vi[:31]


def _write_sheet(writer: pd.ExcelWriter, frame: pd.DataFrame, name: str) -> None:
    frame.to_excel(writer, index=False, sheet_name=name)
    sheet = writer.sheets[name]
    sheet.freeze_panes(1, 0)
    for i, col in enumerate(frame.columns):
        sheet.set_column(i, i, min(max(len(str(col)) + 4, 12), 40))


def template_csv(*, type_code: str, lang: str = "vi") -> bytes:
    """An empty CSV template for one type (UTF-8 with BOM)."""
    t = get_activity_type(type_code)
    return pd.DataFrame(columns=template_columns(t, lang)).to_csv(index=False).encode("utf-8-sig")


def template_xlsx(*, type_code: str, lang: str = "vi") -> bytes:
    """An empty XLSX template for one type: one sheet named after the type."""
    t = get_activity_type(type_code)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="xlsxwriter", engine_kwargs=_XLSX_OPTIONS) as writer:
        _write_sheet(writer, pd.DataFrame(columns=template_columns(t, lang)), sheet_name(t))
    return buffer.getvalue()


def template_filename(type_code: str, ext: str) -> str:
    """mau_nhap_<code>.<ext>: the importer recognises the type from this name."""
    return f"mau_nhap_{type_code}.{ext}"


def export_filename(filters: ExportFilters, ext: str, today: dt.date | None = None) -> str:
    """hoat_dong_<years>.<ext>."""
    years = f"{filters.year_from or ''}-{filters.year_to or ''}".strip("-") or (today or today_local()).isoformat()
    return f"hoat_dong_{years}.{ext}"
