"""Monthly confirmations: a reporting unit states that month M is fully entered ("nothing of type T" included)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import case, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from data_model.accounts.users import refresh_actor
from data_model.audit.changelog import log_change
from data_model.basics.issues import YEAR_MAX, YEAR_MIN
from data_model.basics.permissions import Actor, require_month_confirm
from data_model.definitions.activity_types import load_activity_types
from data_model.reporting.deadline import (
    ReportingError,
    deadline_of,
    get_deadline_day,
    local_now,
    local_today,
)
from data_model.reporting.year_close import YearClosed, standing_closes
from data_model.schema.models import ReportingUnit, utcnow
from data_model.schema.planning import MonthConfirmation
from data_model.texts.formatting import format_date
from data_model.texts.input import TextInputError, clean_text

# the units expected to confirm every month: stations, the battalion, the Department, radio/TV (not the press, not
# loudspeaker clusters: a cluster's records are its station's)
EXPECTED_KINDS = ("station", "battalion", "department", "radio_tv")
MAX_NOTE = 500


@dataclass(frozen=True)
class ExpectedUnit:
    """A reporting unit expected to confirm each month."""

    id: int
    key: str
    name: str
    kind: str


def expected_units(*, session: Session, unit_ids: Iterable[int] | None = None) -> list[ExpectedUnit]:
    """Active units expected to report, stations first then the provincial units, by name (optionally some only)."""
    u = ReportingUnit
    stmt = (select(u.id, u.key, u.short_name, u.kind).where(u.kind.in_(EXPECTED_KINDS), u.active.is_(True))
            .order_by(case((u.kind == "station", 0), else_=1), u.short_name))
    if unit_ids is not None:
        stmt = stmt.where(u.id.in_(list(unit_ids)))
    return [ExpectedUnit(*row) for row in session.execute(stmt)]


def confirming_units(*, session: Session, unit_ids: Iterable[int]) -> dict[int, int]:
    """The unit that confirms for each unit: a loudspeaker cluster's station, else the unit itself."""
    ids = sorted({i for i in unit_ids if i})
    if not ids:
        return {}
    u = ReportingUnit
    rows = session.execute(select(u.id, u.kind, u.parent_id).where(u.id.in_(ids)))
    return {i: (parent if kind == "loudspeaker_cluster" and parent else i) for i, kind, parent in rows}


def _month(year: object, month: object, today: dt.date) -> tuple[int, int]:
    try:
        y, m = int(year), int(month)
    except (TypeError, ValueError):
        raise ReportingError("Tháng báo cáo: năm và tháng phải là số") from None
    if not YEAR_MIN <= y <= YEAR_MAX:
        raise ReportingError(f"Năm: {y} nằm ngoài khoảng {YEAR_MIN}–{YEAR_MAX}")
    if not 1 <= m <= 12:
        raise ReportingError(f"Tháng: {m} không phải tháng từ 1 đến 12")
    if (y, m) > (today.year, today.month):
        raise ReportingError(f"Tháng {m}/{y} chưa đến: chỉ xác nhận được tháng này hoặc các tháng đã qua")
    return y, m


def _types(codes: Sequence[str]) -> str:
    known = load_activity_types()
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ReportingError(f"Loại hoạt động không có: {', '.join(unknown)}")
    return ",".join(dict.fromkeys(codes))


def confirm_month(*, session: Session, actor: Actor, reporting_unit_id: int, year: int, month: int,
                  no_activity_types: Sequence[str] = (), note: str = "",
                  now: dt.datetime | None = None) -> MonthConfirmation:
    """Record that a unit's month is fully entered; late when after the deadline in force; logged."""
    actor = refresh_actor(session=session, actor=actor)
    require_month_confirm(actor, reporting_unit_id)
    now = now or utcnow()
    y, m = _month(year, month, local_today(now))
    unit = next(iter(expected_units(session=session, unit_ids=[reporting_unit_id])), None)
    if unit is None:
        raise ReportingError("Đơn vị: không phải đơn vị báo cáo hằng tháng (đồn biên phòng, tiểu đoàn, Sở, Đài)")
    if standing_closes(session=session, years=[y]) and not actor.is_admin:
        raise YearClosed("Năm {year} đã khóa sổ (số liệu đã công bố): không xác nhận thêm tháng của năm này", year=y)
    try:
        note = clean_text(note, field="Ghi chú", limit=MAX_NOTE)
    except TextInputError as exc:
        raise ReportingError(str(exc)) from None
    existing = session.scalars(select(MonthConfirmation).where(
        MonthConfirmation.reporting_unit_id == unit.id, MonthConfirmation.year == y,
        MonthConfirmation.month == m)).first()
    if existing is not None:
        raise ReportingError(f"Tháng {m}/{y} của {unit.name} đã được xác nhận ngày "
                             f"{format_date(local_now(existing.confirmed_at).date())} ({existing.confirmed_by_name})")
    deadline = deadline_of(year=y, month=m, day=get_deadline_day(session=session))
    row = MonthConfirmation(reporting_unit_id=unit.id, year=y, month=m, confirmed_at=now, confirmed_by=actor.user_id,
                            confirmed_by_name=actor.username, deadline=deadline,
                            late=local_today(now) > deadline, no_activity_types=_types(no_activity_types), note=note,
                            revised=False)
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:  # someone confirmed the same month a moment ago
        raise ReportingError(f"Tháng {m}/{y} của {unit.name} vừa được người khác xác nhận") from None
    log_change(session=session, actor=actor, action="confirm", entity="month", entity_id=f"{unit.key}:{y}-{m:02d}",
               new={"unit": unit.name, "month": f"{m:02d}/{y}", "late": row.late, "deadline": deadline,
                    "no_activity_types": row.no_activity_types, "note": note})
    return row
