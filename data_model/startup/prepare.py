"""What the dashboard does to its database when it starts, and where its server may listen."""
from __future__ import annotations

import ipaddress
import os
import sys
from dataclasses import dataclass, field

from sqlalchemy import Engine, exists, inspect, select
from sqlalchemy.orm import Session

from data_model.accounts.clients import parse_trusted_proxies
from data_model.schema.db import build_engine, read_session, sqlite_file
from data_model.schema.migrate import upgrade_schema
from data_model.schema.models import User
from data_model.schema.settings import PROJECT_ROOT, Settings
from data_model.startup.init_db import (
    DemoRefused,
    add_demo_data,
    initialise_database,
    is_demo_pending,
    set_demo_pending,
)
from data_model.texts.errors import UserError


class ExposureRefused(UserError):
    """The server would be reachable from the network while one-click demo accounts exist."""


@dataclass(frozen=True)
class AppDatabase:
    """The dashboard's database after start-up: its engine, whether this start created it, what was added."""

    engine: Engine
    created: bool
    added: dict[str, int] = field(default_factory=dict)


def prepare_app_database(*, settings: Settings) -> AppDatabase:
    """Migrate and load reference data; demo data only into an embedded database this start has created, empty."""
    path = sqlite_file(settings.database_url)
    created = path is not None and not path.exists()
    engine = build_engine(url=settings.database_url, busy_timeout_s=settings.sqlite_busy_timeout_s, create=True)
    try:
        if path is not None and not created:  # a file without a single table (a start killed at once) is new too
            created = not inspect(engine).get_table_names()
        upgrade_schema(engine=engine)
        if created and settings.demo_on_first_start:
            # kept in the database, so that a first start interrupted during the demo load finishes it next time
            set_demo_pending(engine=engine, pending=True)
        added = initialise_database(engine=engine, reference_dir=settings.reference_dir)
        if settings.demo_on_first_start and is_demo_pending(engine=engine):
            try:
                added.update(add_demo_data(engine=engine))
            except DemoRefused:  # someone started using it in the meantime: it is not a demo database any more
                set_demo_pending(engine=engine, pending=False)
    except BaseException:
        engine.dispose()
        raise
    return AppDatabase(engine=engine, created=created, added=added)


def is_loopback(address: str) -> bool:
    """Whether a listen address keeps the server to this machine (loopback or a Unix socket)."""
    text = address.strip()
    if text.lower() == "localhost" or text.startswith("unix://"):
        return True
    try:
        return ipaddress.ip_address(text.strip("[]")).is_loopback
    except ValueError:  # a host name or "" (every interface): treated as open to the network
        return False


def has_active_demo_accounts(*, session: Session) -> bool:
    """Whether any demo account (published password, one-click login) can log in to this database."""
    return bool(session.scalar(select(exists().where(User.is_demo.is_(True), User.active.is_(True)))))


def check_exposure(*, engine: Engine, address: str) -> None:
    """Refuse a network-facing listen address while the database has usable demo accounts."""
    if is_loopback(address):
        return
    with read_session(engine) as session:
        if has_active_demo_accounts(session=session):
            raise ExposureRefused(
                "Không mở ra mạng (SERVER_ADDRESS={address}): cơ sở dữ liệu này có tài khoản demo với mật khẩu công "
                "khai, ai trong mạng cũng vào được với quyền quản trị. Dùng một cơ sở dữ liệu tạo bằng `python -m "
                "data_model init` (không --demo), hoặc khóa mọi tài khoản demo, rồi chạy lại.", address=address)


def streamlit_environment(*, settings: Settings) -> dict[str, str]:
    """The server's environment: TRUSTED_PROXY checked, uvicorn's own X-Forwarded-For handling off."""
    parse_trusted_proxies(text=settings.trusted_proxy)
    # uvicorn believes X-Forwarded-For from 127.0.0.1, walking back over every hop: an empty list turns that off,
    # so that app.py's middleware alone decides (TRUSTED_PROXY, last hop only)
    return {**os.environ, "FORWARDED_ALLOW_IPS": ""}


def streamlit_command(*, settings: Settings) -> list[str]:
    """The command that serves the dashboard (app.py: dashboard.py as an st.App with its routes), listening where the settings say,
    with their upload limit, no error details for users and no watching of source files (after each run Streamlit
    walks every imported module's path to watch it)."""
    return [sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "app.py"),
            "--server.address", settings.server_address, "--server.port", str(settings.server_port),
            "--server.headless", "true", "--browser.gatherUsageStats", "false", "--client.showErrorDetails", "none",
            "--server.maxUploadSize", str(settings.upload_limit_mb), "--server.fileWatcherType", "none"]
