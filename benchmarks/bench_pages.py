"""Data time of every dashboard page at 50k / 1M / 5M synthetic records on SQLite and PostgreSQL, against the naive way.

usage: .venv/bin/python benchmarks/bench_pages.py [--sizes 50000,1000000,5000000] [--engines sqlite,postgresql]
                                                  [--repeat 3] [--no-naive] [--drop]

Databases are throwaway: SQLite files /tmp/bench_<n>.sqlite and PostgreSQL databases bench_<n> (kept for a re-run unless
--drop; an existing database that already holds n records is reused). One engine per database, connected once, as the
dashboard holds it; no query result is cached anywhere (the Streamlit caches are cold by construction). "first" is a
page's first call (its SQL not compiled yet), "min"/"median" over --repeat calls ("ok(min)": only the fastest call met
the target — on a machine shared with other work, min is the best estimate of the uncontended cost).
"naive" runs in a child process:
the whole activity_record table into pandas, then the page's group-by there; its peak memory is reported.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from data_model.analytics.aggregate import (
    filter_options,
    first_and_last_year,
)
from data_model.analytics.compare import busiest_communes, compare_communes
from data_model.analytics.filters import Filters
from data_model.analytics.overview import yearly_series
from data_model.analytics.places import commune_detail, commune_view, station_detail, station_view
from data_model.analytics.records_query import count_records, fetch_records
from data_model.plans.glance import build_overview_page
from data_model.schema.db import build_engine, read_session
from data_model.schema.models import ActivityRecord, ReportingUnit
from data_model.schema.settings import get_settings
from data_model.startup.init_db import initialise_database

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TARGET_PAGE_MS, TARGET_RECORDS_MS = 100.0, 300.0
NAME = "bench"  # database names: /tmp/<NAME>_<n>.sqlite and PostgreSQL <NAME>_<n> (--name)


@dataclass(frozen=True)
class Context:
    """What a page's first screen asks for: the whole year range, the last year, the first commune/station."""

    filters: Filters
    year: int
    commune: str
    station: int
    communes: tuple[str, ...]


def _sidebar(session, ctx: Context) -> None:
    filter_options(session=session)


def _overview(session, ctx: Context) -> None:
    # the page's one call: the year at a glance (plan, reporting, attention) and the long overview below
    build_overview_page(session=session, filters=ctx.filters, year=ctx.year)


def _by_commune(session, ctx: Context) -> None:
    commune_view(session=session, filters=ctx.filters, type_code="outreach_session", measure="sessions")
    commune_detail(session=session, filters=ctx.filters, commune_key=ctx.commune)


def _by_commune_current(session, ctx: Context) -> None:
    now = Filters(ctx.filters.year_from, ctx.filters.year_to, boundaries="current")
    view = commune_view(session=session, filters=now, type_code="outreach_session", measure="sessions")
    if not view.ranking.empty:
        commune_detail(session=session, filters=now, commune_key=view.ranking["key"].iloc[0])


def _by_station(session, ctx: Context) -> None:
    station_view(session=session, filters=ctx.filters, type_code="outreach_session", measure="sessions")
    station_detail(session=session, filters=ctx.filters, station_id=ctx.station, type_code="outreach_session")


def _trends(session, ctx: Context) -> None:
    yearly_series(session=session, filters=ctx.filters)


def _compare(session, ctx: Context) -> None:
    picked = busiest_communes(session=session, filters=ctx.filters)
    compare_communes(session=session, filters=ctx.filters, communes=tuple(picked[:3]) or ctx.communes, year=ctx.year,
                     gap_type="outreach_session", language_type="loudspeaker_broadcast")


def _records(session, ctx: Context) -> None:
    fetch_records(session=session, filters=ctx.filters)
    count_records(session=session, filters=ctx.filters)


def _records_filtered(session, ctx: Context) -> None:
    narrowed = Filters(ctx.year, ctx.year, types=("cultural_performance",), communes=(ctx.commune,))
    fetch_records(session=session, filters=narrowed)
    count_records(session=session, filters=narrowed)


def _records_page_10(session, ctx: Context) -> None:
    after = None
    for _ in range(10):
        after = fetch_records(session=session, filters=ctx.filters, after=after).next_cursor


