"""Plotly figures with one colour per activity type, axis titles with units and Vietnamese number format."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from data_model.definitions.activity_types import list_activity_types
from data_model.texts.catalogue import translate
from ui.figure_cache import reused_figures

FONT = "Source Sans Pro, Noto Sans, Arial, sans-serif"
# a colour-blind-safe sequential scale (viridis) for heatmaps; types keep their own colours from the definitions
HEATMAP_SCALE = "Viridis"
MIN_CONTRAST = 3.0  # WCAG 1.4.11: lines and bars stand out from the white background by at least 3:1
SCALE_RATIO = 10.0  # one axis holds series within ten times each other; bigger gaps get a panel of their own


def type_colors() -> dict[str, str]:
    """Colour of every activity type, from its definition."""
    return {t.code: t.color for t in list_activity_types()}


def separators(lang: str) -> str:
    """Plotly's decimal and thousands separators: "41.262" and "1,5" in Vietnamese."""
    return translate(",.", lang=lang)


def style(fig: go.Figure, *, x_title: str, y_title: str, lang: str, height: int = 380,
          legend: bool = True, xaxis: dict | None = None, yaxis: dict | None = None,
          layout: dict | None = None) -> go.Figure:
    """Common layout: separators, axis titles, readable margins, legend under the chart; the axes' own settings."""
    changes = {
        "separators": separators(lang), "height": height, "font": {"family": FONT, "size": 13},
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10}, "showlegend": legend,
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
        "hoverlabel": {"font": {"family": FONT}},
        "xaxis": {"title": {"text": x_title}, "automargin": True, **(xaxis or {})},
        "yaxis": {"title": {"text": y_title}, "automargin": True, "tickformat": ",d", "rangemode": "tozero",
                  **(yaxis or {})},
        **(layout or {}),
    }
    # a new figure with the whole layout: plotly's update_layout/update_xaxes cost 3-20 ms a call, this 1-2 ms
    current = fig.layout.to_plotly_json()
    current.pop("template", None)
    return go.Figure(data=fig.data, layout=_merged(current, changes))


def _merged(base: dict, changes: dict) -> dict:
    """base updated by changes, nested dicts merged key by key (as plotly's update does)."""
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merged(base[key], value)
        else:
            base[key] = value
    return base


def _whole_ticks(values) -> dict:
    """Axis settings so that counts never get ticks like 0,2: small ranges step by 1."""
    top = max([float(v) for v in values if v == v] or [0])
    return {"dtick": 1, "range": [0, max(top, 1) * 1.1]} if top <= 8 else {}


