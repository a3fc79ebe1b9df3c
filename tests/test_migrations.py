"""Migrations build the schema the models describe, on SQLite and PostgreSQL, and are idempotent."""
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from data_model.init_db import initialise_database
from data_model.migrate import current_revision, head_revision
from data_model.models import Base
from data_model.settings import get_settings


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
