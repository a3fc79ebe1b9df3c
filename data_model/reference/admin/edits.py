"""Admin edits of reference data (communes, villages, population, languages, stations, coverage, aliases) and
CSV/XLSX imports of villages and of a reorganisation; every change goes into the change log."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import pandas as pd
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from data_model.accounts.permissions import Actor, require_admin, require_population_edit
from data_model.accounts.users import refresh_actor
from data_model.files.parse import FileError, cell_text, is_blank, parse_count, parse_date, read_file
from data_model.records.changelog import log_change
from data_model.records.validation.checks import MAX_REASON, YEAR_MAX, YEAR_MIN
from data_model.reference.languages import LANGUAGES, parse_language
from data_model.reference.names import name_keys, normalise_name
from data_model.schema.models import (
    ActivityRecord, ReportingUnit, StationCoverage, Unit, UnitAlias, UnitFact, UnitLanguage, UnitSuccessor, Village,
)
from data_model.texts.input import BAD_TEXT, clean_text, is_clean, safe_text

BORDER_STATUSES = ("confirmed", "probable", "possible", "unknown", "not_border")
REPORTING_KINDS = ("station", "battalion", "department", "radio_tv", "press", "loudspeaker_cluster")
COMMUNE_KINDS = ("xã", "phường", "thị trấn")
MAX_POPULATION = 10_000_000
MAX_NAME = 120


class ReferenceEditError(ValueError):
    """Bad reference-data input; the message is Vietnamese and names the field."""


def _text(value: Any, field_name: str, *, required: bool = True, limit: int = MAX_NAME) -> str:
    return clean_text(value, field=field_name, limit=limit, required=required, error=ReferenceEditError)


def _admin(session: Session, actor: Actor) -> Actor:
    actor = refresh_actor(session=session, actor=actor)
    require_admin(actor)
    return actor


def _population_editor(session: Session, actor: Actor) -> Actor:
    actor = refresh_actor(session=session, actor=actor)
    require_population_edit(actor)
    return actor


def _key(value: Any, field_name: str) -> str:
    if not isinstance(value, str) or not is_clean(value):
        raise ReferenceEditError(f"{field_name}: mã không hợp lệ")
    return value


def _year(value: Any) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise ReferenceEditError(f"Năm: «{value}» không phải năm") from None
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise ReferenceEditError(f"Năm: phải từ {YEAR_MIN} đến {YEAR_MAX}")
    return year


def _population(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_POPULATION:
        raise ReferenceEditError(f"Dân số: phải là số nguyên từ 0 đến {MAX_POPULATION:,}".replace(",", "."))
    return value


def _commune(session: Session, key: str) -> Unit:
    unit = session.get(Unit, _key(key, "Xã"))
    if unit is None or unit.level != "commune":
        raise ReferenceEditError(f"Xã: không có xã mã {key!r}")
    return unit


def _station(session: Session, key: str) -> ReportingUnit:
    unit = session.scalar(select(ReportingUnit).where(ReportingUnit.key == _key(key, "Đơn vị")))
    if unit is None:
        raise ReferenceEditError(f"Đơn vị: không có đơn vị mã {key!r}")
    return unit


def _village(session: Session, village_id: int) -> Village:
    village = session.get(Village, village_id)
    if village is None:
        raise ReferenceEditError(f"Bản: không có bản số {village_id}")
    return village


def _snapshot(obj: Any, fields: Sequence[str]) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in fields}


def _apply(obj: Any, changes: dict[str, Any]) -> dict[str, Any]:
    for key, value in changes.items():
        if value is not None:
            setattr(obj, key, value)
    return changes


# ---------------------------------------------------------------- lists for the admin page

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


# ---------------------------------------------------------------- single edits

COMMUNE_FIELDS = ("name", "border_status", "verified", "note")


def update_commune(
    *, session: Session, actor: Actor, key: str, name: str | None = None, border_status: str | None = None,
    verified: bool | None = None, note: str | None = None,
) -> None:
    """Change a commune version's display name, border status, verified mark or note (admin)."""
    actor = _admin(session, actor)
    unit = _commune(session, key)
    old = _snapshot(unit, COMMUNE_FIELDS)
    if name is not None:
        name = _text(name, "Tên xã")
        unit.name_norm = normalise_name(name)
    if border_status is not None and border_status not in BORDER_STATUSES:
        raise ReferenceEditError(f"Tình trạng biên giới: phải là một trong {', '.join(BORDER_STATUSES)}")
    if note is not None:
        note = _text(note, "Ghi chú", required=False, limit=2000)
    _apply(unit, {"name": name, "border_status": border_status, "verified": verified, "note": note})
    log_change(session=session, actor=actor, action="update", entity="unit", entity_id=key, old=old,
               new=_snapshot(unit, COMMUNE_FIELDS))


VILLAGE_FIELDS = ("unit_key", "name", "verified", "note")


def create_village(
    *, session: Session, actor: Actor, unit_key: str, name: str, verified: bool = True, note: str = "", source: str = "",
) -> int:
    """Add a village to a commune version (admin); returns its id."""
    actor = _admin(session, actor)
    _commune(session, unit_key)
    name = _text(name, "Tên bản")
    if session.scalar(select(Village.id).where(Village.unit_key == unit_key, Village.name_norm == normalise_name(name))):
        raise ReferenceEditError(f"Tên bản: xã này đã có bản «{name}»")
    village = Village(unit_key=unit_key, name=name, name_norm=normalise_name(name), is_demo=False, verified=verified,
                      note=_text(note, "Ghi chú", required=False, limit=2000),
                      source=_text(source, "Nguồn", required=False, limit=2000))
    session.add(village)
    session.flush()
    log_change(session=session, actor=actor, action="create", entity="village", entity_id=village.id,
               new=_snapshot(village, VILLAGE_FIELDS))
    return village.id


