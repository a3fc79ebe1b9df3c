"""The commune map as a plotly figure drawn from the project's own polygons: no tiles, no topojson, nothing fetched."""
from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from data_model.analytics.map import LABEL_LIFT_DEG, LAYER_COLORS, CommuneMap, station_points
from data_model.reference.geo import ProvinceShapes, SharedJSON
from data_model.texts.formatting import format_number
from ui.charts import FONT, separators
from ui.figure_cache import PreparedFigure
from ui.map_labels import place_labels, scale_color

LAYERS = ("value", "per_1000", "coverage")
EMPTY_FILL = "#f2f2f2"  # no figure: no village list, no population
ZERO_FILL = "#fbe0c9"  # a figure of zero: the commune was not reached (apart from every scale's colours)
OUTSIDE_FILL = "#fafafa"  # outside the border area, no activity: nearly white, apart from "no data" grey
BACKGROUND = "#ffffff"
BORDER_COLOR = "#c00000"
STATION_COLOR = "#1b5e20"
COMMUNE_FONT, STATION_FONT = 9, 10
MARGIN_DEG = 0.03
FOOT_PX = 150  # below the map: the colour scale, then the legend (two lines wide, four on a phone)


def _value_text(value, layer: str, lang: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if layer == "coverage":
        return format_number(value * 100, lang) + "%"
    return format_number(value, lang, decimals=1 if layer == "per_1000" else 0)


def _hover(row, *, unit: str, year: int, lang: str) -> str:
    vi = lang == "vi"
    lines = [f"<b>{row.name}</b>", f"{_value_text(row.value, 'value', lang)} {unit}"]
    if row.population is not None and row.population == row.population:
        lines.append((f"{_value_text(row.per_1000, 'per_1000', lang)} {unit} / 1.000 dân" if vi else
                      f"{_value_text(row.per_1000, 'per_1000', lang)} {unit} per 1,000 residents")
                     + f" ({'dân số' if vi else 'population'} {format_number(row.population, lang)}"
                     + (f", {row.population_note}" if row.population_note else "") + ")")
    else:
        lines.append("Chưa có số dân" if vi else "Population not known")
    if row.villages:
        lines.append((f"Bản có hoạt động năm {year}: " if vi else f"Villages reached in {year}: ")
                     + f"{row.villages_reached}/{row.villages} ({_value_text(row.coverage, 'coverage', lang)})")
    else:
        lines.append("Chưa có danh sách bản" if vi else "No village list")
    lines.append(f"{'Bản ghi' if vi else 'Records'}: {format_number(row.records, lang)}")
    return "<br>".join(lines)


def _colorbar(layer: str, title: str, top: float) -> dict:
    # whole numbers for counts, one decimal for rates, per cent for coverage: every tick the Vietnamese way;
    # below the map, across: a phone keeps the map's whole width and nothing covers the scale
    tickformat = {"value": ",d", "per_1000": ",.1f", "coverage": ".0%"}[layer]
    bar = {"title": {"text": title, "side": "top"}, "tickformat": tickformat, "thickness": 10, "len": 0.9,
           "orientation": "h", "x": 0, "xanchor": "left", "y": -0.01, "yanchor": "top", "lenmode": "fraction"}
    if layer == "value" and top <= 8:
        bar["dtick"] = 1
    return bar


_STATIC_CACHE: dict[tuple[int, bool], tuple[ProvinceShapes, list[dict], list[dict]]] = {}


class MapFigure(PreparedFigure):
    """The map without its unchanging traces (outline, border), which join its dict when it is made: plotly validated
    and copied their thousands of points for every new map."""

    _before: list[dict] = []
    _after: list[dict] = []
    _at = 0

    def make_dict(self) -> dict:
        """Plotly's dict with the unchanging traces in their places (the outline first)."""
        made = super().make_dict()
        data = made.get("data", [])
        made["data"] = [*self._before, *data[:self._at], *self._after, *data[self._at:]]
        return made


def _outline_trace(shapes: ProvinceShapes, vi: bool) -> go.Scattergeo:
    outline = shapes.browser_outline
    return go.Scattergeo(lon=outline.lon, lat=outline.lat, mode="lines", line={"color": "#333333", "width": 1.6},
                         name="Ranh giới tỉnh" if vi else "Province outline", hoverinfo="skip")


def _border_traces(shapes: ProvinceShapes, vi: bool) -> list[go.Scattergeo]:
    return [go.Scattergeo(lon=line.lon, lat=line.lat, mode="lines", line={"color": BORDER_COLOR, "width": 3},
                          name=("Biên giới Việt Nam – Trung Quốc (suy ra từ ranh giới xã)" if vi else
                                "Viet Nam – China border (derived from the commune boundaries)"),
                          hoverinfo="skip", showlegend=line is shapes.browser_border[0])
            for line in shapes.browser_border]


def _static_dicts(shapes: ProvinceShapes, vi: bool) -> tuple[list[dict], list[dict]]:
    # once per process and shapes object (load_province_shapes keeps one per file version)
    key = (id(shapes), vi)
    kept = _STATIC_CACHE.get(key)
    if kept is None or kept[0] is not shapes:
        holder = go.Figure([_outline_trace(shapes, vi), *_border_traces(shapes, vi)]).to_dict()["data"]
        kept = _STATIC_CACHE[key] = (shapes, holder[:1], holder[1:])
    return kept[1], kept[2]


def commune_map_figure(data: CommuneMap, shapes: ProvinceShapes, *, layer: str, title: str, unit: str, lang: str,
                       height: int = 620, labels: bool = True, prepared: bool = True) -> go.Figure:
    """Communes coloured by the layer (value, per_1000 or coverage), the outline, the border, the stations.
    prepared: a MapFigure holding the unchanging traces aside (same dict); otherwise a plain figure of every trace."""
    vi = lang == "vi"
    frame = data.communes[data.communes["key"].isin(list(shapes.communes))]
    hover = [_hover(r, unit=unit, year=data.coverage_year, lang=lang) for r in frame.itertuples()]
    values = frame[layer].astype(float)
    # a commune either has a figure on the scale, a figure of zero (not reached), or no figure at all (no data)
    no_data = values.isna()
    nothing = ~no_data & (values <= 0) if layer != "coverage" else no_data & False
    border = frame["border_area"].astype(bool) if "border_area" in frame else nothing | True
    # zero in the border area: not reached; zero outside it: the programme does not go there
    zero, outside = nothing & border, nothing & ~border
    has_value = ~no_data & ~nothing
    # the layout given whole to the constructor: update_layout/update_geos afterwards cost 10-20 ms a call
    fig = (MapFigure if prepared else go.Figure)(layout={
        "geo": {"visible": False, "showland": False, "showocean": False, "showlakes": False, "showrivers": False,
                "showcountries": False, "showcoastlines": False, "showsubunits": False, "showframe": False,
                "projection": {"type": "mercator"}, "bgcolor": "rgba(0,0,0,0)", **_bounds(shapes)},
        "separators": separators(lang), "height": height, "font": {"family": FONT, "size": 12},
        "margin": {"l": 0, "r": 0, "t": 10, "b": FOOT_PX}, "dragmode": False, "clickmode": "event+select",
        # the legend at the figure's foot, under the colour scale, whatever the figure's height
        "legend": {"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0, "xanchor": "left", "x": 0,
                   "font": {"size": 11}},
        "hoverlabel": {"font": {"family": FONT}},
    })
    # the first trace of a geo subplot decides whether plotly.js fetches its world topojson from the internet:
    # a lon/lat line (the outline) never needs it, a choropleth (it has a locationmode) does. Keep this first.
    # polygons and lines come prepared once per process (shapes.browser_*): nothing of them is copied per rerun
    if not prepared:
        fig.add_trace(_outline_trace(shapes, vi))
    # each commune's polygons go to the browser once: the zero and no-data traces hold only the communes the
    # coloured one lacks
    for mask, fill, name in ((zero, ZERO_FILL, "Chưa có hoạt động (0)" if vi else "Not reached (0)"),
                             (outside, OUTSIDE_FILL, "Ngoài khu vực biên giới" if vi else "Outside the border area"),
                             (no_data, EMPTY_FILL, _no_data_name(layer, vi))):
        part = frame[mask]
        if part.empty:
            continue
        fig.add_trace(go.Choropleth(
            geojson=_features(shapes, part["key"]), locations=part["key"], z=[0] * len(part), showscale=False,
            colorscale=[[0, fill], [1, fill]], marker={"line": {"color": "#9e9e9e", "width": 0.6}},
            customdata=[[k, h] for k, h, ok in zip(frame["key"], hover, mask) if ok],
            hovertemplate="%{customdata[1]}<extra></extra>", name=name, showlegend=True))
    shown = frame[has_value]
    if not shown.empty:
        z = shown[layer].astype(float)
        fig.add_trace(go.Choropleth(
            geojson=_features(shapes, shown["key"]), locations=shown["key"], z=z, zmin=0,
            zmax=_top(layer, z),
            colorscale=[[i / (len(LAYER_COLORS[layer]) - 1), c] for i, c in enumerate(LAYER_COLORS[layer])],
            marker={"line": {"color": "#616161", "width": 0.6}},
            colorbar=_colorbar(layer, title, float(z.max())),
            customdata=[[k, h] for k, h, ok in zip(frame["key"], hover, has_value) if ok],
            hovertemplate="%{customdata[1]}<extra></extra>", showlegend=False))
    if prepared:
        fig._before, fig._after = _static_dicts(shapes, vi)
        fig._at = len(fig.data)
    else:
        fig.add_traces(_border_traces(shapes, vi))
    stations = station_points(stations=data.stations, shapes=shapes)
    station_labels, commune_labels = ([None] * len(stations), [])
    if labels:
        station_labels, commune_labels = map_labels(frame, stations, shapes, layer=layer,
                                                    height=height - FOOT_PX - 10)
    if commune_labels:
        fig.add_trace(go.Scattergeo(lon=[x.lon for x in commune_labels], lat=[x.lat for x in commune_labels],
                                    text=[x.text for x in commune_labels], mode="text",
                                    textfont={"size": COMMUNE_FONT, "color": [x.color for x in commune_labels],
                                              "family": FONT, "shadow": "auto"},
                                    hoverinfo="skip", showlegend=False, name="commune_labels"))
    if not stations.empty:
        fig.add_trace(go.Scattergeo(
            lon=stations["lon"], lat=stations["lat"], mode="markers+text" if labels else "markers",
            text=[x.text if x else "" for x in station_labels],
            textposition=[x.position if x else "middle right" for x in station_labels],
            textfont={"size": STATION_FONT, "color": [x.color if x else STATION_COLOR for x in station_labels],
                      "family": FONT, "weight": "bold", "shadow": "auto"},
            marker={"symbol": "triangle-up", "size": 11, "color": STATION_COLOR,
                    "line": {"color": "white", "width": 1}},
            customdata=[[f"station:{i}", n] for i, n in zip(stations["station_id"], stations["name"])],
            hovertemplate=("<b>Đồn Biên phòng %{customdata[1]}</b><br>đặt ở giữa xã (chưa có toạ độ)<extra></extra>"
                           if vi else "<b>%{customdata[1]} border station</b><br>at its commune's centre "
                           "(no coordinates)<extra></extra>"),
            name=("Đồn biên phòng (đặt ở giữa xã, chưa có toạ độ)" if vi else
                  "Border station (at its commune's centre, no coordinates)")))
    return fig


def _no_data_name(layer: str, vi: bool) -> str:
    if layer == "coverage":
        return "Chưa có số liệu (chưa có danh sách bản)" if vi else "No data (no village list)"
    if layer == "per_1000":
        return "Chưa có số liệu (chưa có số dân)" if vi else "No data (population not known)"
    return "Chưa có số liệu" if vi else "No data"


def _top(layer: str, z: pd.Series) -> float:
    return 1.0 if layer == "coverage" else max(float(z.max()), 1e-9)


def fill_colors(frame: pd.DataFrame, *, layer: str) -> dict[str, str]:
    """Commune key → the colour its polygon is drawn in on the layer."""
    values = frame[layer].astype(float)
    shown = values.notna() & ((values > 0) | (layer == "coverage"))
    top = _top(layer, values[shown]) if shown.any() else 1.0
    stops = LAYER_COLORS[layer]
    border = frame["border_area"] if "border_area" in frame else [True] * len(frame)
    return {k: (scale_color(stops, v / top) if ok else EMPTY_FILL if math.isnan(v) else
                ZERO_FILL if inside else OUTSIDE_FILL)
            for k, v, ok, inside in zip(frame["key"], values, shown, border)}


def map_labels(frame: pd.DataFrame, stations: pd.DataFrame, shapes: ProvinceShapes, *, layer: str, height: int):
    """Station and commune labels that do not overlap, in colours that read on their fills."""
    # the biggest communes first: they have room for their names; the small ones are in the hover
    order = sorted(frame["key"], key=lambda k: -_area(shapes, k))
    lon_min, lon_max, lat_min, lat_max = shapes.extent
    extent = (lon_min - MARGIN_DEG, lon_max + MARGIN_DEG, lat_min - MARGIN_DEG, lat_max + MARGIN_DEG)
    return place_labels(shapes=shapes, extent=extent, fills=fill_colors(frame, layer=layer), background=BACKGROUND,
                        stations=list(zip(stations["name"], stations["lon"], stations["lat"])),
                        station_size=STATION_FONT, station_color=STATION_COLOR, commune_size=COMMUNE_FONT,
                        commune_order=order, lift_deg=LABEL_LIFT_DEG, height=height,
                        station_communes=list(stations["commune_key"]))


def _area(shapes: ProvinceShapes, key: str) -> float:
    ring = list(shapes.communes[key].polygons[0][0]) if shapes.communes[key].polygons else []
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]))) / 2


def _features(shapes: ProvinceShapes, keys) -> SharedJSON:
    """A FeatureCollection of these communes' prepared features (shared, never copied)."""
    return SharedJSON({"type": "FeatureCollection", "features": [shapes.browser_features[k] for k in keys]})


def _bounds(shapes: ProvinceShapes, margin: float = MARGIN_DEG) -> dict:
    """The province's extent as the geo axes' ranges: the map fills the figure instead of a fitted square."""
    lon_min, lon_max, lat_min, lat_max = shapes.extent
    return {"lonaxis": {"range": [lon_min - margin, lon_max + margin]},
            "lataxis": {"range": [lat_min - margin, lat_max + margin]}}


def picked(points: list[dict]) -> tuple[str | None, int | None]:
    """The commune key or station id a map click chose (from a plotly selection's points)."""
    for point in points:
        data = point.get("customdata") or []
        key = str(data[0]) if data else str(point.get("location") or "")
        if key.startswith("station:"):
            number = key.partition(":")[2]
            return None, int(number) if number.isdigit() else None
        if key:
            return key, None
    return None, None
