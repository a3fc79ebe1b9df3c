"""Create or migrate the schema, load reference and demo data, and open databases that are ready; safe to run again."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, exists, select
from sqlalchemy.orm import Session

from data_model.accounts.users import create_demo_accounts
from data_model.reference.loader import load_reference
from data_model.schema.db import (
    NOT_INITIALISED,
    DatabaseNotInitialised,
    build_engine,
    read_session,
    sqlite_file,
    write_session,
)
from data_model.schema.meta import DEMO_FLAG, DEMO_PENDING, is_demo_database
from data_model.schema.migrate import current_revision, head_revision, upgrade_schema
from data_model.schema.models import ActivityRecord, AppMeta, ImportBatch, User
from data_model.schema.planning import Target
from data_model.texts.catalogue import Text
from data_model.texts.errors import UserError


class DemoRefused(UserError, ValueError):
    """Demo data was asked for a database that already holds accounts, records or imports."""


def initialise_database(*, engine: Engine, reference_dir: Path, demo: bool = False) -> dict[str, int]:
    """Migrate the schema, load reference data once and, with demo, the demo data once; returns what was added."""
    upgrade_schema(engine=engine)
    added: dict[str, int] = {}
    with write_session(engine) as session:
        added.update(load_reference(session=session, directory=reference_dir))
    if demo:
        added.update(add_demo_data(engine=engine))
    return added


def holds_user_data(*, session: Session) -> bool:
    """Whether anyone has used this database: any account, record (deleted too), import batch or target."""
    return any(session.scalar(select(exists().select_from(model))) for model in (User, ActivityRecord, ImportBatch,
                                                                                    Target))


def add_demo_data(*, engine: Engine) -> dict[str, int]:
    """Load the demo data set and its accounts once; DemoRefused when the database already holds user data."""
    with write_session(engine) as session:
        if is_demo_database(session=session):
            return {}
        if holds_user_data(session=session):
            raise DemoRefused("Không nạp dữ liệu mẫu: cơ sở dữ liệu này đã có tài khoản, hoạt động hoặc lô nhập "
                              "(dữ liệu mẫu chỉ dành cho một cơ sở dữ liệu mới)")
        from data_model.demo.load import load_demo  # demo code is only imported when asked for

        added = load_demo(session=session)
        added.update(create_demo_accounts(session=session))
        session.add(AppMeta(key=DEMO_FLAG, value="1"))
        pending = session.get(AppMeta, DEMO_PENDING)
        if pending is not None:
            session.delete(pending)
    return added


def is_demo_pending(*, engine: Engine) -> bool:
    """Whether the dashboard created this database for the demo and the demo load has not finished."""
    with read_session(engine) as session:
        return session.get(AppMeta, DEMO_PENDING) is not None


def set_demo_pending(*, engine: Engine, pending: bool) -> None:
    """Mark (or unmark) this database as created by the dashboard for the demo."""
    with write_session(engine) as session:
        row = session.get(AppMeta, DEMO_PENDING)
        if pending and row is None:
            session.add(AppMeta(key=DEMO_PENDING, value="1"))
        elif not pending and row is not None:
            session.delete(row)


def open_database(*, url: str, busy_timeout_s: float = 30.0) -> Engine:
    """An engine on an existing database at the newest schema; creates nothing (DatabaseNotInitialised otherwise)."""
    path = sqlite_file(url)
    if path is not None and path.is_file() and path.stat().st_size == 0:  # an empty file left by an old version
        raise DatabaseNotInitialised("{not_initialised} (tệp {path} trống)", not_initialised=Text(NOT_INITIALISED),
                                     path=path)
    engine = build_engine(url=url, busy_timeout_s=busy_timeout_s)
    try:
        revision = current_revision(engine=engine)
        if revision is None:
            raise DatabaseNotInitialised(NOT_INITIALISED)
        if revision != head_revision():
            raise DatabaseNotInitialised(
                "Cơ sở dữ liệu chưa được cập nhật lên lược đồ mới nhất: chạy `python -m data_model init`")
    except BaseException:
        engine.dispose()
        raise
    return engine
