"""The report's commune map, drawn offline with matplotlib from the same polygons as the pages' map."""
from __future__ import annotations

import datetime as dt
import math

import matplotlib

matplotlib.use("Agg")  # headless; must come before pyplot
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import patheffects  # noqa: E402
from matplotlib.colors import LinearSegmentedColormap, Normalize  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch, Polygon  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402
from sqlalchemy import select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from data_model.analytics.map import LABEL_LIFT_DEG, LAYER_COLORS, CommuneMap, commune_map, station_points  # noqa: E402
from data_model.definitions.activity_types import get_activity_type  # noqa: E402
from data_model.reference.boundaries import load_rollup  # noqa: E402
from data_model.reference.geo import GeoUnavailable, ProvinceShapes, load_province_shapes  # noqa: E402
from data_model.report.charts import PRINT_W, _png  # noqa: E402
from data_model.report.content import ReportContent  # noqa: E402
from data_model.report.document import Chart  # noqa: E402
from data_model.report.templating import fill, load_templates  # noqa: E402
from data_model.schema.models import StationCoverage  # noqa: E402
from data_model.texts.formatting import format_number  # noqa: E402

EMPTY_FILL = "#efefef"
MERGER_DAY = dt.date(2025, 7, 1)  # the boundaries reference/geo holds: a report ending earlier says so
BORDER_COLOR = "#c00000"
STATION_COLOR = "#1b5e20"
NAMED = 10  # communes named on the map (the biggest values); the others get a number and the legend under it


def main_communes(values: dict[str, int], shapes: ProvinceShapes) -> set[str]:
    """The communes named on the printed map: the ones with the biggest values."""
    ranked = sorted((k for k in shapes.communes if values.get(k, 0) > 0), key=lambda k: (-values[k], k))
    return set(ranked[:NAMED])


def numbered_communes(values: dict[str, int], shapes: ProvinceShapes) -> dict[str, int]:
    """The other communes, numbered west to east: the number printed on the map, the name in the legend."""
    named = main_communes(values, shapes)
    rest = sorted((c for c in shapes.communes.values() if c.key not in named), key=lambda c: (c.centroid[0], c.key))
    return {c.key: n for n, c in enumerate(rest, start=1)}


def _scope_communes(*, session: Session, content: ReportContent, data: CommuneMap) -> set[str]:
    """Today's communes the scope stands for (a station's area, a commune, a district); empty for the province."""
    scope = content.scope
    if scope.scope.kind == "station":
        c = StationCoverage
        keys = set(session.scalars(select(c.unit_key).where(c.station_id.in_(scope.filters.stations),
                                                           (c.valid_from.is_(None)) | (c.valid_from <= data.on),
                                                           (c.valid_to.is_(None)) | (c.valid_to > data.on))))
    elif scope.recorded_communes is not None:
        keys = set(scope.recorded_communes)
    else:
        return set()
    rollup = load_rollup(session=session, on=data.on)
    return {target for k in keys for target, _ in rollup.get(k, [(k, 1.0)])}


