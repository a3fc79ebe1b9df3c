"""The checks every record write calls in its own transaction. Records never import the features that own them:
those register here (reporting/guard.py: closed years refuse or log a revision, confirmed months marked revised),
and the start-up (startup/__init__.py) imports them so every program that writes has them."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from sqlalchemy.orm import Session

from data_model.basics.permissions import Actor

MonthKey = tuple[int, int, int]  # (reporting unit id, year, month)


class RecordCheck(Protocol):
    def __call__(self, *, session: Session, actor: Actor, record_id: int, action: str,
                 old: Mapping[str, Any] | None, new: Mapping[str, Any] | None, reason: str = "",
                 old_text: Mapping[str, Any] | None = None, new_text: Mapping[str, Any] | None = None,
                 now: dt.datetime | None = None) -> None: ...


class BulkCheck(Protocol):
    def __call__(self, *, session: Session, months: Iterable[MonthKey], years: Iterable[int],
                 now: dt.datetime | None = None) -> None: ...


_record_checks: list[RecordCheck] = []
_bulk_checks: list[BulkCheck] = []


def on_record_write(check: RecordCheck) -> RecordCheck:
    """Register a check every single-record write calls (after the summaries are updated); once per function."""
    if check not in _record_checks:
        _record_checks.append(check)
    return check


def on_bulk_write(check: BulkCheck) -> BulkCheck:
    """Register a check every bulk write (an import) calls before it writes; once per function."""
    if check not in _bulk_checks:
        _bulk_checks.append(check)
    return check


def check_record_write(**kwargs: Any) -> None:
    """Run every registered single-record check (their keyword arguments are RecordCheck's)."""
    for check in list(_record_checks):
        check(**kwargs)


def check_bulk_writes(**kwargs: Any) -> None:
    """Run every registered bulk check (their keyword arguments are BulkCheck's)."""
    for check in list(_bulk_checks):
        check(**kwargs)


def registered_checks() -> tuple[Callable[..., None], ...]:
    """The registered checks, single-record ones first (for tests and start-up checks)."""
    return (*_record_checks, *_bulk_checks)


def record_months(columns: Mapping[str, Any] | None) -> set[MonthKey]:
    """The (unit, year, month) keys a record touches: every month from its start to its end date."""
    if not columns or not columns.get("reporting_unit_id") or not columns.get("start_date"):
        return set()
    start, end = columns["start_date"], columns.get("end_date") or columns["start_date"]
    unit, year = int(columns["reporting_unit_id"]), int(columns.get("year") or start.year)
    last = end.month if end.year == start.year else 12
    return {(unit, year, m) for m in range(start.month, max(last, start.month) + 1)}
