"""Reference data listed for the admin page: communes, villages, population, languages, stations, coverage."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data_model.schema.models import ReportingUnit, StationCoverage, Unit, UnitAlias, UnitFact, UnitLanguage, Village


def list_communes(*, session: Session) -> pd.DataFrame:
    """Every commune version with its district, validity, border status and verified mark."""
    parent = select(Unit.key, Unit.name).where(Unit.level != "commune").subquery()
    rows = session.execute(
        select(Unit.key, Unit.code, Unit.kind, Unit.name, parent.c.name.label("parent"), Unit.valid_from, Unit.valid_to,
               Unit.border_status, Unit.verified, Unit.note)
        .outerjoin(parent, parent.c.key == Unit.parent_key).where(Unit.level == "commune")
        .order_by(Unit.valid_from.is_not(None), Unit.valid_from, Unit.name)
    ).all()
    return pd.DataFrame(rows, columns=["key", "code", "kind", "name", "parent", "valid_from", "valid_to",
                                       "border_status", "verified", "note"])


def list_villages(*, session: Session, unit_key: str | None = None) -> pd.DataFrame:
    """Villages (of one commune version or all) with their latest population figure and languages."""
    latest = (select(UnitFact.village_id, func.max(UnitFact.year).label("year"))
              .where(UnitFact.fact == "population", UnitFact.village_id.is_not(None))
              .group_by(UnitFact.village_id).subquery())
    pop = (select(UnitFact.village_id, UnitFact.year, func.max(UnitFact.value_num).label("population"))
           .join(latest, (latest.c.village_id == UnitFact.village_id) & (latest.c.year.is_not_distinct_from(UnitFact.year)))
           .where(UnitFact.fact == "population").group_by(UnitFact.village_id, UnitFact.year).subquery())
    query = (select(Village.id, Village.unit_key, Unit.name.label("commune"), Village.name, Village.verified,
                    Village.is_demo, pop.c.population, pop.c.year.label("population_year"), Village.note)
             .join(Unit, Unit.key == Village.unit_key).outerjoin(pop, pop.c.village_id == Village.id)
             .order_by(Unit.name, Village.name))
    if unit_key:
        query = query.where(Village.unit_key == unit_key)
    frame = pd.DataFrame(session.execute(query).all(),
                         columns=["id", "unit_key", "commune", "name", "verified", "is_demo", "population",
                                  "population_year", "note"])
    languages: dict[int, list[str]] = {}
    for village_id, code in session.execute(
            select(UnitLanguage.village_id, UnitLanguage.language).where(UnitLanguage.village_id.is_not(None))
            .order_by(UnitLanguage.language)):
        languages.setdefault(village_id, []).append(code)
    frame["languages"] = [",".join(languages.get(i, [])) for i in frame["id"]]
    return frame


def list_population(*, session: Session, unit_key: str, village_id: int | None = None) -> pd.DataFrame:
    """Population figures of a commune version (village_id None) or of a village, by year."""
    query = select(UnitFact.id, UnitFact.year, UnitFact.value_num, UnitFact.approximate, UnitFact.verified,
                   UnitFact.is_demo, UnitFact.source).where(UnitFact.fact == "population", UnitFact.unit_key == unit_key)
    query = query.where(UnitFact.village_id.is_(None) if village_id is None else UnitFact.village_id == village_id)
    rows = session.execute(query.order_by(UnitFact.year.is_(None), UnitFact.year)).all()
    return pd.DataFrame(rows, columns=["id", "year", "population", "approximate", "verified", "is_demo", "source"])


def list_languages(*, session: Session, unit_key: str, village_id: int | None = None) -> list[str]:
    """Language codes spoken in a commune version or a village."""
    query = select(UnitLanguage.language).where(UnitLanguage.unit_key == unit_key)
    query = query.where(UnitLanguage.village_id.is_(None) if village_id is None else UnitLanguage.village_id == village_id)
    return list(session.scalars(query.order_by(UnitLanguage.language)))


def list_stations(*, session: Session) -> pd.DataFrame:
    """Reporting units (stations, battalion, department, …) with their marks."""
    rows = session.execute(select(
        ReportingUnit.id, ReportingUnit.key, ReportingUnit.kind, ReportingUnit.name, ReportingUnit.short_name,
        ReportingUnit.number, ReportingUnit.active, ReportingUnit.verified, ReportingUnit.is_demo, ReportingUnit.note,
    ).order_by(ReportingUnit.kind, ReportingUnit.short_name)).all()
    return pd.DataFrame(rows, columns=["id", "key", "kind", "name", "short_name", "number", "active", "verified",
                                       "is_demo", "note"])


def list_coverage(*, session: Session, station_key: str | None = None) -> pd.DataFrame:
    """Dated station ↔ commune links."""
    query = (select(StationCoverage.id, ReportingUnit.key.label("station_key"), ReportingUnit.short_name.label("station"),
                    StationCoverage.unit_key, Unit.name.label("commune"), StationCoverage.valid_from,
                    StationCoverage.valid_to, StationCoverage.derived, StationCoverage.note)
             .join(ReportingUnit, ReportingUnit.id == StationCoverage.station_id)
             .join(Unit, Unit.key == StationCoverage.unit_key)
             .order_by(ReportingUnit.short_name, StationCoverage.valid_from.is_not(None), StationCoverage.valid_from))
    if station_key:
        query = query.where(ReportingUnit.key == station_key)
    return pd.DataFrame(session.execute(query).all(), columns=[
        "id", "station_key", "station", "unit_key", "commune", "valid_from", "valid_to", "derived", "note"])


def list_aliases(*, session: Session, unit_key: str | None = None) -> pd.DataFrame:
    """Other spellings and former names of units."""
    query = (select(UnitAlias.id, UnitAlias.unit_key, Unit.name.label("unit"), UnitAlias.alias, UnitAlias.note)
             .join(Unit, Unit.key == UnitAlias.unit_key).order_by(Unit.name, UnitAlias.alias))
    if unit_key:
        query = query.where(UnitAlias.unit_key == unit_key)
    return pd.DataFrame(session.execute(query).all(), columns=["id", "unit_key", "unit", "alias", "note"])
