"""Time the joint-activity scan over many records: every candidate pair, one year's, and one record's matches
(the note at save time).

Usage: .venv/bin/python benchmarks/bench_joint.py [--records 1000000] [--url sqlite:////tmp/bench_joint.sqlite]
(a PostgreSQL URL, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/bench_joint, measures the other engine;
an existing database with as many records is reused)
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select

from data_model.demo.synthetic import generate_records
from data_model.joint.candidates import find_candidates, find_matches
from data_model.records.write import columns_of
from data_model.schema.db import build_engine, read_session
from data_model.schema.models import ActivityRecord
from data_model.schema.settings import get_settings
from data_model.startup.init_db import initialise_database


def timed(label: str, fn, repeat: int = 3):
    """Run fn `repeat` times and print the median wall time."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    print(f"{label}: {statistics.median(times) * 1000:,.0f} ms (median of {repeat})", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--url", default="")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    url = args.url or f"sqlite:///{tempfile.mkdtemp()}/bench_joint.sqlite"
    engine = build_engine(url=url, create=True)
    initialise_database(engine=engine, reference_dir=get_settings().reference_dir)
    with read_session(engine) as session:
        have = session.scalar(select(func.count()).select_from(ActivityRecord)) or 0
    if have < args.records:
        start = time.perf_counter()
        generate_records(engine=engine, n=args.records - have)
        print(f"generated {args.records - have:,} records in {time.perf_counter() - start:,.0f} s", flush=True)
    with read_session(engine) as session:
        total = session.scalar(select(func.count()).select_from(ActivityRecord))
        year = session.scalar(select(func.max(ActivityRecord.year)))
        sample = session.scalars(select(ActivityRecord).where(ActivityRecord.type_code == "outreach_session",
                                                              ActivityRecord.commune_key.is_not(None))
                                 .order_by(ActivityRecord.id.desc()).limit(1)).first()
        columns = columns_of(sample) if sample is not None else {}
    print(f"{engine.dialect.name}, {total:,} records", flush=True)

    def scan_all():
        with read_session(engine) as session:
            return find_candidates(session=session, limit=10**9)

    def scan_year():
        with read_session(engine) as session:
            return find_candidates(session=session, year=year, limit=10**9)

    def one_record():
        with read_session(engine) as session:
            return find_matches(session=session, columns=columns, exclude_id=sample.id if sample else None)

    found = timed("scan of all records (every candidate pair)", scan_all, repeat=args.repeat)
    print(f"  {len(found):,} candidate pairs", flush=True)
    found = timed(f"scan of {year}", scan_year, repeat=args.repeat)
    print(f"  {len(found):,} candidate pairs", flush=True)
    timed("one record's matches (the note at save time)", one_record, repeat=max(args.repeat, 5))
    engine.dispose()


if __name__ == "__main__":
    main()