def update_village(
    *, session: Session, actor: Actor, village_id: int, name: str | None = None, verified: bool | None = None,
    note: str | None = None,
) -> None:
    """Rename a village or change its verified mark or note (admin)."""
    actor = _admin(session, actor)
    village = _village(session, village_id)
    old = _snapshot(village, VILLAGE_FIELDS)
    if name is not None:
        name = _text(name, "Tên bản")
        village.name_norm = normalise_name(name)
    if note is not None:
        note = _text(note, "Ghi chú", required=False, limit=2000)
    _apply(village, {"name": name, "verified": verified, "note": note})
    log_change(session=session, actor=actor, action="update", entity="village", entity_id=village_id, old=old,
               new=_snapshot(village, VILLAGE_FIELDS))


def delete_village(*, session: Session, actor: Actor, village_id: int, reason: str = "") -> None:
    """Remove a village that no record names (admin); its population and language rows go with it."""
    actor = _admin(session, actor)
    reason = _text(reason, "Lý do", required=False, limit=MAX_REASON)
    village = _village(session, village_id)
    used = session.scalar(select(func.count()).select_from(ActivityRecord).where(ActivityRecord.village_id == village_id))
    if used:
        raise ReferenceEditError(f"Bản «{village.name}»: có {used} hoạt động ghi tại bản này, không xóa được "
                                 "(hãy đánh dấu chưa xác minh hoặc sửa tên)")
    old = _snapshot(village, VILLAGE_FIELDS)
    session.execute(delete(UnitFact).where(UnitFact.village_id == village_id))
    session.execute(delete(UnitLanguage).where(UnitLanguage.village_id == village_id))
    session.delete(village)
    session.flush()
    log_change(session=session, actor=actor, action="delete", entity="village", entity_id=village_id, old=old,
               reason=reason)


def set_population(
    *, session: Session, actor: Actor, unit_key: str, year: int, population: int, village_id: int | None = None,
    source: str = "", verified: bool = True,
) -> int:
    """Set the population of a commune version or village for a year (admin or planner); returns the fact id."""
    actor = _population_editor(session, actor)
    _commune(session, unit_key)
    if village_id is not None and _village(session, village_id).unit_key != unit_key:
        raise ReferenceEditError("Bản: không thuộc xã đã chọn")
    year, population = _year(year), _population(population)
    source = _text(source, "Nguồn", required=False, limit=2000)
    query = select(UnitFact).where(UnitFact.fact == "population", UnitFact.unit_key == unit_key, UnitFact.year == year,
                                   UnitFact.village_id.is_(None) if village_id is None else UnitFact.village_id == village_id)
    fact = session.scalars(query.order_by(UnitFact.id)).first()
    old = {"value": fact.value, "source": fact.source, "verified": fact.verified} if fact else None
    if fact is None:
        fact = UnitFact(unit_key=unit_key, village_id=village_id, year=year, fact="population", is_demo=False)
        session.add(fact)
    fact.value, fact.value_num, fact.approximate = str(population), float(population), False
    fact.verified, fact.source = verified, source
    session.flush()
    log_change(session=session, actor=actor, action="update" if old else "create", entity="fact", entity_id=fact.id,
               old=old, new={"unit_key": unit_key, "village_id": village_id, "year": year, "value": fact.value,
                             "source": source, "verified": verified})
    return fact.id


def delete_population(*, session: Session, actor: Actor, fact_id: int, reason: str = "") -> None:
    """Remove one population figure (admin or planner)."""
    actor = _population_editor(session, actor)
    reason = _text(reason, "Lý do", required=False, limit=MAX_REASON)
    fact = session.get(UnitFact, fact_id)
    if fact is None or fact.fact != "population":
        raise ReferenceEditError(f"Dân số: không có số liệu số {fact_id}")
    old = {"unit_key": fact.unit_key, "village_id": fact.village_id, "year": fact.year, "value": fact.value}
    session.delete(fact)
    session.flush()
    log_change(session=session, actor=actor, action="delete", entity="fact", entity_id=fact_id, old=old, reason=reason)


def parse_languages(text: str | Sequence[str], field_name: str = "Ngôn ngữ") -> list[str]:
    """Language codes from "Mông, Dao" or a list of names/codes; ReferenceEditError naming an unknown one."""
    parts = text if not isinstance(text, str) else text.replace(";", ",").replace("/", ",").split(",")
    if any(not is_clean(str(part)) for part in parts):
        raise ReferenceEditError(f"{field_name}: {BAD_TEXT}")
    codes: list[str] = []
    for part in parts:
        if not str(part).strip():
            continue
        code = parse_language(str(part))
        if code is None:
            raise ReferenceEditError(f"{field_name}: không biết ngôn ngữ «{str(part).strip()[:40]}» "
                                     f"(dùng: {', '.join(v[0].removeprefix('Tiếng ') for v in LANGUAGES.values())})")
        if code not in codes:
            codes.append(code)
    return codes


