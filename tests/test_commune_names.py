"""One name per commune: the period decides the boundary view and the names; the report lists each commune once."""
from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from auth_helpers import sign_in
from streamlit.testing.v1 import AppTest

from data_model.accounts.users import create_user
from data_model.analytics.aggregate import commune_choices
from data_model.analytics.filters import Filters
from data_model.analytics.places import commune_view
from data_model.analytics.units import CommuneRow, commune_names, label_communes
from data_model.basics.permissions import SYSTEM
from data_model.reference.boundaries import REORGANISATION_2025, default_boundaries, units_valid_on
from data_model.report import Period, Scope, make_report
from data_model.schema.db import build_engine, read_session, write_session
from data_model.schema.settings import PROJECT_ROOT

TODAY = dt.date(2026, 11, 26)
JULY = REORGANISATION_2025
ROWS = [
    CommuneRow("dao_san_old", "Dào San", "xã", None, JULY),
    CommuneRow("dao_san", "Dào San", "xã", JULY, None),
    CommuneRow("ka_lang", "Ka Lăng", "xã", None, JULY),
    CommuneRow("thu_lum", "Thu Lũm", "xã", JULY, None),
    CommuneRow("ma_li_chai", "Ma Li Chải", "xã", None, dt.date(2020, 2, 1)),
    CommuneRow("muong_te", "Mường Tè", "thị trấn", None, JULY),
]
BECAME = {"dao_san_old": ["xã Dào San"], "ka_lang": ["xã Thu Lũm"], "ma_li_chai": ["xã Sì Lở Lầu"],
          "muong_te": ["xã Mường Tè"]}


@pytest.mark.parametrize("year_to, boundaries", [(2015, "historical"), (2024, "historical"), (2025, "current"),
                                                 (2026, "current")])
def test_a_period_reaching_july_2025_opens_in_todays_communes(year_to, boundaries):
    assert default_boundaries(year_to=year_to) == boundaries


@pytest.mark.parametrize("years, expected", [
    # wholly before the 2020 merger: the communes of the time, by their plain names
    ((2015, 2019), {"dao_san_old": "Dào San", "ka_lang": "Ka Lăng", "ma_li_chai": "Ma Li Chải",
                    "muong_te": "Mường Tè (thị trấn)"}),
    # before 2025, across the 2020 merger: the abolished commune says until when and what it became
    ((2019, 2024), {"dao_san_old": "Dào San", "ka_lang": "Ka Lăng",
                    "ma_li_chai": "Ma Li Chải (đến 2/2020, nay thuộc xã Sì Lở Lầu)"}),
    # across 1 July 2025, as recorded: each old commune with what it became, the new one of the same name dated
    ((2020, 2025), {"dao_san_old": "Dào San (đến 7/2025, nay thuộc xã Dào San)", "dao_san": "Dào San (từ 7/2025)",
                    "ka_lang": "Ka Lăng (đến 7/2025, nay thuộc xã Thu Lũm)", "thu_lum": "Thu Lũm",
                    "muong_te": "Mường Tè (thị trấn) (đến 7/2025, nay thuộc xã Mường Tè)"}),
    # wholly after: today's communes, plain
    ((2026, 2026), {"dao_san": "Dào San", "thu_lum": "Thu Lũm"}),
])
def test_names_as_recorded_follow_the_period(years, expected):
    start, end = dt.date(years[0], 1, 1), dt.date(years[1], 12, 31)
    names = label_communes(rows=ROWS, boundaries="historical", start=start, end=end, became=BECAME)
    assert {k: names[k] for k in expected} == expected


@pytest.mark.parametrize("years", [(2015, 2019), (2020, 2025), (2026, 2026)])
def test_todays_communes_have_their_plain_names(years):
    start, end = dt.date(years[0], 1, 1), dt.date(years[1], 12, 31)
    names = label_communes(rows=ROWS, boundaries="current", start=start, end=end, became=BECAME)
    assert names["dao_san"] == "Dào San" and names["thu_lum"] == "Thu Lũm"


