"""Checks shared by the admin's reference edits and imports: typed values, the acting admin, units by key."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_model.accounts.users import refresh_actor
from data_model.basics.issues import YEAR_MAX, YEAR_MIN
from data_model.basics.permissions import Actor, require_admin, require_population_edit
from data_model.reference.languages import parse_languages
from data_model.schema.models import ReportingUnit, Unit, Village
from data_model.texts.catalogue import Number, Text
from data_model.texts.errors import UserError
from data_model.texts.input import BAD_TEXT, clean_text, is_clean

BORDER_STATUSES = ("confirmed", "probable", "possible", "unknown", "not_border")
REPORTING_KINDS = ("station", "battalion", "department", "radio_tv", "press", "loudspeaker_cluster")
COMMUNE_KINDS = ("xã", "phường", "thị trấn")
MAX_POPULATION = 10_000_000
MAX_NAME = 120


class ReferenceEditError(UserError, ValueError):
    """Bad reference-data input; the message is Vietnamese and names the field."""


def refused(field_name: str, problem: Text) -> ReferenceEditError:
    """The error "Field: problem" (field_name a msgid); an import shows the problem under the field's column."""
    return ReferenceEditError("{field}: {problem}", field=Text(field_name), problem=problem)


def checked_text(value: Any, field_name: str, *, required: bool = True, limit: int = MAX_NAME) -> str:
    return clean_text(value, field=field_name, limit=limit, required=required, error=ReferenceEditError)


def acting_admin(session: Session, actor: Actor) -> Actor:
    actor = refresh_actor(session=session, actor=actor)
    require_admin(actor)
    return actor


def acting_population_editor(session: Session, actor: Actor) -> Actor:
    actor = refresh_actor(session=session, actor=actor)
    require_population_edit(actor)
    return actor


def checked_key(value: Any, field_name: str) -> str:
    if not isinstance(value, str) or not is_clean(value):
        raise ReferenceEditError("{field}: mã không hợp lệ", field=Text(field_name))
    return value


def checked_year(value: Any) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise refused("Năm", Text("«{value}» không phải năm", value=value)) from None
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise refused("Năm", Text("phải từ {low} đến {high}", low=YEAR_MIN, high=YEAR_MAX))
    return year


def checked_population(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_POPULATION:
        raise refused("Dân số", Text("phải là số nguyên từ 0 đến {high}", high=Number(MAX_POPULATION)))
    return value


def get_commune(session: Session, key: str) -> Unit:
    unit = session.get(Unit, checked_key(key, "Xã"))
    if unit is None or unit.level != "commune":
        raise ReferenceEditError("Xã: không có xã mã {key!r}", key=key)
    return unit


def get_station(session: Session, key: str) -> ReportingUnit:
    unit = session.scalar(select(ReportingUnit).where(ReportingUnit.key == checked_key(key, "Đơn vị")))
    if unit is None:
        raise ReferenceEditError("Đơn vị: không có đơn vị mã {key!r}", key=key)
    return unit


def get_village(session: Session, village_id: int) -> Village:
    village = session.get(Village, village_id)
    if village is None:
        raise ReferenceEditError("Bản: không có bản số {village_id}", village_id=village_id)
    return village


def snapshot(obj: Any, fields: Sequence[str]) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in fields}


def apply_given(obj: Any, changes: dict[str, Any]) -> dict[str, Any]:
    for key, value in changes.items():
        if value is not None:
            setattr(obj, key, value)
    return changes


def checked_languages(languages: Sequence[str], field_name: str = "Ngôn ngữ") -> list[str]:
    """Language codes from names or codes (parse_languages); ReferenceEditError naming the field."""
    if any(not is_clean(str(part)) for part in languages):
        raise ReferenceEditError("{field}: {problem}", field=Text(field_name), problem=Text(BAD_TEXT))
    try:
        return parse_languages(list(languages))
    except ValueError as exc:
        raise ReferenceEditError("{field}: {problem}", field=Text(field_name),
                                 problem=exc.args[0] if exc.args else str(exc)) from None
