"""Cells of a CSV a spreadsheet opens: no text starts like a formula (numbers, negative ones too, stay numbers)."""
from __future__ import annotations

import pandas as pd

ESCAPE = "'"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_text(text: str) -> str:
    """Text for a spreadsheet cell that no spreadsheet runs as a formula; unescape_text gives the text back exactly."""
    return ESCAPE + text if text and text.startswith((*_FORMULA_START, ESCAPE)) else text


def unescape_text(text: str) -> str:
    """The text escape_text was given (a leading apostrophe before a formula sign or an apostrophe is dropped)."""
    if len(text) > 1 and text[0] == ESCAPE and text[1:].startswith((*_FORMULA_START, ESCAPE)):
        return text[1:]
    return text


def neutralise_cells(*, frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of the frame whose text cells starting with =, +, -, @, tab or CR carry a leading apostrophe."""
    return frame.map(lambda value: escape_text(value) if isinstance(value, str) else value)


def build_csv_text(*, frame: pd.DataFrame) -> str:
    """The frame as CSV text (no index) with every text cell neutralised."""
    return neutralise_cells(frame=frame).to_csv(index=False)
