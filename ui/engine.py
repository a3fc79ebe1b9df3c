"""One engine per process, built from DATABASE_URL; the embedded database is created and filled on first use."""
from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from data_model.db import build_engine
from data_model.init_db import initialise_database
from data_model.settings import get_settings


@st.cache_resource(show_spinner="Đang chuẩn bị cơ sở dữ liệu…")
def _engine_for(url: str) -> Engine:
    settings = get_settings()
    engine = build_engine(url=url, busy_timeout_s=settings.sqlite_busy_timeout_s)
    # zero set-up: the embedded database is migrated and filled with reference (and demo) data on first start
    initialise_database(engine=engine, reference_dir=settings.reference_dir,
                        demo=settings.demo_on_first_start and engine.dialect.name == "sqlite")
    return engine


def get_engine() -> Engine:
    """The engine for the configured database URL."""
    return _engine_for(get_settings().database_url)


def clear_data_caches() -> None:
    """Forget cached query results after a write."""
    st.cache_data.clear()
