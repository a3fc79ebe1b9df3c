"""A readable commune map: no label over another, label colours that read on their fills, the title and legend name
what is shown, and "not reached" told from "no data"."""
from __future__ import annotations

import json

import pytest
from auth_helpers import sign_in
from streamlit.testing.v1 import AppTest

from data_model.accounts.users import create_user
from data_model.analytics.filters import Filters
from data_model.analytics.map import commune_map
from data_model.basics.permissions import SYSTEM
from data_model.reference.geo import load_province_shapes
from data_model.schema.db import build_engine, write_session
from data_model.schema.settings import PROJECT_ROOT
from ui.map_chart import BACKGROUND, FOOT_PX, MARGIN_DEG, commune_map_figure, fill_colors
from ui.map_labels import (
    MARKER_PX,
    MIN_CONTRAST,
    NARROW_MAP_PX,
    commune_at,
    contrast_ratio,
    overlaps,
    projector,
    readable_on,
    text_box,
)

HEIGHT = 640
OUTREACH = ("outreach_session", "sessions")


@pytest.fixture(scope="module")
def shapes():
    return load_province_shapes()


def _figure(session, shapes, layer: str, years=(2012, 2025)):
    data = commune_map(session=session, filters=Filters(*years, boundaries="current"), type_code=OUTREACH[0],
                       measure=OUTREACH[1], coverage_year=years[1])
    return data, commune_map_figure(data, shapes, layer=layer, title="t", unit="buổi", lang="vi", height=HEIGHT)


def _labels(fig) -> list[tuple[str, float, float, str, str, float]]:
    """(text, lon, lat, position, colour, font size) of every name drawn, station names included."""
    out = []
    for trace in fig.data:
        if trace.type != "scattergeo" or trace.text is None or "text" not in (trace.mode or ""):
            continue
        n = len(trace.text)
        positions = trace.textposition if isinstance(trace.textposition, tuple) else [trace.textposition] * n
        colors = trace.textfont.color if isinstance(trace.textfont.color, tuple) else [trace.textfont.color] * n
        for text, lon, lat, position, color in zip(trace.text, trace.lon, trace.lat, positions, colors):
            if text:
                out.append((text, lon, lat, position or "middle center", color, trace.textfont.size))
    return out


@pytest.mark.parametrize("layer", ["value", "per_1000", "coverage"])
def test_no_label_covers_another_or_a_station_and_each_reads_on_its_fill(shared_demo, shapes, layer):
    data, fig = _figure(shared_demo, shapes, layer)
    lon_min, lon_max, lat_min, lat_max = shapes.extent
    extent = (lon_min - MARGIN_DEG, lon_max + MARGIN_DEG, lat_min - MARGIN_DEG, lat_max + MARGIN_DEG)
    fills = fill_colors(data.communes, layer=layer)
    stations = next(t for t in fig.data if t.type == "scattergeo" and t.mode and "markers" in t.mode)
    labels = _labels(fig)
    assert len([x for x in labels if x[0] in set(stations.text)]) >= 8  # most station names are shown
    assert len(labels) >= 20
    # checked where labels are most crowded: the phone's map, and the laptop's (the map twice as wide)
    for width in (NARROW_MAP_PX, 2 * NARROW_MAP_PX):
        to_px, to_lonlat = projector(extent, width=width, height=HEIGHT - FOOT_PX - 10)
        boxes = []
        for text, lon, lat, position, _, size in labels:
            offset = MARKER_PX / 2 + 3 if position != "middle center" else 0
            boxes.append(text_box(*to_px(lon, lat), text, size=size, position=position, offset=offset))
        markers = [(x - MARKER_PX / 2, y - MARKER_PX / 2, x + MARKER_PX / 2, y + MARKER_PX / 2)
                   for x, y in (to_px(lon, lat) for lon, lat in zip(stations.lon, stations.lat))]
        for i, a in enumerate(boxes):
            assert not [labels[j][0] for j, b in enumerate(boxes) if j != i and overlaps(a, b, gap=0)], labels[i]
            assert not [m for m in markers if overlaps(a, m, gap=0)], labels[i]
    to_px, to_lonlat = projector(extent, width=NARROW_MAP_PX, height=HEIGHT - FOOT_PX - 10)
    for text, lon, lat, position, color, size in labels:
        x0, y0, x1, y1 = text_box(*to_px(lon, lat), text, size=size, position=position,
                                  offset=MARKER_PX / 2 + 3 if position != "middle center" else 0)
        for x in (x0, (x0 + x1) / 2, x1):
            key = commune_at(*to_lonlat(x, (y0 + y1) / 2), shapes)
            fill = fills.get(key, BACKGROUND) if key else BACKGROUND
            assert contrast_ratio(color, fill) >= MIN_CONTRAST, (text, color, fill)


