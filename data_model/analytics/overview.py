"""What the Overview and Trends pages show: yearly KPIs per activity type, the period sentence, multi-year series."""
from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd
from sqlalchemy.orm import Session

from data_model.analytics.aggregate import grouped_summary
from data_model.analytics.filters import Filters
from data_model.definitions.activity_types import list_activity_types
from data_model.texts.formatting import format_number

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


YearTypeSums = dict[tuple[int, str], tuple[int, ...]]  # (year, type) → (records, s1..s6)


def year_type_sums(*, session: Session, filters: Filters) -> YearTypeSums:
    """One GROUP BY year, type over the summary: every figure of the Overview and Trends pages comes from it."""
    frame = grouped_summary(session=session, filters=filters, by=("year",))
    return {(int(r[0]), r[1]): tuple(int(v) for v in r[2:]) for r in frame.itertuples(index=False, name=None)}


def _wanted(filters: Filters) -> list:
    return [d for d in list_activity_types() if not filters.types or d.code in filters.types]


def kpis_from(sums: YearTypeSums, *, filters: Filters, year: int, lang: str = "vi") -> pd.DataFrame:
    """KPI rows of a year against the year before from year × type sums."""
    rows = []
    empty = (0,) * 7
    for definition in _wanted(filters):
        now, before = sums.get((year, definition.code), empty), sums.get((year - 1, definition.code), empty)
        if not now[0] and not before[0]:
            continue
        for m in definition.measures:
            value, previous = now[m.slot], before[m.slot]
            rows.append({"type": definition.code, "type_name": definition.name(lang), "color": definition.color,
                         "measure": m.code, "measure_label": m.label(lang), "unit": m.unit(lang),
                         "value": value, "previous": previous, "change": change_ratio(value, previous)})
    frame = pd.DataFrame(rows, columns=KPI_COLUMNS)
    frame["change"] = pd.Series([r["change"] for r in rows], index=frame.index, dtype=object)  # None, not NaN
    return frame


def totals_from(sums: YearTypeSums, *, filters: Filters, years: tuple[int, int], lang: str = "vi") -> pd.DataFrame:
    """Every type's measures added up over the years, in definition order (types without records left out)."""
    rows = []
    for definition in _wanted(filters):
        per_year = [sums[(y, definition.code)] for y in range(years[0], years[1] + 1) if (y, definition.code) in sums]
        if not any(v[0] for v in per_year):
            continue
        for m in definition.measures:
            rows.append({"type": definition.code, "type_name": definition.name(lang), "measure": m.code,
                         "measure_label": m.label(lang), "unit": m.unit(lang),
                         "value": sum(v[m.slot] for v in per_year)})
    return pd.DataFrame(rows, columns=["type", "type_name", "measure", "measure_label", "unit", "value"])


def series_from(sums: YearTypeSums, *, filters: Filters, lang: str = "vi", main_only: bool = False) -> pd.DataFrame:
    """Year × type × measure over the filters' years, years without activity as 0, types without any left out."""
    rows = []
    years = range(filters.year_from, filters.year_to + 1)
    for definition in _wanted(filters):
        if not any(sums.get((y, definition.code), (0,))[0] for y in years):
            continue
        for m in definition.measures[:1] if main_only else definition.measures:
            for y in years:
                rows.append({"year": y, "type": definition.code, "type_name": definition.name(lang), "measure": m.code,
                             "measure_label": m.label(lang), "unit": m.unit(lang),
                             "value": sums.get((y, definition.code), (0,) * 7)[m.slot]})
    return pd.DataFrame(rows, columns=["year", "type", "type_name", "measure", "measure_label", "unit", "value"])


def yearly_kpis(*, session: Session, filters: Filters, year: int, lang: str = "vi") -> pd.DataFrame:
    """Each type's measures in the year and the year before, with the relative change."""
    sums = year_type_sums(session=session, filters=replace(filters, year_from=year - 1, year_to=year))
    return kpis_from(sums, filters=filters, year=year, lang=lang)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def period_sentence(*, totals: pd.DataFrame, year_from: int, year_to: int, lang: str = "vi") -> str:
    """The period's results as one sentence in the source report's manner ("…824 buổi, 41.262 lượt người; …")."""
    span = f"{year_from}" if year_from == year_to else f"{year_from}–{year_to}"
    if totals.empty or not totals["value"].any():
        return (f"Giai đoạn {span} chưa có hoạt động nào được ghi nhận." if lang == "vi"
                else f"No activity was recorded in {span}.")
    parts = []
    for _type_code, rows in totals.groupby("type", sort=False):
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
    sums = year_type_sums(session=session, filters=filters)
    return series_from(sums, filters=filters, lang=lang, main_only=main_only)


def build_overview(*, session: Session, filters: Filters, year: int, period: tuple[int, int] | None = None,
                   lang: str = "vi") -> Overview:
    """Everything the Overview page shows, from one query: the year's KPIs, the period's sentence, the trends."""
    period = period or (filters.year_from, filters.year_to)
    first = min(filters.year_from, period[0], year - 1)
    last = max(filters.year_to, period[1], year)
    sums = year_type_sums(session=session, filters=replace(filters, year_from=first, year_to=last))
    totals = totals_from(sums, filters=filters, years=period, lang=lang)
    return Overview(
        year=year,
        kpis=kpis_from(sums, filters=filters, year=year, lang=lang),
        period=totals,
        sentence=period_sentence(totals=totals, year_from=period[0], year_to=period[1], lang=lang),
        trend=series_from(sums, filters=filters, lang=lang, main_only=True),
    )
