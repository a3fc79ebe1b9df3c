"""Admin edits of reference data, one at a time: communes, villages, population, languages, stations, coverage,
aliases; every change goes into the change log."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from data_model.audit.changelog import log_change
from data_model.basics.issues import MAX_REASON
from data_model.basics.permissions import Actor
from data_model.reference.names import normalise_name
from data_model.reference_admin.checks import (
    BORDER_STATUSES,
    REPORTING_KINDS,
    ReferenceEditError,
    acting_admin,
    acting_population_editor,
    apply_given,
    checked_key,
    checked_languages,
    checked_population,
    checked_text,
    checked_year,
    get_commune,
    get_station,
    get_village,
    snapshot,
)
from data_model.reference_admin.lists import list_languages
from data_model.schema.models import (
    ActivityRecord,
    ReportingUnit,
    StationCoverage,
    Unit,
    UnitAlias,
    UnitFact,
    UnitLanguage,
    Village,
)
from data_model.texts.catalogue import Date

COMMUNE_FIELDS = ("name", "border_status", "verified", "note")


def update_commune(
    *, session: Session, actor: Actor, key: str, name: str | None = None, border_status: str | None = None,
    verified: bool | None = None, note: str | None = None,
) -> None:
    """Change a commune version's display name, border status, verified mark or note (admin)."""
    actor = acting_admin(session, actor)
    unit = get_commune(session, key)
    old = snapshot(unit, COMMUNE_FIELDS)
    if name is not None:
        name = checked_text(name, "Tên xã")
        unit.name_norm = normalise_name(name)
    if border_status is not None and border_status not in BORDER_STATUSES:
        raise ReferenceEditError("Tình trạng biên giới: phải là một trong {border_statuses}",
                                 border_statuses=', '.join(BORDER_STATUSES))
    if note is not None:
        note = checked_text(note, "Ghi chú", required=False, limit=2000)
    apply_given(unit, {"name": name, "border_status": border_status, "verified": verified, "note": note})
    log_change(session=session, actor=actor, action="update", entity="unit", entity_id=key, old=old,
               new=snapshot(unit, COMMUNE_FIELDS))


VILLAGE_FIELDS = ("unit_key", "name", "verified", "note")


def create_village(
    *, session: Session, actor: Actor, unit_key: str, name: str, verified: bool = True, note: str = "", source: str = "",
) -> int:
    """Add a village to a commune version (admin); returns its id."""
    actor = acting_admin(session, actor)
    get_commune(session, unit_key)
    name = checked_text(name, "Tên bản")
    if session.scalar(select(Village.id).where(Village.unit_key == unit_key, Village.name_norm == normalise_name(name))):
        raise ReferenceEditError("Tên bản: xã này đã có bản «{name}»", name=name)
    village = Village(unit_key=unit_key, name=name, name_norm=normalise_name(name), is_demo=False, verified=verified,
                      note=checked_text(note, "Ghi chú", required=False, limit=2000),
                      source=checked_text(source, "Nguồn", required=False, limit=2000))
    session.add(village)
    session.flush()
    log_change(session=session, actor=actor, action="create", entity="village", entity_id=village.id,
               new=snapshot(village, VILLAGE_FIELDS))
    return village.id


def update_village(
    *, session: Session, actor: Actor, village_id: int, name: str | None = None, verified: bool | None = None,
    note: str | None = None,
) -> None:
    """Rename a village or change its verified mark or note (admin)."""
    actor = acting_admin(session, actor)
    village = get_village(session, village_id)
    old = snapshot(village, VILLAGE_FIELDS)
    if name is not None:
        name = checked_text(name, "Tên bản")
        village.name_norm = normalise_name(name)
    if note is not None:
        note = checked_text(note, "Ghi chú", required=False, limit=2000)
    apply_given(village, {"name": name, "verified": verified, "note": note})
    log_change(session=session, actor=actor, action="update", entity="village", entity_id=village_id, old=old,
               new=snapshot(village, VILLAGE_FIELDS))