def test_contrast_rule():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert readable_on(["#08306b"]) == ("#ffffff", "#08306b")  # white on the darkest blue
    assert readable_on(["#c6dbef"], preferred="#1b5e20") == ("#1b5e20", "#c6dbef")  # station green on light blue
    assert readable_on(["#08306b", "#ffffff"]) is None  # across a dark and a light commune: no colour reads on both


def test_the_legend_tells_not_reached_from_no_data_and_the_scale_names_the_layer(shared_demo, shapes):
    data, fig = _figure(shared_demo, shapes, "value")
    names = [t.name for t in fig.data if t.showlegend is not False]
    zero = data.communes[data.communes["value"] == 0]
    # over 2012–2025 every border commune was reached; the interior ones are outside the programme, not "not reached"
    assert zero.shape[0] and not zero["border_area"].any()
    assert "Ngoài khu vực biên giới" in names and "Chưa có hoạt động (0)" not in names and "Chưa có số liệu" not in names
    for year in range(2012, 2026):  # a year in which some border commune had no outreach session
        data, fig = _figure(shared_demo, shapes, "value", years=(year, year))
        if (data.communes["border_area"] & (data.communes["value"] == 0)).any():
            break
    else:
        pytest.fail("the demo has a border commune without outreach in some year")
    assert "Chưa có hoạt động (0)" in [t.name for t in fig.data if t.showlegend is not False]
    data, fig = _figure(shared_demo, shapes, "coverage")
    names = [t.name for t in fig.data if t.showlegend is not False]
    if (data.communes["villages"] == 0).any():
        assert "Chưa có số liệu (chưa có danh sách bản)" in names
    scale = next(t for t in fig.data if t.type == "choropleth" and t.showscale is not False)
    assert scale.colorbar.tickformat == ".0%" and scale.colorbar.orientation == "h"  # below the map, not under a toolbar


def _planner_page(app_env, url: str, stem: str) -> AppTest:
    app_env(url)
    engine = build_engine(url=url)
    with write_session(engine) as session:
        user_id = create_user(session=session, actor=SYSTEM, username="u_map_labels", password="Bản-đồ-dễ-đọc-2025",
                              role="planner")
    engine.dispose()
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=90)
    sign_in(at, url, user_id)
    at.run()
    at.switch_page(f"pages/{stem}.py")
    at.run()
    assert not at.exception, at.exception
    return at


def _titles(at: AppTest) -> list[str]:
    """The map's bold title line, as the reader sees it (markdown escapes removed)."""
    shown = [m.value.replace("\\", "") for m in at.markdown]
    return [v for v in shown if v.startswith("**Tuyên truyền tại bản:")]


def test_the_map_title_names_the_layer_shown(app_env, demo_db_url):
    at = _planner_page(app_env, demo_db_url, "theo_xa")
    titles = _titles(at)
    assert titles and "Tuyên truyền tại bản: số buổi, " in titles[0]  # the unit said once
    at.session_state["tx_map_layer"] = "coverage"
    at.run()
    assert not at.exception
    titles = _titles(at)
    assert titles and "tỷ lệ bản có hoạt động năm" in titles[0] and "(%)" in titles[0]
    spec = json.loads(next(c for c in at.get("plotly_chart") if '"choropleth"' in c.proto.spec).proto.spec)
    bar = next(t["colorbar"] for t in spec["data"] if t.get("colorbar"))
    assert bar["title"]["text"].startswith("% bản có hoạt động năm")
