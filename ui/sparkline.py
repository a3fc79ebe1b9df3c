"""A KPI card's small bar trend as inline SVG: drawn with the page, no chart library to load in the browser."""
from __future__ import annotations

from html import escape

import pandas as pd

from data_model.texts.formatting import format_number

WIDTH, HEIGHT, LABELS = 300, 84, 14  # viewBox units; the SVG scales to the card's width


def sparkline_svg(frame: pd.DataFrame, *, color: str, unit: str, lang: str) -> str:
    """Bars per year (columns year, value), each with its figure as a tooltip; first and last year written below."""
    years = [int(y) for y in frame["year"]]
    values = [int(v) for v in frame["value"]]
    top = max(values + [1])
    slot = WIDTH / max(len(values), 1)
    chart = HEIGHT - LABELS
    bars = []
    for i, (year, value) in enumerate(zip(years, values)):
        h = 0 if value <= 0 else max(1.0, chart * value / top)
        tip = escape(f"{year}: {format_number(value, lang)} {unit}")
        bars.append(f'<rect x="{i * slot + slot * 0.12:.1f}" y="{chart - h:.1f}" width="{slot * 0.76:.1f}" '
                    f'height="{h:.1f}" fill="{escape(color)}"><title>{tip}</title></rect>')
    labels = ""
    if years:
        labels = (f'<text x="0" y="{HEIGHT - 2}" font-size="11" fill="#555">{years[0]}</text>'
                  f'<text x="{WIDTH}" y="{HEIGHT - 2}" font-size="11" fill="#555" text-anchor="end">{years[-1]}</text>')
    summary = escape(", ".join(f"{y}: {format_number(v, lang)}" for y, v in zip(years, values)))
    return (f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" aria-label="{summary}" '
            f'xmlns="http://www.w3.org/2000/svg">{"".join(bars)}{labels}</svg>')
