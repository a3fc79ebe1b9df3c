"""Helpers for the data-entry tests: reference ids, valid record values, summaries checked against the records."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data_model.basics.permissions import Actor
from data_model.records.summary_check import check_derived_tables, describe_check
from data_model.schema.models import ActivityRecord, ReportingUnit, Village

KA_LANG = "c03439@1900"  # Mường Tè, merged into Thu Lũm on 2025-07-01 (population 2,599 in the reference)
MU_CA = "c03451@1900"
THU_LUM_2025 = "c03439@2025"  # reuses Ka Lăng's code 03439
DAY = dt.date(2024, 3, 5)


def unit_id(session: Session, key: str = "st_ka_lang") -> int:
    """The id of a reporting unit by key."""
    return session.scalar(select(ReportingUnit.id).where(ReportingUnit.key == key))


def village_id(session: Session, name: str, commune_key: str = MU_CA) -> int:
    """The id of a village of a commune."""
    return session.scalar(select(Village.id).where(Village.name == name, Village.unit_key == commune_key))


def staff(*unit_ids: int, user_id: int | None = None) -> Actor:
    """A staff actor bound to these reporting units."""
    return Actor(user_id=user_id, username="nhanvien", role="staff", unit_ids=frozenset(unit_ids))


def outreach(unit: int, **changes: Any) -> dict[str, Any]:
    """Valid values of an outreach session in Ka Lăng on 05/03/2024."""
    values = {"type_code": "outreach_session", "start_date": DAY, "end_date": DAY, "reporting_unit_id": unit,
              "commune_key": KA_LANG, "sessions": 2, "attendances": 120, "topic": "Phòng chống buôn bán người"}
    values.update(changes)
    return values


def patrol(unit: int, **changes: Any) -> dict[str, Any]:
    """Valid values of a month of patrols."""
    values = {"type_code": "patrol", "start_date": dt.date(2024, 1, 1), "end_date": dt.date(2024, 1, 31),
              "reporting_unit_id": unit, "commune_key": KA_LANG, "patrols": 10, "soldier_participations": 40,
              "civilian_patrols": 2, "civilian_participations": 6}
    values.update(changes)
    return values


def summary_mismatches(session: Session) -> list[str]:
    """The product's check of every derived table against the records, as readable lines (empty when exact)."""
    return describe_check(check_derived_tables(session=session))


def count_records(session: Session, *, live_only: bool = False) -> int:
    """How many records the database holds."""
    stmt = select(func.count()).select_from(ActivityRecord)
    if live_only:
        stmt = stmt.where(ActivityRecord.deleted_at.is_(None))
    return session.scalar(stmt)


def concurrent_values(unit: int, worker: int, i: int) -> dict[str, Any]:
    """A distinct valid record per (worker, i), all on the same summary rows (the most contended case); many are
    outside the plausible listeners per session, so writers confirm the warning as a clerk would."""
    return outreach(unit, start_date=dt.date(2024, 1, 1) + dt.timedelta(days=i // 1000), end_date=None,
                    sessions=worker + 1, attendances=i % 1000 + 1, languages=["vi"] if i % 2 else [])


def write_many(url: str, worker: int, n: int) -> list[int]:
    """One writer: its own engine, n records each in its own transaction (used by threads and processes)."""
    from data_model.basics.permissions import SYSTEM
    from data_model.records.write import create_record
    from data_model.schema.db import build_engine, write_session

    engine = build_engine(url=url)
    try:
        with write_session(engine) as session:
            unit = unit_id(session)
        ids = []
        for i in range(n):
            with write_session(engine) as session:
                ids.append(create_record(session=session, actor=SYSTEM, values=concurrent_values(unit, worker, i),
                                         confirm_warnings=True, today=dt.date(2025, 12, 31)))
        return ids
    finally:
        engine.dispose()
