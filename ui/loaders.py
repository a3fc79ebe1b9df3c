"""Cached loaders: a data_model read wrapped in st.cache_data, keyed on the database URL and its real arguments."""
from __future__ import annotations

import functools
import inspect
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

from data_model.audit.data_version import read_data_version
from data_model.schema.db import read_session
from data_model.schema.settings import get_settings
from ui.engine import engine_for

CACHE_TTL_S = 600
# how long one process trusts the data version it read: a write in another process shows within this time
VERSION_TRUST_S = 1.0
T = TypeVar("T")
# pages (and the router) are scripts run again on every rerun, so their `load_x = cached_loader(fn)` lines run
# every time, some on a function defined anew: making st.cache_data's wrapper reads the function's source
# (inspect.getsource), ~4% of a view's CPU. One loader per function, told apart by its name and code (equal code
# objects: same bytecode, constants and place), so a function defined again the same way gets the same loader
_loaders: dict[tuple, Callable] = {}
_loaders_lock = threading.Lock()


def database_key() -> str:
    """The configured database URL: part of every cache key, so two databases never share cached figures."""
    return get_settings().database_url


_version: dict[str, tuple[float, int]] = {}


def data_version() -> int:
    """The database's data version, read at most once a second per process: part of every cache key, so a write
    made in another process (two processes behind nginx) is seen here at once, not after the cache's ttl."""
    url = database_key()
    now = time.monotonic()
    known = _version.get(url)
    if known is not None and now - known[0] < VERSION_TRUST_S:
        return known[1]
    with read_session(engine_for(url)) as session:
        version = read_data_version(session=session)
    _version[url] = (now, version)
    return version


def forget_data_version() -> None:
    """Read the data version again at the next view (after a write in this process)."""
    _version.clear()


def cached_loader(fn: Callable[..., T] | None = None, *, ttl: float = CACHE_TTL_S,
                  max_entries: int | None = None) -> Any:
    """Decorator for `def load_x(*, session, a, b) -> value` (or `*, engine, …`): calling `load_x(a=…, b=…)`
    opens a read session on the configured database (or passes its engine) and caches the value per database
    URL and keyword arguments (they must be hashable by st.cache_data: dataclasses, tuples, str, int, dates)."""
    if fn is None:
        return functools.partial(cached_loader, ttl=ttl, max_entries=max_entries)
    if fn.__closure__ is not None:
        return _make_loader(fn, ttl=ttl, max_entries=max_entries)
    key = (fn.__module__, fn.__qualname__, fn.__code__.co_filename, fn.__code__, fn.__defaults__, ttl, max_entries)
    with _loaders_lock:
        made = _loaders.get(key)
        if made is None:
            made = _loaders[key] = _make_loader(fn, ttl=ttl, max_entries=max_entries)
    return made


def _make_loader(fn: Callable[..., T], *, ttl: float, max_entries: int | None) -> Callable[..., T]:
    wants_engine = "engine" in inspect.signature(fn).parameters

    def load(url: str, version: int, **kwargs: Any) -> Any:
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
        return cached(database_key(), data_version(), **kwargs)

    return call
