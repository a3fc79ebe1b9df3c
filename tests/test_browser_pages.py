"""Every results page in Chromium against a running `streamlit run dashboard.py` on demo data: no exception anywhere."""
from __future__ import annotations

import re

import pytest
from browser_helpers import expect, expect_none, open_page, url_ending, wait_until_drawn

from data_model.accounts.users import DEMO_ACCOUNTS
from ui.registry import pages_for_role

pytestmark = pytest.mark.browser

OFFICIAL = next((a[0], a[3]) for a in DEMO_ACCOUNTS if a[1] == "official")
RESULTS = [p for p in pages_for_role("official") if p.section_vi == "Kết quả"]
# the heading each results page draws (its sidebar entry is shorter)
HEADINGS = {
    "tong_quan": "Tổng quan kết quả thông tin, tuyên truyền biên giới", "theo_xa": "Kết quả theo xã",
    "theo_don": "Kết quả theo đồn biên phòng", "theo_nam": "Xu hướng theo năm", "so_sanh_xa": "So sánh các xã",
    "danh_sach": "Danh sách hoạt động",
}
PROBLEMS = '[data-testid="stException"], [data-testid="stAlertContentError"]'


def _expect_no_problems(page) -> None:
    expect_none(page.locator(PROBLEMS), "exception or error on the page")


@pytest.fixture
def logged_in(demo_db_url, live_server, browser):
    """A browser page logged in as the demo official on a running dashboard."""
    base = live_server(demo_db_url)
    page = open_page(browser, viewport={"width": 1400, "height": 1000}, locale="vi-VN")
    page.goto(base)
    expect(page.get_by_label("Tên đăng nhập")).to_be_visible()
    page.get_by_label("Tên đăng nhập").fill(OFFICIAL[0])
    page.get_by_label("Mật khẩu").fill(OFFICIAL[1])
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    expect(page.locator("h1").first).to_have_text(HEADINGS["tong_quan"])
    wait_until_drawn(page)
    yield page
    page.close()


def _open(page, stem: str) -> None:
    """Open a results page from the sidebar and wait until it has drawn its own heading and content."""
    spec = next(p for p in RESULTS if p.stem == stem)
    page.locator('[data-testid="stSidebarNav"]').get_by_text(spec.title_vi, exact=True).click()
    if not spec.default:
        expect(page).to_have_url(url_ending(f"/{stem}"))
    expect(page.locator("h1").first).to_have_text(HEADINGS[stem])
    wait_until_drawn(page)


def test_every_results_page_opens_without_an_exception(logged_in):
    page = logged_in
    assert {p.stem for p in RESULTS} == set(HEADINGS)
    for spec in RESULTS:
        _open(page, spec.stem)
        if spec.stem == "tong_quan":  # the KPI cards' trends are inline SVG, drawn with the page
            expect(page.locator('[data-testid="stMarkdown"] svg[role="img"]').first).to_be_visible()
        elif spec.stem != "danh_sach":
            expect(page.locator('[data-testid="stPlotlyChart"]').first).to_be_visible()
        _expect_no_problems(page)


def test_filters_follow_the_user_across_pages_and_into_the_url(logged_in):
    page = logged_in
    _open(page, "theo_xa")
    # the demo's years reach July 2025: today's communes by default, as recorded one click away
    page.locator('[data-testid="stSidebar"]').get_by_text("Như khi ghi nhận", exact=True).click()
    # the bound radio writes its (displayed) choice into the URL, so a link reproduces the view
    expect(page).to_have_url(re.compile(r"/theo_xa\?f_bounds=Nh"))
    wait_until_drawn(page)
    _open(page, "so_sanh_xa")
    expect(page).to_have_url(re.compile(r"/so_sanh_xa\?f_bounds=Nh"))
    checked = page.locator('[data-testid="stSidebar"] input[type="radio"]:checked')
    expect(checked.locator("xpath=ancestor::label")).to_contain_text("Như khi ghi nhận")
    _expect_no_problems(page)


def test_selecting_a_point_opens_its_records(logged_in):
    page = logged_in
    _open(page, "theo_nam")
    point = page.locator('[data-testid="stPlotlyChart"]').first.locator("path.point").first
    expect(point).to_be_visible()
    point.scroll_into_view_if_needed()
    # plotly's drag layer, not the point, receives the click: click where the point is drawn
    point.click(force=True)
    expect(page).to_have_url(re.compile(r"/danh_sach\?.*d_year=.*d_type=|/danh_sach\?.*d_type=.*d_year="))
    main = page.locator('[data-testid="stMain"]')
    expect(main).to_contain_text("Đang xem theo lựa chọn trên biểu đồ: năm ")
    expect(main.locator('[data-testid="stDataFrame"]')).to_have_count(1)
    wait_until_drawn(page)
    _expect_no_problems(page)


def test_a_language_switch_keeps_the_filters(logged_in):
    page = logged_in
    _open(page, "theo_xa")
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Như khi ghi nhận", exact=True).click()
    expect(page).to_have_url(re.compile(r"f_bounds=Nh"))
    wait_until_drawn(page)
    sidebar.locator('[data-testid="stSelectbox"]').filter(has_text="Ngôn ngữ / Language").locator("input").click()
    page.keyboard.type("English")
    page.keyboard.press("Enter")
    expect(page.locator("h1").first).to_have_text("Results by commune")
    checked = sidebar.locator('input[type="radio"]:checked')
    expect(checked).to_have_count(1)
    expect(checked.locator("xpath=ancestor::label")).to_contain_text("As recorded")
    wait_until_drawn(page)
    _expect_no_problems(page)