# name → (function, target in ms, naive group-by key)
PAGES: dict[str, tuple[Callable, float, str]] = {
    "Bộ lọc (sidebar)": (_sidebar, TARGET_PAGE_MS, ""),
    "Tổng quan": (_overview, TARGET_PAGE_MS, "overview"),
    "Theo xã": (_by_commune, TARGET_PAGE_MS, "commune"),
    "Theo xã (xã hiện nay)": (_by_commune_current, TARGET_PAGE_MS, "commune"),
    "Theo đồn": (_by_station, TARGET_PAGE_MS, "station"),
    "Theo năm": (_trends, TARGET_PAGE_MS, "trends"),
    "So sánh xã": (_compare, TARGET_PAGE_MS, "compare"),
    "Danh sách: trang 1": (_records, TARGET_RECORDS_MS, "records"),
    "Danh sách: lọc xã+loại+năm": (_records_filtered, TARGET_RECORDS_MS, "records"),
    "Danh sách: 10 trang": (_records_page_10, TARGET_RECORDS_MS * 10, ""),
}


def database_url(engine_name: str, n: int) -> str:
    """Where the benchmark database of this size lives."""
    if engine_name == "sqlite":
        return f"sqlite:////tmp/{NAME}_{n}.sqlite"
    return make_url(PG_ADMIN_URL).set(database=f"{NAME}_{n}").render_as_string(hide_password=False)


def _admin():
    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")


def prepare(engine_name: str, n: int, seed: int) -> str:
    """A database with the reference data and exactly n synthetic records (reused when it already has them)."""
    url = database_url(engine_name, n)
    if engine_name == "postgresql":
        admin = _admin()
        with admin.connect() as conn:
            if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": f"{NAME}_{n}"}):
                conn.execute(text(f'CREATE DATABASE "{NAME}_{n}"'))
        admin.dispose()
    engine = build_engine(url=url, create=True)
    try:
        initialise_database(engine=engine, reference_dir=get_settings().reference_dir)
        with read_session(engine) as session:
            have = session.scalar(select(func.count()).select_from(ActivityRecord))
        if have != n:
            if have:
                raise SystemExit(f"{url} holds {have} records, not {n}: drop it first (--drop) and run again")
            from data_model.demo.synthetic import generate_records

            started = time.perf_counter()
            generate_records(engine=engine, n=n, seed=seed)
            print(f"  generated {n:,} records on {engine_name} in {time.perf_counter() - started:.0f} s", flush=True)
            if engine_name == "postgresql":
                with engine.connect() as conn:
                    conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
            else:
                with engine.connect() as conn:
                    conn.exec_driver_sql("ANALYZE")
    finally:
        engine.dispose()
    return url


def drop(engine_name: str, n: int) -> None:
    """Remove the benchmark database of this size."""
    if engine_name == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"/tmp/{NAME}_{n}.sqlite{suffix}").unlink(missing_ok=True)
        return
    admin = _admin()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{NAME}_{n}" WITH (FORCE)'))
    admin.dispose()


def context(url: str) -> Context:
    """The first screen's choices on this database."""
    engine = build_engine(url=url)
    with read_session(engine) as session:
        lo, hi = first_and_last_year(session=session)
        filters = Filters(lo, hi)
        picked = busiest_communes(session=session, filters=filters, n=3)
        stations = select(ReportingUnit.id).where(ReportingUnit.kind == "station").order_by(ReportingUnit.id)
        station = session.scalar(stations)
    engine.dispose()
    return Context(filters=filters, year=hi, commune=picked[0], station=station, communes=tuple(picked))


