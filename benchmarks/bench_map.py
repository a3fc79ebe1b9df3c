"""Data time of the commune map (figures per 2025 commune, rates, village coverage, stations) on SQLite and PostgreSQL.

usage: .venv/bin/python benchmarks/bench_map.py [--sizes 1000000] [--engines sqlite,postgresql] [--repeat 7] [--drop]

The databases are bench_pages.py's (/tmp/bench_<n>.sqlite, PostgreSQL bench_<n>): made once with n synthetic
records, reused by either benchmark. One engine per database, connected once, as the dashboard holds it; nothing is
cached between calls ("first" is the first call, its SQL not compiled yet). The polygons are read once per process,
as on the server, and timed apart.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_pages import context, drop, prepare, time_page
from sqlalchemy import text

from data_model.analytics.map import commune_map
from data_model.analytics.places import commune_view
from data_model.reference.geo import _load, load_province_shapes
from data_model.schema.db import build_engine

TARGET_MS = 100.0
TYPE, MEASURE = "outreach_session", "sessions"


def _as_recorded(session, ctx) -> None:
    commune_map(session=session, filters=ctx.filters, type_code=TYPE, measure=MEASURE)


def _current(session, ctx) -> None:
    commune_map(session=session, filters=replace(ctx.filters, boundaries="current"), type_code=TYPE, measure=MEASURE)


def _one_commune(session, ctx) -> None:
    commune_map(session=session, filters=replace(ctx.filters, communes=ctx.communes[:1]), type_code=TYPE,
                measure=MEASURE)


def _by_commune_page(session, ctx) -> None:
    commune_view(session=session, filters=ctx.filters, type_code=TYPE, measure=MEASURE)


# the By-commune page's own data (bench_pages.py) is timed alongside: on a loaded machine it says what is load
CASES = {"map, as recorded (rolled up)": _as_recorded, "map, current communes": _current,
         "map, one commune filtered": _one_commune, "(reference) By-commune page data": _by_commune_page}


def main() -> None:
    """Parse the arguments, prepare the databases and print one table per size and engine."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000000")
    ap.add_argument("--engines", default="sqlite,postgresql")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--drop", action="store_true")
    args = ap.parse_args()
    _load.cache_clear()
    started = time.perf_counter()
    shapes = load_province_shapes()
    print(f"polygons read once: {len(shapes.communes)} communes in {(time.perf_counter() - started) * 1000:.0f} ms")
    for n in [int(s.replace("_", "")) for s in args.sizes.split(",") if s]:
        for engine_name in [e for e in args.engines.split(",") if e]:
            print(f"\n== {n:,} records · {engine_name} ==", flush=True)
            url = prepare(engine_name, n, args.seed)
            ctx = context(url)
            print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
            print(f"{'map data':<32} {'first ms':>9} {'min ms':>8} {'median ms':>10} {'target':>7}")
            engine = build_engine(url=url)
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            for name, fn in CASES.items():
                times = time_page(engine, fn, ctx, args.repeat)
                median, best = statistics.median(times), min(times)
                flag = "ok" if median < TARGET_MS else ("ok(min)" if best < TARGET_MS else "SLOW")
                print(f"{name:<32} {times[0]:>9.1f} {best:>8.1f} {median:>10.1f} {flag:>7}", flush=True)
            engine.dispose()
            if args.drop:
                drop(engine_name, n)


if __name__ == "__main__":
    main()