def set_languages(
    *, session: Session, actor: Actor, unit_key: str, languages: Sequence[str], village_id: int | None = None,
    source: str = "",
) -> None:
    """Replace the languages spoken in a commune version or a village (admin)."""
    actor = _admin(session, actor)
    _commune(session, unit_key)
    if village_id is not None and _village(session, village_id).unit_key != unit_key:
        raise ReferenceEditError("Bản: không thuộc xã đã chọn")
    codes = parse_languages(list(languages))
    old = list_languages(session=session, unit_key=unit_key, village_id=village_id)
    if sorted(old) == sorted(codes):
        return
    session.execute(delete(UnitLanguage).where(
        UnitLanguage.unit_key == unit_key,
        UnitLanguage.village_id.is_(None) if village_id is None else UnitLanguage.village_id == village_id))
    session.add_all(UnitLanguage(unit_key=unit_key, village_id=village_id, language=c, source=source) for c in codes)
    session.flush()
    log_change(session=session, actor=actor, action="update", entity="language",
               entity_id=village_id if village_id is not None else unit_key,
               old={"languages": ",".join(old)}, new={"languages": ",".join(codes)})


STATION_FIELDS = ("key", "kind", "name", "short_name", "number", "active", "verified", "note")


def create_station(
    *, session: Session, actor: Actor, key: str, name: str, short_name: str, kind: str = "station", number: str = "",
    verified: bool = True, note: str = "",
) -> int:
    """Add a reporting unit (admin); returns its id."""
    actor = _admin(session, actor)
    key = _text(key, "Mã đơn vị", limit=64).lower()
    if not all(c.isascii() and (c.isalnum() or c == "_") for c in key):
        raise ReferenceEditError("Mã đơn vị: chỉ dùng a–z, 0–9 và dấu gạch dưới")
    if kind not in REPORTING_KINDS:
        raise ReferenceEditError(f"Loại đơn vị: phải là một trong {', '.join(REPORTING_KINDS)}")
    if session.scalar(select(ReportingUnit.id).where(ReportingUnit.key == key)):
        raise ReferenceEditError(f"Mã đơn vị: {key!r} đã có")
    unit = ReportingUnit(key=key, kind=kind, name=_text(name, "Tên đơn vị", limit=200),
                         short_name=_text(short_name, "Tên ngắn"), number=_text(number, "Phiên hiệu", required=False,
                                                                               limit=16),
                         verified=verified, note=_text(note, "Ghi chú", required=False, limit=2000), active=True)
    session.add(unit)
    session.flush()
    log_change(session=session, actor=actor, action="create", entity="station", entity_id=key,
               new=_snapshot(unit, STATION_FIELDS))
    return unit.id


def update_station(
    *, session: Session, actor: Actor, key: str, name: str | None = None, short_name: str | None = None,
    number: str | None = None, active: bool | None = None, verified: bool | None = None, note: str | None = None,
) -> None:
    """Change a reporting unit's names, number, active or verified mark, or note (admin)."""
    actor = _admin(session, actor)
    unit = _station(session, key)
    old = _snapshot(unit, STATION_FIELDS)
    changes = {
        "name": _text(name, "Tên đơn vị", limit=200) if name is not None else None,
        "short_name": _text(short_name, "Tên ngắn") if short_name is not None else None,
        "number": _text(number, "Phiên hiệu", required=False, limit=16) if number is not None else None,
        "note": _text(note, "Ghi chú", required=False, limit=2000) if note is not None else None,
        "active": active, "verified": verified,
    }
    _apply(unit, changes)
    log_change(session=session, actor=actor, action="update", entity="station", entity_id=key, old=old,
               new=_snapshot(unit, STATION_FIELDS))


def _check_interval(unit: Unit, valid_from: dt.date | None, valid_to: dt.date | None) -> None:
    if valid_from and valid_to and valid_from >= valid_to:
        raise ReferenceEditError("Từ ngày / đến ngày: ngày bắt đầu phải trước ngày kết thúc")
    if valid_from and unit.valid_to and valid_from >= unit.valid_to:
        raise ReferenceEditError(f"Từ ngày: xã {unit.name} đã hết hiệu lực từ {unit.valid_to:%d/%m/%Y}")
    if valid_to and unit.valid_from and valid_to <= unit.valid_from:
        raise ReferenceEditError(f"Đến ngày: xã {unit.name} chỉ có từ {unit.valid_from:%d/%m/%Y}")


def _overlapping(session: Session, station_id: int, unit_key: str, valid_from: dt.date | None,
                 valid_to: dt.date | None, exclude_id: int | None) -> bool:
    c = StationCoverage
    query = select(func.count()).select_from(c).where(c.station_id == station_id, c.unit_key == unit_key)
    if exclude_id is not None:
        query = query.where(c.id != exclude_id)
    if valid_to is not None:
        query = query.where(or_(c.valid_from.is_(None), c.valid_from < valid_to))
    if valid_from is not None:
        query = query.where(or_(c.valid_to.is_(None), c.valid_to > valid_from))
    return bool(session.scalar(query))


COVERAGE_FIELDS = ("station_id", "unit_key", "valid_from", "valid_to", "note")


