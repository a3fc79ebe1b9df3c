"""Finished plotly figures kept per process, keyed on the figures they draw: a rerun with the same data reuses them,
and their JSON spec too."""
from __future__ import annotations

import dataclasses
import hashlib
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io

MAX_FIGURES = 64

_lock = threading.Lock()
_figures: OrderedDict[str, PreparedFigure] = OrderedDict()


class FigureDict(dict):
    """A prepared figure's dict, which keeps its JSON once encoded."""

    encoded: str | None = None


class PreparedFigure(go.Figure):
    """A figure never changed after it is built, whose dict is made once (st.plotly_chart asks for it every run)."""

    _prepared: FigureDict | None = None

    def to_dict(self) -> dict:
        """The figure's dict, made on the first call; st.plotly_chart only reads it."""
        if self._prepared is None:
            self._prepared = FigureDict(self.make_dict())
        return self._prepared

    def make_dict(self) -> dict:
        """The dict to keep: plotly's (a subclass may add what it holds aside)."""
        return super().to_dict()


_encode_figure = plotly.io.to_json


def encode_figure(fig: Any, validate: bool = True, pretty: bool = False, remove_uids: bool = True,
                  engine: str | None = None) -> str:
    """plotly.io.to_json, encoding a prepared figure's dict once (the same figure on every rerun)."""
    if not isinstance(fig, FigureDict) or pretty or not remove_uids or engine is not None:
        return _encode_figure(fig, validate=validate, pretty=pretty, remove_uids=remove_uids, engine=engine)
    if fig.encoded is None:
        fig.encoded = _encode_figure(fig, validate=False)
    return fig.encoded


# st.plotly_chart encodes the figure's dict with plotly.io.to_json on every run: the map's was 16-28% of a view's
# CPU; Streamlit takes no pre-encoded spec, so the encoder it calls keeps the JSON of a prepared figure's dict
plotly.io.to_json = encode_figure


def _feed(digest: Any, value: Any) -> None:
    if isinstance(value, (pd.DataFrame, pd.Series)):
        shape = ((list(value.columns), list(value.dtypes)) if isinstance(value, pd.DataFrame)
                 else (value.name, value.dtype))
        digest.update(repr((type(value).__name__, shape)).encode())
        digest.update(pd.util.hash_pandas_object(value, index=True).to_numpy().tobytes())
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        digest.update(type(value).__qualname__.encode())
        for field in dataclasses.fields(value):
            _feed(digest, getattr(value, field.name))
    elif isinstance(value, (list, tuple)):
        digest.update(f"{type(value).__name__}{len(value)}".encode())
        for item in value:
            _feed(digest, item)
    elif isinstance(value, dict):
        digest.update(f"dict{len(value)}".encode())
        for key, item in value.items():
            _feed(digest, key)
            _feed(digest, item)
    else:
        digest.update(f"{type(value).__name__}:{value!r};".encode())


def fingerprint_values(*, values: dict[str, Any]) -> str:
    """A digest of the values' content (their pickle; when they cannot be pickled: data frames by content,
    dataclasses field by field, the rest by repr)."""
    digest = hashlib.blake2b(digest_size=16)
    try:
        # equal bytes mean equal content; equal content with other bytes (shared objects) only builds again.
        # 1.8 ms for the map's data where hashing the frames took 8.8
        digest.update(pickle.dumps(values, protocol=5))
    except (pickle.PicklingError, TypeError, AttributeError):
        digest = hashlib.blake2b(b"fed", digest_size=16)
        _feed(digest, values)
    return digest.hexdigest()


def reuse_figure(*, name: str, inputs: dict[str, Any], build: Callable[[], go.Figure]) -> PreparedFigure:
    """The figure build() makes from these inputs, built once per process while the same inputs come back."""
    key = name + ":" + fingerprint_values(values=inputs)
    with _lock:
        figure = _figures.get(key)
        if figure is not None:
            _figures.move_to_end(key)
            return figure
    figure = build()
    # the same object, not a copy made through the constructor: a copy validates and copies every trace again
    if not isinstance(figure, PreparedFigure):
        figure.__class__ = PreparedFigure
    with _lock:
        _figures[key] = figure
        while len(_figures) > MAX_FIGURES:
            _figures.popitem(last=False)
    return figure


def reused_figures(fn: Callable[..., go.Figure]) -> Callable[..., PreparedFigure]:
    """Decorator for a chart function: the same arguments (data frames by content) give the figure built before."""
    name = f"{fn.__module__}.{fn.__qualname__}"

    def reuse(*args: Any, **kwargs: Any) -> PreparedFigure:
        return reuse_figure(name=name, inputs={"args": args, "kwargs": kwargs}, build=lambda: fn(*args, **kwargs))

    reuse.__name__, reuse.__qualname__, reuse.__doc__ = fn.__name__, fn.__qualname__, fn.__doc__
    reuse.__wrapped__ = fn
    return reuse
