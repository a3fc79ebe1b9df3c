"""Two or three report charts drawn with matplotlib (no browser needed), as PNG images."""
from __future__ import annotations

import io
import math
import textwrap
from typing import Literal

import matplotlib

matplotlib.use("Agg")  # headless; must come before pyplot
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from data_model.analytics.units import NONE_CODE  # noqa: E402
from data_model.definitions.activity_types import get_activity_type  # noqa: E402
from data_model.report.content import PlaceFigures, ReportContent  # noqa: E402
from data_model.report.document import Chart  # noqa: E402
from data_model.report.templating import fill, load_templates, period_label  # noqa: E402
from data_model.texts.formatting import format_number, format_percent_change  # noqa: E402

DPI = 200
PRINT_W = 16 / 2.54  # inches: figures are drawn at the width they are printed, so 9 pt here is 9 pt on paper
TICK_PT, LABEL_PT = 9, 9.5
TOP_PLACES = 15
MIN_CHARTS = 2


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)  # tight_layout already fitted it; "tight" would draw twice
    plt.close(fig)
    return buffer.getvalue()


def _number_axis(ax, lang: str, axis: str = "y", bins: int | Literal["auto"] = "auto") -> None:
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(MaxNLocator(nbins=bins, integer=True))  # counts: no 2,5 buổi ticks
    target.set_major_formatter(FuncFormatter(lambda v, _pos: format_number(v, lang)))


def _by_year(content: ReportContent, lang: str) -> Chart:
    years = list(range(content.period.year_from, content.period.year_to + 1))
    n = len(content.types)
    cols = 3 if n > 4 else 2 if n > 1 else 1
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(PRINT_W, 2.2 * rows), squeeze=False)
    for ax, figures in zip(axes.flat, content.types):
        definition = get_activity_type(figures.code)
        main = definition.main_measure
        values = [figures.by_year.get(y, {}).get(main.code, 0) for y in years]
        ax.bar([str(y) for y in years], values, color=definition.color)
        ax.set_title(textwrap.fill(f"{definition.name(lang)} ({main.unit(lang)})", 30), fontsize=LABEL_PT - 1)
        ax.tick_params(labelsize=TICK_PT - 1)
        ax.tick_params(axis="x", rotation=90 if len(years) > 5 else 0)
        if len(years) > 10:  # every other year: labels stay at print size
            for label in ax.get_xticklabels()[1::2]:
                label.set_visible(False)
        _number_axis(ax, lang, bins=4)
        ax.spines[["top", "right"]].set_visible(False)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    fig.tight_layout()
    return Chart(title=load_templates(lang)["charts"]["by_year"], png=_png(fig))


def _change(content: ReportContent, lang: str) -> Chart | None:
    tpl = load_templates(lang)
    labels, ratios, colors = [], [], []
    for figures in content.types:
        definition = get_activity_type(figures.code)
        main = definition.main_measure.code
        before = figures.previous.get(main, 0)
        if before:
            labels.append(definition.name(lang))
            ratios.append((figures.values.get(main, 0) - before) / before * 100)
            colors.append(definition.color)
    if not labels:
        return None
    fig, ax = plt.subplots(figsize=(PRINT_W, 0.32 * len(labels) + 0.8))
    ax.barh(labels[::-1], ratios[::-1], color=colors[::-1])
    ax.axvline(0, color="#333333", linewidth=0.8)
    for y, ratio in enumerate(ratios[::-1]):  # the figure itself: one large change must not hide the small ones
        text = format_percent_change(ratio / 100, lang)
        ax.text(ratio, y, f" {text} ", va="center", fontsize=TICK_PT - 0.5,
                ha="left" if ratio >= 0 else "right")
    low, high = min(ratios + [0]), max(ratios + [0])
    ax.set_xlim(low - (high - low) * 0.15 if low < 0 else 0, high + (high - low) * 0.15 + 1)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: format_number(v, lang) + "%"))
    ax.tick_params(labelsize=TICK_PT)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    title = fill(tpl["charts"]["change"], lang, previous=period_label(content.previous, tpl))
    return Chart(title=title, png=_png(fig))


def _places(content: ReportContent, places: list[PlaceFigures], lang: str, key: str) -> Chart | None:
    """Horizontal bars of the first type that these places recorded, biggest first."""
    tpl = load_templates(lang)
    for figures in content.types:
        definition = get_activity_type(figures.code)
        main = definition.main_measure
        scored = sorted(((p.values.get((definition.code, main.code), 0), p.name) for p in places
                         if p.key != NONE_CODE), key=lambda s: (-s[0], s[1]))
        scored = [s for s in scored if s[0] > 0][:TOP_PLACES]
        if len(scored) < 2:
            continue
        fig, ax = plt.subplots(figsize=(PRINT_W, 0.25 * len(scored) + 0.8))
        ax.barh([n for _, n in scored][::-1], [v for v, _ in scored][::-1], color=definition.color)
        for y, (value, _) in enumerate(scored[::-1]):
            ax.text(value, y, " " + format_number(value, lang), va="center", fontsize=TICK_PT - 0.5)
        _number_axis(ax, lang, axis="x")
        ax.tick_params(labelsize=TICK_PT)
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        title = fill(tpl["charts"][key], lang, type_name=definition.name(lang), unit=main.unit(lang))
        return Chart(title=title, png=_png(fig))
    return None


def _records(content: ReportContent, lang: str) -> Chart:
    """Activities recorded per type: one unit for every type, so the bars compare."""
    names = [get_activity_type(t.code).name(lang) for t in content.types]
    fig, ax = plt.subplots(figsize=(PRINT_W, 0.32 * len(names) + 0.8))
    ax.barh(names[::-1], [t.n_records for t in content.types][::-1],
            color=[get_activity_type(t.code).color for t in content.types][::-1])
    _number_axis(ax, lang, axis="x")
    ax.tick_params(labelsize=TICK_PT)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return Chart(title=load_templates(lang)["charts"]["records"], png=_png(fig))


def draw_charts(content: ReportContent, lang: str = "vi") -> list[Chart]:
    """The report's charts: by year (or change for one year), by commune, by station; none for an empty report."""
    if content.empty:
        return []
    first = _by_year(content, lang) if content.period.years > 1 else _change(content, lang)
    stations = [s for s in content.stations if s.group == "station"]
    charts = [first, _places(content, content.communes, lang, "by_commune"),
              _places(content, stations, lang, "by_station")]
    if content.period.years > 1 and sum(c is not None for c in charts) < MIN_CHARTS:
        charts.append(_change(content, lang))
    if sum(c is not None for c in charts) < MIN_CHARTS:
        charts.append(_records(content, lang))
    return [c for c in charts if c is not None]
