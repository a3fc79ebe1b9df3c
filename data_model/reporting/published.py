"""Published figures of closed years beside the current ones, and the revisions made after closing."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data_model.analytics.aggregate import type_order
from data_model.analytics.units import reporting_unit_labels
from data_model.definitions.activity_types import load_activity_types
from data_model.definitions.fields import SUM_COLUMNS
from data_model.reporting.deadline import local_now
from data_model.reporting.year_close import standing_closes
from data_model.schema.models import ActivitySummary, ReportingUnit
from data_model.schema.planning import PublishedSummary, YearClose, YearRevision

COMPARISON_COLUMNS = ["station_id", "station", "type", "type_name", "measure", "measure_label", "unit", "published",
                      "current", "difference"]
REVISION_COLUMNS = ["at", "username", "action", "record_id", "reason", "change"]


@dataclass(frozen=True)
class PublishedYear:
    """A closed year: when and by whom, its figures published and current, and the revisions since."""

    year: int
    closed_at: dt.datetime  # Vietnamese time
    closed_by: str
    comparison: pd.DataFrame  # COMPARISON_COLUMNS, every measure with a figure
    revisions: pd.DataFrame  # REVISION_COLUMNS, newest first

    @property
    def differs(self) -> pd.DataFrame:
        """The measures whose current figure differs from the published one."""
        return self.comparison[self.comparison["difference"] != 0]


def _sums(session: Session, table, where, by_station: bool, clusters: dict[int, int]) -> dict[tuple, list[int]]:
    """(station or 0, type) → [sum of s1, …, s6], grouped in SQL and folded in Python (clusters under stations)."""
    stmt = (select(table.reporting_unit_id, table.type_code, *[func.sum(getattr(table, c)) for c in SUM_COLUMNS])
            .where(*where).group_by(table.reporting_unit_id, table.type_code))
    out: dict[tuple, list[int]] = {}
    for unit, type_code, *sums in session.execute(stmt):
        key = (clusters.get(int(unit), int(unit)) if by_station else 0, type_code)
        acc = out.setdefault(key, [0] * len(SUM_COLUMNS))
        for i, v in enumerate(sums):
            acc[i] += int(v or 0)
    return out


def _clusters(session: Session) -> dict[int, int]:
    u = ReportingUnit
    return dict(session.execute(select(u.id, u.parent_id).where(u.kind == "loudspeaker_cluster",
                                                                 u.parent_id.is_not(None))).all())


def compare_published(*, session: Session, close: YearClose, by_station: bool = False,
                      lang: str = "vi") -> pd.DataFrame:
    """Every measure of the closed year, published and current (by type, or by station and type)."""
    clusters = _clusters(session) if by_station else {}
    published = _sums(session, PublishedSummary, [PublishedSummary.close_id == close.id], by_station, clusters)
    current = _sums(session, ActivitySummary, [ActivitySummary.year == close.year, ActivitySummary.n_records != 0],
                    by_station, clusters)
    types, order = load_activity_types(), type_order()
    zero = [0] * len(SUM_COLUMNS)
    rows = []
    for station, type_code in sorted(set(published) | set(current), key=lambda k: (k[0], order.get(k[1], 99))):
        definition = types.get(type_code)
        if definition is None:
            continue
        was, now = published.get((station, type_code), zero), current.get((station, type_code), zero)
        for m in definition.measures:
            i = SUM_COLUMNS.index(m.sum_column)
            if was[i] or now[i]:
                rows.append([station, "", type_code, definition.name(lang), m.code, m.label(lang), m.unit(lang),
                             was[i], now[i], now[i] - was[i]])
    frame = pd.DataFrame(rows, columns=COMPARISON_COLUMNS)
    if by_station and not frame.empty:
        labels = reporting_unit_labels(session=session, ids=sorted({int(i) for i in frame["station_id"] if i}))
        frame["station"] = [labels[int(i)].name if i and int(i) in labels else "" for i in frame["station_id"]]
    return frame


def list_revisions(*, session: Session, close: YearClose) -> pd.DataFrame:
    """Changes to the closed year's records since it was closed: who, when (Vietnamese time), why, what."""
    v = YearRevision
    rows = session.execute(select(v.at, v.username, v.action, v.record_id, v.reason, v.change)
                           .where(v.close_id == close.id).order_by(v.at.desc(), v.id.desc())).all()
    frame = pd.DataFrame(rows, columns=REVISION_COLUMNS)
    frame["at"] = [local_now(x) for x in frame["at"]]
    return frame


def published_years(*, session: Session, year_from: int, year_to: int, by_station: bool = False,
                    lang: str = "vi") -> list[PublishedYear]:
    """The closed years of a range, each with its published and current figures and its revisions."""
    closes = standing_closes(session=session, years=range(year_from, year_to + 1))
    return [PublishedYear(year=y, closed_at=local_now(c.closed_at), closed_by=c.closed_by_name,
                          comparison=compare_published(session=session, close=c, by_station=by_station, lang=lang),
                          revisions=list_revisions(session=session, close=c))
            for y, c in sorted(closes.items())]
