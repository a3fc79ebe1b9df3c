"""The commune map in Chromium: drawn on By commune, no request leaving 127.0.0.1; a click opens the records."""
from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from browser_helpers import expect, expect_no_exception, open_page, url_ending, wait_until_drawn

from data_model.accounts.users import DEMO_ACCOUNTS

pytestmark = pytest.mark.browser

OFFICIAL = next((a[0], a[3]) for a in DEMO_ACCOUNTS if a[1] == "official")
MAP = '.js-plotly-plot:has(.choroplethlocation)'


def test_the_map_is_drawn_offline_and_a_click_on_a_commune_shows_its_records(demo_db_url, live_server, browser):
    base = live_server(demo_db_url)
    page = open_page(browser, viewport={"width": 1400, "height": 1000}, locale="vi-VN")
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(base)
    page.get_by_label("Tên đăng nhập").fill(OFFICIAL[0])
    page.get_by_label("Mật khẩu").fill(OFFICIAL[1])
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    wait_until_drawn(page)
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Theo xã", exact=True).click()
    expect(page).to_have_url(url_ending("/theo_xa"))
    expect(page.get_by_role("heading", name="Bản đồ các xã", exact=True)).to_be_visible()
    expect(page.get_by_text("Tuyên truyền tại bản: số buổi, ")).to_be_visible()  # the layer shown, named
    communes = page.locator(f"{MAP} .choroplethlocation")
    expect(communes.first).to_be_visible()
    wait_until_drawn(page)
    # the grey base layer draws all 38 communes, the coloured layer those with figures on top of it
    assert communes.count() >= 38
    expect(page.locator(MAP).get_by_text("Biên giới Việt Nam – Trung Quốc (suy ra từ ranh giới xã)")).to_be_visible()
    expect(page.locator(MAP).get_by_text("Sì Lở Lầu").first).to_be_visible()
    expect_no_exception(page)
    page.screenshot(path="/tmp/f12_map_browser.png", full_page=False)

    # Hua Bum, a border commune with records in the demo data and no station drawn on it (a station's marker near
    # the click would take it): click where its name is written, its centre
    label = page.locator(MAP).get_by_text("Hua Bum", exact=True)
    box = label.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page).to_have_url(url_ending("/danh_sach"))
    expect(page).to_have_url(re.compile(r"d_commune=c03460(%40|@)2025"))
    expect(page.get_by_text("Đang xem theo lựa chọn trên biểu đồ")).to_contain_text("Hua Bum")
    expect(page.get_by_role("heading", name="Danh sách hoạt động")).to_be_visible()
    wait_until_drawn(page)
    expect_no_exception(page)
    page.screenshot(path="/tmp/f12_map_records.png", full_page=False)

    outside = sorted({u for u in requested if urlparse(u).hostname not in ("127.0.0.1", "localhost")})
    assert outside == [], outside
    page.close()
