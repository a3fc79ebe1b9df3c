"""Create or migrate the schema and load reference and demo data; safe to run again."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from data_model.accounts import create_demo_accounts
from data_model.db import read_session, write_session
from data_model.migrate import upgrade_schema
from data_model.models import AppMeta
from data_model.reference import load_reference

DEMO_FLAG = "demo_loaded"


def initialise_database(*, engine: Engine, reference_dir: Path, demo: bool = False) -> dict[str, int]:
    """Migrate the schema, load reference data once and, with demo, the demo data once; returns what was added."""
    upgrade_schema(engine=engine)
    added: dict[str, int] = {}
    with write_session(engine) as session:
        added.update(load_reference(session=session, directory=reference_dir))
    if demo:
        with write_session(engine) as session:
            if session.get(AppMeta, DEMO_FLAG) is None:
                from data_model.demo import load_demo  # demo code is only imported when asked for

                added.update(load_demo(session=session))
                added.update(create_demo_accounts(session=session))
                session.add(AppMeta(key=DEMO_FLAG, value="1"))
    return added


def has_demo_data(*, engine: Engine) -> bool:
    """Whether the demo data set was loaded into this database."""
    with read_session(engine) as session:
        return session.get(AppMeta, DEMO_FLAG) is not None