def time_page(engine, fn: Callable, ctx: Context, repeat: int) -> list[float]:
    """Milliseconds of the first call (nothing compiled yet for it) and of each repeat, each in a new session."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        with read_session(engine) as session:
            fn(session, ctx)
        times.append((time.perf_counter() - started) * 1000)
    return times


def naive_child(url: str, ctx_json: str) -> None:
    """(child process) Whole table into pandas, then each page's group-by; prints JSON timings and peak memory."""
    import pandas as pd

    ctx = json.loads(ctx_json)
    engine = build_engine(url=url)
    started = time.perf_counter()
    with engine.connect() as conn:
        df = pd.read_sql(text("SELECT * FROM activity_record WHERE deleted_at IS NULL"), conn)
    load = time.perf_counter() - started
    m = [f"m{i}" for i in range(1, 7)]

    def timed(fn) -> float:
        t0 = time.perf_counter()
        fn()
        return time.perf_counter() - t0

    year = ctx["year"]
    groups = {
        "overview": lambda: (df[df["year"].isin([year - 1, year])].groupby(["year", "type_code"])[m].sum(),
                             df.groupby("type_code")[m].sum(), df.groupby(["year", "type_code"])["m1"].sum()),
        "commune": lambda: df[df["type_code"] == "outreach_session"].groupby(["commune_key", "year"])["m1"].sum(),
        "station": lambda: df[df["type_code"] == "outreach_session"].groupby(["reporting_unit_id", "year"])["m1"].sum(),
        "trends": lambda: df.groupby(["year", "type_code"])[m].sum(),
        "compare": lambda: df[df["commune_key"].isin(ctx["communes"])].groupby(["commune_key", "type_code"])[m].sum(),
        "records": lambda: df.sort_values(["start_date", "id"], ascending=False).head(50),
    }
    out = {name: (load + timed(fn)) * 1000 for name, fn in groups.items()}
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"load_ms": load * 1000, "pages": out, "peak_mb": peak_kb / 1024}))


def naive(url: str, ctx: Context) -> dict | None:
    """Run the naive way in a child process (its memory is its own)."""
    payload = json.dumps({"year": ctx.year, "communes": list(ctx.communes)})
    proc = subprocess.run([sys.executable, __file__, "--naive-child", url, payload], capture_output=True, text=True)
    if proc.returncode != 0:
        print(f"  naive run failed: {proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else proc.returncode}")
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(*, sizes: list[int], engines: list[str], repeat: int, with_naive: bool, seed: int, remove: bool) -> None:
    """Prepare, measure and print one table per size and engine."""
    for n in sizes:
        for engine_name in engines:
            print(f"\n== {n:,} records · {engine_name} ==", flush=True)
            url = prepare(engine_name, n, seed)
            ctx = context(url)
            naive_result = naive(url, ctx) if with_naive else None
            print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs "
                  "(a shared machine inflates wall times)")
            print(f"{'page':<28} {'first ms':>9} {'min ms':>8} {'median ms':>10} {'target':>7} {'naive ms':>10} "
                  f"{'naive/ours':>10}")
            # one engine like the dashboard's (connected once); no query result is cached anywhere
            engine = build_engine(url=url)
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            for name, (fn, target, naive_key) in PAGES.items():
                times = time_page(engine, fn, ctx, repeat)
                median, best = statistics.median(times), min(times)
                flag = "ok" if median < target else ("ok(min)" if best < target else "SLOW")
                naive_ms = naive_result["pages"].get(naive_key) if naive_result and naive_key else None
                ratio = f"{naive_ms / median:,.0f}×" if naive_ms else ""
                naive_txt = f"{naive_ms:,.0f}" if naive_ms else ""
                print(f"{name:<28} {times[0]:>9.1f} {best:>8.1f} {median:>10.1f} {flag:>7} {naive_txt:>10} {ratio:>10}",
                      flush=True)
            engine.dispose()
            if naive_result:
                print(f"naive: table load {naive_result['load_ms'] / 1000:,.1f} s, peak memory "
                      f"{naive_result['peak_mb']:,.0f} MB (child process)", flush=True)
            if remove:
                drop(engine_name, n)


def main() -> None:
    """Parse the arguments and run."""
    if len(sys.argv) > 1 and sys.argv[1] == "--naive-child":
        naive_child(sys.argv[2], sys.argv[3])
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="50000,1000000,5000000", help="comma-separated record counts")
    ap.add_argument("--engines", default="sqlite,postgresql")
    ap.add_argument("--repeat", type=int, default=5, help="calls per page (first, min and median printed)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-naive", action="store_true", help="skip the whole-table-into-pandas comparison")
    ap.add_argument("--name", default="bench", help="database name prefix: /tmp/NAME_<n>.sqlite, PostgreSQL NAME_<n>")
    ap.add_argument("--drop", action="store_true", help="drop each benchmark database after measuring it")
    args = ap.parse_args()
    global NAME
    NAME = args.name
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s]
    engines = [e for e in args.engines.split(",") if e]
    unknown = set(engines) - {"sqlite", "postgresql"}
    if unknown:
        raise SystemExit(f"unknown engine(s): {', '.join(sorted(unknown))}")
    run(sizes=sizes, engines=engines, repeat=args.repeat, with_naive=not args.no_naive, seed=args.seed,
        remove=args.drop)


if __name__ == "__main__":
    main()
