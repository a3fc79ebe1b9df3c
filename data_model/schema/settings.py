"""The one settings object, read from the environment."""
from __future__ import annotations

import inspect
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "data" / "border_outreach.sqlite"


def _default_url() -> str:
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


@dataclass(frozen=True)
class Settings:
    """Configuration of one process; every field comes from an environment variable."""

    database_url: str = field(default_factory=lambda: os.environ.get("DATABASE_URL") or _default_url())
    reference_dir: Path = field(
        default_factory=lambda: Path(os.environ.get("REFERENCE_DIR") or PROJECT_ROOT / "reference")
    )
    sqlite_busy_timeout_s: float = field(
        default_factory=lambda: float(os.environ.get("SQLITE_BUSY_TIMEOUT_S", "30"))
    )
    session_idle_minutes: int = field(default_factory=lambda: int(os.environ.get("SESSION_IDLE_MINUTES", "60")))
    default_language: str = field(default_factory=lambda: os.environ.get("UI_LANGUAGE", "vi"))
    demo_on_first_start: bool = field(
        default_factory=lambda: os.environ.get("DEMO_ON_FIRST_START", "1") not in ("0", "false", "no")
    )
    # this machine only by default; 0.0.0.0 (every interface) opens the dashboard to the network
    server_address: str = field(default_factory=lambda: os.environ.get("SERVER_ADDRESS") or "127.0.0.1")
    server_port: int = field(default_factory=lambda: int(os.environ.get("PORT") or "8501"))
    # every "today" and "now" a user sees or a rule uses is in this zone, whatever the server's own zone
    province_timezone: str = field(default_factory=lambda: os.environ.get("PROVINCE_TIMEZONE") or "Asia/Ho_Chi_Minh")
    # the server's own limit (Streamlit's server.maxUploadSize, in MB of 1,048,576 bytes); uploaders show the same
    upload_limit_mb: int = field(default_factory=lambda: int(os.environ.get("MAX_UPLOAD_MB") or "50"))
    # the reverse proxy whose X-Forwarded-For is believed (its last hop only); "" believes no proxy
    trusted_proxy: str = field(default_factory=lambda: os.environ.get("TRUSTED_PROXY", "127.0.0.1"))


# the environment variables Settings reads, found in its own fields: a new field cannot be left out of the cache key
ENVIRONMENT = tuple(sorted(set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', inspect.getsource(Settings)))))


def get_settings() -> Settings:
    """The settings of the current environment, built once and cached (built again only when one of the
    variables in ENVIRONMENT changes, as tests do with monkeypatch)."""
    return _settings_for(tuple(os.environ.get(name) for name in ENVIRONMENT))


@lru_cache(maxsize=8)
def _settings_for(environment: tuple[str | None, ...]) -> Settings:
    return Settings()


def reset_settings() -> None:
    """Forget the cached settings (a test that changes the environment some other way)."""
    _settings_for.cache_clear()
