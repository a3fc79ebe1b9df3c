"""Every results page in Chromium against a running `streamlit run dashboard.py` on demo data: no exception anywhere."""
from __future__ import annotations

import pytest

from data_model.accounts import DEMO_ACCOUNTS
from ui.registry import pages_for_role

pytestmark = pytest.mark.browser

IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
OFFICIAL = next((a[0], a[3]) for a in DEMO_ACCOUNTS if a[1] == "official")
RESULTS = [p for p in pages_for_role("official") if p.section_vi == "Kết quả"]


def _drawn(page) -> None:
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=90_000)
    page.wait_for_function("!document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=90_000)


def _problems(page) -> list[str]:
    boxes = page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]').all()
    return [b.inner_text()[:300] for b in boxes]


@pytest.fixture
def logged_in(demo_db_url, live_server, browser):
    """A browser page logged in as the demo official on a running dashboard."""
    base = live_server(demo_db_url)
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="vi-VN")
    page.goto(base)
    _drawn(page)
    page.get_by_label("Tên đăng nhập").fill(OFFICIAL[0])
    page.get_by_label("Mật khẩu").fill(OFFICIAL[1])
    page.get_by_role("button", name="Đăng nhập").click()
    _drawn(page)
    yield page
    page.close()


def _open(page, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    _drawn(page)


def test_every_results_page_opens_without_an_exception(logged_in):
    page = logged_in
    for spec in RESULTS:
        _open(page, spec.title_vi)
        assert page.url.rstrip("/").endswith(spec.stem) or spec.default, page.url
        assert not _problems(page), (spec.stem, _problems(page))
        assert page.locator("h1").first.inner_text().strip(), spec.stem
        if spec.stem != "danh_sach":
            assert page.locator('[data-testid="stPlotlyChart"]').count() >= 1, spec.stem


def test_filters_follow_the_user_across_pages_and_into_the_url(logged_in):
    page = logged_in
    _open(page, "Theo xã")
    assert "/theo_xa" in page.url, page.url
    page.locator('[data-testid="stSidebar"]').get_by_text("Theo xã hiện nay", exact=False).click()
    _drawn(page)
    # the bound radio writes its (displayed) choice into the URL, so a link reproduces the view
    assert "/theo_xa?f_bounds=Theo+x" in page.url, page.url
    _open(page, "So sánh xã")
    assert "/so_sanh_xa?f_bounds=Theo+x" in page.url, page.url
    checked = page.locator('[data-testid="stSidebar"] input[type="radio"]:checked')
    assert "Theo xã hiện nay" in checked.locator("xpath=ancestor::label").inner_text()
    assert not _problems(page)


def test_selecting_a_point_opens_its_records(logged_in):
    page = logged_in
    _open(page, "Theo năm")
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    chart.scroll_into_view_if_needed()
    point = chart.locator("path.point").first.bounding_box()
    page.mouse.click(point["x"] + point["width"] / 2, point["y"] + point["height"] / 2)
    page.wait_for_url("**/danh_sach?*", timeout=60_000)
    _drawn(page)
    assert "d_year=" in page.url and "d_type=" in page.url
    main = page.locator('[data-testid="stMain"]')
    assert "Đang xem theo lựa chọn trên biểu đồ: năm " in main.inner_text()
    assert main.locator('[data-testid="stDataFrame"]').count() == 1
    assert not _problems(page)


def test_a_language_switch_keeps_the_filters(logged_in):
    page = logged_in
    _open(page, "Theo xã")
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Theo xã hiện nay", exact=False).click()
    _drawn(page)
    sidebar.locator('[data-testid="stSelectbox"]').filter(has_text="Ngôn ngữ / Language").locator("input").click()
    page.keyboard.type("English")
    page.keyboard.press("Enter")
    _drawn(page)
    checked = sidebar.locator('input[type="radio"]:checked')
    assert checked.count() == 1 and "Current communes" in checked.locator("xpath=ancestor::label").inner_text()
    assert page.locator("h1").first.inner_text().strip() == "Results by commune"
    assert not _problems(page)
