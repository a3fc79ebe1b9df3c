"""Closing a year: its summary figures frozen as the published ones (who, when); reopening (admins, logged)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd
from sqlalchemy import func, insert, literal, select
from sqlalchemy.orm import Session

from data_model.accounts.users import refresh_actor
from data_model.analytics.aggregate import first_and_last_year
from data_model.audit.changelog import log_change
from data_model.basics.issues import MAX_REASON, YEAR_MAX, YEAR_MIN
from data_model.basics.permissions import Actor, PermissionDenied, require_year_close, require_year_reopen
from data_model.definitions.fields import SUM_COLUMNS
from data_model.records.summaries import lock_tables
from data_model.reporting.deadline import ReportingError, local_now, local_today
from data_model.schema.models import ActivitySummary, utcnow
from data_model.schema.planning import PublishedSummary, YearClose, YearRevision
from data_model.texts.formatting import format_date
from data_model.texts.input import TextInputError, clean_text

STATUS_COLUMNS = ["year", "closed", "closed_at", "closed_by", "records", "revisions", "reopened"]


class YearClosed(PermissionDenied):
    """A write to a closed year that this user may not make; the message names the year."""


def standing_closes(*, session: Session, years: Iterable[int]) -> dict[int, YearClose]:
    """The standing close of each of these years that is closed."""
    wanted = sorted({int(y) for y in years})
    if not wanted:
        return {}
    rows = session.scalars(select(YearClose).where(YearClose.current_year.in_(wanted)))
    return {r.year: r for r in rows}


def _year(value: object) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise ReportingError(f"Năm: «{str(value)[:20]}» không phải là năm") from None
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise ReportingError(f"Năm: {year} nằm ngoài khoảng {YEAR_MIN}–{YEAR_MAX}")
    return year


def _text(value: str, field: str) -> str:
    try:
        return clean_text(value, field=field, limit=MAX_REASON)
    except TextInputError as exc:
        raise ReportingError(str(exc)) from None


def close_year(*, session: Session, actor: Actor, year: int, note: str = "",
               now: dt.datetime | None = None) -> YearClose:
    """Freeze the year's summary figures as the published ones; afterwards only admins change its records."""
    actor = refresh_actor(session=session, actor=actor)
    require_year_close(actor)
    year, note, now = _year(year), _text(note, "Ghi chú"), now or utcnow()
    if year >= local_today(now).year:
        raise ReportingError(f"Năm {year} chưa kết thúc: chỉ khóa sổ được năm đã qua")
    # writers of the summaries wait until the snapshot is committed: a write either lands before it (and is in the
    # published figures) or sees the year closed (guard.py checks after its own summary update)
    lock_tables(session=session, tables=[ActivitySummary.__table__])
    existing = standing_closes(session=session, years=[year]).get(year)
    if existing is not None:
        raise ReportingError(f"Năm {year} đã khóa sổ ngày {format_date(local_now(existing.closed_at).date())} "
                             f"({existing.closed_by_name})")
    close = YearClose(year=year, current_year=year, closed_at=now, closed_by=actor.user_id,
                      closed_by_name=actor.username, note=note, reopened_by_name="", reopen_reason="")
    session.add(close)
    session.flush()
    s = ActivitySummary
    columns = ["close_id", "type_code", "commune_key", "reporting_unit_id", "n_records", *SUM_COLUMNS]
    session.execute(insert(PublishedSummary).from_select(columns, select(
        literal(close.id), s.type_code, s.commune_key, s.reporting_unit_id, s.n_records,
        *[getattr(s, c) for c in SUM_COLUMNS]).where(s.year == year, s.n_records != 0)))
    records = session.scalar(select(func.coalesce(func.sum(PublishedSummary.n_records), 0))
                             .where(PublishedSummary.close_id == close.id))
    log_change(session=session, actor=actor, action="close_year", entity="year", entity_id=year,
               new={"year": year, "records": int(records), "note": note})
    return close


def reopen_year(*, session: Session, actor: Actor, year: int, reason: str,
                now: dt.datetime | None = None) -> YearClose:
    """Reopen a closed year (admins, with a reason, logged); its published figures and revisions stay as history."""
    actor = refresh_actor(session=session, actor=actor)
    require_year_reopen(actor)
    year, reason = _year(year), _text(reason, "Lý do")
    if not reason:
        raise ReportingError("Lý do: hãy ghi lý do mở lại năm đã khóa sổ")
    close = standing_closes(session=session, years=[year]).get(year)
    if close is None:
        raise ReportingError(f"Năm {year} chưa khóa sổ")
    close.current_year = None
    close.reopened_at, close.reopened_by, close.reopened_by_name = now or utcnow(), actor.user_id, actor.username
    close.reopen_reason = reason
    log_change(session=session, actor=actor, action="reopen_year", entity="year", entity_id=year,
               old={"closed_at": close.closed_at, "closed_by": close.closed_by_name}, reason=reason)
    return close


def year_status(*, session: Session) -> pd.DataFrame:
    """Every year with records or a close: closed or open, by whom and when, published records, revisions."""
    span = first_and_last_year(session=session)  # two reads along the summary's key, not a scan of it
    years = set(range(span[0], span[1] + 1)) if span else set()
    closes = list(session.scalars(select(YearClose).order_by(YearClose.year, YearClose.closed_at)))
    years |= {c.year for c in closes}
    revisions = dict(session.execute(select(YearRevision.close_id, func.count()).group_by(YearRevision.close_id)).all())
    published = dict(session.execute(select(PublishedSummary.close_id, func.sum(PublishedSummary.n_records))
                                     .group_by(PublishedSummary.close_id)).all())
    rows = []
    for year in sorted(years):
        mine = [c for c in closes if c.year == year]
        standing = next((c for c in mine if c.current_year is not None), None)
        rows.append({"year": year, "closed": standing is not None,
                     "closed_at": local_now(standing.closed_at) if standing else None,
                     "closed_by": standing.closed_by_name if standing else "",
                     "records": int(published.get(standing.id, 0) or 0) if standing else None,
                     "revisions": int(revisions.get(standing.id, 0)) if standing else 0,
                     "reopened": sum(1 for c in mine if c.reopened_at is not None)})
    return pd.DataFrame(rows, columns=STATUS_COLUMNS)