def _luminance(hex_color: str) -> float:
    channels = [int(hex_color.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_on_white(hex_color: str) -> float:
    """WCAG contrast ratio of a colour against the white chart background."""
    return 1.05 / (_luminance(hex_color) + 0.05)


def readable_color(hex_color: str, *, ratio: float = MIN_CONTRAST) -> str:
    """The type's colour, darkened (same hue) until a line or bar of it stands out on white by the given ratio."""
    if not hex_color.startswith("#") or len(hex_color) != 7:
        return hex_color
    channels = [int(hex_color[i:i + 2], 16) for i in (1, 3, 5)]
    shade = 1.0
    while shade > 0.05:
        color = "#" + "".join(f"{round(c * shade):02X}" for c in channels)
        if contrast_on_white(color) >= ratio:
            return color
        shade -= 0.05
    return "#000000"


def split_by_scale(peaks: dict[str, float], *, ratio: float = SCALE_RATIO) -> list[list[str]]:
    """Series grouped so that no axis holds one series more than ratio times as big as another (biggest first)."""
    groups: list[list[str]] = []
    top = 0.0
    for name, peak in sorted(peaks.items(), key=lambda item: -item[1]):
        if groups and peak * ratio >= top:
            groups[-1].append(name)
        else:
            groups.append([name])
            top = max(peak, 1.0)
    return groups


@reused_figures
def trend_lines(frame: pd.DataFrame, *, y_title: str, lang: str, height: int = 380, by: str = "type") -> go.Figure:
    """Lines over years (columns year, value, type, type_name, series) — one line per series, type colours; series of
    very different size (leaflets in thousands, sessions in units) get stacked panels, each with its own axis."""
    colors = type_colors()
    peaks = {str(k): float(v) for k, v in frame.groupby("series", sort=False)["value"].max().fillna(0).items()}
    groups = split_by_scale(peaks)
    panel = {name: n for n, group in enumerate(groups) for name in group}
    fig = make_subplots(rows=len(groups), cols=1, shared_xaxes=True, vertical_spacing=0.12) if len(groups) > 1 \
        else go.Figure()
    for series, rows in frame.groupby("series", sort=False):
        first = rows.iloc[0]
        trace = go.Scatter(
            x=rows["year"], y=rows["value"], mode="lines+markers", name=str(series),
            line={"color": readable_color(colors.get(first["type"], "#444444")),
                  "dash": first.get("dash", "solid") or "solid", "width": 2.5},
            customdata=rows[["type"]].assign(year=rows["year"]).to_numpy(),
            hovertemplate="%{x}: <b>%{y:,d}</b> " + str(first.get("unit", "")) + f"<extra>{series}</extra>",
        )
        if len(groups) > 1:
            fig.add_trace(trace, row=panel[str(series)] + 1, col=1)
        else:
            fig.add_trace(trace)
    if len(groups) == 1:
        return style(fig, x_title=translate("Năm", lang=lang), y_title=y_title, lang=lang, height=height,
                     xaxis={"dtick": 1, "tickformat": "d"}, yaxis=_whole_ticks(frame["value"]))
    axes: dict = {}
    for n, group in enumerate(groups):
        values = frame.loc[frame["series"].astype(str).isin(group), "value"]
        suffix = "" if n == 0 else str(n + 1)
        axes[f"yaxis{suffix}"] = {"title": {"text": y_title if n == 0 else ""}, "automargin": True,
                                  "tickformat": ",d", "rangemode": "tozero", **_whole_ticks(values)}
        axes[f"xaxis{suffix}"] = {"dtick": 1, "tickformat": "d", "automargin": True}
    last = "" if len(groups) == 1 else str(len(groups))
    axes[f"xaxis{last}"]["title"] = {"text": translate("Năm", lang=lang)}
    return style(fig, x_title="", y_title=y_title, lang=lang, height=max(height, 190 * len(groups) + 120),
                 xaxis={"dtick": 1, "tickformat": "d"}, layout=axes)


@reused_figures
def heatmap(matrix: pd.DataFrame, *, value_title: str, place_title: str, lang: str) -> go.Figure:
    """Place × year tiles coloured by value (columns key, name, year, value); a missing tile is a year without activity.

    Drawn as square scatter markers rather than a plotly heatmap: heatmap cells cannot be selected, markers can,
    and selecting a tile opens that place's records of that year.
    """
    names = sorted(matrix["name"].unique(), reverse=True)  # plotly draws categories bottom-up: A ends on top
    years = sorted(int(y) for y in matrix["year"].unique())
    height = max(320, 26 * len(names) + 130)
    fig = go.Figure(go.Scatter(
        x=matrix["year"], y=matrix["name"], mode="markers",
        marker={"symbol": "square", "size": 20, "color": matrix["value"], "colorscale": HEATMAP_SCALE,
                "showscale": True, "line": {"width": 0},
                "colorbar": {"title": {"text": value_title, "side": "right"}, "tickformat": ",d"}},
        customdata=matrix[["key", "year"]].astype({"key": str}).to_numpy(),
        hovertemplate="%{y} – %{x}: <b>%{marker.color:,d}</b><extra></extra>",
    ))
    return style(fig, x_title=translate("Năm", lang=lang), y_title=place_title, lang=lang, height=height,
                 legend=False,
                 xaxis={"tickmode": "array", "tickvals": years, "tickformat": "d", "showgrid": False,
                        "range": [years[0] - 0.6, years[-1] + 0.6] if years else None},
                 yaxis={"type": "category", "categoryorder": "array", "categoryarray": names, "tickformat": None,
                        "rangemode": None, "showgrid": False})


@reused_figures
def ranking_bars(ranking: pd.DataFrame, *, value: str, value_title: str, place_title: str, color: str, lang: str,
                 unit: str = "") -> go.Figure:
    """Horizontal bars, biggest on top (columns key, name and the value column)."""
    rows = ranking.dropna(subset=[value]).sort_values(value, ascending=True)
    fmt = ",.1f" if value == "per_1000" else ",d"
    fig = go.Figure(go.Bar(
        x=rows[value], y=rows["name"], orientation="h", marker_color=readable_color(color),
        customdata=rows[["key"]].astype(str).to_numpy(),
        text=rows[value], texttemplate="%{x:" + fmt + "}", textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: <b>%{x:" + fmt + "}</b> " + unit + "<extra></extra>",
    ))
    xaxis = {"tickformat": ",d" if value != "per_1000" else ",.0f", "rangemode": "tozero",
             **(_whole_ticks(rows[value]) if value != "per_1000" else {})}
    return style(fig, x_title=value_title, y_title=place_title, lang=lang, height=max(280, 28 * len(rows) + 110),
                 legend=False, xaxis=xaxis, yaxis={"tickformat": None, "rangemode": None})


@reused_figures
def grouped_bars(frame: pd.DataFrame, *, x: str, y: str, color_by: str, y_title: str, x_title: str, lang: str,
                 fmt: str = ",d") -> go.Figure:
    """Bars grouped by x, one colour per type (columns x, y, type, and color_by naming the series)."""
    colors = type_colors()
    fig = go.Figure()
    for series, rows in frame.groupby(color_by, sort=False):
        fig.add_trace(go.Bar(x=rows[x], y=rows[y], name=str(series),
                             marker_color=readable_color(colors.get(rows["type"].iloc[0], "#444444")),
                             hovertemplate="%{x}: <b>%{y:" + fmt + "}</b><extra>" + str(series) + "</extra>"))
    return style(fig, x_title=x_title, y_title=y_title, lang=lang, layout={"barmode": "group"},
                 yaxis=_whole_ticks(frame[y]) if fmt == ",d" else None)


def selected_points(event) -> list[dict]:
    """Points of a plotly selection event (st.plotly_chart on_select) as plain dicts."""
    if not event:
        return []
    selection = event.get("selection") if isinstance(event, dict) else getattr(event, "selection", None)
    if not selection:
        return []
    points = selection.get("points") if isinstance(selection, dict) else getattr(selection, "points", None)
    return list(points or [])


def formatted(frame: pd.DataFrame, *, columns: list[str], lang: str, decimals: int = 0) -> pd.DataFrame:
    """A copy for display with the numeric columns written the Vietnamese way (41.262); empty cells stay empty."""
    from data_model.texts.formatting import format_number

    out = frame.copy()
    for c in columns:
        if c in out:
            out[c] = [format_number(v, lang, decimals=decimals) if v is not None and v == v else "" for v in out[c]]
    return out
