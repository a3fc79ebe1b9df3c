"""Units behind the figures: commune and reporting unit names, labels with key and validity, clusters, population."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_model.reference.boundaries import load_rollup, units_valid_on
from data_model.schema.clock import today_local
from data_model.schema.models import ReportingUnit, Unit, UnitFact, UnitSuccessor
from data_model.texts.catalogue import translate

NONE_CODE = "none"  # the group of records without a commune, district or reporting unit, in every output


def _period(start: dt.date | None, end: dt.date | None, lang: str) -> str:
    if start and end:
        return f"{start.month}/{start.year}–{end.month}/{end.year}"
    if start:
        return translate("từ {month}/{year}", lang=lang, month=start.month, year=start.year)
    return translate("đến {month}/{year}", lang=lang, month=end.month, year=end.year) if end else ""


@dataclass(frozen=True)
class CommuneRow:
    """What the naming rule reads of one commune version."""

    key: str
    name: str
    kind: str
    valid_from: dt.date | None
    valid_to: dt.date | None


def _overlaps(row: CommuneRow, start: dt.date, end: dt.date) -> bool:
    return (row.valid_from is None or row.valid_from <= end) and (row.valid_to is None or row.valid_to > start)


def label_communes(*, rows: list[CommuneRow], boundaries: str, start: dt.date, end: dt.date,
                   became: dict[str, list[str]], lang: str = "vi") -> dict[str, str]:
    """One name per commune version for a period [start, end]: plain names where they are unique in the period; as
    recorded, a version that ended by the period's end says until when and what it became (became: key → names)."""
    def base(row: CommuneRow) -> str:
        return row.name if row.kind in ("xã", "") else f"{row.name} ({row.kind})"

    if boundaries == "current":
        return {r.key: base(r) for r in rows}
    shown = [r for r in rows if _overlaps(r, start, end)]
    counts: dict[str, int] = {}
    for r in shown:
        counts[base(r)] = counts.get(base(r), 0) + 1
    names: dict[str, str] = {}
    for r in rows:
        label = base(r)
        until = r.valid_to if r.valid_to is not None and r.valid_to <= end else None
        later = [n for n in became.get(r.key, []) if n]
        if until and later:
            names[r.key] = translate("{name} (đến {month}/{year}, nay thuộc {later})", lang=lang, name=label,
                                     month=until.month, year=until.year, later=", ".join(later))
        elif r in shown and counts[label] == 1 and not until:
            names[r.key] = label
        else:
            names[r.key] = f"{label} ({_period(r.valid_from, r.valid_to, lang)})"
    return names


def commune_names(*, session: Session, boundaries: str, lang: str = "vi", year_from: int | None = None,
                  year_to: int | None = None, on: dt.date | None = None) -> dict[str, str]:
    """Display name of every commune version for a period (all years by default), by label_communes."""
    rows = [CommuneRow(*r) for r in session.execute(select(Unit.key, Unit.name, Unit.kind, Unit.valid_from,
                                                           Unit.valid_to).where(Unit.level == "commune"))]
    day = on or today_local()
    start = dt.date(year_from, 1, 1) if year_from else dt.date.min
    end = dt.date(year_to, 12, 31) if year_to else day
    became: dict[str, list[str]] = {}
    if boundaries != "current":
        kinds = {r.key: f"{r.kind or 'xã'} {r.name}" for r in rows}
        for key, parts in load_rollup(session=session, on=day).items():
            became[key] = [kinds.get(target, "") for target, _ in parts if target != key]
    names = label_communes(rows=rows, boundaries=boundaries, start=start, end=end, became=became, lang=lang)
    names[""] = translate("(không ghi xã)", lang=lang)
    return names


def format_validity(*, start: dt.date | None, end: dt.date | None) -> str:
    """A unit version's half-open validity [start, end) as dd/mm/yyyy–dd/mm/yyyy, an open end left blank."""
    if start is None and end is None:
        return ""
    return "–".join(d.strftime("%d/%m/%Y") if d else "" for d in (start, end))


