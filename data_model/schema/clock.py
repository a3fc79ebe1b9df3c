"""The one clock: the current instant, and dates and times in the province's time zone (setting PROVINCE_TIMEZONE)."""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from data_model.schema.settings import get_settings


def utc_instant() -> dt.datetime:
    """The current instant, timezone-aware UTC; the only place that reads the machine's clock (tests move it here)."""
    return dt.datetime.now(dt.UTC)


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"PROVINCE_TIMEZONE: «{name[:60]}» không phải là múi giờ (ví dụ Asia/Ho_Chi_Minh)") from None


def get_zone() -> ZoneInfo:
    """The province's time zone."""
    return _zone(get_settings().province_timezone)


def convert_to_local(*, utc: dt.datetime) -> dt.datetime:
    """The province's wall-clock time, naive, of a UTC time (naive as stored, or aware)."""
    aware = utc if utc.tzinfo else utc.replace(tzinfo=dt.UTC)
    return aware.astimezone(get_zone()).replace(tzinfo=None)


def convert_to_utc(*, local: dt.datetime) -> dt.datetime:
    """The naive UTC time (as stored) of a wall-clock time in the province."""
    return local.replace(tzinfo=get_zone()).astimezone(dt.UTC).replace(tzinfo=None)


def get_utc_offset(*, utc: dt.datetime | None = None) -> dt.timedelta:
    """How far the province's clock is ahead of UTC at that instant (now by default)."""
    at = utc or utc_instant()
    return (at if at.tzinfo else at.replace(tzinfo=dt.UTC)).astimezone(get_zone()).utcoffset() or dt.timedelta()


def now_local() -> dt.datetime:
    """Now on the province's clock, naive."""
    return convert_to_local(utc=utc_instant())


def today_local() -> dt.date:
    """Today in the province."""
    return now_local().date()
