"""In Chromium at an office laptop's 1366×768: an official sees the year's figures, % of plan and change on the
overview's first screen, without scrolling."""
from __future__ import annotations

import os

import pytest
from browser_helpers import expect, expect_no_exception, open_page, wait_until_drawn

from data_model.accounts.users import DEMO_ACCOUNTS
from data_model.analytics.aggregate import first_and_last_year
from data_model.analytics.filters import Filters
from data_model.plans.glance import build_overview_page, choose_overview_year
from data_model.schema.db import build_engine, read_session
from data_model.texts.formatting import format_number, format_percent_change, format_share

pytestmark = pytest.mark.browser

OFFICIAL = next((a[0], a[3]) for a in DEMO_ACCOUNTS if a[1] == "official")


def _glance(url: str):
    engine = build_engine(url=url)
    with read_session(engine) as session:
        first, last = first_and_last_year(session=session)
        year = choose_overview_year(session=session)
        glance = build_overview_page(session=session, filters=Filters(first, last), year=year).glance
    engine.dispose()
    return glance


def test_an_official_sees_the_year_at_a_glance_without_scrolling(demo_db_url, live_server, browser):
    glance = _glance(demo_db_url)
    assert len(glance.figures) >= 10 and glance.figures["target"].notna().all()  # the demo plans every type

    page = open_page(browser, viewport={"width": 1366, "height": 768}, locale="vi-VN")
    page.goto(live_server(demo_db_url))
    page.get_by_label("Tên đăng nhập").fill(OFFICIAL[0])
    page.get_by_label("Mật khẩu").fill(OFFICIAL[1])
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("h1").first).to_have_text("Tổng quan kết quả thông tin, tuyên truyền biên giới")
    wait_until_drawn(page)
    if os.environ.get("SCREENSHOT_DIR"):  # to look at by hand
        page.screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], "overview-1366x768.png"))
    expect(page.get_by_text(f"Cả năm {glance.year}, so với năm {glance.year - 1}.")).to_be_in_viewport()
    table = page.locator("table").filter(has_text="Loại hoạt động").first
    expect(table.get_by_role("columnheader", name=f"So với {glance.year - 1}")).to_be_in_viewport(ratio=1)
    for row in glance.figures.itertuples():
        line = table.get_by_role("row").filter(has_text=row.type_name)
        expect(line).to_contain_text(f"{format_number(row.value)} {row.unit}")
        expect(line).to_contain_text(format_share(row.percent / 100))
        if row.change:
            expect(line).to_contain_text(format_percent_change(row.change))
        expect(line).to_be_in_viewport(ratio=1)  # the whole row: figure, % of plan and change
    expect(page.get_by_text(f"Báo cáo năm {glance.year}")).to_be_in_viewport(ratio=1)
    expect(page.get_by_text("Cần chú ý")).to_be_in_viewport(ratio=1)
    expect_no_exception(page)
    page.close()
