"""Load the province's reference data (units, successors, aliases, stations, coverage, villages, facts)."""
from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data_model.reference.issuing_bodies import load_issuing_bodies
from data_model.reference.languages import languages_of_ethnic_groups
from data_model.reference.names import normalise_name
from data_model.schema.clock import today_local
from data_model.schema.models import (
    AppMeta,
    ReportingUnit,
    StationCoverage,
    Unit,
    UnitAlias,
    UnitFact,
    UnitLanguage,
    UnitSuccessor,
    Village,
)

REFERENCE_FLAG = "reference_loaded"
# Reporting units every deployment has besides the border stations.
PROVINCIAL_UNITS = (
    ("dept_ttt", "department", "Sở Thông tin và Truyền thông tỉnh Lai Châu", "Sở TT&TT"),
    ("radio_tv", "radio_tv", "Đài Phát thanh – Truyền hình tỉnh Lai Châu", "Đài PT-TH tỉnh"),
    ("press", "press", "Các cơ quan báo chí Trung ương và địa phương", "Báo chí"),
)
_NUMBER = re.compile(r"(\d[\d.,]*)")


def _read(directory: Path, name: str) -> list[dict[str, str]]:
    with open(directory / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def parse_fact_number(text: str) -> tuple[float | None, bool]:
    """The number in a fact value and whether it is approximate (">3000" → 3000, True)."""
    match = _NUMBER.search(text or "")
    if not match:
        return None, False
    digits = match.group(1).replace(".", "").replace(",", "")
    approximate = any(sign in text for sign in (">", "~", "<", "khoảng", "hơn", "trên"))
    return float(digits), approximate


def is_reference_loaded(*, session: Session) -> bool:
    """Whether reference data has been loaded into this database."""
    return session.get(AppMeta, REFERENCE_FLAG) is not None


def load_reference(*, session: Session, directory: Path) -> dict[str, int]:
    """Insert the reference files into an empty database; returns row counts. Does nothing when already loaded."""
    if is_reference_loaded(session=session):
        return {}
    counts: dict[str, int] = {}
    units = _read(directory, "units.csv")
    # parents first so that the self-reference is satisfied on PostgreSQL
    order = {"province": 0, "district": 1, "commune": 2}
    for row in sorted(units, key=lambda r: order[r["level"]]):
        session.add(Unit(
            key=row["unit_key"], code=row["code"], level=row["level"], kind=row["kind"], name=row["name"],
            name_norm=normalise_name(row["name"]), parent_key=row["parent_key"] or None,
            valid_from=_date(row["valid_from"]), valid_to=_date(row["valid_to"]),
            border_status=row["border_status"], border_source=row["border_source"], note=row["note"],
            verified=True,
        ))
        session.flush()
    counts["units"] = len(units)
    rows = _read(directory, "successors.csv")
    session.add_all(UnitSuccessor(
        from_key=r["from_key"], to_key=r["to_key"], date=dt.date.fromisoformat(r["date"]),
        share=float(r["share"]), source=r["source"], note=r["note"],
    ) for r in rows)
    counts["successors"] = len(rows)
    rows = _read(directory, "aliases.csv")
    session.add_all(UnitAlias(
        unit_key=r["unit_key"], alias=r["alias"], alias_norm=normalise_name(r["alias"]),
        source=r["source"], note=r["note"],
    ) for r in rows)
    counts["aliases"] = len(rows)
    counts["stations"] = _load_reporting_units(session=session, directory=directory)
    counts["villages"] = _load_villages(session=session, directory=directory)
    counts["facts"] = _load_facts(session=session, directory=directory)
    counts["issuing_bodies"] = load_issuing_bodies(session=session)
    session.add(AppMeta(key=REFERENCE_FLAG, value=today_local().isoformat()))
    session.flush()
    return counts


def _load_reporting_units(*, session: Session, directory: Path) -> int:
    stations = _read(directory, "stations.csv")
    by_key: dict[str, ReportingUnit] = {}
    for r in stations:
        unit = ReportingUnit(
            key=r["station_key"], kind=r["kind"], name=r["name"], short_name=r["short_name"],
            number=r["number"], verified=r["verified"] == "yes", source=r["source"], note=r["note"],
        )
        session.add(unit)
        by_key[unit.key] = unit
    for key, kind, name, short in PROVINCIAL_UNITS:
        session.add(ReportingUnit(key=key, kind=kind, name=name, short_name=short, verified=True))
    session.flush()
    for r in _read(directory, "station_coverage.csv"):
        session.add(StationCoverage(
            station_id=by_key[r["station_key"]].id, unit_key=r["unit_key"], valid_from=_date(r["valid_from"]),
            valid_to=_date(r["valid_to"]), derived=r["source"].startswith("derived"), source=r["source"],
            note=r["note"],
        ))
    return len(stations) + len(PROVINCIAL_UNITS)


def _load_villages(*, session: Session, directory: Path) -> int:
    rows = _read(directory, "villages.csv")
    for r in rows:
        session.add(Village(
            unit_key=r["unit_key"], name=r["name"], name_norm=normalise_name(r["name"]), is_demo=False,
            verified="inferred" not in r["note"] and "weak source" not in r["note"], source=r["source"], note=r["note"],
        ))
    session.flush()
    return len(rows)


def _load_facts(*, session: Session, directory: Path) -> int:
    rows = _read(directory, "unit_facts.csv")
    for r in rows:
        number, approximate = parse_fact_number(r["value"]) if r["fact"] in ("population", "households") else (None, False)
        village_id = None
        if r["village"] and ";" not in r["village"]:
            village_id = session.scalar(
                select(Village.id).where(Village.unit_key == r["unit_key"], Village.name == r["village"])
            )
        session.add(UnitFact(
            unit_key=r["unit_key"], village_id=village_id, village_text=r["village"],
            year=int(r["year"]) if r["year"] else None, fact=r["fact"], value=r["value"], value_num=number,
            approximate=approximate, verified=True, source=r["source"], note=r["note"],
        ))
        # The "languages" facts list several clusters' broadcast languages together, so only the
        # ethnic groups of a commune say what its people speak.
        codes = languages_of_ethnic_groups(r["value"]) if r["fact"] == "main_ethnic_groups" and not r["village"] else []
        for code in codes:
            exists = session.scalar(select(func.count()).select_from(UnitLanguage).where(
                UnitLanguage.unit_key == r["unit_key"], UnitLanguage.village_id.is_(None),
                UnitLanguage.language == code))
            if not exists:
                session.add(UnitLanguage(unit_key=r["unit_key"], language=code, source=r["source"]))
                session.flush()
    return len(rows)
