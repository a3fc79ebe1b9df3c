"""Time a login (argon2id verify + change log) and the audit log over many entries: count, first page, CSV/XLSX export.

Usage: .venv/bin/python benchmarks/bench_accounts_audit.py [--entries 200000] [--url sqlite:////tmp/bench_audit.sqlite]
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from data_model.accounts.login import authenticate
from data_model.accounts.users import create_user
from data_model.audit.log import AuditFilters, count_audit, export_audit, list_audit
from data_model.basics.permissions import SYSTEM
from data_model.schema.db import build_engine, read_session, write_session
from data_model.schema.models import ChangeLog
from data_model.schema.settings import get_settings
from data_model.startup.init_db import initialise_database


def timed(label: str, fn, repeat: int = 1):
    """Run fn `repeat` times and print the median wall time."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    print(f"{label}: {statistics.median(times) * 1000:,.0f} ms (median of {repeat})")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--url", default="")
    args = parser.parse_args()
    url = args.url or f"sqlite:///{tempfile.mkdtemp()}/bench_audit.sqlite"
    engine = build_engine(url=url, create=True)
    initialise_database(engine=engine, reference_dir=get_settings().reference_dir)
    with write_session(engine) as session:
        create_user(session=session, actor=SYSTEM, username="bench", password="mat-khau-bench", role="admin")

    def login():
        assert authenticate(engine=engine, username="bench", password="mat-khau-bench").ok

    def failed():
        authenticate(engine=engine, username="khong-co", password="sai")

    timed("login (argon2id verify + log)", login, repeat=5)
    timed("failed login, unknown user (dummy verify + log)", failed, repeat=5)

    start = dt.datetime(2024, 1, 1)
    actions = ["create", "update", "delete", "import", "login", "login_failed", "logout"]
    rows = [{"at": start + dt.timedelta(minutes=i), "username": f"user{i % 40}", "action": actions[i % len(actions)],
             "entity": "record", "entity_id": str(i), "old_values": '{"m1": 1}', "new_values": '{"m1": 2}',
             "reason": ""} for i in range(args.entries)]
    with write_session(engine) as session:
        t0 = time.perf_counter()
        for i in range(0, len(rows), 20_000):
            session.execute(insert(ChangeLog), rows[i:i + 20_000])
        print(f"inserted {args.entries:,} change-log rows in {time.perf_counter() - t0:.1f} s")

    everything = AuditFilters()
    one_user_month = AuditFilters(username="user7", date_from=dt.date(2024, 3, 1), date_to=dt.date(2024, 3, 31),
                                  actions=("update",))
    with read_session(engine) as session:
        n = timed("count, no filter", lambda: count_audit(session=session, actor=SYSTEM, filters=everything), 3)
        timed("first page of 50, no filter", lambda: list_audit(session=session, actor=SYSTEM, filters=everything,
                                                                 limit=50), 3)
        timed("last page of 50, no filter", lambda: list_audit(session=session, actor=SYSTEM, filters=everything,
                                                                limit=50, offset=max(0, n - 50)), 3)
        m = timed("count, one user × one month × one action",
                  lambda: count_audit(session=session, actor=SYSTEM, filters=one_user_month), 3)
        print(f"  ({n:,} entries in all, {m:,} for the narrow filter)")
        csv_bytes = timed("CSV export, no filter", lambda: export_audit(session=session, actor=SYSTEM,
                                                                        filters=everything, fmt="csv"))
        xlsx_bytes = timed("XLSX export, no filter", lambda: export_audit(session=session, actor=SYSTEM,
                                                                          filters=everything, fmt="xlsx"))
        print(f"  CSV {len(csv_bytes) / 1e6:.1f} MB, XLSX {len(xlsx_bytes) / 1e6:.1f} MB")
    engine.dispose()


if __name__ == "__main__":
    main()
