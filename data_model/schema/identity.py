"""A dashboard process's identity (pid, port, database fingerprint, start time) and the check that a process has it."""
from __future__ import annotations

import datetime as dt
import hashlib
import os
from typing import Any

from sqlalchemy.engine import make_url

from data_model.schema.db import shown_url, sqlite_file
from data_model.texts.catalogue import Text

IDENTITY_PATH = "/api/identity"


def fingerprint_database(*, url: str) -> str:
    """A short hash naming the database a URL opens (SQLite path made absolute; the password counts, unshown)."""
    shown_url(url)  # a malformed URL: the one-line error of every command
    path = sqlite_file(url)
    if path is not None:
        url = make_url(url).set(database=str(path.resolve())).render_as_string(hide_password=False)
    else:
        url = make_url(url).render_as_string(hide_password=False)
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def describe_process(*, port: int, database_url: str, started_at: dt.datetime) -> dict[str, Any]:
    """What a process answers at IDENTITY_PATH: who it is, where it listens, which database, since when."""
    return {"pid": os.getpid(), "port": port, "database": fingerprint_database(url=database_url),
            "started_at": started_at.isoformat(timespec="seconds")}


def find_identity_mismatch(*, answer: dict[str, Any], pid: int, port: int, database_url: str,
                           since: dt.datetime) -> Text | None:
    """Why the process that answered is not the one started (pid, port, database, start time), or None."""
    if answer.get("pid") != pid:
        return Text("cổng {port} do tiến trình khác trả lời (pid {other}, không phải pid {pid} vừa khởi động)",
                    port=port, other=answer.get("pid"), pid=pid)
    if answer.get("port") != port:
        return Text("tiến trình pid {pid} nghe ở cổng {other}, không phải cổng {port}", pid=pid,
                    other=answer.get("port"), port=port)
    if answer.get("database") != fingerprint_database(url=database_url):
        return Text("tiến trình cổng {port} mở một cơ sở dữ liệu khác với DATABASE_URL", port=port)
    try:
        started = dt.datetime.fromisoformat(str(answer.get("started_at")))
    except ValueError:
        started = None
    if started is None or started < since.replace(microsecond=0):
        return Text("tiến trình cổng {port} đã chạy từ trước ({started}), không phải tiến trình vừa khởi động",
                    port=port, started=answer.get("started_at"))
    return None