def delete_village(*, session: Session, actor: Actor, village_id: int, reason: str = "") -> None:
    """Remove a village that no record names (admin); its population and language rows go with it."""
    actor = acting_admin(session, actor)
    reason = checked_text(reason, "Lý do", required=False, limit=MAX_REASON)
    village = get_village(session, village_id)
    used = session.scalar(select(func.count()).select_from(ActivityRecord).where(ActivityRecord.village_id == village_id))
    if used:
        raise ReferenceEditError("Bản «{name}»: có {used} hoạt động ghi tại bản này, không xóa được (hãy đánh dấu "
                                 "chưa xác minh hoặc sửa tên)", name=village.name, used=used)
    old = snapshot(village, VILLAGE_FIELDS)
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
    actor = acting_population_editor(session, actor)
    get_commune(session, unit_key)
    if village_id is not None and get_village(session, village_id).unit_key != unit_key:
        raise ReferenceEditError("Bản: không thuộc xã đã chọn")
    year, population = checked_year(year), checked_population(population)
    source = checked_text(source, "Nguồn", required=False, limit=2000)
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
    actor = acting_population_editor(session, actor)
    reason = checked_text(reason, "Lý do", required=False, limit=MAX_REASON)
    fact = session.get(UnitFact, fact_id)
    if fact is None or fact.fact != "population":
        raise ReferenceEditError("Dân số: không có số liệu số {fact_id}", fact_id=fact_id)
    old = {"unit_key": fact.unit_key, "village_id": fact.village_id, "year": fact.year, "value": fact.value}
    session.delete(fact)
    session.flush()
    log_change(session=session, actor=actor, action="delete", entity="fact", entity_id=fact_id, old=old, reason=reason)


def set_languages(
    *, session: Session, actor: Actor, unit_key: str, languages: Sequence[str], village_id: int | None = None,
    source: str = "",
) -> None:
    """Replace the languages spoken in a commune version or a village (admin)."""
    actor = acting_admin(session, actor)
    get_commune(session, unit_key)
    if village_id is not None and get_village(session, village_id).unit_key != unit_key:
        raise ReferenceEditError("Bản: không thuộc xã đã chọn")
    codes = checked_languages(languages)
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
    actor = acting_admin(session, actor)
    key = checked_text(key, "Mã đơn vị", limit=64).lower()
    if not all(c.isascii() and (c.isalnum() or c == "_") for c in key):
        raise ReferenceEditError("Mã đơn vị: chỉ dùng a–z, 0–9 và dấu gạch dưới")
    if kind not in REPORTING_KINDS:
        raise ReferenceEditError("Loại đơn vị: phải là một trong {reporting_kinds}",
                                 reporting_kinds=', '.join(REPORTING_KINDS))
    if session.scalar(select(ReportingUnit.id).where(ReportingUnit.key == key)):
        raise ReferenceEditError("Mã đơn vị: {key!r} đã có", key=key)
    unit = ReportingUnit(key=key, kind=kind, name=checked_text(name, "Tên đơn vị", limit=200),
                         short_name=checked_text(short_name, "Tên ngắn"),
                         number=checked_text(number, "Phiên hiệu", required=False, limit=16),
                         verified=verified, note=checked_text(note, "Ghi chú", required=False, limit=2000), active=True)
    session.add(unit)
    session.flush()
    log_change(session=session, actor=actor, action="create", entity="station", entity_id=key,
               new=snapshot(unit, STATION_FIELDS))
    return unit.id


def update_station(
    *, session: Session, actor: Actor, key: str, name: str | None = None, short_name: str | None = None,
    number: str | None = None, active: bool | None = None, verified: bool | None = None, note: str | None = None,
) -> None:
    """Change a reporting unit's names, number, active or verified mark, or note (admin)."""
    actor = acting_admin(session, actor)
    unit = get_station(session, key)
    old = snapshot(unit, STATION_FIELDS)
    changes = {
        "name": checked_text(name, "Tên đơn vị", limit=200) if name is not None else None,
        "short_name": checked_text(short_name, "Tên ngắn") if short_name is not None else None,
        "number": checked_text(number, "Phiên hiệu", required=False, limit=16) if number is not None else None,
        "note": checked_text(note, "Ghi chú", required=False, limit=2000) if note is not None else None,
        "active": active, "verified": verified,
    }
    apply_given(unit, changes)
    log_change(session=session, actor=actor, action="update", entity="station", entity_id=key, old=old,
               new=snapshot(unit, STATION_FIELDS))


def _check_interval(unit: Unit, valid_from: dt.date | None, valid_to: dt.date | None) -> None:
    if valid_from and valid_to and valid_from >= valid_to:
        raise ReferenceEditError("Từ ngày / đến ngày: ngày bắt đầu phải trước ngày kết thúc")
    if valid_from and unit.valid_to and valid_from >= unit.valid_to:
        raise ReferenceEditError("Từ ngày: xã {name} đã hết hiệu lực từ {valid_to}", name=unit.name,
                                 valid_to=Date(unit.valid_to))
    if valid_to and unit.valid_from and valid_to <= unit.valid_from:
        raise ReferenceEditError("Đến ngày: xã {name} chỉ có từ {valid_from}", name=unit.name,
                                 valid_from=Date(unit.valid_from))


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
    actor = acting_admin(session, actor)
    station = get_station(session, station_key)
    unit = get_commune(session, unit_key)
    _check_interval(unit, valid_from, valid_to)
    if _overlapping(session, station.id, unit_key, valid_from, valid_to, None):
        raise ReferenceEditError("Phạm vi: {short_name} đã phụ trách xã {name} trong khoảng thời gian này",
                                 short_name=station.short_name, name=unit.name)
    link = StationCoverage(station_id=station.id, unit_key=unit_key, valid_from=valid_from, valid_to=valid_to,
                           derived=False, note=checked_text(note, "Ghi chú", required=False, limit=2000),
                           source=checked_text(source, "Nguồn", required=False, limit=2000))
    session.add(link)
    session.flush()
    log_change(session=session, actor=actor, action="create", entity="coverage", entity_id=link.id,
               new={"station": station_key, **snapshot(link, COVERAGE_FIELDS)})
    return link.id


