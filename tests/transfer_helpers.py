"""Helpers for the copy, backup and restore tests: databases on either engine, and what a database holds."""
from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import threading
import uuid
from pathlib import Path

from conftest import PG_URL, _build
from entry_helpers import concurrent_values, unit_id
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url

from data_model.basics.permissions import SYSTEM
from data_model.records.write import create_record
from data_model.schema.db import build_engine, write_session
from data_model.schema.models import ActivityRecord
from data_model.transfer.tables import model_tables


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
            return create_record(confirm_warnings=True, session=session, actor=SYSTEM, values=concurrent_values(unit_id(session), 7, i),
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
                    create_record(confirm_warnings=True, session=session, actor=SYSTEM, values=concurrent_values(unit, 3, self.written),
                                  today=dt.date(2025, 12, 31))
                self.written += 1
        except Exception as exc:  # reported by the test
            self.error = exc
        finally:
            engine.dispose()


OLD_REVISION = "0001"  # before records had a global id and before the login-security tables


def build_older_database(url: str) -> None:
    """A database at the first migration holding reference data, an account and three records with their summary."""
    from entry_helpers import KA_LANG
    from sqlalchemy import MetaData
    from sqlalchemy.orm import Session

    from data_model.reference.loader import load_reference
    from data_model.schema.migrate import upgrade_schema
    from data_model.schema.settings import get_settings

    engine = build_engine(url=url, create=True)
    try:
        upgrade_schema(engine=engine, revision=OLD_REVISION)
        with Session(engine) as session, session.begin():
            load_reference(session=session, directory=get_settings().reference_dir)
        old = MetaData()
        old.reflect(bind=engine)
        with engine.begin() as conn:
            unit = unit_id_on(conn)
            conn.execute(old.tables["app_user"].insert(), [{
                "id": 1, "username": "quantri", "full_name": "", "password_hash": "$argon2id$x", "role": "admin",
                "active": True, "is_demo": False, "failed_attempts": 0, "created_at": dt.datetime(2024, 1, 1)}])
            conn.execute(old.tables["activity_record"].insert(), [{
                "id": i, "type_code": "outreach_session", "start_date": dt.date(2024, 3, i),
                "end_date": dt.date(2024, 3, i), "year": 2024, "reporting_unit_id": unit, "commune_key": KA_LANG,
                "languages": "", "topic": f"chủ đề {i}", "note": "", "m1": 2, "m2": 100 + i, "is_demo": False,
                "created_by": 1, "created_at": dt.datetime(2024, 3, i), "delete_reason": ""} for i in (1, 2, 3)])
            conn.execute(old.tables["activity_summary"].insert(), [{
                "year": 2024, "type_code": "outreach_session", "commune_key": KA_LANG, "reporting_unit_id": unit,
                "n_records": 3, "s1": 6, "s2": 306, "s3": 0, "s4": 0, "s5": 0, "s6": 0}])
    finally:
        engine.dispose()


def unit_id_on(conn) -> int:
    """The id of Ka Lăng's border station, on a Core connection."""
    from sqlalchemy import text

    return conn.scalar(text("SELECT id FROM reporting_unit WHERE key = 'st_ka_lang'"))


def archive_of(url: str, path: Path, revision: str) -> None:
    """Write the portable archive of a database as its own (older) schema has it."""
    from sqlalchemy import MetaData

    from data_model.transfer.archive import write_archive
    from data_model.transfer.tables import read_batches

    engine = build_engine(url=url)
    try:
        tables = MetaData()
        tables.reflect(bind=engine)
        names = [t for t in tables.sorted_tables if t.name != "alembic_version"]
        with engine.connect() as conn:
            write_archive(path=path, tables=names, revision=revision, engine=engine.dialect.name,
                          read=lambda t: read_batches(conn=conn, table=t, batch=2))
    finally:
        engine.dispose()
