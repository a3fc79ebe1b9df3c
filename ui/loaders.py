"""Cached loaders: a data_model read wrapped in st.cache_data, keyed on the database URL and its real arguments."""
from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

from data_model.schema.db import read_session
from data_model.schema.settings import get_settings
from ui.engine import engine_for

CACHE_TTL_S = 600
T = TypeVar("T")


def database_key() -> str:
    """The configured database URL: part of every cache key, so two databases never share cached figures."""
    return get_settings().database_url


def cached_loader(fn: Callable[..., T] | None = None, *, ttl: float = CACHE_TTL_S,
                  max_entries: int | None = None) -> Any:
    """Decorator for `def load_x(*, session, a, b) -> value` (or `*, engine, …`): calling `load_x(a=…, b=…)`
    opens a read session on the configured database (or passes its engine) and caches the value per database
    URL and keyword arguments (they must be hashable by st.cache_data: dataclasses, tuples, str, int, dates)."""
    if fn is None:
        return functools.partial(cached_loader, ttl=ttl, max_entries=max_entries)
    wants_engine = "engine" in inspect.signature(fn).parameters

    def load(url: str, **kwargs: Any) -> Any:
        engine = engine_for(url)
        if wants_engine:
            return fn(engine=engine, **kwargs)
        with read_session(engine) as session:
            return fn(session=session, **kwargs)

    # st.cache_data tells functions apart by module, qualified name and source; every `load` has the same source,
    # so each gets the name and place of the function it wraps (two pages may both define a `load_view`)
    code = fn.__code__
    load.__module__ = fn.__module__
    load.__qualname__ = f"{fn.__qualname__}@{code.co_filename}:{code.co_firstlineno}"
    cached = st.cache_data(ttl=ttl, max_entries=max_entries, show_spinner=False)(load)

    @functools.wraps(fn)
    def call(**kwargs: Any) -> T:
        return cached(database_key(), **kwargs)

    return call