def add_coverage(
    *, session: Session, actor: Actor, station_key: str, unit_key: str, valid_from: dt.date | None,
    valid_to: dt.date | None, note: str = "", source: str = "",
) -> int:
    """Link a station to a commune version for [valid_from, valid_to) (admin); returns the link id."""
    actor = _admin(session, actor)
    station = _station(session, station_key)
    unit = _commune(session, unit_key)
    _check_interval(unit, valid_from, valid_to)
    if _overlapping(session, station.id, unit_key, valid_from, valid_to, None):
        raise ReferenceEditError(f"Phạm vi: {station.short_name} đã phụ trách xã {unit.name} trong khoảng thời gian này")
    link = StationCoverage(station_id=station.id, unit_key=unit_key, valid_from=valid_from, valid_to=valid_to,
                           derived=False, note=_text(note, "Ghi chú", required=False, limit=2000),
                           source=_text(source, "Nguồn", required=False, limit=2000))
    session.add(link)
    session.flush()
    log_change(session=session, actor=actor, action="create", entity="coverage", entity_id=link.id,
               new={"station": station_key, **_snapshot(link, COVERAGE_FIELDS)})
    return link.id


def update_coverage(
    *, session: Session, actor: Actor, coverage_id: int, valid_from: dt.date | None, valid_to: dt.date | None,
    note: str | None = None,
) -> None:
    """Change the dates (or note) of a station ↔ commune link (admin); the link is then no longer 'derived'."""
    actor = _admin(session, actor)
    link = session.get(StationCoverage, coverage_id)
    if link is None:
        raise ReferenceEditError(f"Phạm vi: không có liên kết số {coverage_id}")
    unit = _commune(session, link.unit_key)
    _check_interval(unit, valid_from, valid_to)
    if _overlapping(session, link.station_id, link.unit_key, valid_from, valid_to, coverage_id):
        raise ReferenceEditError("Phạm vi: trùng thời gian với một liên kết khác của cùng đồn và xã")
    old = _snapshot(link, COVERAGE_FIELDS + ("derived",))
    link.valid_from, link.valid_to, link.derived = valid_from, valid_to, False
    if note is not None:
        link.note = _text(note, "Ghi chú", required=False, limit=2000)
    log_change(session=session, actor=actor, action="update", entity="coverage", entity_id=coverage_id, old=old,
               new=_snapshot(link, COVERAGE_FIELDS + ("derived",)))


def delete_coverage(*, session: Session, actor: Actor, coverage_id: int, reason: str = "") -> None:
    """Remove a station ↔ commune link (admin)."""
    actor = _admin(session, actor)
    reason = _text(reason, "Lý do", required=False, limit=MAX_REASON)
    link = session.get(StationCoverage, coverage_id)
    if link is None:
        raise ReferenceEditError(f"Phạm vi: không có liên kết số {coverage_id}")
    old = _snapshot(link, COVERAGE_FIELDS)
    session.delete(link)
    session.flush()
    log_change(session=session, actor=actor, action="delete", entity="coverage", entity_id=coverage_id, old=old,
               reason=reason)


def add_alias(*, session: Session, actor: Actor, unit_key: str, alias: str, note: str = "") -> int:
    """Add another spelling or former name of a unit version, used when matching imports (admin)."""
    actor = _admin(session, actor)
    unit = session.get(Unit, _key(unit_key, "Đơn vị"))
    if unit is None:
        raise ReferenceEditError(f"Đơn vị: không có đơn vị mã {unit_key!r}")
    alias = _text(alias, "Tên gọi khác")
    norm = normalise_name(alias)
    if norm == unit.name_norm or session.scalar(
            select(UnitAlias.id).where(UnitAlias.unit_key == unit_key, UnitAlias.alias_norm == norm)):
        raise ReferenceEditError(f"Tên gọi khác: «{alias}» đã có cho {unit.name}")
    row = UnitAlias(unit_key=unit_key, alias=alias, alias_norm=norm,
                    note=_text(note, "Ghi chú", required=False, limit=2000), source="")
    session.add(row)
    session.flush()
    log_change(session=session, actor=actor, action="create", entity="alias", entity_id=row.id,
               new={"unit_key": unit_key, "alias": alias, "note": row.note})
    return row.id


def delete_alias(*, session: Session, actor: Actor, alias_id: int, reason: str = "") -> None:
    """Remove an alias (admin)."""
    actor = _admin(session, actor)
    reason = _text(reason, "Lý do", required=False, limit=MAX_REASON)
    row = session.get(UnitAlias, alias_id)
    if row is None:
        raise ReferenceEditError(f"Tên gọi khác: không có mục số {alias_id}")
    old = {"unit_key": row.unit_key, "alias": row.alias}
    session.delete(row)
    session.flush()
    log_change(session=session, actor=actor, action="delete", entity="alias", entity_id=alias_id, old=old,
               reason=reason)


# ---------------------------------------------------------------- imports (preview, then all or nothing)

@dataclass
class ImportPreview:
    """What an import would do: one row per file row with its status, and every error by row and column."""

    rows: pd.DataFrame
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.rows.empty


class ReferenceImportError(ValueError):
    """The import was refused; nothing was written. Carries the preview."""

    def __init__(self, preview: ImportPreview) -> None:
        first = preview.errors[0] if preview.errors else "tệp không có dòng dữ liệu nào"
        more = f" (và {len(preview.errors) - 1} lỗi khác)" if len(preview.errors) > 1 else ""
        super().__init__(f"Không nhập: {first}{more}")
        self.preview = preview


