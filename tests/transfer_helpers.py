"""Helpers for the copy, backup and restore tests: databases on either engine, and what a database holds."""
from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import threading
import uuid
from pathlib import Path

from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url

from conftest import PG_URL, _build
from data_model.accounts.permissions import SYSTEM
from data_model.records.write import create_record
from data_model.schema.db import build_engine, write_session
from data_model.schema.models import ActivityRecord
from data_model.transfer.tables import model_tables
from entry_helpers import concurrent_values, unit_id


class Databases:
    """Empty or demo databases on SQLite (always) and PostgreSQL (when TEST_DATABASE_URL is set), dropped at the end."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.template: Path | None = None
        self.pg_names: list[str] = []
        self.pg_template = ""
        self.admin = None
        if PG_URL:
            self.base = make_url(PG_URL).set(drivername="postgresql+psycopg")
            self.admin = create_engine(self.base, isolation_level="AUTOCOMMIT")

    def empty(self, kind: str, template: str = "") -> str:
        """URL of a database without a single table (PostgreSQL: or a clone of template)."""
        if kind == "sqlite":
            return f"sqlite:///{self.root / f'empty-{uuid.uuid4().hex[:10]}.sqlite'}"
        name = f"tr_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        self.pg_names.append(name)
        return self.base.set(database=name).render_as_string(hide_password=False)

    def demo(self, kind: str) -> str:
        """URL of a database with reference and demo data, built by the project's own init."""
        if kind == "sqlite":
            if self.template is None:
                self.template = self.root / "demo-template.sqlite"
                _build(f"sqlite:///{self.template}", demo=True)
            path = self.root / f"demo-{uuid.uuid4().hex[:10]}.sqlite"
            shutil.copyfile(self.template, path)
            return f"sqlite:///{path}"
        if not self.pg_template:  # built once, then cloned (CREATE DATABASE … TEMPLATE)
            url = self.empty(kind)
            _build(url, demo=True)
            self.pg_template = make_url(url).database
        return self.empty(kind, template=self.pg_template)

    def close(self) -> None:
        if self.admin is not None:
            with self.admin.connect() as conn:
                for name in self.pg_names:
                    conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self.admin.dispose()


def contents(url: str) -> dict[str, tuple[int, str]]:
    """Per table of the models: its row count and a digest of every row in key order."""
    engine = build_engine(url=url)
    try:
        with engine.connect() as conn:
            out = {}
            for table in model_tables():
                order = list(table.primary_key.columns) or list(table.columns)
                digest, n = hashlib.sha256(), 0
                for row in conn.execute(select(*table.columns).order_by(*order)):
                    digest.update(repr(tuple(row)).encode())
                    n += 1
                out[table.name] = (n, digest.hexdigest())
            return out
    finally:
        engine.dispose()


def count_records(url: str) -> int:
    """How many records (deleted ones too) the database holds."""
    engine = build_engine(url=url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(ActivityRecord))
    finally:
        engine.dispose()


def add_record(url: str, i: int = 0) -> int:
    """Enter one record through the write API; returns its id."""
    engine = build_engine(url=url)
    try:
        with write_session(engine) as session:
            return create_record(session=session, actor=SYSTEM, values=concurrent_values(unit_id(session), 7, i),
                                 today=dt.date(2025, 12, 31))
    finally:
        engine.dispose()


class Writer(threading.Thread):
    """Enters records one transaction at a time until stopped, like a user of the running app."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url, self.written, self.error = url, 0, None
        self.stop = threading.Event()

    def run(self) -> None:
        engine = build_engine(url=self.url)
        try:
            with write_session(engine) as session:
                unit = unit_id(session)
            while not self.stop.is_set() and self.written < 5_000:
                with write_session(engine) as session:
                    create_record(session=session, actor=SYSTEM, values=concurrent_values(unit, 3, self.written),
                                  today=dt.date(2025, 12, 31))
                self.written += 1
        except Exception as exc:  # reported by the test
            self.error = exc
        finally:
            engine.dispose()
