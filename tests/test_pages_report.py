"""The report page (pages/bao_cao.py) in AppTest: choose year or period and scope, preview, downloads."""
from __future__ import annotations

import datetime as dt

import pytest
from auth_helpers import sign_in
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from data_model.accounts.users import create_user
from data_model.basics.permissions import SYSTEM
from data_model.records.bulk import insert_records
from data_model.schema.db import build_engine, write_session
from data_model.schema.models import ReportingUnit, User
from data_model.schema.settings import PROJECT_ROOT
from ui.registry import pages_for_role

PAGE = "pages/bao_cao.py"
DASHBOARD = str(PROJECT_ROOT / "dashboard.py")
MU_CA = "c03451@1900"
TIMEOUT = 60


@pytest.fixture
def filled(engine):
    with write_session(engine) as s:
        unit = {u.key: u.id for u in s.scalars(select(ReportingUnit))}
        rows = []
        for year, sessions, people in ((2019, 733, 36_680), (2020, 824, 41_262)):
            day = dt.date(year, 5, 6)
            rows.append(dict(type_code="outreach_session", start_date=day, end_date=day, year=year,
                             reporting_unit_id=unit["st_mu_ca"], commune_key=MU_CA, languages="vi,mong",
                             m1=sessions, m2=people))
            rows.append(dict(type_code="outreach_session", start_date=day, end_date=day, year=year,
                             reporting_unit_id=unit["st_ka_lang"], commune_key="c03439@1900", m1=5, m2=200))
        insert_records(session=s, rows=rows)
    return engine


def _markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def _user(db_url: str, role: str) -> int:
    """Id of an account with this role (created on first use)."""
    engine = build_engine(url=db_url)
    username = f"u_{role}"
    with write_session(engine) as s:
        found = s.scalar(select(User.id).where(User.username == username))
        user_id = found or create_user(session=s, actor=SYSTEM, username=username, password="Mat-khau-dai-2026!",
                                       role=role, unit_keys=("st_mu_ca",) if role == "staff" else ())
    engine.dispose()
    return user_id


def _run(app_env, db_url: str, role: str = "official") -> AppTest:
    """The app as a logged-in user who opened the report page from the sidebar."""
    app_env(db_url)
    at = AppTest.from_file(DASHBOARD, default_timeout=TIMEOUT)
    sign_in(at, db_url, _user(db_url, role))
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def test_year_report_preview_and_downloads(app_env, db_url, filled):
    at = _run(app_env, db_url)
    assert at.selectbox(key="bc_year").value == 2020
    text = _markdown(at)
    assert "tuyên truyền được 829 buổi tuyên truyền cho 41.462 lượt người dân các bản giáp biên giới" in text
    assert "(số buổi tăng 12,3% so với năm 2019)" in text
    # documents and charts are built only when asked for
    assert not at.get("image") and not at.get("download_button")
    at.button(key="bc_make").click().run()
    assert not at.exception, at.exception
    assert len(at.get("image")) >= 2
    names = [b.proto.label for b in at.get("download_button")]
    assert names == ["Tải Word (DOCX)", "Tải PDF", "Tải Excel (XLSX)", "Tải Markdown"]


def test_period_and_commune_scope(app_env, db_url, filled):
    at = _run(app_env, db_url)
    at.radio(key="bc_mode").set_value("period").run()
    at.selectbox(key="bc_kind").set_value("commune").run()
    assert not at.exception
    labels = at.selectbox(key="bc_unit").options
    assert any("Mù Cả" in label for label in labels)
    at.selectbox(key="bc_unit").set_value(f"commune:{MU_CA}").run()
    text = _markdown(at)
    assert "Giai đoạn 2019–2020, xã Mù Cả" in text
    assert "tuyên truyền được 1.557 buổi tuyên truyền cho 77.942 lượt" in text
    assert "Giai đoạn 2017–2018 chưa có số liệu để so sánh" in text


