"""Alembic environment: runs on the connection handed over by data_model.schema.migrate, or on DATABASE_URL."""
from alembic import context

from data_model.schema.db import build_engine
from data_model.schema.models import Base
from data_model.schema.settings import get_settings

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things in place
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = build_engine(url=get_settings().database_url, create=True)
    with engine.connect() as conn:
        _run(conn)
        conn.commit()
