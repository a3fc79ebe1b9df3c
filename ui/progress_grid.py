"""The unit × month reporting grid as an HTML table: colour, symbol and a tooltip per cell, a legend in words."""
from __future__ import annotations

import html

import pandas as pd

from data_model.reporting.completeness import STATUS_LABELS, Completeness
from data_model.texts.catalogue import translate
from data_model.texts.formatting import format_date, format_number

COLORS = {"on_time": "#b7e1b9", "late": "#ffd58a", "missing": "#f5a9a9", "open": "#eeeeee", "not_expected": "#ffffff"}
SYMBOLS = {"on_time": "✓", "late": "!", "missing": "✗", "open": "…", "not_expected": ""}
ORDER = ("on_time", "late", "missing", "open", "not_expected")
_CELL = "border:1px solid #bbb;padding:4px 6px;text-align:center;min-width:2.2em"


def _label(status: str, lang: str) -> str:
    vi, en = STATUS_LABELS[status]
    return vi if lang == "vi" else en


def legend_html(lang: str) -> str:
    """Each colour with its symbol and its meaning in words."""
    items = [f'<span style="display:inline-block;margin-right:14px"><span style="background:{COLORS[s]};{_CELL};'
             f'display:inline-block">{SYMBOLS[s] or "&nbsp;"}</span> {html.escape(_label(s, lang))}</span>'
             for s in ORDER]
    revised = translate("dấu * : đã sửa số liệu sau khi xác nhận", lang=lang)
    return f'<div style="line-height:2.2">{"".join(items)}<span>{revised}</span></div>'


def _title(cell: dict, lang: str) -> str:
    parts = [_label(cell["status"], lang)]
    when = cell["confirmed_at"]
    if when is not None and not pd.isna(when):
        parts.append(f"{format_date(when.date(), lang)} {when:%H:%M} ({cell['confirmed_by']})")
    parts.append((translate("hạn ", lang=lang)) + format_date(cell["deadline"], lang))
    if cell["revised"]:
        parts.append(translate("đã sửa sau khi xác nhận", lang=lang))
    return " · ".join(parts)


def _percent(value: float | None, lang: str) -> str:
    return "–" if value is None or value != value else f"{format_number(value * 100, lang, decimals=1)}%"


def grid_html(result: Completeness, lang: str) -> str:
    """The grid: one row per unit, one column per month, the unit's reporting rate last."""
    month = translate("T", lang=lang)
    head = "".join(f'<th style="{_CELL}">{month}{m}</th>' for m in range(1, 13))
    rows = []
    for unit in result.units.itertuples(index=False):
        cells = result.grid[result.grid["unit_id"] == unit.unit_id].to_dict(orient="records")
        tds = "".join(
            f'<td style="{_CELL};background:{COLORS[c["status"]]}" data-unit="{html.escape(unit.unit_key)}" '
            f'data-month="{c["month"]}" data-status="{c["status"]}" title="{html.escape(_title(c, lang))}">'
            f'{SYMBOLS[c["status"]]}{"*" if c["revised"] else ""}</td>' for c in cells)
        rates = "".join(f'<td style="{_CELL};text-align:right">{_percent(v, lang)}</td>'
                        for v in (unit.rate, unit.on_time_rate))
        rows.append(f'<tr><th style="{_CELL};text-align:left;font-weight:normal">{html.escape(unit.unit)}</th>{tds}'
                    f'{rates}</tr>')
    unit_head = translate("Đơn vị", lang=lang)
    rate_head = (f'<th style="{_CELL}">' + (translate("Tỷ lệ", lang=lang, ctx='rate')) + f'</th><th style="{_CELL}">'
                 + (translate("Đúng hạn", lang=lang)) + "</th>")
    return (f'<div style="overflow-x:auto"><table style="border-collapse:collapse;font-size:0.9rem;width:100%">'
            f'<thead><tr><th style="{_CELL};text-align:left">{unit_head}</th>{head}'
            f'{rate_head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>')
