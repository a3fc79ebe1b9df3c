"""The data version: the newest change-log entry that changed data, so every process can tell its caches are old."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_model.schema.models import ChangeLog

# security events change no figure: a login must not make every process recompute every page
NOT_DATA_ACTIONS = ("login", "login_failed", "logout")


def read_data_version(*, session: Session) -> int:
    """The id of the newest change-log entry that is not a security event (0 for none)."""
    # newest first, stopping at the first match: the primary key's index, whatever the table's size
    newest = session.scalar(select(ChangeLog.id).where(ChangeLog.action.not_in(NOT_DATA_ACTIONS))
                            .order_by(ChangeLog.id.desc()).limit(1))
    return int(newest or 0)
