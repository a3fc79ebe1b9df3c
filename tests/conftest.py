"""Fixtures: a fresh database per test, built by the project's own init code, on SQLite or PostgreSQL."""
from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import sys
import time
import traceback
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

# Pages in tests must never fill an empty test database with demo data on their own.
os.environ["DEMO_ON_FIRST_START"] = "0"

from data_model.schema.db import build_engine  # noqa: E402
from data_model.schema.settings import PROJECT_ROOT, get_settings  # noqa: E402
from data_model.startup.init_db import initialise_database  # noqa: E402

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
CHROMIUM = "/usr/bin/chromium"


def _build(url: str, *, demo: bool) -> None:
    engine = build_engine(url=url, create=True)
    try:
        initialise_database(engine=engine, reference_dir=get_settings().reference_dir, demo=demo)
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()


class _SqliteDatabases:
    """Template files built once; each test gets a copy."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.templates: dict[bool, Path] = {}

    def fresh(self, *, demo: bool) -> str:
        if demo not in self.templates:
            path = self.root / f"template-{'demo' if demo else 'ref'}.sqlite"
            _build(f"sqlite:///{path}", demo=demo)
            self.templates[demo] = path
        target = self.root / f"db-{uuid.uuid4().hex[:12]}.sqlite"
        shutil.copyfile(self.templates[demo], target)
        return f"sqlite:///{target}"

    def drop(self, url: str) -> None:
        path = Path(make_url(url).database)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    def close(self) -> None:
        pass


class _PostgresDatabases:
    """Template databases built once; each test gets CREATE DATABASE … TEMPLATE."""

    def __init__(self, admin_url: str) -> None:
        url = make_url(admin_url)
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        self.base = url
        self.admin: Engine = create_engine(url, isolation_level="AUTOCOMMIT")
        self.prefix = f"t{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.templates: dict[bool, str] = {}

    def _url(self, name: str) -> str:
        return self.base.set(database=name).render_as_string(hide_password=False)

    def _execute(self, sql: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(sql))

    def fresh(self, *, demo: bool) -> str:
        if demo not in self.templates:
            name = f"{self.prefix}_tpl_{'demo' if demo else 'ref'}"
            self._execute(f'CREATE DATABASE "{name}"')
            _build(self._url(name), demo=demo)
            self.templates[demo] = name
        name = f"{self.prefix}_{uuid.uuid4().hex[:10]}"
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.templates[demo]}"')
        return self._url(name)

    def drop(self, url: str) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')

    def close(self) -> None:
        for name in self.templates.values():
            self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.dispose()


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory):
    """The per-run database factory for the chosen engine."""
    factory = _PostgresDatabases(PG_URL) if PG_URL else _SqliteDatabases(tmp_path_factory.mktemp("dbs"))
    yield factory
    factory.close()


@pytest.fixture
def db_url(databases) -> Iterator[str]:
    """URL of a fresh database holding the schema and the reference data."""
    url = databases.fresh(demo=False)
    yield url
    databases.drop(url)


@pytest.fixture
def demo_db_url(databases) -> Iterator[str]:
    """URL of a fresh database holding reference and demo data."""
    url = databases.fresh(demo=True)
    yield url
    databases.drop(url)


def _engine(url: str) -> Iterator[Engine]:
    engine = build_engine(url=url)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """Engine on a fresh database with reference data."""
    yield from _engine(db_url)


@pytest.fixture
def form_xlsx(engine: Engine) -> bytes:
    """The offline form of Mù Cả station as the app generates it (the ODK import tests)."""
    from data_model.files.xlsform.form import build_xlsform
    from data_model.files.xlsform.workbook import xlsform_bytes
    from data_model.schema.db import read_session

    with read_session(engine) as session:
        return xlsform_bytes(build_xlsform(session=session, unit_keys=["st_mu_ca"]))


@pytest.fixture
def demo_engine(demo_db_url: str) -> Iterator[Engine]:
    """Engine on a fresh database with reference and demo data."""
    yield from _engine(demo_db_url)


@pytest.fixture(scope="module")
def shared_demo_url(databases) -> Iterator[str]:
    """URL of one demo database for a whole test module, for tests that only read."""
    url = databases.fresh(demo=True)
    yield url
    databases.drop(url)


@pytest.fixture
def shared_demo(shared_demo_url: str) -> Iterator[Session]:
    """A session on the module's read-only demo database."""
    engine = build_engine(url=shared_demo_url)
    with Session(engine) as s:
        yield s
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the fresh reference database."""
    with Session(engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def app_env(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Point the Streamlit app at a database URL for AppTest, with cold caches."""
    import streamlit as st

    def use(url: str) -> None:
        monkeypatch.setenv("DATABASE_URL", url)
        st.cache_data.clear()
        st.cache_resource.clear()

    yield use
    st.cache_data.clear()
    st.cache_resource.clear()


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def page_errors_fail_the_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """Users see a plain message when a page fails (ui.errors); a test sees the failure and its traceback."""
    collect = _Collect()
    logger = logging.getLogger("border_outreach.ui")
    logger.addHandler(collect)
    yield
    logger.removeHandler(collect)
    if collect.records and request.node.get_closest_marker("page_error_expected") is None:
        record = collect.records[0]
        details = "".join(traceback.format_exception(*record.exc_info)) if record.exc_info else ""
        pytest.fail(f"a page failed: {record.getMessage()}\n{details}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def live_server() -> Iterator[Callable[[str], str]]:
    """Start `streamlit run app.py` (the dashboard as `serve` runs it) on a database URL; returns the base URL."""
    procs: list[subprocess.Popen] = []

    def start(url: str) -> str:
        port = _free_port()
        env = {**os.environ, "DATABASE_URL": url, "DEMO_ON_FIRST_START": "0"}
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "app.py"), "--server.headless", "true",
             "--server.port", str(port), "--browser.gatherUsageStats", "false"],
            cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        procs.append(proc)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                    return base
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("Streamlit server did not start within 60 s")

    yield start
    for proc in procs:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def browser():
    """A headless system Chromium through Playwright (skips when either is missing)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need the playwright package")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield b
        b.close()
