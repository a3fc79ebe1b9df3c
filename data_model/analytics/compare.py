"""What the Compare-communes page shows: all measures side by side, villages not reached, broadcast languages."""
from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data_model.analytics.aggregate import grouped_summary, long_measures
from data_model.analytics.filters import Filters, QueryError
from data_model.analytics.places import per_thousand, predecessors_of, recorded_communes_of, village_totals
from data_model.analytics.units import commune_names, population_by_commune
from data_model.definitions.activity_types import list_activity_types
from data_model.records.summaries import LANGUAGE_SUMS
from data_model.reference.languages import language_name
from data_model.schema.models import LanguageSummary, UnitLanguage

MIN_COMMUNES, MAX_COMMUNES = 2, 6


@dataclass(frozen=True)
class Comparison:
    """2–6 communes side by side for a year range and one chosen year."""

    communes: dict[str, str]  # key → name, in the order picked
    # commune_key, commune, type, type_name, measure, measure_label, unit, value, population, per_1000
    measures: pd.DataFrame
    villages_missed: pd.DataFrame  # commune_key, commune, village, is_demo (no record of the gap type in the year)
    village_counts: pd.DataFrame  # commune_key, commune, villages, reached
    languages: pd.DataFrame  # commune_key, commune, language, language_name, spoken, records, sessions


def village_type_options() -> list[str]:
    """Types recorded per village (the gap list can be asked for these)."""
    return [t.code for t in list_activity_types() if t.village != "none"]


def language_type_options() -> list[str]:
    """Types recorded with languages, those that require one first."""
    types = [t for t in list_activity_types() if t.languages != "none"]
    return [t.code for t in sorted(types, key=lambda t: t.languages != "required")]


def compare_communes(*, session: Session, filters: Filters, communes: tuple[str, ...], year: int,
                     gap_type: str, language_type: str, lang: str = "vi") -> Comparison:
    """All measures of 2–6 communes over the year range (absolute and per 1,000), and the chosen year's gaps."""
    if not MIN_COMMUNES <= len(communes) <= MAX_COMMUNES:
        raise QueryError("Chọn từ {min_communes} đến {max_communes} xã để so sánh", min_communes=MIN_COMMUNES,
                         max_communes=MAX_COMMUNES)
    names = commune_names(session=session, boundaries=filters.boundaries, lang=lang, year_from=filters.year_from,
                          year_to=filters.year_to, on=filters.on)
    picked = {k: names.get(k, k) for k in communes}
    mine = replace(filters, communes=tuple(communes), district=None)
    grouped = grouped_summary(session=session, filters=mine, by=("commune",))
    grouped = grouped[grouped["commune_key"].isin(communes)]
    long = long_measures(grouped, keys=["commune_key"], lang=lang)
    people = population_by_commune(session=session, boundaries=filters.boundaries, on=filters.on)
    long.insert(1, "commune", [picked[k] for k in long["commune_key"]])
    long["population"] = [people[k].value if k in people else None for k in long["commune_key"]]
    long["per_1000"] = [per_thousand(v, people.get(k)) for k, v in zip(long["commune_key"], long["value"])]

    missed, counts, langs = [], [], []
    year_filters = replace(filters, year_from=year, year_to=year, types=(gap_type,))
    for key, name in picked.items():
        recorded = recorded_communes_of(session=session, key=key, boundaries=filters.boundaries, on=filters.on)
        villages = village_totals(session=session, filters=year_filters, commune_keys=recorded, lang=lang)
        reached = set(villages.loc[villages["records"] > 0, "village_id"])
        all_villages = villages.drop_duplicates("village_id")
        counts.append({"commune_key": key, "commune": name, "villages": len(all_villages), "reached": len(reached)})
        for row in all_villages.itertuples():
            if row.village_id not in reached:
                missed.append({"commune_key": key, "commune": name, "village": row.village,
                               "is_demo": bool(row.is_demo)})
        langs.extend(_languages(session=session, key=key, name=name, recorded=recorded, year=year,
                                type_code=language_type, lang=lang))
    return Comparison(
        communes=picked, measures=long,
        villages_missed=pd.DataFrame(missed, columns=["commune_key", "commune", "village", "is_demo"]),
        village_counts=pd.DataFrame(counts, columns=["commune_key", "commune", "villages", "reached"]),
        languages=pd.DataFrame(langs, columns=["commune_key", "commune", "language", "language_name", "spoken",
                                               "records", "sessions"]),
    )


def _languages(*, session: Session, key: str, name: str, recorded: list[str], year: int, type_code: str,
               lang: str) -> list[dict]:
    # languages are known for the communes before the 2025 merger: a merged commune speaks what its parts spoke
    places = set(recorded) | set(predecessors_of(session=session, key=key))
    spoken = set(session.scalars(select(UnitLanguage.language).where(UnitLanguage.unit_key.in_(places))))
    s = LanguageSummary
    used = {code: (n, s1) for code, n, s1 in session.execute(
        select(s.language, func.sum(s.n_records), func.sum(getattr(s, LANGUAGE_SUMS[0])))
        .where(s.commune_key.in_(recorded), s.year == year, s.type_code == type_code).group_by(s.language))}
    rows = []
    for code in sorted(spoken | set(used), key=lambda c: (c not in spoken, language_name(c, lang))):
        n, s1 = used.get(code, (0, 0))
        rows.append({"commune_key": key, "commune": name, "language": code, "language_name": language_name(code, lang),
                     "spoken": code in spoken, "records": int(n or 0), "sessions": int(s1 or 0)})
    return rows


def busiest_communes(*, session: Session, filters: Filters, n: int = 3) -> list[str]:
    """The n communes (in the chosen boundaries) with the most records in a recent year — a comparison to start from."""
    # the year before the last one, when there is one: the last year is often still being entered
    year = filters.year_to - 1 if filters.year_from < filters.year_to else filters.year_to
    last = replace(filters, year_from=year, year_to=year, communes=(), district=None)
    grouped = grouped_summary(session=session, filters=last, by=("commune",))
    grouped = grouped[grouped["commune_key"] != ""]
    totals = grouped.groupby("commune_key")["records"].sum().sort_values(ascending=False, kind="stable")
    return list(totals.index[:n])
