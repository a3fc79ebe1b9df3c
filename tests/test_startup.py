"""First start and exposure: demo data only in an embedded database the dashboard has just created, a server on
127.0.0.1 by default, commands that never create a database they only read, pages that never show a traceback."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError
from streamlit.testing.v1 import AppTest

from data_model.cli.main import main
from data_model.schema.db import build_engine, read_session, write_session
from data_model.schema.models import ActivityRecord, AppMeta, User
from data_model.schema.settings import PROJECT_ROOT

DASHBOARD = str(PROJECT_ROOT / "dashboard.py")
STRONG_PASSWORD = "Bien-gioi-Lai-Chau-2025!"
DEMO_RECORDS = 10_347  # 10,341 drafted and 6 joint events the Department recorded again (issue 25)


def cli(monkeypatch, capsys, url: str, *argv: str) -> tuple[int, str, str]:
    monkeypatch.setenv("DATABASE_URL", url)
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def add_admin(monkeypatch, capsys, url: str, name: str = "boss") -> None:
    monkeypatch.setattr("getpass.getpass", lambda prompt="": STRONG_PASSWORD)
    status, _, err = cli(monkeypatch, capsys, url, "user", "add", "--role", "admin", name)
    assert status == 0, err


def contents(url: str) -> dict[str, object]:
    """What a user would look for: records, demo accounts, all accounts, the demo flag."""
    engine = build_engine(url=url)
    try:
        with read_session(engine) as session:
            return {
                "records": session.scalar(select(func.count()).select_from(ActivityRecord)),
                "demo_accounts": sorted(session.scalars(select(User.username).where(User.is_demo.is_(True)))),
                "accounts": sorted(session.scalars(select(User.username))),
                "demo_flag": session.get(AppMeta, "demo_loaded") is not None,
            }
    finally:
        engine.dispose()


def start_app(app_env, monkeypatch, url: str, *, demo_on_first_start: bool = True) -> None:
    """What the dashboard's engine start-up does for this URL (with default settings unless told)."""
    from ui.engine import get_engine

    monkeypatch.setenv("DEMO_ON_FIRST_START", "1" if demo_on_first_start else "0")
    app_env(url)
    get_engine()


def login_page(timeout: float = 60) -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=timeout)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def demo_buttons(at: AppTest) -> list[str]:
    return [b.label for b in at.button if (b.key or "").startswith("demo_login_")]


# ---- point 1: demo data never goes into a production database --------------------------------------------------

@pytest.mark.parametrize("with_admin", [False, True], ids=["init only", "init + admin"])
def test_starting_the_app_on_an_init_database_adds_no_demo(tmp_path, monkeypatch, capsys, app_env, with_admin):
    url = f"sqlite:///{tmp_path / 'production.sqlite'}"
    assert cli(monkeypatch, capsys, url, "init")[0] == 0
    if with_admin:
        add_admin(monkeypatch, capsys, url)
    start_app(app_env, monkeypatch, url)  # default settings: DEMO_ON_FIRST_START=1
    at = login_page()
    assert demo_buttons(at) == []
    assert contents(url) == {"records": 0, "demo_accounts": [], "accounts": ["boss"] if with_admin else [],
                             "demo_flag": False}


def test_starting_the_app_on_a_used_server_database_adds_no_demo(db_url, monkeypatch, capsys, app_env):
    add_admin(monkeypatch, capsys, db_url)
    start_app(app_env, monkeypatch, db_url)
    assert demo_buttons(login_page()) == []
    assert contents(db_url)["demo_accounts"] == [] and contents(db_url)["records"] == 0


def test_first_start_on_a_missing_file_creates_the_demo_database(tmp_path, monkeypatch, app_env):
    path = tmp_path / "new" / "border_outreach.sqlite"
    url = f"sqlite:///{path}"
    start_app(app_env, monkeypatch, url)
    found = contents(url)
    assert found["records"] == DEMO_RECORDS and found["demo_flag"]
    assert found["demo_accounts"] == ["demo_admin", "demo_kehoach", "demo_lanhdao", "demo_nhaplieu"]
    assert len(demo_buttons(login_page())) == 4


def test_first_start_with_demo_off_creates_an_empty_production_database(tmp_path, monkeypatch, app_env):
    url = f"sqlite:///{tmp_path / 'new.sqlite'}"
    start_app(app_env, monkeypatch, url, demo_on_first_start=False)
    start_app(app_env, monkeypatch, url)  # the next start has default settings: still no demo
    assert contents(url) == {"records": 0, "demo_accounts": [], "accounts": [], "demo_flag": False}


