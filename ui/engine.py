"""One engine per process, built from DATABASE_URL by the dashboard's start-up (data_model.startup.prepare)."""
from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from data_model.schema.settings import get_settings
from data_model.startup.prepare import prepare_app_database


@st.cache_resource(show_spinner="Đang chuẩn bị cơ sở dữ liệu…")
def engine_for(url: str) -> Engine:
    """The engine of the configured database, whose URL is url (one per process and URL)."""
    # zero set-up: migrated and given reference data; demo data only in an embedded database created just now
    return prepare_app_database(settings=get_settings()).engine


def get_engine() -> Engine:
    """The engine for the configured database URL."""
    return engine_for(get_settings().database_url)


def clear_data_caches() -> None:
    """Forget cached query results after a write."""
    from ui.loaders import forget_data_version  # ui.loaders imports this module

    forget_data_version()
    st.cache_data.clear()
