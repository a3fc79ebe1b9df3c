"""What the Overview and Trends pages show: yearly KPIs per activity type, the period sentence, multi-year series."""
from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd
from sqlalchemy.orm import Session

from data_model.activity_types import list_activity_types
from data_model.analytics_common import grouped_summary, long_measures, type_order
from data_model.formatting import format_number
from data_model.queries import Filters, summarise

KPI_COLUMNS = ["type", "type_name", "color", "measure", "measure_label", "unit", "value", "previous", "change"]


@dataclass(frozen=True)
class Overview:
    """The Overview page: one year's KPIs against the year before, the period sentence, a trend per type."""

    year: int
    kpis: pd.DataFrame  # KPI_COLUMNS, one row per type × measure with data in the year or the one before
    period: pd.DataFrame  # type, type_name, measure, measure_label, unit, value over the sidebar's year range
    sentence: str
    trend: pd.DataFrame  # year, type, type_name, measure, measure_label, unit, value (main measure of each type)


def change_ratio(value: float, previous: float) -> float | None:
    """(value − previous) / previous, None when there was nothing the year before."""
    return None if not previous else (value - previous) / previous


def yearly_kpis(*, session: Session, filters: Filters, year: int, lang: str = "vi") -> pd.DataFrame:
    """Each type's measures in the year and the year before, with the relative change (figures are summarise()'s)."""
    both = summarise(session=session, filters=replace(filters, year_from=year - 1, year_to=year), by="year")
    rows = []
    for definition in list_activity_types():
        if filters.types and definition.code not in filters.types:
            continue
        mine = both[both["type"] == definition.code]
        if mine.empty:
            continue
        for m in definition.measures:
            now = int(mine.loc[(mine["year"] == year) & (mine["measure"] == m.code), "value"].sum())
            before = int(mine.loc[(mine["year"] == year - 1) & (mine["measure"] == m.code), "value"].sum())
            rows.append({"type": definition.code, "type_name": definition.name(lang), "color": definition.color,
                         "measure": m.code, "measure_label": m.label(lang), "unit": m.unit(lang),
                         "value": now, "previous": before, "change": change_ratio(now, before)})
    frame = pd.DataFrame(rows, columns=KPI_COLUMNS)
    frame["change"] = pd.Series([r["change"] for r in rows], index=frame.index, dtype=object)  # None, not NaN
    return frame


def period_totals(*, session: Session, filters: Filters, lang: str = "vi") -> pd.DataFrame:
    """Every type's measures added up over the filters' year range, in definition order."""
    frame = grouped_summary(session=session, filters=filters, by=())
    long = long_measures(frame, keys=[], lang=lang)
    order = type_order()
    return long.assign(_o=long["type"].map(order)).sort_values("_o", kind="stable").drop(columns="_o").reset_index(drop=True)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def period_sentence(*, totals: pd.DataFrame, year_from: int, year_to: int, lang: str = "vi") -> str:
    """The period's results as one sentence in the source report's manner ("…824 buổi, 41.262 lượt người; …")."""
    span = f"{year_from}" if year_from == year_to else f"{year_from}–{year_to}"
    if totals.empty or not totals["value"].any():
        return (f"Giai đoạn {span} chưa có hoạt động nào được ghi nhận." if lang == "vi"
                else f"No activity was recorded in {span}.")
    parts = []
    for type_code, rows in totals.groupby("type", sort=False):
        units = list(rows["unit"])
        # a unit shared by two measures (patrols and patrols joined by civilians) needs the label to be understood
        figures = [f"{format_number(r.value, lang)} {r.unit}" if i == 0 or units.count(r.unit) == 1
                   else f"{_lower_first(r.measure_label)} {format_number(r.value, lang)} {r.unit}"
                   for i, r in enumerate(rows.itertuples()) if r.value]
        if not figures:
            continue
        joiner = " với " if lang == "vi" else " with "
        text = figures[0] + (joiner + ", ".join(figures[1:]) if len(figures) > 1 else "")
        parts.append(f"{_lower_first(rows['type_name'].iloc[0])}: {text}")
    if lang == "vi":
        return f"Giai đoạn {span}, đã thực hiện " + "; ".join(parts) + "."
    return f"In {span}: " + "; ".join(parts) + "."


def yearly_series(*, session: Session, filters: Filters, lang: str = "vi", main_only: bool = False) -> pd.DataFrame:
    """Year × type × measure totals over the year range, years without activity filled with 0."""
    frame = grouped_summary(session=session, filters=filters, by=("year",))
    long = long_measures(frame, keys=["year"], lang=lang)
    if long.empty:
        return long
    rows = []
    present = set(long["type"])
    for definition in list_activity_types():
        if definition.code not in present:
            continue
        measures = definition.measures[:1] if main_only else definition.measures
        for m in measures:
            for y in range(filters.year_from, filters.year_to + 1):
                rows.append({"year": y, "type": definition.code, "type_name": definition.name(lang), "measure": m.code,
                             "measure_label": m.label(lang), "unit": m.unit(lang)})
    grid = pd.DataFrame(rows)
    out = grid.merge(long[["year", "type", "measure", "value"]], on=["year", "type", "measure"], how="left")
    out["value"] = out["value"].fillna(0).astype("int64")
    return out


def build_overview(*, session: Session, filters: Filters, year: int, period: tuple[int, int] | None = None,
                   lang: str = "vi") -> Overview:
    """Everything the Overview page shows: the year's KPIs, the period's sentence (the filters' years by default), trends."""
    period_filters = replace(filters, year_from=period[0], year_to=period[1]) if period else filters
    totals = period_totals(session=session, filters=period_filters, lang=lang)
    return Overview(
        year=year,
        kpis=yearly_kpis(session=session, filters=filters, year=year, lang=lang),
        period=totals,
        sentence=period_sentence(totals=totals, year_from=period_filters.year_from, year_to=period_filters.year_to,
                                 lang=lang),
        trend=yearly_series(session=session, filters=filters, lang=lang, main_only=True),
    )
