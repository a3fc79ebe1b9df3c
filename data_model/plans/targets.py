"""Targets of the yearly plan: one number per year × (province | commune | reporting unit) × type × measure; reading,
entering, correcting and removing them (planners and admins), every change in the change log."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from data_model.accounts.users import refresh_actor
from data_model.analytics.units import commune_names
from data_model.audit.changelog import log_change
from data_model.basics.issues import YEAR_MAX, YEAR_MIN
from data_model.basics.permissions import Actor, require_target_edit
from data_model.definitions.activity_types import get_activity_type, list_activity_types, load_activity_types
from data_model.schema.models import ReportingUnit, Unit, utcnow
from data_model.schema.planning import Target
from data_model.texts.input import clean_text

LEVELS: dict[str, tuple[str, str]] = {"province": ("Toàn tỉnh", "Province"), "unit": ("Đơn vị", "Reporting unit"),
                                      "commune": ("Xã", "Commune")}
PROVINCE_KEY = "province"  # the scope key files and the command line write for the province ("" in the table)
MAX_TARGET = 1_000_000_000
MAX_NOTE = 500
TARGET_COLUMNS = ["id", "year", "level", "scope_key", "scope_name", "type", "type_name", "measure", "measure_label",
                  "unit", "value", "note"]


class PlanError(ValueError):
    """A target that cannot be stored; the message is Vietnamese and names the field."""


@dataclass(frozen=True)
class TargetKey:
    """What a target is for: the year, the level and its scope key ("" for the province), the type and measure."""

    year: int
    level: str
    scope_key: str
    type_code: str
    measure: str

    def label(self) -> str:
        """A short id for the change log: 2024/unit:st_dao_san/outreach_session/sessions."""
        scope = self.level if self.level == "province" else f"{self.level}:{self.scope_key}"
        return f"{self.year}/{scope}/{self.type_code}/{self.measure}"[:64]


def checked_year(value: Any) -> int:
    """A plan year within the one rule for years."""
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise PlanError(f"Năm: «{str(value)[:20]}» không phải năm") from None
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise PlanError(f"Năm: phải từ {YEAR_MIN} đến {YEAR_MAX}")
    return year


def checked_value(value: Any) -> int:
    """A target figure: a whole number from 0 to MAX_TARGET."""
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise PlanError(f"Kế hoạch: «{str(value)[:20]}» không phải số nguyên") from None
    if not 0 <= value <= MAX_TARGET:
        raise PlanError(f"Kế hoạch: phải từ 0 đến {MAX_TARGET:,}".replace(",", "."))
    return value


def checked_type_and_measure(type_code: str, measure: str) -> tuple[str, str]:
    """An activity type and one of its measures, both by code."""
    types = load_activity_types()
    if type_code not in types:
        raise PlanError(f"Loại hoạt động: không có loại «{str(type_code)[:40]}»")
    if measure not in {m.code for m in types[type_code].measures}:
        raise PlanError(f"Chỉ tiêu: loại «{types[type_code].name_vi}» không có chỉ tiêu «{str(measure)[:40]}»")
    return type_code, measure


def resolve_scope(*, session: Session, level: str, scope_key: str) -> tuple[str, str | None, int | None]:
    """(scope key as stored, commune key, reporting unit id) of a level and key; PlanError for an unknown one."""
    if level == "province":
        return "", None, None
    if level == "commune":
        unit = session.get(Unit, scope_key or "")
        if unit is None or unit.level != "commune":
            raise PlanError(f"Xã: không có xã mã «{str(scope_key)[:40]}»")
        return unit.key, unit.key, None
    if level == "unit":
        row = session.execute(select(ReportingUnit.id, ReportingUnit.kind, ReportingUnit.short_name)
                              .where(ReportingUnit.key == (scope_key or ""))).first()
        if row is None:
            raise PlanError(f"Đơn vị: không có đơn vị mã «{str(scope_key)[:40]}»")
        if row.kind == "loudspeaker_cluster":
            raise PlanError(f"Đơn vị: {row.short_name} là cụm loa, được tính cho đồn quản lý; hãy đặt kế hoạch cho đồn")
        return scope_key, None, row.id
    raise PlanError(f"Cấp: «{str(level)[:20]}» không hợp lệ (toàn tỉnh, đơn vị hoặc xã)")


def _find(session: Session, key: TargetKey) -> Target | None:
    t = Target
    return session.scalars(select(t).where(t.year == key.year, t.level == key.level, t.scope_key == key.scope_key,
                                           t.type_code == key.type_code, t.measure == key.measure)).first()


def acting_planner(*, session: Session, actor: Actor) -> Actor:
    """The actor as the database has them now, allowed to change targets (PermissionDenied otherwise)."""
    actor = refresh_actor(session=session, actor=actor)
    require_target_edit(actor)
    return actor


def store_target(*, session: Session, actor: Actor, key: TargetKey, value: int | None, note: str = "",
                 commune_key: str | None = None, reporting_unit_id: int | None = None) -> str:
    """Write one checked target in the caller's transaction (actor already checked): new, update, unchanged, delete."""
    target = _find(session, key)
    if value is None:
        if target is None:
            return "unchanged"
        log_change(session=session, actor=actor, action="delete", entity="target", entity_id=key.label(),
                   old={"value": target.value, "note": target.note})
        session.delete(target)
        return "delete"
    if target is not None and target.value == value and target.note == note:
        return "unchanged"
    old = {"value": target.value, "note": target.note} if target else None
    if target is None:
        target = Target(year=key.year, level=key.level, scope_key=key.scope_key, type_code=key.type_code,
                        measure=key.measure, commune_key=commune_key, reporting_unit_id=reporting_unit_id)
        session.add(target)
    target.value, target.note = value, note
    target.updated_at, target.updated_by = utcnow(), actor.user_id
    session.flush()
    log_change(session=session, actor=actor, action="update" if old else "create", entity="target",
               entity_id=key.label(), old=old, new={"value": value, "note": note})
    return "update" if old else "new"


