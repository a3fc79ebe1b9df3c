"""The commune map: polygons read offline, figures per 2025 commune, stations, the pages' map and the report's."""
from __future__ import annotations

import datetime as dt
import io
import shutil

import docx
import pytest
from auth_helpers import sign_in
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from data_model.accounts.users import create_user
from data_model.analytics.filters import Filters
from data_model.analytics.map import commune_map, station_points
from data_model.analytics.summary import summarise
from data_model.basics.permissions import SYSTEM
from data_model.records.bulk import insert_records
from data_model.reference.boundaries import REORGANISATION_2025, units_valid_on
from data_model.reference.geo import (
    BORDER_FILE,
    COMMUNES_FILE,
    OUTLINE_FILE,
    GeoUnavailable,
    _signed_area,
    geo_dir,
    load_province_shapes,
)
from data_model.report import Period, Scope, make_report, render
from data_model.schema.db import build_engine, write_session
from data_model.schema.models import ReportingUnit, User, Village
from data_model.schema.settings import PROJECT_ROOT

MU_CA, MU_CA_2025, KA_LANG, THU_LUM_2025 = "c03451@1900", "c03451@2025", "c03439@1900", "c03439@2025"
OUTREACH = ("outreach_session", "sessions")


def test_the_polygons_are_the_38_communes_of_2025(shared_demo):
    shapes = load_province_shapes()
    today = {u.key: u.name for u in units_valid_on(session=shared_demo, on=REORGANISATION_2025)}
    assert {k: c.name for k, c in shapes.communes.items()} == today
    assert len(shapes.communes) == 38 and shapes.outline and shapes.border and not shapes.missing
    # d3 wants exterior rings clockwise (else a commune fills the globe), holes the other way
    for feature in shapes.browser_geojson["features"]:
        for polygon in feature["geometry"]["coordinates"]:
            assert _signed_area([tuple(p) for p in polygon[0]]) < 0
    lons = [p[0] for ring in shapes.outline for p in ring]
    for commune in shapes.communes.values():
        assert min(lons) <= commune.centroid[0] <= max(lons)
    assert load_province_shapes() is shapes  # read once


@pytest.mark.parametrize("broken, says", [
    ("missing", "Không có tệp ranh giới xã"),
    ("{not json", "Không đọc được tệp"),
    ('{"type": "FeatureCollection"}', "không phải GeoJSON FeatureCollection"),
    ('{"type": "FeatureCollection", "features": [{"properties": {"unit_key": "x"}, '
     '"geometry": {"type": "Point", "coordinates": [1, 2]}}]}', "cần Polygon"),
    ('{"type": "FeatureCollection", "features": [{"properties": {"unit_key": "x"}, "geometry": {"type": "Polygon", '
     '"coordinates": [[[1, 2], [1, 3], ["a", 3], [1, 2]]]}}]}', "toạ độ hỏng"),
])
def test_missing_or_unreadable_polygons_say_why(tmp_path, broken, says):
    if broken != "missing":
        (tmp_path / COMMUNES_FILE).write_text(broken, encoding="utf-8")
    with pytest.raises(GeoUnavailable) as error:
        load_province_shapes(directory=tmp_path)
    assert says in error.value.text("vi") and error.value.text("en")


def test_a_missing_border_file_leaves_the_communes_drawn(tmp_path):
    shutil.copy(geo_dir() / COMMUNES_FILE, tmp_path / COMMUNES_FILE)
    shutil.copy(geo_dir() / OUTLINE_FILE, tmp_path / OUTLINE_FILE)
    shapes = load_province_shapes(directory=tmp_path)
    assert len(shapes.communes) == 38 and shapes.outline and not shapes.border
    assert any(BORDER_FILE in m for m in shapes.missing)


@pytest.mark.parametrize("boundaries", ["historical", "current"])
def test_map_figures_add_up_to_the_summary_and_every_commune_is_there(shared_demo, boundaries):
    filters = Filters(year_from=2012, year_to=2025, boundaries=boundaries)
    data = commune_map(session=shared_demo, filters=filters, type_code=OUTREACH[0], measure=OUTREACH[1])
    assert len(data.communes) == 38 and data.rolled_up == (boundaries == "historical")
    summary = summarise(session=shared_demo, filters=Filters(2012, 2025, types=(OUTREACH[0],)), by="type")
    total = int(summary[summary["measure"] == OUTREACH[1]]["value"].sum())
    assert data.total == total == int(data.communes["value"].sum()) + data.outside
    empty = data.communes[data.communes["records"] == 0]
    assert not empty.empty and (empty["value"] == 0).all()  # drawn, empty, not left out
    known = data.communes.dropna(subset=["population"])
    assert not known.empty
    for row in known.itertuples():
        assert row.per_1000 == pytest.approx(row.value * 1000 / row.population)
    assert (data.communes["population_note"][data.communes["population"].isna()] == "chưa có số dân").all()
    covered = data.communes.dropna(subset=["coverage"])
    assert ((covered["coverage"] >= 0) & (covered["coverage"] <= 1)).all()
    assert (covered["villages_reached"] <= covered["villages"]).all()


