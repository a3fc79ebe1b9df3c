"""Demo monthly confirmations 2023–2025: most on time, some late, a few months never confirmed."""
from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import insert
from sqlalchemy.orm import Session

from data_model.audit.log import LOCAL_OFFSET
from data_model.reporting.confirmations import expected_units
from data_model.reporting.deadline import DEFAULT_DEADLINE_DAY, deadline_of
from data_model.schema.planning import MonthConfirmation

DEMO_YEARS = (2023, 2024, 2025)


def add_demo_confirmations(session: Session, rng: random.Random) -> int:
    """Confirm the expected units' months of the demo years (the caller's transaction); returns how many."""
    rows = []
    units = expected_units(session=session)
    # one unit leaves the last months of the last demo year unconfirmed, so the demo shows what missing looks like
    skipper = units[rng.randrange(len(units))].id if units else None
    for year in DEMO_YEARS:
        for unit in units:
            for month in range(1, 13):
                if (year, unit.id) == (DEMO_YEARS[-1], skipper) and month >= 11:
                    continue
                if rng.random() < 0.02:  # now and then a month is never confirmed
                    continue
                deadline = deadline_of(year=year, month=month, day=DEFAULT_DEADLINE_DAY)
                late = rng.random() < 0.12
                day = deadline + dt.timedelta(days=rng.randint(1, 15) if late else -rng.randint(0, 4))
                local = dt.datetime.combine(day, dt.time(rng.randint(8, 16), rng.randint(0, 59)))
                rows.append({"reporting_unit_id": unit.id, "year": year, "month": month,
                             "confirmed_at": local - LOCAL_OFFSET, "confirmed_by": None,
                             "confirmed_by_name": "demo", "deadline": deadline, "late": late,
                             "no_activity_types": "", "note": "dữ liệu mẫu (demo)", "revised": False})
    if rows:
        session.execute(insert(MonthConfirmation), rows)
    return len(rows)