def set_target(*, session: Session, actor: Actor, year: int, level: str, scope_key: str, type_code: str,
               measure: str, value: int | None, note: str = "") -> str:
    """Enter, correct (value) or remove (None) one target (planner or admin); returns new/update/unchanged/delete."""
    actor = acting_planner(session=session, actor=actor)
    year = checked_year(year)
    type_code, measure = checked_type_and_measure(type_code, measure)
    stored, commune_key, unit_id = resolve_scope(session=session, level=level, scope_key=scope_key)
    value = None if value is None else checked_value(value)
    note = clean_text(note or "", field="Ghi chú", limit=MAX_NOTE, required=False, error=PlanError)
    return store_target(session=session, actor=actor, key=TargetKey(year, level, stored, type_code, measure),
                        value=value, note=note, commune_key=commune_key, reporting_unit_id=unit_id)


def scope_names(*, session: Session, lang: str = "vi",
                levels: tuple[str, ...] = tuple(LEVELS)) -> dict[tuple[str, str], str]:
    """(level, scope key) → display name of the province, every reporting unit and every commune version."""
    names: dict[tuple[str, str], str] = {("province", ""): LEVELS["province"][0 if lang == "vi" else 1]}
    if "unit" in levels:
        for key, name in session.execute(select(ReportingUnit.key, ReportingUnit.short_name)):
            names[("unit", key)] = name
    if "commune" in levels:
        for key, name in commune_names(session=session, boundaries="historical", lang=lang).items():
            if key:
                names[("commune", key)] = name
    return names


def list_targets(*, session: Session, year: int, lang: str = "vi") -> pd.DataFrame:
    """The year's targets (TARGET_COLUMNS): the province first, then units and communes by name, types as defined."""
    types = load_activity_types()
    order = {t.code: i for i, t in enumerate(list_activity_types())}
    names = scope_names(session=session, lang=lang)
    rows = []
    for t in session.scalars(select(Target).where(Target.year == year)):
        definition = types.get(t.type_code)
        if definition is None:
            continue
        m = definition.measure(t.measure)
        rows.append({"id": t.id, "year": t.year, "level": t.level, "scope_key": t.scope_key,
                     "scope_name": names.get((t.level, t.scope_key), t.scope_key), "type": t.type_code,
                     "type_name": definition.name(lang), "measure": t.measure, "measure_label": m.label(lang),
                     "unit": m.unit(lang), "value": int(t.value), "note": t.note,
                     "_o": (list(LEVELS).index(t.level), names.get((t.level, t.scope_key), ""),
                            order.get(t.type_code, 99), m.slot)})
    rows.sort(key=lambda r: r["_o"])
    return pd.DataFrame([{k: v for k, v in r.items() if k != "_o"} for r in rows], columns=TARGET_COLUMNS)


def plan_years(*, session: Session) -> list[int]:
    """Years that have at least one target, newest first."""
    return sorted({int(y) for y in session.scalars(select(Target.year).distinct())}, reverse=True)


def measure_label(type_code: str, measure: str, lang: str = "vi") -> str:
    """"Tuyên truyền tại bản – Số buổi (buổi)"."""
    definition = get_activity_type(type_code)
    m = definition.measure(measure)
    return f"{definition.name(lang)} – {m.title(lang)}"


def scope_options(*, session: Session, year: int, lang: str = "vi") -> dict[str, dict[str, str]]:
    """What a target can be for in a year: the province, the reporting units (not clusters), the communes that
    existed during the year; level → {scope key → name}."""
    units = {key: name for key, name in session.execute(
        select(ReportingUnit.key, ReportingUnit.short_name).where(ReportingUnit.kind != "loudspeaker_cluster")
        .order_by(ReportingUnit.kind != "station", ReportingUnit.short_name))}
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    names = commune_names(session=session, boundaries="historical", lang=lang, year_from=year, year_to=year)
    keys = session.scalars(select(Unit.key).where(
        Unit.level == "commune", (Unit.valid_from.is_(None)) | (Unit.valid_from < end),
        (Unit.valid_to.is_(None)) | (Unit.valid_to > start)))
    communes = dict(sorted(((k, names.get(k, k)) for k in keys), key=lambda kv: kv[1]))
    return {"province": {"": LEVELS["province"][0 if lang == "vi" else 1]}, "unit": units, "commune": communes}


def current_target(*, session: Session, key: TargetKey) -> tuple[int, str] | None:
    """(value, note) of one target, None when none is set."""
    target = _find(session, key)
    return None if target is None else (int(target.value), target.note)