@dataclass(frozen=True)
class UnitLabel:
    """What an output says about a unit group: its key, official code, name and validity."""

    key: str
    code: str
    name: str
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


NO_UNIT_LABEL = UnitLabel(key=NONE_CODE, code=NONE_CODE, name="")


def unit_labels(*, session: Session, keys: list[str]) -> dict[str, UnitLabel]:
    """Label of each administrative unit key; the empty key (records without a unit) and unknown keys get `none`."""
    found = {u.key: UnitLabel(key=u.key, code=u.code, name=u.name, valid_from=u.valid_from, valid_to=u.valid_to)
             for u in session.scalars(select(Unit).where(Unit.key.in_([k for k in keys if k])))}
    return {k: found.get(k, NO_UNIT_LABEL) for k in keys}


def reporting_unit_labels(*, session: Session, ids: list[int]) -> dict[int, UnitLabel]:
    """Label of each reporting unit id (its key and short name); no unit and unknown ids get `none`."""
    found = {uid: UnitLabel(key=key, code=key, name=name) for uid, key, name in session.execute(
        select(ReportingUnit.id, ReportingUnit.key, ReportingUnit.short_name).where(ReportingUnit.id.in_(ids)))}
    return {i: found.get(i, NO_UNIT_LABEL) for i in ids}


def reporting_unit_names(*, session: Session) -> dict[int, tuple[str, str]]:
    """Reporting unit id → (short name, kind)."""
    return {uid: (name, kind) for uid, name, kind in
            session.execute(select(ReportingUnit.id, ReportingUnit.short_name, ReportingUnit.kind))}


def with_cluster_units(*, session: Session, station_ids: tuple[int, ...]) -> tuple[int, ...]:
    """The stations plus the loudspeaker clusters under them (a cluster's broadcasts are its station's work)."""
    if not station_ids:
        return ()
    children = session.scalars(select(ReportingUnit.id).where(ReportingUnit.parent_id.in_(station_ids),
                                                            ReportingUnit.kind == "loudspeaker_cluster"))
    return tuple(sorted(set(station_ids) | set(children)))


@dataclass(frozen=True)
class Population:
    """Residents of a commune and whether the figure is approximate or derived from predecessors."""

    value: float
    year: int | None
    approximate: bool
    derived: bool = False


def population_by_commune(*, session: Session, boundaries: str, on: dt.date | None = None) -> dict[str, Population]:
    """The latest known population of each commune; a current commune without one adds up its direct predecessors'."""
    latest: dict[str, Population] = {}
    rows = session.execute(select(UnitFact.unit_key, UnitFact.year, UnitFact.value_num, UnitFact.approximate)
                           .where(UnitFact.fact == "population", UnitFact.value_num.is_not(None),
                                  UnitFact.village_id.is_(None), UnitFact.village_text == ""))
    for key, year, value, approx in rows:
        old = latest.get(key)
        if old is None or (year or 0) > (old.year or 0):
            latest[key] = Population(value=float(value), year=year, approximate=bool(approx))
    if boundaries != "current":
        return latest
    current = {u.key for u in units_valid_on(session=session, on=on or today_local())}
    sources: dict[str, list[tuple[str, float]]] = {}
    # only direct predecessors: following a chain would count a commune merged earlier twice
    links = session.execute(select(UnitSuccessor.from_key, UnitSuccessor.to_key, UnitSuccessor.share))
    for from_key, to_key, share in links:
        sources.setdefault(to_key, []).append((from_key, share))
    result = {k: p for k, p in latest.items() if k in current}
    for key, parts in sources.items():
        if key in result or key not in current:
            continue
        if all(k in latest for k, _ in parts):
            result[key] = Population(value=sum(latest[k].value * s for k, s in parts), year=None,
                                     approximate=any(latest[k].approximate for k, _ in parts), derived=True)
    return result
