"""Engine and session factory for SQLite (embedded) and PostgreSQL, chosen by the database URL."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session

from data_model.texts.catalogue import N_, Text
from data_model.texts.errors import UserError


class DatabaseUrlError(UserError, ValueError):
    """The database URL cannot be used."""


NOT_INITIALISED = N_("Cơ sở dữ liệu chưa khởi tạo: chạy `python -m data_model init`")


class DatabaseNotInitialised(UserError):
    """The database does not exist yet, or holds no (or an older) schema."""


URL_FORM = N_("URL cơ sở dữ liệu không hợp lệ (dạng đúng: postgresql+psycopg://người_dùng:mật_khẩu@máy:cổng/tên "
               "hoặc sqlite:///tệp.sqlite)")


def parse_database_url(url: str) -> URL:
    """The parsed URL, or DatabaseUrlError in one line that never repeats the URL (it may hold a password)."""
    authority = url.partition("://")[2].split("/", 1)[0]
    if authority.count("@") > 1:  # SQLAlchemy would take the rest of the password for the host and print it
        raise DatabaseUrlError("URL cơ sở dữ liệu không hợp lệ: ký tự «@» trong tên người dùng hoặc mật khẩu phải "
                               "viết là %40")
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseUrlError(URL_FORM) from exc
    except ValueError as exc:  # a port that is not a number
        raise DatabaseUrlError("URL cơ sở dữ liệu không hợp lệ: cổng phải là một số") from exc
    return parsed


def shown_url(url: str) -> str:
    """The database URL as it may be printed (password hidden)."""
    return parse_database_url(url).render_as_string(hide_password=True)


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite database URL; None for any other database."""
    parsed = parse_database_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if database in ("", ":memory:"):
        raise DatabaseUrlError("Cần một tệp SQLite, không dùng SQLite trong bộ nhớ")
    return Path(database)


def is_sqlite(engine: Engine) -> bool:
    """Whether the engine talks to SQLite."""
    return engine.dialect.name == "sqlite"


def _setup_sqlite(engine: Engine, busy_timeout_s: float) -> None:
    # pysqlite's own transaction handling is switched off so that we can emit BEGIN IMMEDIATE
    # (SQLAlchemy's documented recipe for serializable SQLite transactions).
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def build_engine(*, url: str, busy_timeout_s: float = 30.0, echo: bool = False, create: bool = False) -> Engine:
    """An engine for the URL; SQLite gets WAL, a busy timeout and controllable BEGIN.

    A missing SQLite file (and its folder) is only made with create=True; otherwise DatabaseNotInitialised.
    """
    path = sqlite_file(url)
    parsed = parse_database_url(url)
    backend = parsed.get_backend_name()
    if path is not None:
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        elif not path.exists():  # SQLite would create an empty file on the first connection
            raise DatabaseNotInitialised("{not_initialised} (không có tệp {path})",
                                         not_initialised=Text(NOT_INITIALISED), path=path)
        engine = create_engine(parsed, echo=echo, connect_args={"timeout": busy_timeout_s, "check_same_thread": False})
        _setup_sqlite(engine, busy_timeout_s)
        return engine
    if backend in ("postgresql", "postgres"):
        if parsed.drivername in ("postgresql", "postgres"):
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, echo=echo, pool_pre_ping=True)
    raise DatabaseUrlError("Chỉ hỗ trợ SQLite và PostgreSQL, không hỗ trợ {backend!r}", backend=backend)


def write_bind(engine: Engine) -> Engine:
    """The engine with SQLite transactions taking the write lock at BEGIN (read-then-write safety)."""
    return engine.execution_options(sqlite_begin="IMMEDIATE") if is_sqlite(engine) else engine


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session whose transaction holds the write lock from its start; commits on success."""
    with Session(write_bind(engine), expire_on_commit=False) as session:
        with session.begin():
            yield session


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A short read-only session."""
    with Session(engine, expire_on_commit=False) as session:
        yield session