def draw_map_figure(data: CommuneMap, shapes: ProvinceShapes, *, lang: str, unit: str,
                    highlight: set[str] = frozenset()) -> bytes:
    """A PNG of the communes coloured by the map's values, the outline, the border, the stations, a legend."""
    vi = lang == "vi"
    values = dict(zip(data.communes["key"], data.communes["value"]))
    top = max([v for v in values.values() if v] or [1])
    norm, cmap = Normalize(vmin=0, vmax=top), LinearSegmentedColormap.from_list("map", LAYER_COLORS["value"])
    fig, ax = plt.subplots(figsize=(PRINT_W, PRINT_W * 0.74))
    for key, commune in shapes.communes.items():
        value = values.get(key, 0)
        face = cmap(norm(value)) if value else EMPTY_FILL
        for polygon in commune.polygons:
            ax.add_patch(Polygon(polygon[0], closed=True, facecolor=face, edgecolor="#8a8a8a", linewidth=0.4))
    for key in highlight & set(shapes.communes):
        for polygon in shapes.communes[key].polygons:
            ax.add_patch(Polygon(polygon[0], closed=True, fill=False, edgecolor="#ff8f00", linewidth=2.2, zorder=4))
    for ring in shapes.outline:
        ax.plot([p[0] for p in ring], [p[1] for p in ring], color="#333333", linewidth=1.0, zorder=5)
    for line in shapes.border:
        ax.plot([p[0] for p in line], [p[1] for p in line], color=BORDER_COLOR, linewidth=2.2, zorder=6)
    named = main_communes(values, shapes)
    numbers = numbered_communes(values, shapes)
    for commune in shapes.communes.values():
        value = values.get(commune.key, 0)
        dark = value and norm(value) > 0.6
        label = commune.name if commune.key in named else str(numbers[commune.key])
        ax.text(commune.centroid[0], commune.centroid[1] + LABEL_LIFT_DEG, label, ha="center", va="center", zorder=7,
                fontsize=7.5 if commune.key in named else 7, fontweight="bold" if commune.key in named else "normal",
                color="white" if dark else "#222222",
                path_effects=[] if dark else [patheffects.withStroke(linewidth=1.5, foreground="white")])
    stations = station_points(stations=data.stations, shapes=shapes)
    ax.scatter(stations["lon"], stations["lat"], marker="^", s=26, color=STATION_COLOR, edgecolors="white",
               linewidths=0.6, zorder=8)
    ax.autoscale_view()
    lat = sum(ax.get_ylim()) / 2
    ax.set_aspect(1 / math.cos(math.radians(lat)))  # degrees of longitude are shorter than degrees of latitude
    ax.set_axis_off()
    bar = fig.colorbar(plt.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.7, pad=0.01)
    bar.ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: format_number(v, lang)))
    bar.set_label(unit, fontsize=9)
    bar.ax.tick_params(labelsize=8)
    handles = [Patch(facecolor=EMPTY_FILL, edgecolor="#8a8a8a", label="Chưa có số liệu" if vi else "No figure"),
               Line2D([], [], color=BORDER_COLOR, linewidth=2.2,
                      label="Biên giới Việt Nam – Trung Quốc (suy ra)" if vi else "Viet Nam – China border (derived)"),
               Line2D([], [], marker="^", linestyle="", color=STATION_COLOR,
                      label="Đồn biên phòng (giữa xã, chưa có toạ độ)" if vi else "Border station (commune centre)")]
    if highlight:
        handles.append(Patch(fill=False, edgecolor="#ff8f00", linewidth=2.2,
                             label="Địa bàn của báo cáo" if vi else "Area of this report"))
    ax.legend(handles=handles, loc="lower left", fontsize=7.5, frameon=False)
    fig.tight_layout()
    return _png(fig)


def draw_report_map(*, session: Session, content: ReportContent, lang: str = "vi") -> Chart | None:
    """The map of the first type recorded per commune (its main measure) in the report's scope; None without one."""
    try:
        shapes = load_province_shapes()
    except GeoUnavailable:
        return None
    for figures in content.types:
        definition = get_activity_type(figures.code)
        if definition.commune == "none":
            continue
        main = definition.main_measure
        data = commune_map(session=session, filters=content.scope.filters, type_code=definition.code,
                           measure=main.code, coverage_year=content.period.year_to, lang=lang)
        if not data.communes["value"].any():
            continue
        highlight = _scope_communes(session=session, content=content, data=data)
        png = draw_map_figure(data, shapes, lang=lang, unit=main.unit(lang), highlight=highlight)
        tpl = load_templates(lang)["charts"]
        title = fill(tpl["map"], lang, type_name=definition.name(lang), unit=main.unit(lang))
        values = dict(zip(data.communes["key"], data.communes["value"]))
        legend = "; ".join(f"{n}. {shapes.communes[k].name}" for k, n in sorted(
            numbered_communes(values, shapes).items(), key=lambda kv: kv[1]))
        notes = [tpl["map_legend"].format(legend=legend)] if legend else []
        if content.period.start < MERGER_DAY:
            notes.insert(0, tpl["map_today"])
        return Chart(title=title, png=png, note=" ".join(notes))
    return None
