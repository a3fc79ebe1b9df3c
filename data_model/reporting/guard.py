"""The checks every record write calls in its own transaction, registered in records/write_checks.py: closed
years refuse or log a revision, and a confirmed month whose records are written afterwards is marked revised."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from data_model.basics.issues import Issue, ValidationError, field_label
from data_model.basics.permissions import Actor
from data_model.definitions.activity_types import load_activity_types
from data_model.records.write_checks import MonthKey, on_bulk_write, on_record_write, record_months
from data_model.reporting.confirmations import confirming_units
from data_model.reporting.year_close import YearClosed, standing_closes
from data_model.schema.models import utcnow
from data_model.schema.planning import MonthConfirmation, YearRevision
from data_model.texts.formatting import format_date

ACTION_WORDS = {"create": "Thêm", "update": "Sửa", "delete": "Xóa", "restore": "Khôi phục"}


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "(trống)"
    return format_date(value) if isinstance(value, dt.date) else str(value)


def describe_change(*, action: str, record_id: int, old: Mapping[str, Any] | None,
                    new: Mapping[str, Any] | None) -> str:
    """What a write changed, readable: "Sửa hoạt động số 12: Số buổi: 3 → 4"."""
    head = f"{ACTION_WORDS.get(action, action)} hoạt động số {record_id}"
    if action != "update" or not old or not new:
        return head
    definition = load_activity_types().get(new.get("type_code") or old.get("type_code"))
    parts = [f"{field_label(k, definition)}: {_shown(old.get(k))} → {_shown(new.get(k))}"
             for k in dict.fromkeys([*old, *new]) if old.get(k) != new.get(k)]
    return head + (": " + "; ".join(parts) if parts else "")


@on_record_write
def guard_record_change(*, session: Session, actor: Actor, record_id: int, action: str,
                        old: Mapping[str, Any] | None, new: Mapping[str, Any] | None, reason: str = "",
                        old_text: Mapping[str, Any] | None = None, new_text: Mapping[str, Any] | None = None,
                        now: dt.datetime | None = None) -> None:
    """One record's write: refused in a closed year except for admins with a reason (then a revision), and the
    confirmed months it touches marked revised. Call after the summaries are updated (see year_close.close_year)."""
    years = {int(c["year"]) for c in (old, new) if c and c.get("year")}
    closes = standing_closes(session=session, years=years)
    now = now or utcnow()
    if closes:
        year = min(closes)
        if not actor.is_admin:
            raise YearClosed("Năm {year} đã khóa sổ (số liệu đã công bố): không thêm, sửa hay xóa được hoạt động "
                             "của năm này. Chỉ quản trị viên điều chỉnh được, kèm lý do.", year=year)
        if not (reason or "").strip():
            raise ValidationError([Issue("reason", f"Lý do: năm {year} đã khóa sổ, hãy ghi lý do điều chỉnh")])
        change = describe_change(action=action, record_id=record_id, old=old_text or old, new=new_text or new)
        for y, close in sorted(closes.items()):
            session.add(YearRevision(close_id=close.id, year=y, record_id=record_id, action=action, at=now,
                                     user_id=actor.user_id, username=actor.username, reason=reason.strip(),
                                     change=change))
    mark_revised(session=session, months=record_months(old) | record_months(new), now=now)


@on_bulk_write
def guard_bulk_writes(*, session: Session, months: Iterable[MonthKey], years: Iterable[int],
                      now: dt.datetime | None = None) -> None:
    """Many records written at once (an import): refused for a closed year, confirmed months marked revised."""
    closes = standing_closes(session=session, years=years)
    if closes:
        year = min(closes)
        raise YearClosed("Năm {year} đã khóa sổ (số liệu đã công bố): tệp có hoạt động của năm này nên chưa ghi dòng "
                         "nào. Bỏ các dòng đó ra; quản trị viên điều chỉnh từng hoạt động kèm lý do.", year=year)
    mark_revised(session=session, months=months, now=now)


def mark_revised(*, session: Session, months: Iterable[MonthKey], now: dt.datetime | None = None) -> int:
    """Mark the confirmed (not yet revised) months among these keys as revised; returns how many were marked."""
    months = set(months)
    if not months:
        return 0
    c = MonthConfirmation
    confirmed = session.execute(select(c.id, c.reporting_unit_id, c.year, c.month).where(
        c.year.in_(sorted({y for _, y, _ in months})), c.revised.is_(False))).all()
    if not confirmed:  # the usual case: one small indexed read
        return 0
    station = confirming_units(session=session, unit_ids={u for u, _, _ in months})
    keys = {(station.get(u, u), y, m) for u, y, m in months}
    ids = [i for i, u, y, m in confirmed if (u, y, m) in keys]
    if ids:
        session.execute(update(c).where(c.id.in_(ids)).values(revised=True, revised_at=now or utcnow()))
    return len(ids)
