"""The report's commune map, drawn offline with matplotlib from the same polygons as the pages' map."""
from __future__ import annotations

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
from data_model.report.charts import _png  # noqa: E402
from data_model.report.content import ReportContent  # noqa: E402
from data_model.report.document import Chart  # noqa: E402
from data_model.report.templating import fill, load_templates  # noqa: E402
from data_model.schema.models import StationCoverage  # noqa: E402
from data_model.texts.formatting import format_number  # noqa: E402

EMPTY_FILL = "#efefef"
BORDER_COLOR = "#c00000"
STATION_COLOR = "#1b5e20"


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
    fig, ax = plt.subplots(figsize=(9, 6.2))
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
    for commune in shapes.communes.values():
        value = values.get(commune.key, 0)
        dark = value and norm(value) > 0.6
        ax.text(commune.centroid[0], commune.centroid[1] + LABEL_LIFT_DEG, commune.name, fontsize=5.5, ha="center",
                va="center", zorder=7,
                color="white" if dark else "#222222")
    stations = station_points(stations=data.stations, shapes=shapes)
    ax.scatter(stations["lon"], stations["lat"], marker="^", s=28, color=STATION_COLOR, edgecolors="white",
               linewidths=0.6, zorder=8)
    for row in stations.itertuples():
        ax.text(row.lon + 0.015, row.lat, row.name, fontsize=5.5, color=STATION_COLOR, va="center", zorder=8,
                fontweight="bold", path_effects=[patheffects.withStroke(linewidth=1.6, foreground="white")])
    ax.autoscale_view()
    lat = sum(ax.get_ylim()) / 2
    ax.set_aspect(1 / math.cos(math.radians(lat)))  # degrees of longitude are shorter than degrees of latitude
    ax.set_axis_off()
    bar = fig.colorbar(plt.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.7, pad=0.01)
    bar.ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: format_number(v, lang)))
    bar.set_label(unit, fontsize=8)
    bar.ax.tick_params(labelsize=7)
    handles = [Patch(facecolor=EMPTY_FILL, edgecolor="#8a8a8a", label="Chưa có số liệu" if vi else "No figure"),
               Line2D([], [], color=BORDER_COLOR, linewidth=2.2,
                      label="Biên giới Việt Nam – Trung Quốc (suy ra)" if vi else "Viet Nam – China border (derived)"),
               Line2D([], [], marker="^", linestyle="", color=STATION_COLOR,
                      label="Đồn biên phòng (giữa xã, chưa có toạ độ)" if vi else "Border station (commune centre)")]
    if highlight:
        handles.append(Patch(fill=False, edgecolor="#ff8f00", linewidth=2.2,
                             label="Địa bàn của báo cáo" if vi else "Area of this report"))
    ax.legend(handles=handles, loc="lower left", fontsize=6.5, frameon=False)
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
        title = fill(load_templates(lang)["charts"]["map"], lang, type_name=definition.name(lang),
                     unit=main.unit(lang))
        return Chart(title=title, png=png)
    return None
