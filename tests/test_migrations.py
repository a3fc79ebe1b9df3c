"""Migrations build the schema the models describe, on SQLite and PostgreSQL, are idempotent and keep data."""
import datetime as dt
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from conftest import PG_URL
from sqlalchemy import column, create_engine, inspect, table, text
from sqlalchemy.engine import make_url

from data_model.schema.db import build_engine
from data_model.schema.migrate import alembic_config, current_revision, head_revision, upgrade_schema
from data_model.schema.models import Base
from data_model.schema.settings import get_settings
from data_model.startup.init_db import initialise_database


def test_database_is_at_the_newest_migration(engine):
    assert current_revision(engine=engine) == head_revision()


def test_migrated_schema_matches_the_models(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def test_every_model_table_exists(engine):
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_init_twice_adds_nothing(engine):
    again = initialise_database(engine=engine, reference_dir=get_settings().reference_dir)
    assert again == {}


@pytest.fixture
def empty_url(tmp_path):
    """URL of an empty database (no tables) on the engine the suite runs on."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path}/old.sqlite"
        return
    admin = create_engine(make_url(PG_URL).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    name = f"mig_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield make_url(PG_URL).set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def test_upgrade_gives_records_of_an_older_database_global_ids(empty_url):
    from alembic import command

    n = 20_000
    engine = build_engine(url=empty_url, create=True)
    try:
        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0001")  # the schema before records had a global id
        record = table("activity_record", *(column(c) for c in (
            "id", "type_code", "start_date", "end_date", "year", "languages", "topic", "note", "m1", "source_key",
            "is_demo", "created_at", "delete_reason")))
        language = table("record_language", column("record_id"), column("language"))
        with engine.begin() as conn:
            conn.execute(record.insert(), [
                {"id": i, "type_code": "outreach_session", "start_date": dt.date(2024, 1, 1), "year": 2024,
                 "end_date": dt.date(2024, 1, 1), "languages": "vi" if i % 2 else "", "topic": f"chủ đề {i}",
                 "note": "", "m1": i, "source_key": f"f:abc:CSV:{i}" if i % 3 == 0 else None, "is_demo": False,
                 "created_at": dt.datetime(2024, 1, 2), "delete_reason": ""} for i in range(1, n + 1)])
            conn.execute(language.insert(), [{"record_id": i, "language": "vi"} for i in range(1, n + 1, 2)])
        upgrade_schema(engine=engine)
        assert current_revision(engine=engine) == head_revision()
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, uid, m1, source_key FROM activity_record ORDER BY id")).all()
            languages = conn.scalar(text("SELECT count(*) FROM record_language"))
            if engine.dialect.name == "sqlite":
                assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert len(rows) == n and [r.m1 for r in rows] == list(range(1, n + 1))
        assert languages == n // 2  # the records' languages survive the table rebuild
        uids = [r.uid for r in rows]
        assert len(set(uids)) == n and all(str(uuid.UUID(u)) == u for u in uids)
        assert sum(r.source_key is not None for r in rows) == n // 3
        unique = {tuple(i["column_names"]) for i in inspect(engine).get_indexes("activity_record") if i["unique"]}
        unique |= {tuple(c["column_names"]) for c in inspect(engine).get_unique_constraints("activity_record")}
        assert {("uid",), ("source_key",)} <= unique
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
        assert diff == []
    finally:
        engine.dispose()
