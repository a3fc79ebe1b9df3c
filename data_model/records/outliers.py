"""The outlier check over existing records: figures outside their type's typical range per unit of work, and far from
the reporting unit's own usual ratio."""
from __future__ import annotations

import statistics
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from data_model.definitions.activity_types import list_activity_types
from data_model.schema.models import ActivityRecord, ReportingUnit

FAR_FACTOR = 5.0  # a ratio 5 times above or below the unit's own median is far from its usual values
MIN_OWN_RECORDS = 5  # fewer records of the unit give no usual value to compare with
OUTLIER_COLUMNS = ["id", "start_date", "type_code", "unit", "measure", "per", "ratio", "low", "high", "unit_median",
                   "why"]


@dataclass(frozen=True)
class _Row:
    id: int
    start_date: object
    unit: str
    unit_id: int
    ratio: float


def find_outliers(*, session: Session, year: int, unit_ids: list[int] | None = None) -> pd.DataFrame:
    """Live records of the year whose measure per unit of work is outside the type's range ("range") or far from
    their unit's median of that year ("unit"); OUTLIER_COLUMNS, by type and record."""
    r, u = ActivityRecord, ReportingUnit
    out = []
    for t in list_activity_types():
        for typical in t.typical:
            m, per = t.measure(typical.measure), t.measure(typical.per)
            value, work = getattr(r, m.column), getattr(r, per.column)
            stmt = (select(r.id, r.start_date, u.short_name, r.reporting_unit_id, value, work)
                    .join(u, u.id == r.reporting_unit_id)
                    .where(r.deleted_at.is_(None), r.year == year, r.type_code == t.code, value.is_not(None),
                           work > 0).order_by(r.id))
            if unit_ids is not None:
                stmt = stmt.where(r.reporting_unit_id.in_(unit_ids))
            rows = [_Row(i, d, name or "", uid, v / w) for i, d, name, uid, v, w in session.execute(stmt)]
            by_unit: dict[int, list[float]] = {}
            for row in rows:
                by_unit.setdefault(row.unit_id, []).append(row.ratio)
            medians = {k: statistics.median(v) for k, v in by_unit.items() if len(v) >= MIN_OWN_RECORDS}
            for row in rows:
                median = medians.get(row.unit_id)
                why = []
                if not typical.low <= row.ratio <= typical.high:
                    why.append("range")
                if median and (row.ratio > median * FAR_FACTOR or row.ratio * FAR_FACTOR < median):
                    why.append("unit")
                if why:
                    out.append({"id": row.id, "start_date": row.start_date, "type_code": t.code, "unit": row.unit,
                                "measure": m.code, "per": per.code, "ratio": round(row.ratio, 1),
                                "low": typical.low, "high": typical.high, "unit_median": median,
                                "why": ",".join(why)})
    return pd.DataFrame(out, columns=OUTLIER_COLUMNS)