def _interrupted_first_start(url: str) -> None:
    """The state a first start leaves when it is killed during the demo load: reference data and the plan."""
    from data_model.schema.settings import get_settings
    from data_model.startup.init_db import initialise_database, set_demo_pending

    engine = build_engine(url=url, create=True)
    initialise_database(engine=engine, reference_dir=get_settings().reference_dir)
    set_demo_pending(engine=engine, pending=True)
    engine.dispose()


def test_an_interrupted_first_start_finishes_the_demo_next_time(tmp_path, monkeypatch, app_env):
    url = f"sqlite:///{tmp_path / 'new.sqlite'}"
    _interrupted_first_start(url)
    start_app(app_env, monkeypatch, url)
    assert contents(url)["records"] == DEMO_RECORDS and len(contents(url)["demo_accounts"]) == 4


def test_an_interrupted_first_start_never_adds_demo_once_someone_used_the_database(tmp_path, monkeypatch, capsys,
                                                                                   app_env):
    url = f"sqlite:///{tmp_path / 'new.sqlite'}"
    _interrupted_first_start(url)
    add_admin(monkeypatch, capsys, url)
    start_app(app_env, monkeypatch, url)
    assert contents(url) == {"records": 0, "demo_accounts": [], "accounts": ["boss"], "demo_flag": False}


def test_init_makes_a_database_the_dashboard_created_for_the_demo_a_production_one(tmp_path, monkeypatch, capsys,
                                                                                   app_env):
    url = f"sqlite:///{tmp_path / 'new.sqlite'}"
    _interrupted_first_start(url)
    assert cli(monkeypatch, capsys, url, "init")[0] == 0
    start_app(app_env, monkeypatch, url)
    assert contents(url)["records"] == 0 and not contents(url)["demo_flag"]


def test_init_demo_refuses_a_database_with_accounts(db_url, monkeypatch, capsys):
    add_admin(monkeypatch, capsys, db_url)
    status, _, err = cli(monkeypatch, capsys, db_url, "init", "--demo")
    assert status == 2 and "dữ liệu mẫu" in err and err.count("\n") == 1
    assert contents(db_url)["records"] == 0 and contents(db_url)["demo_accounts"] == []


# ---- point 9: first start and exposure ---------------------------------------------------------------------------

@pytest.fixture
def exec_calls(monkeypatch) -> list[list[str]]:
    """`serve` replaces the process with Streamlit: record the command instead."""
    calls: list[list[str]] = []
    monkeypatch.setattr(os, "execve", lambda path, argv, env: calls.append([*argv, f"env:{env['FORWARDED_ALLOW_IPS']!r}"]))
    return calls


def _option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def test_serve_builds_the_database_before_the_server_and_listens_on_loopback(tmp_path, monkeypatch, capsys,
                                                                              exec_calls):
    url = f"sqlite:///{tmp_path / 'data' / 'new.sqlite'}"
    monkeypatch.delenv("SERVER_ADDRESS", raising=False)
    monkeypatch.setenv("PORT", "8642")
    monkeypatch.setenv("DEMO_ON_FIRST_START", "0")
    status, out, _ = cli(monkeypatch, capsys, url, "serve")
    assert status == 0 and "http://127.0.0.1:8642" in out
    [argv] = exec_calls
    assert argv[1:4] == ["-m", "streamlit", "run"] and argv[4] == str(PROJECT_ROOT / "app.py")  # dashboard.py in it
    assert argv[-1] == "env:''"  # uvicorn believes no X-Forwarded-For itself: app.py's middleware decides
    assert _option(argv, "--server.address") == "127.0.0.1" and _option(argv, "--server.port") == "8642"
    assert _option(argv, "--client.showErrorDetails") == "none"
    # the command line works on it right away: the database was built before Streamlit started
    assert cli(monkeypatch, capsys, url, "user", "list")[0] == 0


def test_serve_refuses_a_trusted_proxy_that_is_not_an_address(db_url, monkeypatch, capsys, exec_calls):
    monkeypatch.setenv("TRUSTED_PROXY", "127.0.0.1,nginx.local")
    status, _, err = cli(monkeypatch, capsys, db_url, "serve")
    assert status == 2 and exec_calls == []
    assert "TRUSTED_PROXY" in err and "'nginx.local'" in err and err.count("\n") == 1


