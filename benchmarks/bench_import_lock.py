"""How long other writers wait while a big file is imported: one process imports N rows, another writes records.

The writer process creates one record at a time (`records.create_record` in its own write transaction, as the entry
form does) in a loop, and times each write from asking for the transaction to its commit. Printed: the import's
phases, and the writes' count, median, p95 and longest time during the import, next to the same writes without an
import running.

Usage: .venv/bin/python benchmarks/bench_import_lock.py [--rows 50000] [--url sqlite:////tmp/bench_lock.sqlite]
"""
from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_import import make_csv
from sqlalchemy import select

from data_model.basics.permissions import SYSTEM
from data_model.files.records_import import preview_import, write_import
from data_model.files.records_import import write as import_write
from data_model.schema.db import build_engine, read_session, write_session
from data_model.schema.models import ReportingUnit, Unit
from data_model.schema.settings import get_settings
from data_model.startup.init_db import initialise_database

TODAY = dt.date(2025, 6, 30)


def writer(url: str, stop, started, results) -> None:
    """Create records one per transaction until told to stop; send (start time, seconds) of each write."""
    from data_model.records.write import create_record

    engine = build_engine(url=url)
    with read_session(engine) as session:
        unit = session.scalar(select(ReportingUnit.id).where(ReportingUnit.key == "st_ka_lang"))
    values = {"type_code": "study_session", "reporting_unit_id": unit, "sessions": 1, "soldier_attendances": 20}
    timings = []
    started.set()
    i = 0
    while not stop.is_set():
        day = dt.date(2024, 1, 1) + dt.timedelta(days=i % 360)
        at, t0 = time.time(), time.perf_counter()
        with write_session(engine) as session:
            create_record(session=session, actor=SYSTEM, values={**values, "start_date": day,
                                                                 "soldier_attendances": 20 + i}, today=TODAY,
                          confirm_duplicate=True)
        timings.append((at, time.perf_counter() - t0))
        i += 1
        time.sleep(0.02)  # a busy office, not a flood
    engine.dispose()
    results.put(timings)


def _stats(timings: list[tuple[float, float]]) -> str:
    waits = sorted(t for _, t in timings)
    if not waits:
        return "no writes"
    p95 = waits[min(len(waits) - 1, int(0.95 * len(waits)))]
    return (f"{len(waits):>4} writes, median {statistics.median(waits) * 1000:6.0f} ms, p95 {p95 * 1000:6.0f} ms, "
            f"longest {waits[-1] * 1000:6.0f} ms")


def _writes_during(seconds: float, url: str, action=None) -> tuple[list[tuple[float, float]], float, float]:
    """Run the writer while `action` runs (or for `seconds`); the writes and the action's time window."""
    ctx = multiprocessing.get_context("spawn")
    stop, started, results = ctx.Event(), ctx.Event(), ctx.Queue()
    proc = ctx.Process(target=writer, args=(url, stop, started, results))
    proc.start()
    started.wait(60)
    time.sleep(1.0)  # the writer is warm
    begin = time.time()
    if action is None:
        time.sleep(seconds)
    else:
        action()
    end = time.time()
    time.sleep(0.5)
    stop.set()
    timings = results.get(timeout=120)
    proc.join(30)
    return timings, begin, end


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--url", default="")
    args = parser.parse_args()
    url = args.url or f"sqlite:///{tempfile.mkdtemp(prefix='bench-lock-')}/bench.sqlite"
    engine = build_engine(url=url)
    initialise_database(engine=engine, reference_dir=get_settings().reference_dir)
    with read_session(engine) as session:
        on = dt.date(2020, 1, 1)
        communes = [(u.code, u.name) for u in session.scalars(select(Unit).where(
            Unit.level == "commune", Unit.border_status == "confirmed", Unit.valid_to == dt.date(2025, 7, 1),
            (Unit.valid_from.is_(None)) | (Unit.valid_from <= on)))]
        communes = [c for c in communes if c[1] != "Ma Li Chải"]
        stations = list(session.scalars(select(ReportingUnit.short_name).where(ReportingUnit.kind == "station")))
    data = make_csv(rows=args.rows, communes=communes, stations=stations)
    print(f"{args.rows:,} rows, CSV {len(data) / 1e6:.1f} MB, {engine.dialect.name}, "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")

    phases: dict[str, float] = {}

    real_write = import_write._write

    def timed_write(*args, **kwargs):
        """The work inside the importer's write transaction, with the CPU time it takes (load-independent)."""
        cpu = time.process_time()
        try:
            return real_write(*args, **kwargs)
        finally:
            phases["write transaction, CPU time of the importing process"] = time.process_time() - cpu

    import_write._write = timed_write

    def run() -> None:
        t0 = time.perf_counter()
        with read_session(engine) as session:
            preview = preview_import(session=session, actor=SYSTEM, data=data, filename="bench.csv", today=TODAY)
        phases["check (read, match, validate; no write lock)"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        result = write_import(engine=engine, actor=SYSTEM, preview=preview)
        phases["prepare + write"] = time.perf_counter() - t1
        phases["write transaction (lock held)"] = result.write_seconds
        phases["rows added"] = result.added

    baseline, _, _ = _writes_during(5.0, url)
    timings, begin, end = _writes_during(0, url, run)
    during = [(at, t) for at, t in timings if begin <= at <= end]
    order = ["check (read, match, validate; no write lock)", "prepare + write", "write transaction (lock held)",
             "write transaction, CPU time of the importing process", "rows added"]
    for name, value in sorted(phases.items(), key=lambda kv: order.index(kv[0])):
        print(f"  {name}: " + (f"{value:,}" if isinstance(value, int) else f"{value:.2f} s"))
    print(f"writes without an import: {_stats(baseline)}")
    print(f"writes during the import: {_stats(during)}")
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
