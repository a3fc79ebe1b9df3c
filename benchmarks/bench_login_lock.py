"""Does a loop of failed logins starve other writers? Small writes per 10 s on SQLite, alone and next to the loop.

Usage: .venv/bin/python benchmarks/bench_login_lock.py [--seconds 10] [--url sqlite:////tmp/bench_login.sqlite]

The login loop tries unknown user names with a wrong password, one after the other, as an attacker would; every
try costs one argon2id verification. Works on the code before issue 9 too (login checked inside the caller's write
transaction), so the two can be compared.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy.exc import OperationalError

from data_model.audit.changelog import log_change
from data_model.basics.permissions import SYSTEM
from data_model.schema.db import build_engine, write_session
from data_model.schema.settings import get_settings
from data_model.startup.init_db import initialise_database


def failed_login(engine, i: int) -> None:
    """One failed login the way the login page makes it."""
    try:
        from data_model.accounts.login import authenticate
    except ImportError:  # before issue 9: the page opened a write transaction and checked the password inside it
        from data_model.accounts.users import authenticate as old_authenticate

        with write_session(engine) as session:
            old_authenticate(session=session, username=f"khong-co-{i}", password="sai-mat-khau")
        return
    authenticate(engine=engine, username=f"khong-co-{i}", password="sai-mat-khau")


def count_writes(engine, seconds: float, *, with_logins: bool) -> tuple[int, int, float, int]:
    """Small writes (one change-log row, own transaction) done in `seconds`, logins done meanwhile, the slowest
    write, and writes that gave up ("database is locked" after the busy timeout)."""
    stop = threading.Event()
    logins = [0]

    def login_loop() -> None:
        while not stop.is_set():
            failed_login(engine, logins[0])
            logins[0] += 1

    thread = threading.Thread(target=login_loop, daemon=True) if with_logins else None
    if thread:
        thread.start()
        time.sleep(0.5)  # the loop is running before we count
    writes, gave_up, worst, end = 0, 0, 0.0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        started = time.perf_counter()
        try:
            with write_session(engine) as session:
                log_change(session=session, actor=SYSTEM, action="update", entity="bench", entity_id=writes)
            writes += 1
        except OperationalError:
            gave_up += 1
        worst = max(worst, time.perf_counter() - started)
    stop.set()
    if thread:
        thread.join()
    return writes, logins[0], worst, gave_up


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--url", default="")
    args = parser.parse_args()
    url = args.url or f"sqlite:///{tempfile.mkdtemp()}/bench_login.sqlite"
    engine = build_engine(url=url)
    initialise_database(engine=engine, reference_dir=get_settings().reference_dir)
    failed_login(engine, -1)  # warm up (argon2 parameters, dummy hash)
    per = 10 / args.seconds
    alone, _, worst_alone, _ = count_writes(engine, args.seconds, with_logins=False)
    print(f"small writes alone:              {alone * per:8,.0f} per 10 s (slowest {worst_alone * 1000:,.0f} ms)")
    beside, logins, worst, gave_up = count_writes(engine, args.seconds, with_logins=True)
    print(f"small writes beside login loop:  {beside * per:8,.0f} per 10 s (slowest {worst * 1000:,.0f} ms, "
          f"{gave_up} gave up after the busy timeout); {logins * per:,.0f} failed logins per 10 s")
    engine.dispose()


if __name__ == "__main__":
    main()
