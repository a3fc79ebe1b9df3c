"""Small result frames as plain Python for drawing: pandas' per-row access costs more than the elements drawn."""
from __future__ import annotations

import pandas as pd


def records_by(frame: pd.DataFrame, *, key: str, columns: list[str]) -> dict[object, list[dict]]:
    """The frame's rows as dicts of the columns, grouped by the key column's value in order of appearance."""
    groups: dict[object, list[dict]] = {}
    for keyed, record in zip(frame[key].tolist(), frame[columns].to_dict("records")):
        groups.setdefault(keyed, []).append(record)
    return groups


def frames_by(frame: pd.DataFrame, *, key: str) -> dict[object, pd.DataFrame]:
    """The frame split by the key column's value (one group-by instead of a filter per value)."""
    return {keyed: part for keyed, part in frame.groupby(key, sort=False)}