def update_coverage(
    *, session: Session, actor: Actor, coverage_id: int, valid_from: dt.date | None, valid_to: dt.date | None,
    note: str | None = None,
) -> None:
    """Change the dates (or note) of a station ↔ commune link (admin); the link is then no longer 'derived'."""
    actor = acting_admin(session, actor)
    link = session.get(StationCoverage, coverage_id)
    if link is None:
        raise ReferenceEditError("Phạm vi: không có liên kết số {coverage_id}", coverage_id=coverage_id)
    unit = get_commune(session, link.unit_key)
    _check_interval(unit, valid_from, valid_to)
    if _overlapping(session, link.station_id, link.unit_key, valid_from, valid_to, coverage_id):
        raise ReferenceEditError("Phạm vi: trùng thời gian với một liên kết khác của cùng đồn và xã")
    old = snapshot(link, COVERAGE_FIELDS + ("derived",))
    link.valid_from, link.valid_to, link.derived = valid_from, valid_to, False
    if note is not None:
        link.note = checked_text(note, "Ghi chú", required=False, limit=2000)
    log_change(session=session, actor=actor, action="update", entity="coverage", entity_id=coverage_id, old=old,
               new=snapshot(link, COVERAGE_FIELDS + ("derived",)))


def delete_coverage(*, session: Session, actor: Actor, coverage_id: int, reason: str = "") -> None:
    """Remove a station ↔ commune link (admin)."""
    actor = acting_admin(session, actor)
    reason = checked_text(reason, "Lý do", required=False, limit=MAX_REASON)
    link = session.get(StationCoverage, coverage_id)
    if link is None:
        raise ReferenceEditError("Phạm vi: không có liên kết số {coverage_id}", coverage_id=coverage_id)
    old = snapshot(link, COVERAGE_FIELDS)
    session.delete(link)
    session.flush()
    log_change(session=session, actor=actor, action="delete", entity="coverage", entity_id=coverage_id, old=old,
               reason=reason)


def add_alias(*, session: Session, actor: Actor, unit_key: str, alias: str, note: str = "") -> int:
    """Add another spelling or former name of a unit version, used when matching imports (admin)."""
    actor = acting_admin(session, actor)
    unit = session.get(Unit, checked_key(unit_key, "Đơn vị"))
    if unit is None:
        raise ReferenceEditError("Đơn vị: không có đơn vị mã {unit_key!r}", unit_key=unit_key)
    alias = checked_text(alias, "Tên gọi khác")
    norm = normalise_name(alias)
    if norm == unit.name_norm or session.scalar(
            select(UnitAlias.id).where(UnitAlias.unit_key == unit_key, UnitAlias.alias_norm == norm)):
        raise ReferenceEditError("Tên gọi khác: «{alias}» đã có cho {name}", alias=alias, name=unit.name)
    row = UnitAlias(unit_key=unit_key, alias=alias, alias_norm=norm,
                    note=checked_text(note, "Ghi chú", required=False, limit=2000), source="")
    session.add(row)
    session.flush()
    log_change(session=session, actor=actor, action="create", entity="alias", entity_id=row.id,
               new={"unit_key": unit_key, "alias": alias, "note": row.note})
    return row.id


def delete_alias(*, session: Session, actor: Actor, alias_id: int, reason: str = "") -> None:
    """Remove an alias (admin)."""
    actor = acting_admin(session, actor)
    reason = checked_text(reason, "Lý do", required=False, limit=MAX_REASON)
    row = session.get(UnitAlias, alias_id)
    if row is None:
        raise ReferenceEditError("Tên gọi khác: không có mục số {alias_id}", alias_id=alias_id)
    old = {"unit_key": row.unit_key, "alias": row.alias}
    session.delete(row)
    session.flush()
    log_change(session=session, actor=actor, action="delete", entity="alias", entity_id=alias_id, old=old,
               reason=reason)