@dataclass(frozen=True)
class Column:
    """An import column: its key, Vietnamese label and the header spellings accepted."""

    key: str
    label: str
    headers: tuple[str, ...]
    required: bool = False


VILLAGE_COLUMNS = (
    Column("commune", "Xã", ("xã", "xa", "commune", "mã xã", "tên xã", "xã/phường")),
    Column("village", "Bản", ("bản", "ban", "village", "tên bản", "thôn bản", "thôn/bản")),
    Column("year", "Năm", ("năm", "nam", "year")),
    Column("population", "Dân số", ("dân số", "dan so", "population", "số dân", "nhân khẩu")),
    Column("languages", "Ngôn ngữ", ("ngôn ngữ", "ngon ngu", "languages", "language", "tiếng")),
    Column("source", "Nguồn", ("nguồn", "nguon", "source")),
    Column("note", "Ghi chú", ("ghi chú", "ghi chu", "note", "notes")),
)
REORGANISATION_COLUMNS = (
    Column("date", "Ngày hiệu lực", ("ngày hiệu lực", "ngay hieu luc", "date", "ngày", "effective date")),
    Column("new_code", "Mã xã mới", ("mã xã mới", "ma xa moi", "new code", "new_code", "mã mới")),
    Column("new_name", "Tên xã mới", ("tên xã mới", "ten xa moi", "new name", "new_name", "xã mới")),
    Column("new_kind", "Loại", ("loại", "loai", "kind", "cấp")),
    Column("old", "Xã cũ", ("xã cũ", "xa cu", "old commune", "old", "từ xã", "old_commune")),
    Column("share", "Tỷ lệ", ("tỷ lệ", "tỉ lệ", "ty le", "share")),
    Column("source", "Nguồn", ("nguồn", "nguon", "source")),
    Column("note", "Ghi chú", ("ghi chú", "ghi chu", "note", "notes")),
)
REQUIRED = {"village": ("commune", "village"), "reorganisation": ("date", "new_code", "new_name", "old")}


def template_csv(kind: str) -> bytes:
    """An empty import file (UTF-8 with BOM) with the Vietnamese headers and one example row."""
    if kind == "village":
        header = [c.label for c in VILLAGE_COLUMNS]
        example = ["Mù Cả", "Bản mẫu", "2024", "1.234", "Hà Nhì, Tiếng Việt", "Danh sách UBND xã", ""]
    elif kind == "reorganisation":
        header = [c.label for c in REORGANISATION_COLUMNS]
        example = ["01/07/2030", "03999", "Xã Mẫu", "xã", "c03451@2025", "1", "Nghị quyết …", ""]
    else:
        raise ReferenceEditError("Loại mẫu: village hoặc reorganisation")
    lines = [",".join(header), ",".join(f'"{v}"' if "," in v else v for v in example)]
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


def _header_map(header: list[Any], columns: Sequence[Column]) -> tuple[dict[str, int], list[str]]:
    wanted = {normalise_name(h): c.key for c in columns for h in (c.headers + (c.label,))}
    found: dict[str, int] = {}
    extra: list[str] = []
    for index, cell in enumerate(header):
        key = wanted.get(normalise_name(cell_text(cell)))
        if key and key not in found:
            found[key] = index
        elif not is_blank(cell):
            extra.append(cell_text(cell)[:40])
    return found, extra


def _table(data: bytes, filename: str, columns: Sequence[Column], kind: str) -> tuple[list[tuple[int, dict]], list[str], list[str]]:
    """Data rows as (file row number, {column key: cell}) plus errors and notes about the file as a whole."""
    try:
        raw = read_file(data=data, filename=filename)
    except FileError as exc:
        return [], [str(exc)], []
    notes = list(raw.notes)
    for sheet in raw.sheets:
        header_index = next((i for i, row in enumerate(sheet.rows) if any(not is_blank(c) for c in row)), None)
        if header_index is None:
            continue
        found, extra = _header_map(sheet.rows[header_index], columns)
        missing = [c.label for c in columns if c.key in REQUIRED[kind] and c.key not in found]
        if missing:
            return [], [f"Trang «{sheet.name}», dòng {header_index + 1}: thiếu cột {', '.join(missing)}"], notes
        if extra:
            notes.append(f"Bỏ qua các cột không dùng: {', '.join(extra)}")
        rows, errors = [], []
        for i, row in enumerate(sheet.rows[header_index + 1:], start=header_index + 2):
            cells = {k: (row[j] if j < len(row) else None) for k, j in found.items()}
            if all(is_blank(v) for v in cells.values()):
                continue
            for column in columns:
                if column.key in cells and not is_clean(cell_text(cells[column.key])):
                    errors.append(f"Dòng {i}, cột {column.label}: {BAD_TEXT}")
                    cells[column.key] = safe_text(cell_text(cells[column.key]))  # shown in the preview, never written
            rows.append((i, cells))
        return rows, errors, notes  # first non-empty sheet only
    return [], ["Tệp không có dòng dữ liệu nào"], notes


def _commune_candidates(session: Session, text: str) -> list[Unit]:
    text = text.strip()
    unit = session.get(Unit, text)
    if unit is not None and unit.level == "commune":
        return [unit]
    communes = select(Unit).where(Unit.level == "commune")
    if text.isdigit():
        return list(session.scalars(communes.where(Unit.code == text.zfill(5))))
    keys = name_keys(text)
    found = list(session.scalars(communes.where(Unit.name_norm.in_(keys))))
    if not found:
        aliased_keys = select(UnitAlias.unit_key).where(UnitAlias.alias_norm.in_(keys))
        found = list(session.scalars(communes.where(Unit.key.in_(aliased_keys))))
    return found


