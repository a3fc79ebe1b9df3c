"""Data time of progress against the plan (the Plan page, the plan columns and cards, `progress` of the command
line) at 1M synthetic records on SQLite and PostgreSQL.

usage: .venv/bin/python benchmarks/bench_plans.py [--records 1000000] [--engines sqlite,postgresql]
                                                  [--repeat 7] [--drop]

Databases are throwaway and kept for a re-run unless --drop: /tmp/bench_plans_<n>.sqlite and the PostgreSQL database
bench_plans_<n>, filled by `python -m data_model generate --records N`, then given the demo's plans for 2021–2025 (the
province, every unit, every commune with village outreach: about 1,000 targets). One engine per database, connected
once, as the dashboard holds it; nothing cached. "first" is the first call, "min"/"median" over --repeat calls.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from data_model.analytics.filters import Filters
from data_model.analytics.overview import build_overview
from data_model.analytics.places import station_view
from data_model.plans.plan_file import plan_template
from data_model.plans.progress import behind_plan, progress, ranking_with_progress
from data_model.schema.db import build_engine, read_session, write_session
from data_model.schema.models import ActivityRecord
from data_model.schema.planning import Target

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TARGET_MS = 100.0
YEAR = 2025


def database_url(engine_name: str, n: int) -> str:
    """Where the benchmark database of this size lives."""
    if engine_name == "sqlite":
        return f"sqlite:////tmp/bench_plans_{n}.sqlite"
    return make_url(PG_ADMIN_URL).set(database=f"bench_plans_{n}").render_as_string(hide_password=False)


def prepare(engine_name: str, n: int) -> str:
    """A database with n synthetic records (made by `generate`, reused when it has them) and the demo's plans."""
    url = database_url(engine_name, n)
    if engine_name == "postgresql":
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": f"bench_plans_{n}"}):
                conn.execute(text(f'CREATE DATABASE "bench_plans_{n}"'))
        admin.dispose()
    engine = build_engine(url=url, create=True)
    try:
        have = 0
        try:
            with read_session(engine) as session:
                have = session.scalar(select(func.count()).select_from(ActivityRecord)) or 0
        except Exception:  # noqa: BLE001 - no schema yet: generate makes it
            have = 0
        if have == 0:
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "data_model", "generate", "--records", str(n)], cwd=ROOT,
                           env={**os.environ, "DATABASE_URL": url}, check=True)
            print(f"  generated {n:,} records on {engine_name} in {time.perf_counter() - started:.0f} s", flush=True)
            with engine.connect() as conn:
                if engine_name == "postgresql":
                    conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
                else:
                    conn.exec_driver_sql("ANALYZE")
        elif have != n:
            raise SystemExit(f"{url} holds {have} records, not {n}: drop it first (--drop) and run again")
        with read_session(engine) as session:
            planned = session.scalar(select(func.count()).select_from(Target))
        if not planned:
            from data_model.demo.plans import add_demo_plans

            with write_session(engine) as session:
                print(f"  added {add_demo_plans(session):,} targets", flush=True)
    finally:
        engine.dispose()
    return url


def drop(engine_name: str, n: int) -> None:
    """Remove the benchmark database of this size."""
    if engine_name == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"/tmp/bench_plans_{n}.sqlite{suffix}").unlink(missing_ok=True)
        return
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "bench_plans_{n}" WITH (FORCE)'))
    admin.dispose()


def cases(ranking) -> dict[str, Callable]:
    """What each page and command asks for, by name."""
    return {
        "progress --by province (CLI; overview cards)": lambda s: progress(session=s, year=YEAR, by="province"),
        "progress --by station (CLI; Plan page)": lambda s: progress(session=s, year=YEAR, by="station"),
        "progress --by commune (CLI; Plan page)": lambda s: progress(session=s, year=YEAR, by="commune"),
        "progress --by type (CLI; Plan page)": lambda s: progress(session=s, year=YEAR, by="type"),
        "units behind plan (Plan page, first tab)": lambda s: behind_plan(session=s, year=YEAR),
        "plan column of the station ranking": lambda s: ranking_with_progress(
            session=s, ranking=ranking, year=YEAR, level="unit", type_code="outreach_session", measure="sessions"),
        "plan template (Plan page, file tab, on click)": lambda s: plan_template(session=s, year=YEAR, fmt="xlsx"),
        # the same machine's yardstick at the same moment: the overview page of bench_pages.py (80 ms at 1M, README)
        "reference: overview page data (bench_pages)": lambda s: build_overview(
            session=s, filters=Filters(2012, YEAR), year=YEAR),
    }


def measure(url: str, repeat: int) -> list[tuple[str, float, float, float]]:
    """(case, first, min, median) in ms."""
    engine = build_engine(url=url)
    out = []
    try:
        with read_session(engine) as session:
            ranking = station_view(session=session, filters=Filters(2012, YEAR), type_code="outreach_session",
                                   measure="sessions").ranking
        for name, call in cases(ranking).items():
            times = []
            for _ in range(repeat + 1):
                with read_session(engine) as session:
                    started = time.perf_counter()
                    call(session)
                    times.append((time.perf_counter() - started) * 1000)
            out.append((name, times[0], min(times[1:]), statistics.median(times[1:])))
    finally:
        engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--drop", action="store_true", help="remove the databases afterwards")
    args = parser.parse_args()
    for engine_name in args.engines.split(","):
        print(f"{engine_name}, {args.records:,} records, year {YEAR} (load average {os.getloadavg()[0]:.0f}):",
              flush=True)
        url = prepare(engine_name, args.records)
        print(f"  {'case':<48} {'first':>8} {'min':>8} {'median':>8}")
        for name, first, fastest, median in measure(url, args.repeat):
            flag = "ok" if median < TARGET_MS else ("ok(min)" if fastest < TARGET_MS else "SLOW")
            print(f"  {name:<48} {first:8.1f} {fastest:8.1f} {median:8.1f}  {flag}", flush=True)
        if args.drop:
            drop(engine_name, args.records)


if __name__ == "__main__":
    main()
