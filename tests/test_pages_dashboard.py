"""The results pages in AppTest: every page on demo data and on an empty database; filters change the numbers."""
from __future__ import annotations

import base64
import datetime as dt
import json

import numpy as np
import pytest
from auth_helpers import sign_in
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from data_model.accounts.users import create_user
from data_model.analytics.filters import Filters
from data_model.analytics.places import commune_view
from data_model.analytics.summary import summarise
from data_model.basics.permissions import SYSTEM
from data_model.definitions.activity_types import get_activity_type
from data_model.plans.glance import months_ended
from data_model.records.bulk import insert_records
from data_model.schema.clock import today_local
from data_model.schema.db import build_engine, read_session, write_session
from data_model.schema.models import ReportingUnit, Unit, User
from data_model.schema.settings import PROJECT_ROOT
from data_model.texts.formatting import format_number

PAGES = ("tong_quan", "theo_xa", "theo_don", "theo_nam", "so_sanh_xa", "danh_sach")
TIMEOUT = 60
MU_CA, SI_LO_LAU, MA_LI_CHAI, SI_LO_LAU_2025 = "c03451@1900", "c03550@1900", "c03556@1900", "c03562@2025"


DASHBOARD = str(PROJECT_ROOT / "dashboard.py")
PLANNER = ("u_planner", "Kế-hoạch-2025-biên-giới")


def _planner_id(url: str) -> int:
    """Id of a planner account in the database (created on first use)."""
    engine = build_engine(url=url)
    with write_session(engine) as session:
        found = session.scalar(select(User.id).where(User.username == PLANNER[0]))
        user_id = found or create_user(session=session, actor=SYSTEM, username=PLANNER[0], password=PLANNER[1],
                                       role="planner")
    engine.dispose()
    return user_id


def _run(app_env, url: str, stem: str, *, lang: str | None = None, **query) -> AppTest:
    """The app as a logged-in planner who opened the page from the sidebar (query parameters as in a link)."""
    app_env(url)
    at = AppTest.from_file(DASHBOARD, default_timeout=TIMEOUT)
    sign_in(at, url, _planner_id(url))
    if lang:
        at.session_state["ui_lang"] = lang
    at.run()
    at.switch_page(f"pages/{stem}.py")
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    return "\n".join(parts + [s.value for s in at.subheader] + [t.value for t in at.title])


@pytest.fixture
def filled(db_url):
    """Outreach sessions in 2019–2020 in Mù Cả, Sì Lở Lầu and Ma Li Chải, a patrol and broadcasts in 2020."""
    engine = build_engine(url=db_url)
    with write_session(engine) as s:
        unit = {u.key: u.id for u in s.scalars(select(ReportingUnit))}

        def outreach(year, commune, station, sessions, people, month=5):
            day = dt.date(year, month, 6)
            return dict(type_code="outreach_session", start_date=day, end_date=day, year=year,
                        reporting_unit_id=unit[station], commune_key=commune, m1=sessions, m2=people)

        rows = [outreach(2019, MU_CA, "st_mu_ca", 733, 36_680), outreach(2020, MU_CA, "st_mu_ca", 824, 41_262),
                outreach(2019, MA_LI_CHAI, "st_si_lo_lau", 10, 300), outreach(2020, SI_LO_LAU, "st_si_lo_lau", 6, 200),
                dict(type_code="patrol", start_date=dt.date(2020, 1, 1), end_date=dt.date(2020, 1, 31), year=2020,
                     reporting_unit_id=unit["st_mu_ca"], m1=30, m2=160, m3=7, m4=23),
                dict(type_code="loudspeaker_broadcast", start_date=dt.date(2020, 3, 1), end_date=dt.date(2020, 3, 31),
                     year=2020, reporting_unit_id=unit["st_si_lo_lau"], commune_key=SI_LO_LAU, languages="vi,mong",
                     m1=12, m2=300)]
        rows += [outreach(2020, MU_CA, "st_mu_ca", 1, 10, month=m) for m in range(1, 12) for _ in range(6)]
        insert_records(session=s, rows=rows)
    engine.dispose()
    return db_url


@pytest.mark.parametrize("stem", PAGES)
def test_every_page_on_demo_data(app_env, demo_db_url, stem):
    at = _run(app_env, demo_db_url, stem)
    assert not at.error
    assert at.title and at.title[0].value
    assert at.get("plotly_chart") or at.dataframe or stem == "so_sanh_xa" and at.multiselect(key="ss_communes").value


