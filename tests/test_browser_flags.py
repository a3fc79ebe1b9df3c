"""The follow-up list in a real browser: an official asks for a record to be checked, the unit's clerk finds it first
in their records, answers, and the request is closed (issue 21 part 4)."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from browser_helpers import expect, expect_no_exception, open_page, wait_until_drawn
from entry_helpers import outreach, unit_id
from sqlalchemy import select

from data_model.accounts.users import create_user
from data_model.basics.permissions import SYSTEM
from data_model.records.write import create_record
from data_model.schema.db import build_engine, read_session, write_session
from data_model.schema.follow_up import RecordFlag

pytestmark = pytest.mark.browser
REASON = "Lượt người nghe khác sổ theo dõi của đồn"


def _setup(db_url: str) -> int:
    engine = build_engine(url=db_url)
    with write_session(engine) as session:
        create_user(session=session, actor=SYSTEM, username="lanh_dao", password="lanh-dao-dai-123",
                    role="official", full_name="Lãnh đạo Sở")
        create_user(session=session, actor=SYSTEM, username="nv_ka_lang", password="nhap-lieu-dai-1", role="staff",
                    unit_keys=["st_ka_lang"], full_name="Cán bộ nhập liệu")
        june = dt.date(2024, 6, 1)  # newer than the record flagged, yet listed after it
        create_record(session=session, actor=SYSTEM, values=outreach(unit_id(session), start_date=june, end_date=june))
        record = create_record(session=session, actor=SYSTEM, values=outreach(unit_id(session)))
    engine.dispose()
    return record


def _log_in(page, base: str, username: str, password: str) -> None:
    page.goto(base)
    expect(page.get_by_label("Tên đăng nhập")).to_be_visible()
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def _open_from_sidebar(page, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title).click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    wait_until_drawn(page)


def _choose(page, picker, option) -> None:
    """Open a select box and click one of its options; a rerun drawing the page again closes an open list, so the
    list is opened again until the option shows."""
    for _ in range(4):
        picker.click()
        try:
            expect(option).to_be_visible(timeout=20_000)
            break
        except AssertionError:
            page.keyboard.press("Escape")
    option.click()


def _flag(db_url: str):
    engine = build_engine(url=db_url)
    with read_session(engine) as session:
        flag = session.scalars(select(RecordFlag)).one_or_none()
    engine.dispose()
    return flag


def test_official_flags_a_record_the_clerk_sees_it_first_answers_and_it_is_closed(db_url, live_server, browser):
    record = _setup(db_url)
    base = live_server(db_url)

    official = open_page(browser, viewport={"width": 1400, "height": 1000}, locale="vi-VN")
    _log_in(official, base, "lanh_dao", "lanh-dao-dai-123")
    expect(official.get_by_role("heading", name="Tổng quan")).to_be_visible()
    wait_until_drawn(official)
    _open_from_sidebar(official, "Danh sách hoạt động")
    official.get_by_text("Yêu cầu đơn vị kiểm tra lại một hoạt động").click()
    picker = official.get_by_role("combobox", name="Hoạt động (trên trang này)")
    _choose(official, picker, official.get_by_role("option", name=re.compile(rf"^Số {record} ")))
    expect(picker).to_have_value(re.compile(rf"^Số {record} "))
    official.get_by_label("Lý do cần kiểm tra lại (bắt buộc)").fill(REASON)
    official.get_by_role("button", name="Gửi yêu cầu kiểm tra lại").click()
    expect(official.get_by_text(f"Đã yêu cầu đơn vị kiểm tra lại hoạt động số {record}.")).to_be_visible()
    expect_no_exception(official)
    official.close()
    assert _flag(db_url).closed_at is None

    clerk = open_page(browser, viewport={"width": 1400, "height": 1000}, locale="vi-VN")
    _log_in(clerk, base, "nv_ka_lang", "nhap-lieu-dai-1")
    expect(clerk.get_by_role("heading", name="Nhập hoạt động")).to_be_visible()
    wait_until_drawn(clerk)
    _open_from_sidebar(clerk, "Hoạt động đã nhập")
    expect(clerk.get_by_text("1 hoạt động cần kiểm tra lại")).to_be_visible()
    picker = clerk.get_by_role("combobox", name="Chọn hoạt động")
    # the flagged record is the first choice, though the other one is newer
    first = clerk.get_by_role("option").first
    _choose(clerk, picker, first)
    expect(picker).to_have_value(re.compile(rf"^Cần kiểm tra lại: Số {record} "))
    # who asked, when, and why
    expect(clerk.get_by_text(re.compile(r"^Cần kiểm tra lại \(Lãnh đạo Sở, \d\d/\d\d/\d{4} \d\d:\d\d\): "
                                        + re.escape(REASON)))).to_be_visible()
    clerk.get_by_label("Trả lời (bắt buộc)").fill("Đã đối chiếu sổ theo dõi: số liệu đúng")
    clerk.get_by_role("button", name="Trả lời và đóng yêu cầu").click()
    expect(clerk.get_by_text(f"Đã trả lời yêu cầu kiểm tra lại hoạt động số {record}.")).to_be_visible()
    expect(clerk.get_by_role("button", name="Trả lời và đóng yêu cầu")).to_have_count(0)
    expect(clerk.get_by_text("1 hoạt động cần kiểm tra lại")).to_have_count(0)
    wait_until_drawn(clerk)
    expect_no_exception(clerk)
    clerk.close()
    flag = _flag(db_url)
    assert flag.closed_at is not None and flag.resolution == "answered"
