"""8 concurrent writers (threads, then processes) × 250 records each (1,000 by ENTRY_CONCURRENCY_N): none lost, summaries equal the records."""
from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from entry_helpers import count_records, summary_mismatches, write_many
from sqlalchemy import func, select

from data_model.schema.db import read_session
from data_model.schema.models import ActivityRecord, ActivitySummary, ChangeLog

pytestmark = pytest.mark.slow  # about 1 minute per engine at the default size; ENTRY_CONCURRENCY_N=1000 for the full run

WRITERS = 8
PER_WRITER = int(os.environ.get("ENTRY_CONCURRENCY_N", "250"))


@pytest.mark.parametrize("mode", ["threads", "processes"])
def test_concurrent_writers_lose_nothing(engine, db_url, mode):
    started = time.perf_counter()
    if mode == "threads":
        with ThreadPoolExecutor(max_workers=WRITERS) as pool:
            results = list(pool.map(lambda w: write_many(db_url, w, PER_WRITER), range(WRITERS)))
    else:
        # each process builds its own engine from the URL; spawn shares nothing with this process's pool
        with multiprocessing.get_context("spawn").Pool(WRITERS) as pool:
            results = pool.starmap(write_many, [(db_url, w, PER_WRITER) for w in range(WRITERS)])
    seconds = time.perf_counter() - started
    ids = [i for chunk in results for i in chunk]
    total = WRITERS * PER_WRITER
    assert len(ids) == total and len(set(ids)) == total
    expected_attendances = WRITERS * sum(i % 1000 + 1 for i in range(PER_WRITER))
    with read_session(engine) as s:
        assert count_records(s) == total
        assert s.scalar(select(func.sum(ActivityRecord.m2))) == expected_attendances
        assert s.scalar(select(func.sum(ActivitySummary.n_records))) == total
        assert s.scalar(select(func.sum(ActivitySummary.s2))) == expected_attendances
        assert s.scalar(select(func.count()).select_from(ChangeLog).where(ChangeLog.action == "create")) == total
        assert summary_mismatches(s) == []
    print(f"{mode} on {engine.dialect.name}: {total} records by {WRITERS} writers in {seconds:.1f} s "
          f"({total / seconds:.0f} records/s)")