@pytest.mark.parametrize("stem", PAGES)
def test_every_page_on_an_empty_database(app_env, db_url, stem):
    at = _run(app_env, db_url, stem)
    assert not at.error
    assert "Chưa có hoạt động nào được ghi nhận" in _texts(at)
    assert not at.get("plotly_chart")


@pytest.mark.parametrize("stem", PAGES)
def test_every_page_in_english(app_env, filled, stem):
    at = _run(app_env, filled, stem, lang="en")
    assert "Filters" in [h.value for h in at.sidebar.subheader]
    assert not any("Tổng" in t.value or "Kết quả" in t.value for t in at.title)


def _metric_pairs(at: AppTest) -> list[tuple[str, str]]:
    return sorted((m.label, m.value) for m in at.metric)


def _expected_pairs(url: str, year: int, types: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    engine = build_engine(url=url)
    with read_session(engine) as session:
        frame = summarise(session=session, filters=Filters(year, year, types=types), by="type")
    engine.dispose()
    return sorted((get_activity_type(r.type).measure(r.measure).label_vi, format_number(r.value))
                  for r in frame.itertuples())


def test_overview_figures_equal_summarise(app_env, filled):
    at = _run(app_env, filled, "tong_quan")
    assert at.selectbox(key="tq_year").value == 2020
    assert _metric_pairs(at) == _expected_pairs(filled, 2020)
    sessions = next(m for m in at.metric if m.label == "Số buổi" and m.value == "896")  # 824 + 6 + 66 in 2020
    assert sessions.proto.delta.startswith("+")  # more than the 743 of 2019
    assert "Giai đoạn 2019–2020, đã thực hiện tuyên truyền tại bản: 1.639 buổi với 79.102 lượt người" in _texts(at)


def test_overview_type_filter_and_year(app_env, filled):
    at = _run(app_env, filled, "tong_quan")
    at.multiselect(key="f_types").set_value(["patrol"]).run()
    assert not at.exception
    assert _metric_pairs(at) == _expected_pairs(filled, 2020, ("patrol",))
    assert {m.label for m in at.metric} == {m.label_vi for m in get_activity_type("patrol").measures}
    at.selectbox(key="tq_year").set_value(2019).run()
    assert "Không có hoạt động nào khớp với bộ lọc" in _texts(at)  # no patrol in 2019: an empty state, not an error


def test_overview_period_sentence_follows_the_period(app_env, filled):
    at = _run(app_env, filled, "tong_quan")
    at.slider(key="tq_period").set_value((2019, 2019)).run()
    text = _texts(at)
    assert "Giai đoạn 2019, đã thực hiện tuyên truyền tại bản: 743 buổi với 36.980 lượt người." in text


def _decoded(node):
    """Plotly's typed arrays ({"dtype", "bdata"}) as plain lists."""
    if isinstance(node, dict):
        if set(node) >= {"dtype", "bdata"}:
            values = np.frombuffer(base64.b64decode(node["bdata"]), dtype=np.dtype(node["dtype"]))
            return values.reshape(node["shape"]).tolist() if "shape" in node else values.tolist()
        return {k: _decoded(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_decoded(v) for v in node]
    return node


def _chart(at: AppTest, n: int) -> dict:
    """The n-th plotly chart as plain JSON."""
    return _decoded(json.loads(at.get("plotly_chart")[n].proto.spec))


def test_by_commune_ranking_follows_the_boundaries(app_env, filled):
    at = _run(app_env, filled, "theo_xa")
    assert _chart(at, 0)["data"][0]["type"] != "bar"  # the map comes first, then the heatmap and the ranking
    ranking = dict(zip(_chart(at, 2)["data"][0]["y"], _chart(at, 2)["data"][0]["x"]))
    assert {k: v for k, v in ranking.items() if v} == {
        "Mù Cả": 1623, "Ma Li Chải (đến 2/2020, nay thuộc xã Sì Lở Lầu)": 10, "Sì Lở Lầu": 6}
    assert ranking["Dào San"] == 0  # a border commune without activity is ranked, as 0
    at.radio(key="f_bounds").set_value("current").run()
    assert not at.exception
    ranking = dict(zip(_chart(at, 2)["data"][0]["y"], _chart(at, 2)["data"][0]["x"]))
    assert {k: v for k, v in ranking.items() if v} == {"Mù Cả": 1623, "Sì Lở Lầu": 16}
    assert ranking["Dào San"] == 0
    assert "f_district" not in [s.key for s in at.sidebar.selectbox]  # districts are offered only as recorded


def test_by_commune_measure_years_and_population(app_env, filled):
    at = _run(app_env, filled, "theo_xa")
    at.selectbox(key="tx_measure").set_value("attendances").run()
    at.slider(key="f_years").set_value((2020, 2020)).run()
    engine = build_engine(url=filled)
    with read_session(engine) as session:
        view = commune_view(session=session, filters=Filters(2020, 2020), type_code="outreach_session",
                            measure="attendances")
    engine.dispose()
    ranking = _chart(at, 2)["data"][0]
    assert sorted(ranking["x"]) == sorted(view.ranking["value"])
    rate = _chart(at, 3)["data"][0]
    assert list(rate["y"])[-1] == "Mù Cả"  # the only one reached with a population, drawn on top
    assert set(rate["x"][:-1]) == {0}  # the others with a population were not reached
    assert "Chưa có số dân (không tính được tỷ lệ): Sì Lở Lầu" in _texts(at)  # names as text
    at.selectbox(key="tx_commune").set_value(SI_LO_LAU).run()
    assert "Chưa có số dân của xã này." in _texts(at)


def test_by_station_lists_covered_communes(app_env, filled):
    at = _run(app_env, filled, "theo_don")
    table = at.dataframe[0].value
    row = table[table["Đồn biên phòng"] == "Mù Cả"].iloc[0]
    assert row["Số buổi"] == "1.623" and row["Các xã đồn phụ trách"] == "Mù Cả"
    assert "Ma Li Chải" in table[table["Đồn biên phòng"] == "Sì Lở Lầu"].iloc[0]["Các xã đồn phụ trách"]


def test_trends_one_chart_per_unit(app_env, filled):
    at = _run(app_env, filled, "theo_nam")
    units = [m.value for m in at.markdown if m.value.startswith("**Đơn vị tính")]
    assert units == ["**Đơn vị tính: buổi**", "**Đơn vị tính: lần**"]  # outreach + broadcasts, patrols
    chart = _chart(at, 0)
    outreach = next(tr for tr in chart["data"] if tr["name"].startswith("Tuyên truyền tại bản"))
    assert outreach["y"] == [743, 896] and outreach["line"]["color"] == get_activity_type("outreach_session").color
    assert chart["layout"]["separators"] == ",."


def test_compare_communes(app_env, filled):
    at = _run(app_env, filled, "so_sanh_xa")
    at.multiselect(key="ss_communes").set_value([MU_CA, SI_LO_LAU]).run()
    at.selectbox(key="ss_year").set_value(2020).run()
    assert not at.exception
    table = at.dataframe[0].value
    row = table[table["Loại hoạt động – chỉ tiêu"] == "Tuyên truyền tại bản – số buổi"].iloc[0]
    assert (row["Mù Cả"], row["Sì Lở Lầu"]) == ("1.623", "6")
    assert "Mù Cả**: 0/11 bản đã có hoạt động." in _texts(at)  # no village named on any record
    langs = at.dataframe[1].value
    mong = langs[(langs["Xã"] == "Sì Lở Lầu") & (langs["Ngôn ngữ"] == "Tiếng Mông")].iloc[0]
    assert mong["Số bản ghi"] == 1
    at.toggle(key="ss_rate").set_value(True).run()
    assert "Chưa có số dân (không tính được tỷ lệ): Sì Lở Lầu" in _texts(at)  # names as text


def test_compare_asks_for_two_communes(app_env, filled):
    at = _run(app_env, filled, "so_sanh_xa")
    at.multiselect(key="ss_communes").set_value([MU_CA]).run()
    assert "Hãy chọn ít nhất 2 xã để so sánh." in _texts(at)


def test_records_pages_and_count(app_env, filled):
    at = _run(app_env, filled, "danh_sach")
    assert "Trang 1 · bản ghi 1–50 trên tổng số 72" in _texts(at)
    first = at.dataframe[0].value
    assert first.iloc[0]["Ngày bắt đầu"] == "06/11/2020"
    at.button(key="ds_next").click().run()
    assert "Trang 2 · bản ghi 51–72 trên tổng số 72" in _texts(at)
    assert at.button(key="ds_next").disabled
    at.button(key="ds_prev").click().run()
    assert "Trang 1 ·" in _texts(at)


def test_records_from_a_chart_selection(app_env, filled):
    at = _run(app_env, filled, "danh_sach", d_year="2019", d_type="outreach_session", d_commune=MU_CA)
    assert "năm 2019 · Tuyên truyền tại bản · xã Mù Cả" in _texts(at)
    table = at.dataframe[0].value
    assert len(table) == 1 and table.iloc[0]["Số buổi"] == "733"


@pytest.mark.parametrize("query", [
    {"d_year": "0"}, {"d_year": "99999"}, {"d_year": "²"}, {"d_year": "-2019"}, {"d_year": "99999999999999999999"},
    {"d_station": "²"}, {"d_station": "99999999999999999999"}, {"d_commune": "nowhere"}, {"d_type": "x"},
])
def test_records_ignore_odd_url_values_and_say_so(app_env, filled, query):
    at = _run(app_env, filled, "danh_sach", **query)
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any(next(iter(query)) in w.value and "Bỏ qua" in w.value for w in at.warning)
    assert "Trang 1 · bản ghi 1–50 trên tổng số 72" in _texts(at)  # the sidebar filters alone


MARKDOWN_NAME = "![p](http://127.0.0.1:9/md.png) **đậm** :red[đỏ]"


def _rename_commune(url: str, key: str, name: str) -> None:
    engine = build_engine(url=url)
    with write_session(engine) as session:
        session.get(Unit, key).name = name
    engine.dispose()


def _rendered(at: AppTest) -> list[str]:
    return [e.value for group in (at.markdown, at.caption, at.info, at.warning, at.error, at.subheader) for e in group]


@pytest.mark.parametrize("stem, query", [("danh_sach", {"d_commune": MU_CA}), ("so_sanh_xa", {})])
def test_reference_names_are_text_not_markdown(app_env, filled, stem, query):
    _rename_commune(filled, MU_CA, MARKDOWN_NAME)
    at = _run(app_env, filled, stem, **query)
    if stem == "so_sanh_xa":
        at.multiselect(key="ss_communes").set_value([MU_CA, SI_LO_LAU]).run()
        at.toggle(key="ss_rate").set_value(True).run()
        assert not at.exception
    shown = [v for v in _rendered(at) if "127" in v and "png" in v]
    assert shown, _rendered(at)  # the name is on the page …
    assert all("![p](" not in v and "**đậm**" not in v and ":red[" not in v for v in shown), shown  # … as text


def test_records_filter_matching_nothing(app_env, filled):
    at = _run(app_env, filled, "danh_sach", d_year="2019", d_type="patrol")
    assert "Không có hoạt động nào khớp với bộ lọc" in _texts(at)
    assert not at.dataframe


def test_choices_survive_a_language_switch(app_env, filled):
    at = _run(app_env, filled, "theo_xa")
    at.radio(key="f_bounds").set_value("current").run()
    at.selectbox(key="tx_measure").set_value("attendances").run()
    at.session_state["ui_lang"] = "en"  # the router's language box, as the user picks English
    at.run()
    assert not at.exception
    assert at.radio(key="f_bounds").value == "current"
    assert at.selectbox(key="tx_measure").value == "attendances"
    assert at.title[0].value == "Results by commune"


def test_a_commune_filter_says_the_two_views_can_differ(app_env, filled):
    at = _run(app_env, filled, "theo_nam")
    assert not at.sidebar.info
    at.multiselect(key="f_communes").set_value([MA_LI_CHAI]).run()
    assert "xem theo xã hiện nay có thể cho số khác" in at.sidebar.info[0].value
    chart = _chart(at, 0)
    assert next(tr for tr in chart["data"] if tr["name"].startswith("Tuyên truyền"))["y"] == [10, 0]
    at.radio(key="f_bounds").set_value("current").run()
    at.multiselect(key="f_communes_now").set_value([SI_LO_LAU_2025]).run()
    assert "gồm cả các xã cũ đã sáp nhập" in at.sidebar.info[0].value
    chart = _chart(at, 0)
    assert next(tr for tr in chart["data"] if tr["name"].startswith("Tuyên truyền"))["y"] == [10, 6]


def _glance_table(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("| Loại hoạt động"))


def test_overview_opens_on_the_year_at_a_glance(app_env, filled):
    at = _run(app_env, filled, "tong_quan")
    assert at.selectbox(key="tq_year").value == 2020
    assert "Cả năm 2020, so với năm 2019." in _texts(at)
    table = _glance_table(at)
    # 896 sessions in 2020 against 743 in 2019; no plan entered; the patrol of 2020 has nothing the year before
    assert "| Tuyên truyền tại bản | **896** buổi | chưa có kế hoạch | :green[↑ +20,6%] |" in table
    assert "| Tuần tra bảo vệ biên giới | **30** lần | chưa có kế hoạch | chưa có số liệu 2019 |" in table
    assert "Báo cáo năm 2020" in _texts(at)
    assert "Cần chú ý" in _texts(at)


def test_overview_does_not_open_on_a_year_just_begun(app_env, filled):
    today = today_local()
    engine = build_engine(url=filled)
    with write_session(engine) as s:
        unit = s.scalar(select(ReportingUnit.id).where(ReportingUnit.key == "st_mu_ca"))
        insert_records(session=s, rows=[dict(type_code="outreach_session", start_date=today, end_date=today,
                                             year=today.year, reporting_unit_id=unit, commune_key=None, m1=1, m2=5)])
    engine.dispose()
    at = _run(app_env, filled, "tong_quan")
    assert at.selectbox(key="tq_year").value == 2020  # not the year of the newest record
    at.selectbox(key="tq_year").set_value(today.year).run()
    months = months_ended(year=today.year, today=today)
    if months:
        assert f"Năm {today.year} đang thực hiện: số liệu đến hết tháng {months}" in _texts(at)
    else:
        assert f"Năm {today.year} mới bắt đầu" in _texts(at)
    if months:  # today's session comes after the months counted, and nothing else was done this year
        assert not any(m.value.startswith("| Loại hoạt động") for m in at.markdown)


MA_LI_CHAI_2020 = "Ma Li Chải (đến 2/2020, nay thuộc xã Sì Lở Lầu)"


def _not_reached_table(at: AppTest):
    return next(d.value for d in at.dataframe if "Đồn biên phòng phụ trách" in d.value.columns
                and "Bản" not in d.value.columns)


def test_by_commune_lists_the_communes_not_reached_in_a_year(app_env, filled):
    at = _run(app_env, filled, "theo_xa")
    assert at.selectbox(key="tx_nr_year").value == 2020
    table = _not_reached_table(at).set_index("Xã")
    assert "Mù Cả" not in table.index  # reached in 2020
    # reached in 2019 only; merged in February 2020, it says what it became
    assert table.loc[MA_LI_CHAI_2020, "Đồn biên phòng phụ trách"] == "Sì Lở Lầu"
    assert table.loc["Dào San", "Đồn biên phòng phụ trách"] == "Dào San"
    assert "xã khu vực biên giới" in _texts(at)
    assert {"tx_nr_communes_dl_csv", "tx_nr_communes_dl_xlsx"} <= {b.key for b in at.get("download_button")}
    at.selectbox(key="tx_nr_year").set_value(2019).run()
    assert not [c for c in _not_reached_table(at)["Xã"] if c.startswith("Ma Li Chải")]
    at.selectbox(key="tx_type").set_value("loudspeaker_broadcast").run()  # broadcasts reached Sì Lở Lầu only
    at.selectbox(key="tx_nr_year").set_value(2020).run()
    table = _not_reached_table(at).set_index("Xã")
    assert "Mù Cả" in table.index and "Sì Lở Lầu" not in table.index


def test_the_overview_map_type_box_follows_the_language(app_env, filled):
    at = _run(app_env, filled, "tong_quan")
    assert at.selectbox(key="tq_map_type").value == "outreach_session"
    at.session_state["ui_lang"] = "en"
    at.run()
    assert not at.exception
    box = at.selectbox(key="tq_map_type")
    assert box.value == "outreach_session" and "Outreach session in village" in box.options
    assert not any("Tuyên truyền" in o for o in box.options), box.options
