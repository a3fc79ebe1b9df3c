"""AppTest of the Plan page (behind plan, progress, entering a target) and of progress on the results pages."""
from __future__ import annotations

from pathlib import Path

import pytest
from auth_helpers import sign_in
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from data_model.accounts.users import create_user
from data_model.basics.permissions import SYSTEM
from data_model.plans.targets import list_targets
from data_model.schema.db import build_engine, read_session, write_session
from data_model.schema.models import ChangeLog, User

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")


def _user(url: str, role: str) -> int:
    engine = build_engine(url=url)
    with write_session(engine) as session:
        found = session.scalar(select(User.id).where(User.username == f"u_{role}"))
        user_id = found or create_user(session=session, actor=SYSTEM, username=f"u_{role}",
                                       password=f"mat-khau-{role}-77x", role=role)
    engine.dispose()
    return user_id


def _open(app_env, url: str, stem: str, role: str = "planner", **state) -> AppTest:
    app_env(url)
    at = AppTest.from_file(DASHBOARD, default_timeout=90)
    sign_in(at, url, _user(url, role))
    at.run()
    at.switch_page(f"pages/{stem}.py")
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    parts += [s.value for s in at.success] + [s.value for s in at.subheader] + [t.value for t in at.title]
    return "\n".join(parts)


def test_planner_sees_units_behind_plan_on_demo_data(app_env, shared_demo_url):
    at = _open(app_env, shared_demo_url, "ke_hoach", kh_year=2024)
    assert at.title[0].value == "Kế hoạch năm và tiến độ thực hiện"
    assert [t.label for t in at.tabs] == ["Đơn vị chậm kế hoạch", "Tiến độ", "Nhập, sửa chỉ tiêu",
                                          "Nhập từ tệp kế hoạch"]
    assert "chậm hoặc chưa đạt kế hoạch năm 2024" in _texts(at)
    behind = at.dataframe[0].value
    assert len(behind) >= 3 and "Chưa đạt kế hoạch" in " ".join(behind["Tiến độ"])


def test_official_reads_progress_but_gets_no_editing(app_env, shared_demo_url):
    at = _open(app_env, shared_demo_url, "ke_hoach", role="official", kh_year=2023)
    assert [t.label for t in at.tabs] == ["Đơn vị chậm kế hoạch", "Tiến độ"]
    at.radio(key="kh_by").set_value("type").run()
    assert not at.exception
    assert "Tuyên truyền tại bản" in " ".join(at.dataframe[-1].value["Loại hoạt động"])


def test_planner_enters_a_target_on_the_page(app_env, db_url):
    at = _open(app_env, db_url, "ke_hoach", kh_year=2026)
    assert "Chưa có kế hoạch năm 2026" in _texts(at)
    at.radio(key="kh_level").set_value("unit").run()
    at.selectbox(key="kh_scope_unit").set_value("st_ka_lang").run()
    at.selectbox(key="kh_type").set_value("patrol").run()
    at.selectbox(key="kh_measure").set_value("patrols").run()
    at.number_input(key="kh_value_2026_unit_st_ka_lang_patrol_patrols").set_value(360).run()
    at.button(key="kh_save").click().run()
    assert not at.exception
    assert "Đã thêm chỉ tiêu" in " ".join(s.value for s in at.success)
    engine = build_engine(url=db_url)
    with read_session(engine) as s:
        targets = list_targets(session=s, year=2026)
        logged = s.scalars(select(ChangeLog.username).where(ChangeLog.entity == "target")).all()
    engine.dispose()
    assert targets[["scope_key", "type", "measure", "value"]].values.tolist() == [
        ["st_ka_lang", "patrol", "patrols", 360]]
    assert logged == ["u_planner"]
    assert "Kế hoạch hiện có: 360" in _texts(at)


def test_overview_shows_progress_cards_and_the_station_page_a_plan_column(app_env, shared_demo_url):
    at = _open(app_env, shared_demo_url, "tong_quan", tq_year=2025)
    assert "Tiến độ kế hoạch năm 2025" in [s.value for s in at.subheader]
    bars = [p.proto.text for p in at.get("progress")]
    assert any(text.startswith("Số buổi: ") and "– đạt " in text for text in bars)
    at = _open(app_env, shared_demo_url, "theo_don")
    ranking = next(d.value for d in at.dataframe if "Kế hoạch 2025" in d.value.columns)
    assert {"Thực hiện 2025", "Đạt % kế hoạch", "Tiến độ"} <= set(ranking.columns)
    assert any(str(mark).endswith("Chậm") for mark in ranking["Tiến độ"])


@pytest.mark.parametrize("stem", ["ke_hoach", "tong_quan", "theo_xa", "theo_don"])
def test_pages_in_english_on_demo_data(app_env, shared_demo_url, stem):
    at = _open(app_env, shared_demo_url, stem, ui_lang="en")
    assert not at.exception
