"""Chromium: an official opens Hoạt động phối hợp, sees the pair a station and the battalion recorded, and merges it."""
from __future__ import annotations

import pytest
from browser_helpers import expect, expect_no_exception, open_page, wait_until_drawn
from entry_helpers import MU_CA, outreach, unit_id, village_id
from sqlalchemy import func, select

from data_model.accounts.users import create_user
from data_model.basics.permissions import SYSTEM
from data_model.records.write import create_record
from data_model.schema.db import build_engine, read_session, write_session
from data_model.schema.joint import JointOrganiser

pytestmark = pytest.mark.browser


def test_an_official_merges_a_pair_recorded_by_two_units(db_url, live_server, browser):
    engine = build_engine(url=db_url)
    with write_session(engine) as session:
        create_user(session=session, actor=SYSTEM, username="lanh_dao", password="lanh-dao-dai-1", role="official")
        village = village_id(session, "Xi Nế")
        for key, people in (("st_ka_lang", 118), ("bn_huan_luyen_co_dong", 120)):
            create_record(session=session, actor=SYSTEM, confirm_warnings=True, confirm_duplicate=True,
                          values=outreach(unit_id(session, key), commune_key=MU_CA, village_id=village,
                                          attendances=people))
    page = open_page(browser, locale="vi-VN")
    page.goto(live_server(db_url))
    page.get_by_label("Tên đăng nhập").fill("lanh_dao")
    page.get_by_label("Mật khẩu").fill("lanh-dao-dai-1")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    wait_until_drawn(page)
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Hoạt động phối hợp").click()
    expect(page.get_by_role("heading", name="Hoạt động phối hợp")).to_be_visible()
    expect(page.get_by_role("heading", name="1 cặp cần xem xét")).to_be_visible()
    wait_until_drawn(page)
    page.get_by_role("button", name="Cùng một hoạt động").click()
    expect(page.get_by_text("tính một lần, ghi công cho cả hai đơn vị")).to_be_visible()
    expect(page.get_by_text("Không còn cặp hoạt động nào có thể trùng.")).to_be_visible()
    expect_no_exception(page)
    page.close()
    with read_session(engine) as session:
        assert session.scalar(select(func.count()).select_from(JointOrganiser)) == 1
    engine.dispose()
