"""Schema migrations through Alembic, on the engine the application uses."""
from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from data_model.schema.settings import PROJECT_ROOT

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"


def alembic_config() -> Config:
    """Alembic configuration pointing at the project's migrations folder."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def upgrade_schema(*, engine: Engine, revision: str = "head") -> None:
    """Bring the schema at the engine to the newest migration (or to the given one)."""
    cfg = alembic_config()
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # SQLite's procedure for rebuilding a table: foreign keys off (outside any transaction), else dropping the
            # old table would cascade-delete the rows that reference it; checked again before the commit.
            conn.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, revision)
                if sqlite and conn.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                    raise RuntimeError("migration left rows whose foreign keys point nowhere; nothing was changed")
        finally:
            if sqlite:
                conn.connection.driver_connection.execute("PRAGMA foreign_keys = ON")


def current_revision(*, engine: Engine) -> str | None:
    """The migration the database is at (None for an empty database)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    """The newest migration in the project."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def make_migration(*, engine: Engine, message: str) -> None:
    """Autogenerate a migration from the difference between the models and the database."""
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.revision(cfg, message=message, autogenerate=True)
