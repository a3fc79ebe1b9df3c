"""Data time of the reporting-progress page, the completeness command and the year-close figures at 1M records.

usage: .venv/bin/python benchmarks/bench_completeness.py [--records 1000000] [--engines sqlite,postgresql]
                                                          [--repeat 7] [--drop]

Databases are throwaway and this benchmark's own: SQLite /tmp/bench_completeness_<n>.sqlite and PostgreSQL database
bench_completeness_<n>, filled by `python -m data_model generate --records N` (reused when they already hold n
records). Every expected unit confirms every month of 2012–2025 (2,352 confirmations, a tenth late) and 2024 is
closed, then one record of 2024 is revised by an administrator, so the published comparison has a difference to show.
One engine per database, as the dashboard holds it; nothing is cached. Prints ms per call: first, min, median.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from data_model.accounts.permissions import SYSTEM, Actor  # noqa: E402
from data_model.reporting.completeness import year_completeness  # noqa: E402
from data_model.reporting.confirmations import expected_units  # noqa: E402
from data_model.reporting.deadline import deadline_of  # noqa: E402
from data_model.reporting.page_data import progress_page  # noqa: E402
from data_model.reporting.published import published_years  # noqa: E402
from data_model.reporting.year_close import close_year, standing_closes, year_status  # noqa: E402
from data_model.schema.db import build_engine, read_session, write_session  # noqa: E402
from data_model.schema.models import ActivityRecord, MonthConfirmation, YearRevision  # noqa: E402

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TARGET_MS = 100.0
YEAR = 2025


def database_url(engine_name: str, n: int) -> str:
    """Where this benchmark's database of n records lives."""
    if engine_name == "sqlite":
        return f"sqlite:////tmp/bench_completeness_{n}.sqlite"
    return make_url(PG_ADMIN_URL).set(database=f"bench_completeness_{n}").render_as_string(hide_password=False)


def prepare(engine_name: str, n: int) -> str:
    """A database with n synthetic records (made by the `generate` command), confirmations and a closed 2024."""
    url = database_url(engine_name, n)
    if engine_name == "postgresql":
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": f"bench_completeness_{n}"}):
                conn.execute(text(f'CREATE DATABASE "bench_completeness_{n}"'))
        admin.dispose()
    engine = build_engine(url=url, create=True)
    try:
        have = 0
        try:
            with read_session(engine) as session:
                have = session.scalar(select(func.count()).select_from(ActivityRecord))
        except Exception:  # not initialised yet
            pass
        if have != n:
            if have:
                raise SystemExit(f"{url} holds {have} records, not {n}: drop it first (--drop)")
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "data_model", "generate", "--records", str(n)], cwd=ROOT, check=True,
                           env={**os.environ, "DATABASE_URL": url})
            print(f"  generated {n:,} records on {engine_name} in {time.perf_counter() - started:.0f} s", flush=True)
            with engine.connect() as conn:
                if engine_name == "postgresql":
                    conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
                else:
                    conn.exec_driver_sql("ANALYZE")
        with write_session(engine) as session:
            if not session.scalar(select(func.count()).select_from(MonthConfirmation)):
                rows = []
                for unit in expected_units(session=session):
                    for year in range(2012, 2026):
                        for month in range(1, 13):
                            deadline = deadline_of(year=year, month=month, day=5)
                            late = (unit.id + year + month) % 10 == 0
                            rows.append({"reporting_unit_id": unit.id, "year": year, "month": month,
                                         "confirmed_at": dt.datetime.combine(deadline, dt.time(3))
                                         + dt.timedelta(days=3 if late else -2),
                                         "confirmed_by_name": "bench", "deadline": deadline, "late": late,
                                         "no_activity_types": "", "note": "", "revised": False})
                session.execute(insert(MonthConfirmation), rows)
            if not standing_closes(session=session, years=[2024]):
                close_year(session=session, actor=SYSTEM, year=2024)
                session.add(YearRevision(close_id=standing_closes(session=session, years=[2024])[2024].id, year=2024,
                                         record_id=1, action="update", username="bench", reason="bench",
                                         change="bench"))
    finally:
        engine.dispose()
    return url


def drop(engine_name: str, n: int) -> None:
    """Remove this benchmark's database of n records."""
    if engine_name == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"/tmp/bench_completeness_{n}.sqlite{suffix}").unlink(missing_ok=True)
        return
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "bench_completeness_{n}" WITH (FORCE)'))
    admin.dispose()


STAFF = Actor(user_id=None, username="bench", role="admin")
CALLS: dict[str, Callable] = {
    "Tiến độ báo cáo page (grid, rates, overdue, timeliness)":
        lambda s: progress_page(session=s, year=YEAR, actor=STAFF),
    "completeness command (grid and rates)": lambda s: year_completeness(session=s, year=YEAR),
    "year status": lambda s: year_status(session=s),
    "published vs current of 2024, by type": lambda s: published_years(session=s, year_from=2012, year_to=YEAR),
    "published vs current of 2024, by station":
        lambda s: published_years(session=s, year_from=2012, year_to=YEAR, by_station=True),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--engines", default="sqlite,postgresql")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--drop", action="store_true")
    args = ap.parse_args()
    for name in args.engines.split(","):
        url = prepare(name, args.records)
        engine = build_engine(url=url)
        print(f"{name}, {args.records:,} records (target {TARGET_MS:.0f} ms):")
        for label, call in CALLS.items():
            times = []
            for _ in range(args.repeat + 1):
                with read_session(engine) as session:
                    started = time.perf_counter()
                    call(session)
                    times.append((time.perf_counter() - started) * 1000)
            first, rest = times[0], times[1:]
            median = statistics.median(rest)
            verdict = "ok" if median <= TARGET_MS else ("ok(min)" if min(rest) <= TARGET_MS else "SLOW")
            print(f"  {label:58} first {first:6.1f}  min {min(rest):6.1f}  median {median:6.1f} ms  {verdict}",
                  flush=True)
        engine.dispose()
        if args.drop:
            drop(name, args.records)


if __name__ == "__main__":
    main()
