"""Cells of a CSV a spreadsheet opens: no text starts like a formula (numbers, negative ones too, stay numbers)."""
from __future__ import annotations

import pandas as pd

from data_model.files.parse import escape_text


def neutralise_cells(*, frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of the frame whose text cells starting with =, +, -, @, tab or CR carry a leading apostrophe."""
    return frame.map(lambda value: escape_text(value) if isinstance(value, str) else value)


def build_csv_text(*, frame: pd.DataFrame) -> str:
    """The frame as CSV text (no index) with every text cell neutralised."""
    return neutralise_cells(frame=frame).to_csv(index=False)
