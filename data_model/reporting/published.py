"""Published figures of closed years beside the current ones, and the revisions made after closing."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data_model.analytics.aggregate import long_measures
from data_model.analytics.units import reporting_unit_labels
from data_model.definitions.fields import SUM_COLUMNS
from data_model.reporting.deadline import local_now
from data_model.reporting.year_close import standing_closes
from data_model.schema.models import ActivitySummary, PublishedSummary, ReportingUnit, YearClose, YearRevision

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


def _sums(session: Session, table, where, by_station: bool, clusters: dict[int, int]) -> pd.DataFrame:
    stmt = (select(table.reporting_unit_id, table.type_code, func.sum(table.n_records),
                   *[func.sum(getattr(table, c)) for c in SUM_COLUMNS])
            .where(*where).group_by(table.reporting_unit_id, table.type_code))
    frame = pd.DataFrame(session.execute(stmt).all(), columns=["station_id", "type_code", "records", *SUM_COLUMNS])
    frame["station_id"] = [clusters.get(int(i), int(i)) if by_station else 0 for i in frame["station_id"]]
    return frame.groupby(["station_id", "type_code"], as_index=False).sum()


def _clusters(session: Session) -> dict[int, int]:
    u = ReportingUnit
    return dict(session.execute(select(u.id, u.parent_id).where(u.kind == "loudspeaker_cluster",
                                                                 u.parent_id.is_not(None))).all())


def compare_published(*, session: Session, close: YearClose, by_station: bool = False,
                      lang: str = "vi") -> pd.DataFrame:
    """Every measure of the closed year, published and current (by type, or by station and type)."""
    clusters = _clusters(session)
    published = _sums(session, PublishedSummary, [PublishedSummary.close_id == close.id], by_station, clusters)
    current = _sums(session, ActivitySummary, [ActivitySummary.year == close.year, ActivitySummary.n_records != 0],
                    by_station, clusters)
    keys = ["station_id"]
    pub = long_measures(published, keys=keys, lang=lang).rename(columns={"value": "published"})
    cur = long_measures(current, keys=keys, lang=lang).rename(columns={"value": "current"})
    merged = pub.merge(cur, how="outer", on=["station_id", "type", "type_name", "measure", "measure_label", "unit"],
                       sort=False)
    merged[["published", "current"]] = merged[["published", "current"]].fillna(0).astype("int64")
    merged = merged[(merged["published"] != 0) | (merged["current"] != 0)]
    merged["difference"] = merged["current"] - merged["published"]
    labels = reporting_unit_labels(session=session, ids=sorted({int(i) for i in merged["station_id"] if i}))
    merged["station"] = [labels[int(i)].name if i and int(i) in labels else "" for i in merged["station_id"]]
    return merged[COMPARISON_COLUMNS].reset_index(drop=True)


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
