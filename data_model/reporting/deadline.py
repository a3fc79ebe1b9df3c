"""The monthly reporting deadline (a setting, default the 5th of the next month) and months in Vietnamese time."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_model.audit.changelog import log_change
from data_model.basics.permissions import Actor, require_admin
from data_model.schema.clock import convert_to_local, now_local
from data_model.schema.models import AppMeta

DEADLINE_KEY = "reporting_deadline_day"
DEFAULT_DEADLINE_DAY = 5
MAX_DEADLINE_DAY = 28  # every month has a 28th


class ReportingError(ValueError):
    """Bad input to confirmations or year close; the message is Vietnamese and names the field or the year."""


def local_now(now: dt.datetime | None = None) -> dt.datetime:
    """The province's time of a UTC time stored naive (now on the one clock by default)."""
    return convert_to_local(utc=now) if now is not None else now_local()


def local_today(now: dt.datetime | None = None) -> dt.date:
    """Today in the province (the one clock's date, or that of a given UTC time)."""
    return local_now(now).date()


def deadline_of(*, year: int, month: int, day: int) -> dt.date:
    """The last day for confirming month `month`: day `day` of the next month."""
    first_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_next.replace(day=day)


def month_ended(*, year: int, month: int, today: dt.date) -> bool:
    """Whether the month is over on that day."""
    return (year, month) < (today.year, today.month)


def get_deadline_day(*, session: Session) -> int:
    """The day of the next month by which a month must be confirmed."""
    value = session.scalar(select(AppMeta.value).where(AppMeta.key == DEADLINE_KEY))
    try:
        day = int(value) if value else DEFAULT_DEADLINE_DAY
    except ValueError:
        return DEFAULT_DEADLINE_DAY
    return day if 1 <= day <= MAX_DEADLINE_DAY else DEFAULT_DEADLINE_DAY


def set_deadline_day(*, session: Session, actor: Actor, day: object) -> int:
    """Change the reporting deadline (admins); logged in the audit log. Confirmations already made keep their flag."""
    require_admin(actor)
    try:
        value = int(str(day).strip())
    except ValueError:
        raise ReportingError(f"Hạn báo cáo: «{str(day)[:20]}» không phải là số ngày") from None
    if not 1 <= value <= MAX_DEADLINE_DAY:
        raise ReportingError(f"Hạn báo cáo: ngày phải từ 1 đến {MAX_DEADLINE_DAY} của tháng sau")
    old = get_deadline_day(session=session)
    row = session.get(AppMeta, DEADLINE_KEY)
    if row is None:
        session.add(AppMeta(key=DEADLINE_KEY, value=str(value)))
    else:
        row.value = str(value)
    log_change(session=session, actor=actor, action="update", entity="setting", entity_id=DEADLINE_KEY,
               old={"deadline_day": old}, new={"deadline_day": value})
    return value
