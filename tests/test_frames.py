"""Small frames as plain records for drawing."""
from __future__ import annotations

import pandas as pd

from ui.frames import frames_by, records_by


def test_records_keep_the_order_of_the_groups_and_rows():
    frame = pd.DataFrame({"type": ["b", "a", "b"], "label": ["x", "y", "z"], "value": [1, 2, 3]})
    grouped = records_by(frame, key="type", columns=["label", "value"])
    assert list(grouped) == ["b", "a"]
    assert grouped["b"] == [{"label": "x", "value": 1}, {"label": "z", "value": 3}]
    assert type(grouped["a"][0]["value"]) is int  # a Python int, as the formatting expects


def test_frames_split_once_by_value():
    frame = pd.DataFrame({"type": ["b", "a", "b"], "year": [2020, 2020, 2021]})
    parts = frames_by(frame, key="type")
    assert parts["b"]["year"].tolist() == [2020, 2021]
    assert parts.get("c") is None
