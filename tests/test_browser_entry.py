"""A real browser (system Chromium through Playwright) fills and saves the entry form against `streamlit run`."""
from __future__ import annotations

import re

import pytest
from browser_helpers import expect, expect_no_exception, open_page, wait_until_drawn
from sqlalchemy import select

from data_model.accounts.users import create_user
from data_model.basics.permissions import SYSTEM
from data_model.schema.clock import today_local
from data_model.schema.db import build_engine, read_session, write_session
from data_model.schema.models import ActivityRecord

pytestmark = pytest.mark.browser


def _widget(page, testid: str, label: str):
    return page.locator(f'[data-testid="{testid}"]').filter(has_text=re.compile("^" + re.escape(label))).first


def test_fill_and_save_the_entry_form_in_chromium(db_url, live_server, browser):
    engine = build_engine(url=db_url)
    with write_session(engine) as session:
        user_id = create_user(session=session, actor=SYSTEM, username="nv_trinh", password="nhap-lieu-dai-1",
                              role="staff", unit_keys=["st_ka_lang"], full_name="Cán bộ nhập liệu")
    page = open_page(browser, locale="vi-VN")
    page.goto(live_server(db_url))
    expect(page.get_by_label("Tên đăng nhập")).to_be_visible()
    page.get_by_label("Tên đăng nhập").fill("nv_trinh")
    page.get_by_label("Mật khẩu").fill("nhap-lieu-dai-1")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    wait_until_drawn(page)

    page.locator('[data-testid="stSidebarNav"]').get_by_text("Nhập hoạt động").click()
    expect(page.get_by_role("heading", name="Nhập hoạt động")).to_be_visible()
    wait_until_drawn(page)
    # the first type (outreach session in a village) and today's date are preselected; choose a 2025 commune
    commune = _widget(page, "stSelectbox", "Xã")
    commune.click()
    page.keyboard.type("Thu Lũm")
    page.keyboard.press("Enter")
    expect(commune.get_by_role("combobox")).to_have_value(re.compile(r"^Thu Lũm"))
    wait_until_drawn(page)
    attendances = _widget(page, "stNumberInput", "Lượt người nghe").locator("input")
    _widget(page, "stNumberInput", "Số buổi").locator("input").fill("2")
    attendances.fill("85")
    _widget(page, "stTextInput", "Chủ đề").locator("input").fill("Tuyên truyền Luật Biên phòng")
    expect(attendances).to_have_value("85")
    page.get_by_role("button", name="Lưu hoạt động").click()
    expect(page.get_by_text(re.compile(r"Đã lưu hoạt động số \d+"))).to_be_visible()
    wait_until_drawn(page)
    expect_no_exception(page)
    # the form is empty again for the next entry
    expect(_widget(page, "stNumberInput", "Lượt người nghe").locator("input")).to_have_value("")
    page.close()

    with read_session(engine) as session:
        [record] = session.scalars(select(ActivityRecord))
    engine.dispose()
    assert (record.type_code, record.commune_key, record.m1, record.m2, record.topic, record.created_by) == (
        "outreach_session", "c03439@2025", 2, 85, "Tuyên truyền Luật Biên phòng", user_id)
    assert record.start_date <= today_local()
