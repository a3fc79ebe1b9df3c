"""The Records page: filtered live records in (start_date, id) order, one page at a time with a keyset cursor."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from data_model.analytics.aggregate import commune_names
from data_model.analytics.filters import Filters, recorded_commune_keys, summary_conditions
from data_model.definitions.activity_types import load_activity_types
from data_model.reference.languages import language_name
from data_model.schema.models import ActivityRecord, ActivitySummary, ReportingUnit, Village

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
RECORD_COLUMNS = ["id", "start_date", "end_date", "type", "type_name", "unit", "commune_key", "commune", "village",
                  "languages", "topic", "figures", *[f"m{i}" for i in range(1, 7)]]


@dataclass(frozen=True)
class Cursor:
    """Where a page ends: the last row's sort key."""

    start_date: dt.date
    id: int


@dataclass(frozen=True)
class RecordsPage:
    """One page of records and the cursor of the next page (None on the last page)."""

    rows: pd.DataFrame  # RECORD_COLUMNS
    next_cursor: Cursor | None


def records_statement(*, session: Session, filters: Filters, newest_first: bool = True) -> Select:
    """SELECT of the live records the filters let through, ordered on the (start_date, id) index."""
    filters.check()
    r = ActivityRecord
    stmt = select(r.id).where(
        r.deleted_at.is_(None),
        # records lie within one calendar year, so the year range is a start_date range the index can use
        r.start_date >= dt.date(filters.year_from, 1, 1), r.start_date < dt.date(filters.year_to + 1, 1, 1),
        # the same range on year lets the (commune_key, year) and (reporting_unit_id, year) indexes narrow too
        r.year >= filters.year_from, r.year <= filters.year_to,
    )
    if filters.types:
        stmt = stmt.where(r.type_code.in_(filters.types))
    if filters.stations:
        stmt = stmt.where(r.reporting_unit_id.in_(filters.stations))
    communes = recorded_commune_keys(session=session, filters=filters)
    if communes is not None:
        stmt = stmt.where(r.commune_key.in_(communes))
    order = (r.start_date.desc(), r.id.desc()) if newest_first else (r.start_date.asc(), r.id.asc())
    return stmt.order_by(*order)


def _after(cursor: Cursor, *, newest_first: bool):
    r = ActivityRecord
    if newest_first:
        return or_(r.start_date < cursor.start_date, and_(r.start_date == cursor.start_date, r.id < cursor.id))
    return or_(r.start_date > cursor.start_date, and_(r.start_date == cursor.start_date, r.id > cursor.id))


def fetch_records(*, session: Session, filters: Filters, after: Cursor | None = None, newest_first: bool = True,
                  page_size: int = PAGE_SIZE, lang: str = "vi") -> RecordsPage:
    """One page of records after the cursor (no COUNT: one extra row tells whether a next page exists)."""
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    stmt = records_statement(session=session, filters=filters, newest_first=newest_first)
    if after is not None:
        stmt = stmt.where(_after(after, newest_first=newest_first))
    ids = list(session.scalars(stmt.limit(page_size + 1)))
    more = len(ids) > page_size
    ids = ids[:page_size]
    rows = _record_rows(session=session, ids=ids, filters=filters, newest_first=newest_first, lang=lang)
    cursor = None
    if more and not rows.empty:
        last = rows.iloc[-1]
        cursor = Cursor(start_date=last["start_date"], id=int(last["id"]))
    return RecordsPage(rows=rows, next_cursor=cursor)


def _record_rows(*, session: Session, ids: list[int], filters: Filters, newest_first: bool, lang: str) -> pd.DataFrame:
    if not ids:
        return pd.DataFrame(columns=RECORD_COLUMNS)
    r, u, v = ActivityRecord, aliased(ReportingUnit), Village
    stmt = (select(r.id, r.start_date, r.end_date, r.type_code, u.short_name, r.commune_key, v.name, r.languages,
                   r.topic, r.m1, r.m2, r.m3, r.m4, r.m5, r.m6)
            .outerjoin(u, u.id == r.reporting_unit_id).outerjoin(v, v.id == r.village_id).where(r.id.in_(ids)))
    found = {row[0]: row for row in session.execute(stmt)}
    names = commune_names(session=session, boundaries="historical", lang=lang)
    types = load_activity_types()
    out = []
    for rid in ids:  # keep the index order
        rec = found[rid]
        definition = types.get(rec.type_code)
        measures = [rec.m1, rec.m2, rec.m3, rec.m4, rec.m5, rec.m6]
        figures = "; ".join(
            f"{m.label(lang)}: {_fmt(measures[m.slot - 1], lang)}" for m in (definition.measures if definition else ())
            if measures[m.slot - 1] is not None)
        out.append({
            "id": rid, "start_date": rec.start_date, "end_date": rec.end_date, "type": rec.type_code,
            "type_name": definition.name(lang) if definition else rec.type_code, "unit": rec.short_name or "",
            "commune_key": rec.commune_key or "", "commune": names.get(rec.commune_key, "") if rec.commune_key else "",
            "village": rec.name or "",
            "languages": ", ".join(language_name(c, lang) for c in rec.languages.split(",") if c),
            "topic": rec.topic, "figures": figures, **{f"m{i + 1}": measures[i] for i in range(6)},
        })
    return pd.DataFrame(out, columns=RECORD_COLUMNS)


def _fmt(value: int | None, lang: str) -> str:
    from data_model.texts.formatting import format_number

    return format_number(value, lang)


def count_records(*, session: Session, filters: Filters) -> int:
    """How many live records the filters let through, read from the exact yearly summary (no COUNT over records)."""
    filters.check()
    total = select(func.coalesce(func.sum(ActivitySummary.n_records), 0)).where(
        *summary_conditions(session=session, filters=filters))
    return int(session.scalar(total) or 0)
