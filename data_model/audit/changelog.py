"""Writing to the change log: every create, edit, delete, import, login and failed login."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from data_model.basics.permissions import Actor
from data_model.schema.models import ChangeLog


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _dump(values: Mapping[str, Any] | None) -> str:
    if not values:
        return ""
    return json.dumps({k: _jsonable(v) for k, v in values.items()}, ensure_ascii=False, sort_keys=True)


def change_entry(
    *, actor: Actor | None, action: str, entity: str = "", entity_id: str | int = "",
    old: Mapping[str, Any] | None = None, new: Mapping[str, Any] | None = None, reason: str = "",
    username: str | None = None,
) -> dict[str, Any]:
    """The columns of one change-log entry; old/new keep only the fields that differ on update."""
    if old and new:
        changed = {k for k in set(old) | set(new) if _jsonable(old.get(k)) != _jsonable(new.get(k))}
        old = {k: old.get(k) for k in changed}
        new = {k: new.get(k) for k in changed}
    return {
        "user_id": actor.user_id if actor else None,
        "username": username if username is not None else (actor.username if actor else ""),
        "action": action, "entity": entity, "entity_id": str(entity_id), "old_values": _dump(old),
        "new_values": _dump(new), "reason": reason,
    }


def log_change(
    *, session: Session, actor: Actor | None, action: str, entity: str = "", entity_id: str | int = "",
    old: Mapping[str, Any] | None = None, new: Mapping[str, Any] | None = None, reason: str = "",
    username: str | None = None,
) -> ChangeLog:
    """Add one change-log entry in the caller's transaction; old/new keep only the fields that differ on update."""
    entry = ChangeLog(**change_entry(actor=actor, action=action, entity=entity, entity_id=entity_id, old=old, new=new,
                                     reason=reason, username=username))
    session.add(entry)
    return entry