def test_serve_refuses_the_network_while_demo_accounts_exist(demo_db_url, monkeypatch, capsys, exec_calls):
    monkeypatch.setenv("SERVER_ADDRESS", "0.0.0.0")
    status, _, err = cli(monkeypatch, capsys, demo_db_url, "serve")
    assert status == 2 and exec_calls == []
    assert "tài khoản demo" in err and "SERVER_ADDRESS=0.0.0.0" in err and err.count("\n") == 1


def test_serve_opens_a_production_database_to_the_network_when_asked(db_url, monkeypatch, capsys, exec_calls):
    monkeypatch.setenv("SERVER_ADDRESS", "0.0.0.0")
    status, out, _ = cli(monkeypatch, capsys, db_url, "serve")
    assert status == 0 and "mở ra mạng" in out
    assert _option(exec_calls[0], "--server.address") == "0.0.0.0"


def test_serve_opens_a_demo_database_to_the_network_once_its_demo_accounts_are_locked(demo_db_url, monkeypatch,
                                                                                     capsys, exec_calls):
    engine = build_engine(url=demo_db_url)
    with write_session(engine) as session:
        session.execute(update(User).where(User.is_demo.is_(True)).values(active=False))
    engine.dispose()
    monkeypatch.setenv("SERVER_ADDRESS", "0.0.0.0")
    assert cli(monkeypatch, capsys, demo_db_url, "serve")[0] == 0 and len(exec_calls) == 1


@pytest.mark.parametrize("address, loopback", [
    ("127.0.0.1", True), ("127.0.1.1", True), ("localhost", True), ("::1", True), ("[::1]", True),
    ("unix:///run/outreach.sock", True),
    ("0.0.0.0", False), ("::", False), ("", False), ("192.168.1.20", False), ("dashboard.local", False),
])
def test_is_loopback(address, loopback):
    from data_model.startup.prepare import is_loopback

    assert is_loopback(address) is loopback


READ_COMMANDS = {
    "summary": ["summary", "--from", "2012", "--to", "2020", "--by", "type"],
    "export": ["export", "--out", "{tmp}/out.csv"],
    "report": ["report", "--from", "2012", "--to", "2020", "--out", "{tmp}/report.md"],
    "user list": ["user", "list"],
    "user add": ["user", "add", "--role", "admin", "boss"],
    "import --dry-run": ["import", "--dry-run", "{tmp}/records.csv"],
}


def _argv(name: str, tmp_path: Path) -> list[str]:
    (tmp_path / "records.csv").write_text("Loại hoạt động\n", encoding="utf-8")
    return [a.replace("{tmp}", str(tmp_path)) for a in READ_COMMANDS[name]]


def _asks_no_password(monkeypatch) -> None:
    def refuse(prompt=""):
        raise AssertionError("a password was asked for a database that is not there")
    monkeypatch.setattr("getpass.getpass", refuse)


@pytest.mark.parametrize("command", list(READ_COMMANDS))
def test_a_command_on_a_missing_database_says_so_and_creates_nothing(tmp_path, monkeypatch, capsys, command):
    _asks_no_password(monkeypatch)
    folder = tmp_path / "data"
    status, out, err = cli(monkeypatch, capsys, f"sqlite:///{folder / 'border_outreach.sqlite'}",
                           *_argv(command, tmp_path))
    assert status != 0 and out == ""
    assert "Cơ sở dữ liệu chưa khởi tạo" in err and "python -m data_model init" in err and err.count("\n") == 1
    assert not folder.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["records.csv"]


@pytest.fixture
def empty_db_url(tmp_path):
    """A database that exists but was never initialised: an empty SQLite file, or an empty PostgreSQL database."""
    pg = os.environ.get("TEST_DATABASE_URL", "")
    if not pg:
        path = tmp_path / "empty.sqlite"
        path.touch()
        yield f"sqlite:///{path}"
        return
    admin = build_engine(url=pg).execution_options(isolation_level="AUTOCOMMIT")
    name = f"empty_{os.getpid()}_{time.monotonic_ns() % 10**8}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(pg).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.parametrize("command", ["summary", "export", "user list", "user add"])
def test_a_command_on_a_database_never_initialised_says_so(empty_db_url, tmp_path, monkeypatch, capsys, command):
    _asks_no_password(monkeypatch)
    status, _, err = cli(monkeypatch, capsys, empty_db_url, *_argv(command, tmp_path))
    assert status != 0 and "Cơ sở dữ liệu chưa khởi tạo" in err and err.count("\n") == 1
    if empty_db_url.startswith("sqlite"):
        assert Path(make_url(empty_db_url).database).stat().st_size == 0