@pytest.mark.parametrize("years", [(2012, 2019), (2019, 2024), (2020, 2025), (2024, 2026), (2026, 2026)])
def test_every_picker_offers_one_name_per_commune(session, years):
    boundaries = default_boundaries(year_to=years[1])
    for bounds in {boundaries, "historical"}:  # the default view, and as recorded one click away
        choices = commune_choices(session=session, boundaries=bounds, year_from=years[0], year_to=years[1], on=TODAY)
        repeated = [n for n, c in Counter(choices.values()).items() if c > 1]
        assert choices and not repeated, (bounds, repeated)
    if boundaries == "current":
        assert len(commune_choices(session=session, boundaries="current", year_from=years[0], year_to=years[1],
                                   on=TODAY)) == len(units_valid_on(session=session, on=TODAY)) == 38


def test_as_recorded_the_old_commune_names_what_it_became(session):
    names = commune_names(session=session, boundaries="historical", year_from=2020, year_to=2025, on=TODAY)
    assert names["c03439@1900"] == "Ka Lăng (đến 7/2025, nay thuộc xã Thu Lũm)"


def test_ranking_over_the_reorganisation_names_each_commune_once(demo_engine):
    filters = Filters(2020, 2025, boundaries=default_boundaries(year_to=2025))
    with read_session(demo_engine) as session:
        view = commune_view(session=session, filters=filters, type_code="outreach_session", measure="sessions")
    names = list(view.ranking["name"])
    assert "Dào San" in names and not any("7/2025" in n for n in names)
    assert len(names) == len(set(names))
    assert set(view.matrix["name"]) <= set(names)  # the heatmap's rows are the ranking's communes


@pytest.mark.parametrize("years, with_district", [((2020, 2025), False), ((2019, 2024), True)])
def test_report_commune_table_has_one_row_per_commune(demo_engine, years, with_district):
    with read_session(demo_engine) as session:
        _, doc = make_report(session=session, scope=Scope(), period=Period(*years), charts=False, today=TODAY)
    table = next(t for t in doc.all_tables() if t.sheet == "Theo xã")
    names = [row[0] for row in table.rows[:-1]]  # the last row is the total
    assert len(names) == len(set(names)), [n for n, c in Counter(names).items() if c > 1]
    assert names.count("Mù Cả") == 1
    assert ("Huyện" in table.columns) == with_district
    if with_district:  # as recorded, every commune row names its district
        district = table.columns.index("Huyện")
        assert all(row[district] for row in table.rows[:-1] if row[0] != "(không gắn với xã)")
    gaps = next((t for t in doc.all_tables() if t.sheet == "Bản chưa tuyên truyền" and t.in_document), None)
    assert gaps is not None
    if not with_district:
        assert "Ka Lăng" not in [row[0] for row in gaps.rows]  # its villages are listed under Thu Lũm


def _planner_app(app_env, url: str, stem: str) -> AppTest:
    """The app as a signed-in planner on a results page."""
    app_env(url)
    engine = build_engine(url=url)
    with write_session(engine) as session:
        user_id = create_user(session=session, actor=SYSTEM, username="u_names", password="Tên-xã-một-lần-2025",
                              role="planner")
    engine.dispose()
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=60)
    sign_in(at, url, user_id)
    at.run()
    at.switch_page(f"pages/{stem}.py")
    at.run()
    assert not at.exception, at.exception
    return at


def test_compare_picker_opens_in_todays_communes_and_follows_the_years(app_env, demo_db_url):
    at = _planner_app(app_env, demo_db_url, "so_sanh_xa")
    lo, hi = at.slider(key="f_years").value
    assert hi >= 2025 and at.radio(key="f_bounds").value == "current"
    offered = at.multiselect(key="ss_communes").options
    assert len(offered) == 38 and len(set(offered)) == 38 and not [o for o in offered if "7/2025" in o]
    at.slider(key="f_years").set_value((lo, 2020)).run()  # wholly before: the communes of its time
    assert at.radio(key="f_bounds").value == "historical"
    offered = at.multiselect(key="ss_communes").options
    assert "Dào San" in offered and len(set(offered)) == len(offered)
    at.radio(key="f_bounds").set_value("current").run()  # the user's own choice stays when the years change
    at.slider(key="f_years").set_value((lo, 2019)).run()
    assert at.radio(key="f_bounds").value == "current" and not at.exception
    at.slider(key="f_years").set_value((lo, hi)).run()
    assert at.radio(key="f_bounds").value == "current"
    at.radio(key="f_bounds").set_value("historical").run()  # as recorded across July 2025: what each one became
    offered = at.multiselect(key="ss_communes").options
    assert "Ka Lăng (đến 7/2025, nay thuộc xã Thu Lũm)" in offered and len(set(offered)) == len(offered)
