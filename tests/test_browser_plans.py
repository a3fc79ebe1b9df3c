"""In Chromium: a planner imports a plan file on the Plan page and sees the progress on the overview."""
from __future__ import annotations

import re

import pytest
from browser_helpers import expect, expect_no_exception, open_page, url_ending, wait_until_drawn

from data_model.accounts.users import DEMO_ACCOUNTS
from data_model.plans.progress import province_actuals
from data_model.schema.db import build_engine, read_session
from data_model.texts.formatting import format_number

pytestmark = pytest.mark.browser

PLANNER = next((a[0], a[3]) for a in DEMO_ACCOUNTS if a[1] == "planner")
HEADER = "Năm,Mã,Đơn vị,Xã,Loại hoạt động,Chỉ tiêu,Kế hoạch,Đơn vị tính,Ghi chú\n"


def test_planner_imports_a_plan_and_sees_progress_on_the_overview(demo_db_url, live_server, browser, tmp_path):
    engine = build_engine(url=demo_db_url)
    with read_session(engine) as session:
        done = province_actuals(session=session, year=2025)[("", "outreach_session", "sessions")]
    engine.dispose()
    plan = tmp_path / "ke-hoach-2025.csv"  # twice what was done: the province is at 50%, behind plan
    plan.write_text(HEADER + f"2025,province,Toàn tỉnh,,Tuyên truyền tại bản,Số buổi,{2 * done},buổi,\n",
                    encoding="utf-8")

    page = open_page(browser, viewport={"width": 1400, "height": 1000}, locale="vi-VN")
    page.goto(live_server(demo_db_url))
    page.get_by_label("Tên đăng nhập").fill(PLANNER[0])
    page.get_by_label("Mật khẩu").fill(PLANNER[1])
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    wait_until_drawn(page)

    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Kế hoạch", exact=True).click()
    expect(page).to_have_url(url_ending("/ke_hoach"))
    expect(page.locator("h1").first).to_have_text("Kế hoạch năm và tiến độ thực hiện")
    wait_until_drawn(page)
    page.get_by_role("tab", name="Nhập từ tệp kế hoạch").click()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(plan))
    button = page.get_by_role("button", name="Nhập 1 chỉ tiêu")
    expect(button).to_be_visible()
    expect(page.get_by_text("Các dòng có kế hoạch")).to_be_visible()
    button.click()
    expect(page.get_by_text(re.compile(r"Đã nhập kế hoạch: 0 chỉ tiêu thêm mới, 1 sửa"))).to_be_visible()
    expect_no_exception(page)

    page.locator('[data-testid="stSidebarNav"]').get_by_text("Tổng quan", exact=True).click()
    expect(page.locator("h1").first).to_have_text("Tổng quan kết quả thông tin, tuyên truyền biên giới")
    expect(page.get_by_text("Tiến độ kế hoạch năm 2025")).to_be_visible()
    figures = f"{format_number(done)}/{format_number(2 * done)}"
    card = page.get_by_text(re.compile(rf"^Số buổi: {re.escape(figures)} – đạt 50% · ▼ chậm$"))
    expect(card).to_be_visible()
    expect_no_exception(page)
    page.close()
