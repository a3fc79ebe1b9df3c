"""Reading records: one record for its form, a user's own records, the Records page (filtered pages with a keyset
cursor), and what the entry form may offer."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from data_model.analytics.filters import Filters, narrow_records, parse_whole_number, resolve_filters
from data_model.analytics.statements import source_table, summary_conditions
from data_model.analytics.units import commune_names
from data_model.basics.issues import Issue, ValidationError
from data_model.basics.permissions import Actor, can_edit, visible_records_condition
from data_model.definitions.activity_types import get_activity_type, load_activity_types
from data_model.definitions.fields import MEASURE_COLUMNS, RECORD_FIELDS
from data_model.records.validation.catalogue import load_catalogue
from data_model.records.write import columns_of, record_not_found
from data_model.reference.languages import language_name
from data_model.reference.names import normalise_name
from data_model.schema.follow_up import RecordFlag
from data_model.schema.models import ActivityRecord, ReportingUnit, StationCoverage, Unit, Village
from data_model.texts.formatting import format_number
from data_model.texts.input import TextInputError, clean_text

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
MAX_RECORD_ID = 2**31 - 1  # an INTEGER column on PostgreSQL
RECORD_COLUMNS = ["id", "start_date", "end_date", "type", "type_name", "unit", "commune_key", "commune", "village",
                  "languages", "topic", "figures", *MEASURE_COLUMNS]


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
    stmt = narrow_records(stmt, session=session, filters=filters)
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
                   r.topic, *(getattr(r, c) for c in MEASURE_COLUMNS))
            .outerjoin(u, u.id == r.reporting_unit_id).outerjoin(v, v.id == r.village_id).where(r.id.in_(ids)))
    found = {row[0]: row for row in session.execute(stmt)}
    names = commune_names(session=session, boundaries="historical", lang=lang)
    types = load_activity_types()
    out = []
    for rid in ids:  # keep the index order
        rec = found[rid]
        definition = types.get(rec.type_code)
        measures = dict(zip(MEASURE_COLUMNS, rec[-len(MEASURE_COLUMNS):]))
        figures = "; ".join(
            f"{m.label(lang)}: {_fmt(measures[m.column], lang)}" for m in (definition.measures if definition else ())
            if measures[m.column] is not None)
        out.append({
            "id": rid, "start_date": rec.start_date, "end_date": rec.end_date, "type": rec.type_code,
            "type_name": definition.name(lang) if definition else rec.type_code, "unit": rec.short_name or "",
            "commune_key": rec.commune_key or "", "commune": names.get(rec.commune_key, "") if rec.commune_key else "",
            "village": rec.name or "",
            "languages": ", ".join(language_name(c, lang) for c in rec.languages.split(",") if c),
            "topic": rec.topic, "figures": figures, **measures,
        })
    return pd.DataFrame(out, columns=RECORD_COLUMNS)


def _fmt(value: int | None, lang: str) -> str:
    from data_model.texts.formatting import format_number

    return format_number(value, lang)


def count_records(*, session: Session, filters: Filters) -> int:
    """How many live records the filters let through, read from the exact yearly summary (no COUNT over records)."""
    resolved = resolve_filters(session=session, filters=filters)
    table = source_table(resolved=resolved, by=())
    total = select(func.coalesce(func.sum(table.n_records), 0)).where(
        *summary_conditions(resolved=resolved, table=table))
    return int(session.scalar(total) or 0)


LIST_LIMIT = 500


def get_record(*, session: Session, record_id: int) -> dict[str, Any]:
    """One record as form values (measures under their codes), with deletion state."""
    record = session.get(ActivityRecord, record_id)
    if record is None:
        raise record_not_found(record_id)
    t = get_activity_type(record.type_code)
    values = {c: getattr(record, c) for c in RECORD_FIELDS if c not in MEASURE_COLUMNS}
    values["languages"] = [x for x in record.languages.split(",") if x]
    for m in t.measures:
        values[m.code] = getattr(record, m.column)
    values.update(id=record.id, deleted=record.deleted_at is not None, delete_reason=record.delete_reason,
                  created_by=record.created_by, created_at=record.created_at)
    return values


def figures_text(type_code: str, measures: Mapping[str, Any], lang: str = "vi") -> str:
    """"3 buổi; 120 lượt người" from the measure columns by the definition."""
    types = load_activity_types()
    t = types.get(type_code)
    if t is None:
        return ""
    parts = [f"{format_number(measures.get(m.column), lang)} {m.unit(lang)}" for m in t.measures
             if measures.get(m.column) is not None]
    return "; ".join(parts)


def list_records(*, session: Session, actor: Actor, search: str = "", year: int | None = None,
                 type_code: str | None = None, include_deleted: bool = True, limit: int = LIST_LIMIT,
                 lang: str = "vi") -> pd.DataFrame:
    """Records the actor entered or that belong to the actor's units (everything for an admin): those waiting for a
    check ("cần kiểm tra lại") first, then newest first."""
    r, flag = ActivityRecord, aliased(RecordFlag)
    commune, village, unit = aliased(Unit), aliased(Village), aliased(ReportingUnit)
    stmt = (select(r, commune.name.label("commune"), village.name.label("village"), unit.short_name.label("unit"),
                   flag.reason.label("follow_up"))
            .outerjoin(commune, commune.key == r.commune_key).outerjoin(village, village.id == r.village_id)
            .outerjoin(unit, unit.id == r.reporting_unit_id)
            .outerjoin(flag, and_(flag.record_id == r.id, flag.closed_at.is_(None))))
    if actor.role != "admin":
        stmt = stmt.where(visible_records_condition(actor=actor))
    if year:
        stmt = stmt.where(r.year == year)
    if type_code:
        stmt = stmt.where(r.type_code == type_code)
    if not include_deleted:
        stmt = stmt.where(r.deleted_at.is_(None))
    try:
        text = clean_text(search, field="Tìm", limit=200)
    except TextInputError as exc:
        raise ValidationError([Issue("search", str(exc))]) from None
    if text:
        # autoescape: a typed % or _ is looked for as itself, not as a LIKE wildcard
        conditions = [column.icontains(text, autoescape=True)
                      for column in (r.topic, r.note, commune.name, village.name, unit.short_name)]
        record_id = parse_whole_number(text=text, low=1, high=MAX_RECORD_ID)
        if record_id is not None:
            conditions.append(r.id == record_id)
        stmt = stmt.where(or_(*conditions))
    stmt = stmt.order_by(flag.id.is_(None), r.start_date.desc(), r.id.desc()).limit(limit)
    types = load_activity_types()
    rows = []
    for rec, commune_name, village_name, unit_name, follow_up in session.execute(stmt):
        t = types.get(rec.type_code)
        rows.append({
            "id": rec.id, "start_date": rec.start_date, "end_date": rec.end_date,
            "type": t.name(lang) if t else rec.type_code, "unit": unit_name or "", "commune": commune_name or "",
            "village": village_name or "", "figures": figures_text(rec.type_code, columns_of(rec), lang),
            "topic": rec.topic, "deleted": rec.deleted_at is not None, "delete_reason": rec.delete_reason,
            "follow_up": follow_up or "",
        })
    columns = ["id", "start_date", "end_date", "type", "unit", "commune", "village", "figures", "topic", "deleted",
               "delete_reason", "follow_up"]
    return pd.DataFrame(rows, columns=columns)


@dataclass(frozen=True)
class EntryChoices:
    """What an entry form may offer for one type and date: reporting units, communes that exist, their villages."""

    units: dict[int, str]
    communes: dict[str, str]
    villages: dict[str, dict[int, str]]
    covered: dict[int, tuple[str, ...]] = field(default_factory=dict)  # a station's communes on the day

    def communes_for(self, unit_id: int | None) -> dict[str, str]:
        """The communes, the unit's own (its coverage links on the day) first, then the others."""
        own = [k for k in self.covered.get(unit_id or 0, ()) if k in self.communes]
        return {**{k: self.communes[k] for k in own}, **{k: v for k, v in self.communes.items() if k not in own}}