def resolve_commune(*, session: Session, text: str, on: dt.date) -> Unit:
    """The commune version a file names (key, code, name or alias), choosing the version valid on the day."""
    candidates = _commune_candidates(session, text)
    if not candidates:
        raise ReferenceEditError(f"không tìm thấy xã «{text[:60]}»")
    if len(candidates) == 1:
        return candidates[0]
    valid = [u for u in candidates if u.valid_on(on)]
    if len(valid) == 1:
        return valid[0]
    names = ", ".join(sorted(f"{u.name} ({u.key})" for u in candidates))
    raise ReferenceEditError(f"«{text[:60]}» ứng với nhiều xã: {names}; hãy ghi mã đơn vị (ví dụ {candidates[0].key})")


def _row_errors(row: int, problems: list[tuple[str, str]]) -> list[str]:
    return [f"Dòng {row}, cột {label}: {message}" for label, message in problems]


@dataclass
class _VillageRow:
    row: int
    unit: Unit | None = None
    name: str = ""
    year: int | None = None
    population: int | None = None
    languages: list[str] | None = None
    source: str = ""
    note: str = ""
    village_id: int | None = None
    problems: list[tuple[str, str]] = field(default_factory=list)


def _check(problems: list[tuple[str, str]], label: str, fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except (ValueError, ReferenceEditError) as exc:
        message = str(exc)
        prefix = f"{label}: "
        problems.append((label, message[len(prefix):] if message.startswith(prefix) else message))
        return None


def _parse_village_rows(session: Session, data: bytes, filename: str) -> tuple[list[_VillageRow], list[str], list[str]]:
    table, errors, notes = _table(data, filename, VILLAGE_COLUMNS, "village")
    parsed: list[_VillageRow] = []
    today = dt.date.today()
    for row, cells in table:
        item = _VillageRow(row)
        p = item.problems
        item.year = _check(p, "Năm", lambda: None if is_blank(cells.get("year")) else _year(parse_count(cells["year"])))
        on = dt.date(item.year, 7, 1) if item.year else today
        commune_text = cell_text(cells.get("commune"))
        if not commune_text:
            p.append(("Xã", "không được để trống"))
        else:
            item.unit = _check(p, "Xã", lambda: resolve_commune(session=session, text=commune_text, on=on))
        item.name = cell_text(cells.get("village"))
        if not item.name:
            p.append(("Bản", "không được để trống"))
        elif len(item.name) > MAX_NAME:
            p.append(("Bản", f"tối đa {MAX_NAME} ký tự"))
        if not is_blank(cells.get("population")):
            item.population = _check(p, "Dân số", lambda: _population(parse_count(cells["population"])))
            if item.year is None and not any(label == "Năm" for label, _ in p):
                p.append(("Năm", "cần ghi năm của số dân"))
        if not is_blank(cells.get("languages")):
            item.languages = _check(p, "Ngôn ngữ", lambda: parse_languages(cell_text(cells["languages"])))
        item.source = cell_text(cells.get("source"))[:2000]
        item.note = cell_text(cells.get("note"))[:2000]
        parsed.append(item)
    seen: dict[tuple, int] = {}
    for item in parsed:
        if item.unit is None or not item.name:
            continue
        key = (item.unit.key, normalise_name(item.name), item.year)
        if key in seen:
            item.problems.append(("Bản", f"trùng với dòng {seen[key]} (cùng xã, bản và năm)"))
        else:
            seen[key] = item.row
        item.village_id = session.scalar(select(Village.id).where(
            Village.unit_key == item.unit.key, Village.name_norm == normalise_name(item.name)))
    return parsed, errors, notes


def preview_village_import(*, session: Session, data: bytes, filename: str) -> ImportPreview:
    """What importing a village list (population and languages) would do, row by row; writes nothing."""
    parsed, errors, notes = _parse_village_rows(session, data, filename)
    return _village_preview(parsed, errors, notes)


def _village_preview(parsed: list[_VillageRow], errors: list[str], notes: list[str]) -> ImportPreview:
    records = []
    new_names: set[tuple[str, str]] = set()
    for item in parsed:
        errors += _row_errors(item.row, item.problems)
        if item.problems:
            status = "lỗi"
        elif item.village_id is None and (item.unit.key, normalise_name(item.name)) not in new_names:
            status = "bản mới"
            new_names.add((item.unit.key, normalise_name(item.name)))
        else:
            status = "cập nhật"
        records.append({
            "row": item.row, "commune": f"{item.unit.name} ({item.unit.key})" if item.unit else "",
            "village": item.name, "year": item.year, "population": item.population,
            "languages": ",".join(item.languages or []), "status": status,
            "message": "; ".join(f"{label}: {m}" for label, m in item.problems),
        })
    frame = pd.DataFrame(records, columns=["row", "commune", "village", "year", "population", "languages", "status",
                                           "message"])
    counts = {"new_villages": int((frame["status"] == "bản mới").sum()), "rows": len(frame)}
    return ImportPreview(frame, errors, notes, counts)


def import_villages(*, session: Session, actor: Actor, data: bytes, filename: str) -> ImportPreview:
    """Import a village list with population and languages (admin): every row or none (ReferenceImportError)."""
    actor = _admin(session, actor)
    parsed, errors, notes = _parse_village_rows(session, data, filename)
    preview = _village_preview(parsed, errors, notes)
    if not preview.ok:
        raise ReferenceImportError(preview)
    created = population = languages = 0
    ids: dict[tuple[str, str], int] = {}
    for item in parsed:
        key = (item.unit.key, normalise_name(item.name))
        village_id = item.village_id or ids.get(key)
        if village_id is None:
            village_id = create_village(session=session, actor=actor, unit_key=item.unit.key, name=item.name,
                                        verified=True, note=item.note, source=item.source or filename)
            created += 1
        ids[key] = village_id
        if item.population is not None:
            set_population(session=session, actor=actor, unit_key=item.unit.key, village_id=village_id,
                           year=item.year, population=item.population, source=item.source or filename)
            population += 1
        if item.languages is not None:
            set_languages(session=session, actor=actor, unit_key=item.unit.key, village_id=village_id,
                          languages=item.languages, source=item.source or filename)
            languages += 1
    log_change(session=session, actor=actor, action="import", entity="village", entity_id=filename[:64],
               new={"rows": len(parsed), "new_villages": created, "population": population, "languages": languages})
    preview.counts.update({"created": created, "population": population, "languages": languages})
    return preview


@dataclass
class _ReorgRow:
    row: int
    date: dt.date | None = None
    new_code: str = ""
    new_name: str = ""
    new_kind: str = "xã"
    old: Unit | None = None
    share: float = 1.0
    source: str = ""
    note: str = ""
    problems: list[tuple[str, str]] = field(default_factory=list)


def _share(value: Any) -> float:
    if is_blank(value):
        return 1.0
    text = cell_text(value).replace(",", ".").rstrip("%").strip()
    try:
        share = float(text) / (100 if cell_text(value).endswith("%") else 1)
    except ValueError:
        raise ReferenceEditError(f"Tỷ lệ: «{cell_text(value)[:20]}» không phải số") from None
    if not 0 < share <= 1:
        raise ReferenceEditError("Tỷ lệ: phải lớn hơn 0 và không quá 1 (hoặc 100%)")
    return share


def _required_date(value: Any) -> dt.date:
    if is_blank(value):
        raise ValueError("không được để trống")
    return parse_date(value)


def _new_key(code: str, date: dt.date) -> str:
    return f"c{code}@{date.year}"


def _parse_reorganisation(session: Session, data: bytes, filename: str) -> tuple[list[_ReorgRow], list[str], list[str]]:
    table, errors, notes = _table(data, filename, REORGANISATION_COLUMNS, "reorganisation")
    parsed: list[_ReorgRow] = []
    for row, cells in table:
        item = _ReorgRow(row)
        p = item.problems
        item.date = _check(p, "Ngày hiệu lực", lambda: _required_date(cells.get("date")))
        code = cell_text(cells.get("new_code"))
        if not code.isdigit() or len(code) > 5:
            p.append(("Mã xã mới", f"«{code[:20]}» không phải mã số đơn vị (tối đa 5 chữ số)"))
        else:
            item.new_code = code.zfill(5)
        item.new_name = cell_text(cells.get("new_name"))
        for prefix in COMMUNE_KINDS:
            if normalise_name(item.new_name).startswith(normalise_name(prefix) + " "):
                item.new_name = item.new_name[len(prefix):].strip()
                break
        if not item.new_name:
            p.append(("Tên xã mới", "không được để trống"))
        elif len(item.new_name) > MAX_NAME:
            p.append(("Tên xã mới", f"tối đa {MAX_NAME} ký tự"))
        kind = cell_text(cells.get("new_kind")).lower() or "xã"
        if kind not in COMMUNE_KINDS:
            p.append(("Loại", f"phải là một trong {', '.join(COMMUNE_KINDS)}"))
        item.new_kind = kind
        old_text = cell_text(cells.get("old"))
        if not old_text:
            p.append(("Xã cũ", "không được để trống"))
        elif item.date is not None:
            day_before = item.date - dt.timedelta(days=1)
            item.old = _check(p, "Xã cũ", lambda: resolve_commune(session=session, text=old_text, on=day_before))
            if item.old is not None and not item.old.valid_on(day_before):
                p.append(("Xã cũ", f"{item.old.name} ({item.old.key}) không còn hiệu lực ngày {day_before:%d/%m/%Y}"))
            elif item.old is not None and item.old.valid_to not in (None, item.date):
                p.append(("Xã cũ", f"{item.old.name} đã kết thúc ngày {item.old.valid_to:%d/%m/%Y}"))
        item.share = _check(p, "Tỷ lệ", lambda: _share(cells.get("share"))) or 1.0
        item.source = cell_text(cells.get("source"))[:2000]
        item.note = cell_text(cells.get("note"))[:2000]
        parsed.append(item)
    _check_reorganisation(session, parsed)
    return parsed, errors, notes


def _check_reorganisation(session: Session, parsed: list[_ReorgRow]) -> None:
    """Rules across rows: one name and date per new unit, shares of each old unit add up to 1, no repeats."""
    new_units: dict[str, _ReorgRow] = {}
    by_old: dict[str, list[_ReorgRow]] = {}
    links: dict[tuple[str, str], int] = {}
    for item in parsed:
        if item.date is None or not item.new_code:
            continue
        key = _new_key(item.new_code, item.date)
        first = new_units.setdefault(key, item)
        if first is not item and (normalise_name(first.new_name), first.new_kind) != (normalise_name(item.new_name),
                                                                                    item.new_kind):
            item.problems.append(("Tên xã mới", f"khác với dòng {first.row} cho cùng mã {item.new_code}"))
        if session.get(Unit, key) is not None:
            item.problems.append(("Mã xã mới", f"đơn vị {key} đã có (tệp này đã được nhập?)"))
        if item.old is not None:
            if (item.old.key, key) in links:
                item.problems.append(("Xã cũ", f"trùng với dòng {links[(item.old.key, key)]}"))
            links[(item.old.key, key)] = item.row
            by_old.setdefault(item.old.key, []).append(item)
    for rows in by_old.values():
        dates = {r.date for r in rows}
        if len(dates) > 1:
            rows[-1].problems.append(("Ngày hiệu lực", "một xã cũ chỉ có một ngày sắp xếp"))
        total = sum(r.share for r in rows)
        if abs(total - 1.0) > 0.001:
            rows[-1].problems.append(("Tỷ lệ", f"tổng tỷ lệ của xã {rows[0].old.name} là {total:g}, phải bằng 1"))


def _reorganisation_preview(parsed: list[_ReorgRow], errors: list[str], notes: list[str]) -> ImportPreview:
    records = []
    for item in parsed:
        errors += _row_errors(item.row, item.problems)
        records.append({
            "row": item.row, "date": item.date, "new_key": _new_key(item.new_code, item.date) if item.date and item.new_code else "",
            "new_name": item.new_name, "new_kind": item.new_kind,
            "old": f"{item.old.name} ({item.old.key})" if item.old else "", "share": item.share,
            "status": "lỗi" if item.problems else "hợp lệ",
            "message": "; ".join(f"{label}: {m}" for label, m in item.problems),
        })
    frame = pd.DataFrame(records, columns=["row", "date", "new_key", "new_name", "new_kind", "old", "share", "status",
                                           "message"])
    counts = {"rows": len(frame), "new_units": frame.loc[frame["status"] == "hợp lệ", "new_key"].nunique(),
              "old_units": frame.loc[frame["status"] == "hợp lệ", "old"].nunique()}
    return ImportPreview(frame, errors, notes, counts)


def preview_reorganisation(*, session: Session, data: bytes, filename: str) -> ImportPreview:
    """What importing a reorganisation (new units, successor links, date) would do; writes nothing."""
    return _reorganisation_preview(*_parse_reorganisation(session, data, filename))


def _province_on(session: Session, day: dt.date) -> str | None:
    return next((u.key for u in session.scalars(select(Unit).where(Unit.level == "province")) if u.valid_on(day)), None)


def import_reorganisation(*, session: Session, actor: Actor, data: bytes, filename: str) -> ImportPreview:
    """Create the new units, end the old ones on the date and link them (admin): all rows or none."""
    actor = _admin(session, actor)
    parsed, errors, notes = _parse_reorganisation(session, data, filename)
    preview = _reorganisation_preview(parsed, errors, notes)
    if not preview.ok:
        raise ReferenceImportError(preview)
    created: dict[str, Unit] = {}
    ended: set[str] = set()
    for item in parsed:
        key = _new_key(item.new_code, item.date)
        if key not in created:
            parent = session.get(Unit, item.old.parent_key) if item.old.parent_key else None
            parent_key = parent.key if parent is not None and parent.valid_on(item.date) else _province_on(session, item.date)
            unit = Unit(key=key, code=item.new_code, level="commune", kind=item.new_kind, name=item.new_name,
                        name_norm=normalise_name(item.new_name), parent_key=parent_key, valid_from=item.date,
                        valid_to=None, border_status=item.old.border_status if item.old.border_status == "confirmed"
                        else "unknown", source=item.source, note=item.note, verified=True)
            session.add(unit)
            session.flush()
            created[key] = unit
            log_change(session=session, actor=actor, action="create", entity="unit", entity_id=key,
                       new={"code": unit.code, "name": unit.name, "kind": unit.kind, "valid_from": unit.valid_from,
                            "parent_key": parent_key})
        elif item.old.border_status == "confirmed":
            created[key].border_status = "confirmed"
        if item.old.key not in ended and item.old.valid_to is None:
            log_change(session=session, actor=actor, action="update", entity="unit", entity_id=item.old.key,
                       old={"valid_to": None}, new={"valid_to": item.date}, reason=f"sắp xếp đơn vị ({filename[:60]})")
            item.old.valid_to = item.date
        ended.add(item.old.key)
        link = UnitSuccessor(from_key=item.old.key, to_key=key, date=item.date, share=item.share, source=item.source,
                             note=item.note)
        session.add(link)
        session.flush()
        log_change(session=session, actor=actor, action="create", entity="successor", entity_id=link.id,
                   new={"from_key": item.old.key, "to_key": key, "date": item.date, "share": item.share})
    log_change(session=session, actor=actor, action="import", entity="successor", entity_id=filename[:64],
               new={"rows": len(parsed), "new_units": len(created), "old_units": len(ended)})
    preview.counts.update({"created": len(created), "ended": len(ended)})
    return preview