def test_the_as_recorded_view_rolls_former_communes_up(engine):
    with write_session(engine) as s:
        unit = {u.key: u.id for u in s.scalars(select(ReportingUnit))}
        village = s.scalar(select(Village.id).where(Village.unit_key == KA_LANG))
        day = dt.date(2020, 5, 6)
        base = dict(type_code="outreach_session", start_date=day, end_date=day, year=2020,
                    reporting_unit_id=unit["st_ka_lang"])
        insert_records(session=s, rows=[{**base, "commune_key": KA_LANG, "village_id": village, "m1": 7, "m2": 70},
                                        {**base, "commune_key": MU_CA, "m1": 5, "m2": 50},
                                        {**base, "commune_key": None, "m1": 2, "m2": 20}])
    with write_session(engine) as s:
        data = commune_map(session=s, filters=Filters(2020, 2020), type_code=OUTREACH[0], measure=OUTREACH[1])
    value = dict(zip(data.communes["key"], data.communes["value"]))
    assert value[THU_LUM_2025] == 7 and value[MU_CA_2025] == 5 and data.outside == 2 and data.total == 14
    row = data.communes.set_index("key").loc[THU_LUM_2025]
    assert row["villages_reached"] >= (1 if village else 0)


def test_every_station_is_placed_in_a_commune_of_2025(shared_demo):
    shapes = load_province_shapes()
    data = commune_map(session=shared_demo, filters=Filters(2024, 2025), type_code=OUTREACH[0], measure=OUTREACH[1])
    placed = data.stations.set_index("name")
    assert set(placed["commune_key"]) <= set(shapes.communes)
    assert placed.loc["Cửa khẩu Ma Lù Thàng", "commune_key"] == "c03549@2025"  # Phong Thổ, from its coverage
    assert placed.loc["Ka Lăng", "commune_key"] == THU_LUM_2025  # named after Ka Lăng, merged into Thu Lũm
    points = station_points(stations=data.stations, shapes=shapes)
    assert len(points) == len(data.stations)
    assert len(set(zip(points["lon"].round(4), points["lat"].round(4)))) == len(points)  # none hides another


DASHBOARD = str(PROJECT_ROOT / "dashboard.py")


def _planner(url: str) -> int:
    engine = build_engine(url=url)
    with write_session(engine) as session:
        found = session.scalar(select(User.id).where(User.username == "u_map_planner"))
        user_id = found or create_user(session=session, actor=SYSTEM, username="u_map_planner",
                                       password="Bản-đồ-2025-biên-giới", role="planner")
    engine.dispose()
    return user_id


def _page(app_env, url: str, stem: str) -> AppTest:
    app_env(url)
    at = AppTest.from_file(DASHBOARD, default_timeout=90)
    sign_in(at, url, _planner(url))
    at.run()
    at.switch_page(f"pages/{stem}.py")
    at.run()
    assert not at.exception, at.exception
    return at


def _texts(at: AppTest) -> str:
    return "\n".join([c.value for c in at.caption] + [i.value for i in at.info] + [s.value for s in at.subheader]
                     + [m.value for m in at.markdown])


@pytest.mark.parametrize("stem", ["theo_xa", "tong_quan"])
def test_the_pages_show_the_map(app_env, shared_demo_url, stem):
    at = _page(app_env, shared_demo_url, stem)
    charts = at.get("plotly_chart")
    maps = [c for c in charts if '"choropleth"' in c.proto.spec]
    assert len(maps) == 1
    assert "Bản đồ các xã" in _texts(at) and "Chọn một xã trên bản đồ" in _texts(at)
    assert "cdn.plot.ly" not in maps[0].proto.spec


def test_the_page_works_and_says_why_without_polygons(app_env, shared_demo_url, tmp_path, monkeypatch):
    shutil.copytree(PROJECT_ROOT / "reference", tmp_path / "reference")
    (tmp_path / "reference" / "geo" / COMMUNES_FILE).write_text("{broken", encoding="utf-8")
    monkeypatch.setenv("REFERENCE_DIR", str(tmp_path / "reference"))
    at = _page(app_env, shared_demo_url, "theo_xa")
    assert "Không vẽ được bản đồ: Không đọc được tệp lai_chau_communes_2025.geojson" in _texts(at)
    assert not [c for c in at.get("plotly_chart") if '"choropleth"' in c.proto.spec]
    assert "Xếp hạng các xã" in _texts(at)  # the rest of the page is there


@pytest.mark.parametrize("scope", ["province", "station:st_dao_san"])
def test_the_report_gets_the_map_as_a_figure(shared_demo, scope):
    _, doc = make_report(session=shared_demo, scope=Scope.parse(scope), period=Period(2024, 2025))
    titles = [c.title for c in doc.all_charts()]
    assert any("Bản đồ các xã (địa giới từ 01/07/2025)" in t for t in titles), titles
    chart = next(c for c in doc.all_charts() if "Bản đồ" in c.title)
    assert chart.png.startswith(b"\x89PNG")
    document = docx.Document(io.BytesIO(render(doc, "docx")))
    assert any("Bản đồ các xã" in p.text for p in document.paragraphs)
    assert len(document.inline_shapes) == len(titles)


def test_the_report_has_no_map_without_polygons(shared_demo, tmp_path, monkeypatch):
    monkeypatch.setenv("REFERENCE_DIR", str(tmp_path))
    _, doc = make_report(session=shared_demo, scope=Scope.parse("province"), period=Period(2024, 2025))
    assert doc.all_charts() and not any("Bản đồ" in c.title for c in doc.all_charts())