def entry_choices(*, session: Session, type_code: str, on: dt.date, actor: Actor | None) -> EntryChoices:
    """Units the actor may write for this type, communes valid on the day (by name), villages per commune."""
    t = get_activity_type(type_code)
    cat = load_catalogue(session=session, names=False)
    kinds = list(t.reporting_kinds)
    units = sorted((u for u in cat.units.values() if u.kind in kinds and (actor is None or can_edit(actor, u.id))),
                   key=lambda u: (kinds.index(u.kind), u.name))
    communes = {}
    if t.commune != "none":
        valid = sorted((c for c in cat.communes.values() if c.valid_on(on)), key=lambda c: (normalise_name(c.name), c.code))
        shared = Counter(normalise_name(c.name) for c in valid)
        # a code only where two communes of the day share a name: "Bản Bo (03424)" is noise for a clerk
        communes = {c.key: f"{c.name} ({c.code})" if shared[normalise_name(c.name)] > 1 else c.name for c in valid}
    villages: dict[str, dict[int, str]] = {}
    if t.village != "none":
        for vid, (unit_key, name) in sorted(cat.villages.items(), key=lambda kv: normalise_name(kv[1][1])):
            if unit_key in communes:
                villages.setdefault(unit_key, {})[vid] = name
    covered = covered_communes(session=session, unit_ids=[u.id for u in units], on=on) if communes else {}
    return EntryChoices(units={u.id: u.name for u in units}, communes=communes, villages=villages, covered=covered)


def covered_communes(*, session: Session, unit_ids: list[int], on: dt.date) -> dict[int, tuple[str, ...]]:
    """Each station's communes by its coverage links valid on the day (half-open [from, to)), by name."""
    c, u = StationCoverage, Unit
    stmt = (select(c.station_id, c.unit_key).join(u, u.key == c.unit_key)
            .where(c.station_id.in_(unit_ids), or_(c.valid_from.is_(None), c.valid_from <= on),
                   or_(c.valid_to.is_(None), c.valid_to > on))
            .order_by(c.station_id, u.name))
    out: dict[int, list[str]] = {}
    for station_id, unit_key in session.execute(stmt):
        out.setdefault(station_id, []).append(unit_key)
    return {k: tuple(dict.fromkeys(v)) for k, v in out.items()}