def test_a_command_on_a_database_not_at_the_newest_schema_asks_for_init(db_url, monkeypatch, capsys):
    engine = build_engine(url=db_url)
    with engine.begin() as conn:  # as if it was made by an older version of the program
        conn.execute(text("UPDATE alembic_version SET version_num = '0000_older'"))
    engine.dispose()
    status, _, err = cli(monkeypatch, capsys, db_url, "summary", "--from", "2012", "--to", "2020", "--by", "type")
    assert status != 0 and "chạy `python -m data_model init`" in err and err.count("\n") == 1


def _listening_addresses(port: int) -> set[str]:
    """The local addresses with a listening TCP socket on the port (from /proc/net/tcp and tcp6)."""
    found = set()
    for name, width in (("tcp", 8), ("tcp6", 32)):
        table = Path(f"/proc/net/{name}")
        if not table.exists():
            continue
        for line in table.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                raw = bytes.fromhex(address)
                packed = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))  # kernel words are little-endian
                found.add(socket.inet_ntop(socket.AF_INET if width == 8 else socket.AF_INET6, packed))
    return found


@pytest.mark.slow
def test_the_served_dashboard_listens_on_127_0_0_1_only(tmp_path):
    if not Path("/proc/net/tcp").exists():
        pytest.skip("needs Linux /proc/net/tcp")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    path = tmp_path / "border_outreach.sqlite"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}", "DEMO_ON_FIRST_START": "0", "PORT": str(port)}
    env.pop("SERVER_ADDRESS", None)
    proc = subprocess.Popen([sys.executable, "-m", "data_model", "serve"], cwd=PROJECT_ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                assert proc.poll() is None, "the server stopped"
                assert time.monotonic() < deadline, "the server did not start within 90 s"
                time.sleep(0.3)
        assert _listening_addresses(port) == {"127.0.0.1"}
        assert path.exists()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


# ---- point 6: no page ever shows a traceback or SQL -------------------------------------------------------------

def test_streamlit_config_hides_error_details_and_keeps_the_server_local():
    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"
    assert config["server"]["address"] == "127.0.0.1"


SQL = "SELECT app_user.password_hash FROM app_user WHERE app_user.username = %(username)s"


def _texts(at: AppTest) -> str:
    parts = [e.value for e in at.exception]
    for kind in ("error", "warning", "info", "markdown", "caption", "code", "title", "text"):
        parts += [str(getattr(e, "value", "")) for e in getattr(at, kind)]
    return "\n".join(parts)


@pytest.mark.page_error_expected
@pytest.mark.parametrize("lang, message", [("vi", "Đã xảy ra lỗi ngoài dự kiến"), ("en", "Something unexpected")])
def test_an_unexpected_error_on_a_page_shows_a_plain_message(db_url, app_env, monkeypatch, caplog, lang, message):
    def broken(**_kwargs):
        raise ProgrammingError(SQL, {"username": "x"}, Exception('column "password_hash" does not exist'))

    app_env(db_url)
    monkeypatch.setattr("data_model.accounts.users.count_users", broken)  # the login page calls it
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    at.session_state["ui_lang"] = lang
    at.run()
    shown = _texts(at)
    assert not at.exception
    assert message in shown
    for secret in ("SELECT", "password_hash", "Traceback", "ProgrammingError", "app_user"):
        assert secret not in shown
    reference = next(e.value for e in at.error if message in e.value).split("**")[1]
    logged = [r for r in caplog.records if reference in r.getMessage()]
    assert logged and logged[0].exc_info and "password_hash" in str(logged[0].exc_info[1])


def test_a_remote_browser_cannot_open_a_database_with_demo_accounts(demo_db_url, app_env, monkeypatch):
    from streamlit.runtime.context import ContextProxy

    app_env(demo_db_url)
    monkeypatch.setattr(ContextProxy, "ip_address", property(lambda self: "192.168.1.20"))
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    at.run()
    assert not at.exception
    assert any("chỉ mở được trên chính máy chủ" in e.value for e in at.error)
    assert demo_buttons(at) == [] and len(at.text_input) == 0


def test_a_remote_browser_opens_a_production_database(db_url, app_env, monkeypatch):
    from streamlit.runtime.context import ContextProxy

    app_env(db_url)
    monkeypatch.setattr(ContextProxy, "ip_address", property(lambda self: "192.168.1.20"))
    at = login_page()
    assert [t.label for t in at.text_input] == ["Tên đăng nhập", "Mật khẩu"]
