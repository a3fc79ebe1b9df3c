"""AppTest of the reporting-progress page (confirming a month), the year-close page and published figures."""
from __future__ import annotations

import re

import pytest
from auth_helpers import sign_in
from entry_helpers import outreach, unit_id
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from data_model.accounts.users import create_user
from data_model.basics.permissions import SYSTEM, Actor
from data_model.records.write import create_record, update_record
from data_model.reporting.deadline import local_today
from data_model.reporting.year_close import close_year
from data_model.schema.db import read_session, write_session
from data_model.schema.models import User
from data_model.schema.planning import MonthConfirmation
from data_model.schema.settings import PROJECT_ROOT

DASHBOARD = str(PROJECT_ROOT / "dashboard.py")


def _user(engine, role: str) -> int:
    with write_session(engine) as s:
        found = s.scalar(select(User.id).where(User.username == f"u_{role}"))
        return found or create_user(session=s, actor=SYSTEM, username=f"u_{role}", password="Mat-khau-dai-2026!",
                                    role=role, unit_keys=("st_ka_lang",) if role == "staff" else ())


def _open(app_env, db_url: str, engine, role: str, page: str) -> AppTest:
    app_env(db_url)
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    sign_in(at, db_url, _user(engine, role))
    at.run()
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def _cell(at: AppTest, unit: str, month: int) -> str:
    """The status of a unit's month in the grid as drawn (its data-status attribute)."""
    grid = next(m.value for m in at.markdown if "data-status" in m.value)
    found = re.search(rf'data-unit="{unit}" data-month="{month}" data-status="(\w+)"', grid)
    return found.group(1)


def test_staff_confirm_this_month_and_their_cell_turns_on_time(app_env, db_url, engine):
    at = _open(app_env, db_url, engine, "staff", "tien_do_bao_cao")
    today = local_today()
    assert at.selectbox(key="tdbc_year").value == today.year
    assert at.selectbox(key="tdbc_unit").options == ["Ka Lăng"]  # only their own unit
    assert at.selectbox(key="tdbc_month").value == today.month
    assert _cell(at, "st_ka_lang", today.month) == "open"  # not yet due
    at.button[0].click().run()  # the form's submit button
    assert not at.exception, at.exception
    assert any(f"Đã xác nhận số liệu tháng {today.month}/{today.year}" in s.value for s in at.success)
    assert _cell(at, "st_ka_lang", today.month) == "on_time"
    with read_session(engine) as session:
        assert session.scalar(select(MonthConfirmation.late)) is False


def test_admin_confirms_for_any_unit_and_sets_the_deadline(app_env, db_url, engine):
    at = _open(app_env, db_url, engine, "admin", "tien_do_bao_cao")
    assert len(at.selectbox(key="tdbc_unit").options) == 14
    assert [m.label for m in at.metric][:2] == ["Tỷ lệ báo cáo toàn tỉnh", "Đúng hạn"]
    at.number_input(key="tdbc_day").set_value(10)
    at.button(key="tdbc_day_save").click().run()
    assert not at.exception, at.exception
    assert any("Hạn mới: ngày 10" in s.value.replace("\\", "") for s in at.success)
    assert any("Hạn xác nhận: ngày 10 của tháng sau" in c.value for c in at.caption)


def test_progress_page_in_english(app_env, db_url, engine):
    app_env(db_url)
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    sign_in(at, db_url, _user(engine, "official"))
    at.session_state["ui_lang"] = "en"
    at.run()
    at.switch_page("pages/tien_do_bao_cao.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Reporting progress"
    assert "<th" in next(m.value for m in at.markdown if "data-status" in m.value)
    assert any("On time" in m.value and "Missing, overdue" in m.value for m in at.markdown)  # the legend
    assert not [e for e in at.expander if "Confirm" in e.label]  # officials read, they do not confirm


@pytest.fixture
def year_2024(engine):
    """One outreach record of Ka Lăng station in March 2024, entered by its staff."""
    staff_id = _user(engine, "staff")
    with write_session(engine) as session:
        ka_lang = unit_id(session)
        staff = Actor(staff_id, "u_staff", "staff", frozenset({ka_lang}))
        return create_record(session=session, actor=staff, values=outreach(ka_lang)), ka_lang


def test_official_closes_a_year_on_the_page(app_env, db_url, engine, year_2024):
    at = _open(app_env, db_url, engine, "official", "khoa_so_nam")
    assert at.selectbox(key="ksn_close_year").value == 2024
    at.checkbox(key="ksn_close_sure").check()
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert any("Đã khóa sổ năm 2024" in s.value for s in at.success)
    status = at.dataframe[0].value.set_index("Năm")
    assert status.loc["2024", "Trạng thái"] == "Đã khóa sổ"
    assert status.loc["2024", "Người khóa sổ"] == "u_official"
    assert not [e for e in at.expander if "Mở lại" in e.label]  # reopening is for administrators


def test_results_page_shows_published_and_current_figures_with_the_revision(app_env, db_url, engine, year_2024):
    record, ka_lang = year_2024
    official, admin = _user(engine, "official"), _user(engine, "admin")
    with write_session(engine) as session:
        close_year(session=session, actor=Actor(official, "u_official", "official"), year=2024)
    with write_session(engine) as session:
        update_record(session=session, actor=Actor(admin, "u_admin", "admin"), record_id=record,
                      values=outreach(ka_lang, attendances=150), reason="Đồn báo cáo bổ sung")
    at = _open(app_env, db_url, engine, "official", "tong_quan")
    [warning] = [w.value for w in at.warning if "khóa sổ" in w.value]
    assert "Năm 2024 đã khóa sổ" in warning and "1 điều chỉnh" in warning
    published = next(d.value for d in at.dataframe if "Đã công bố" in d.value.columns)
    assert published.to_dict(orient="records") == [{
        "Chỉ tiêu": "Tuyên truyền tại bản – lượt người nghe", "Đã công bố": "120", "Hiện tại": "150",
        "Chênh lệch": "30"}]
    revisions = next(d.value for d in at.dataframe if "Lý do" in d.value.columns)
    assert list(revisions["Lý do"]) == ["Đồn báo cáo bổ sung"]
    assert list(revisions["Người sửa"]) == ["u_admin"]