def test_reversed_period_is_an_error_not_a_crash(app_env, db_url, filled):
    at = _run(app_env, db_url)
    at.radio(key="bc_mode").set_value("period").run()
    at.selectbox(key="bc_from").set_value(2020).run()
    at.selectbox(key="bc_to").set_value(2019).run()
    assert not at.exception
    assert at.error and "lớn hơn năm kết thúc" in at.error[0].value
    assert not at.get("download_button")


def test_empty_database_gives_a_short_report(app_env, db_url):
    at = _run(app_env, db_url)
    assert at.info  # says there is nothing recorded yet
    assert "chưa có hoạt động thông tin, tuyên truyền nào được ghi nhận" in _markdown(at)
    at.button(key="bc_make").click().run()
    assert len(at.get("download_button")) == 4


def test_files_are_made_again_for_another_choice(app_env, db_url, filled):
    at = _run(app_env, db_url)
    at.button(key="bc_make").click().run()
    assert len(at.get("download_button")) == 4
    at.selectbox(key="bc_year").set_value(2019).run()
    assert not at.get("download_button") and at.button(key="bc_make")
    assert "tuyên truyền được 738 buổi" in _markdown(at)


def test_english_report_language(app_env, db_url, filled):
    at = _run(app_env, db_url)
    at.radio(key="bc_lang").set_value("en").run()
    assert "829 outreach sessions reached 41,462 attendances" in _markdown(at)


def test_page_in_the_router_for_officials_only_not_staff():
    assert "bao_cao" in [p.stem for p in pages_for_role("official")]
    assert "bao_cao" in [p.stem for p in pages_for_role("planner")]
    assert "bao_cao" not in [p.stem for p in pages_for_role("staff")]


@pytest.mark.parametrize("role", ["admin", "planner"])
def test_other_allowed_roles_see_the_report(app_env, db_url, filled, role):
    assert "tuyên truyền được 829 buổi" in _markdown(_run(app_env, db_url, role))


@pytest.mark.browser
def test_official_downloads_the_word_report_in_a_browser(live_server, browser, db_url, filled, engine, tmp_path):
    import docx
    from browser_helpers import expect, expect_no_exception, open_page, wait_until_drawn

    with write_session(engine) as s:
        create_user(session=s, actor=SYSTEM, username="lanhdao", password="Mat-khau-dai-2026!", role="official")
    base = live_server(db_url)
    page = open_page(browser, viewport={"width": 1400, "height": 1000}, locale="vi-VN")
    page.goto(base)
    expect(page.get_by_label("Tên đăng nhập")).to_be_visible()
    page.get_by_label("Tên đăng nhập").fill("lanhdao")
    page.get_by_label("Mật khẩu").fill("Mat-khau-dai-2026!")
    page.get_by_role("button", name="Đăng nhập").click()
    # the login rerun rebuilds the navigation: click the report link only once that run has finished
    report_link = page.get_by_role("link", name="Báo cáo năm, giai đoạn")
    expect(report_link).to_be_visible()
    wait_until_drawn(page)
    report_link.click()
    expect(page.get_by_role("heading", name="Báo cáo kết quả năm, giai đoạn")).to_be_visible()
    # the preview is drawn after the download buttons: wait for the sentence itself, never count it once
    expect(page.get_by_text("tuyên truyền được 829 buổi tuyên truyền cho 41.462 lượt", exact=False)).to_have_count(1)
    page.get_by_role("button", name="Lập tệp Word, PDF, Excel, Markdown (kèm biểu đồ)").click()
    download_button = page.get_by_role("button", name="Tải Word (DOCX)")
    expect(download_button).to_be_enabled()
    wait_until_drawn(page)
    expect_no_exception(page)
    with page.expect_download() as download:
        download_button.click()
    assert download.value.suggested_filename == "bao-cao-2020-province.docx"
    path = tmp_path / "report.docx"
    download.value.save_as(path)
    text = "\n".join(p.text for p in docx.Document(path).paragraphs)
    assert "tuyên truyền được 829 buổi tuyên truyền cho 41.462 lượt người dân các bản giáp biên giới" in text
