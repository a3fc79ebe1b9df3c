"""The station clerk's day in a real browser: straight to the form, on a phone too (issue 21)."""
from __future__ import annotations

import re

import pytest
from browser_helpers import expect, expect_no_exception, open_page, wait_until_drawn

from data_model.accounts.users import create_user
from data_model.basics.permissions import SYSTEM
from data_model.schema.db import build_engine, write_session

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}, "locale": "vi-VN"}


def _widget(page, testid: str, label: str):
    return page.locator(f'[data-testid="{testid}"]').filter(has_text=re.compile("^" + re.escape(label))).first


def _staff(db_url: str) -> None:
    engine = build_engine(url=db_url)
    with write_session(engine) as session:
        create_user(session=session, actor=SYSTEM, username="nv_ka_lang", password="nhap-lieu-dai-1", role="staff",
                    unit_keys=["st_ka_lang"], full_name="Cán bộ nhập liệu")
    engine.dispose()


def _log_in(page, base: str) -> None:
    page.goto(base)
    expect(page.get_by_label("Tên đăng nhập")).to_be_visible()
    page.get_by_label("Tên đăng nhập").fill("nv_ka_lang")
    page.get_by_label("Mật khẩu").fill("nhap-lieu-dai-1")
    page.get_by_role("button", name="Đăng nhập").click()


def test_staff_land_on_the_entry_form_with_their_unit_chosen(db_url, live_server, browser):
    _staff(db_url)
    page = open_page(browser, locale="vi-VN")
    _log_in(page, live_server(db_url))
    expect(page.get_by_role("heading", name="Nhập hoạt động")).to_be_visible()
    expect(_widget(page, "stSelectbox", "Đơn vị thực hiện").get_by_role("combobox")).to_have_value(
        "Đồn Biên phòng Ka Lăng")
    wait_until_drawn(page)
    expect_no_exception(page)
    page.close()


def test_on_a_phone_a_chosen_page_shows_the_page_not_the_sidebar(db_url, live_server, browser):
    _staff(db_url)
    page = open_page(browser, **PHONE)
    _log_in(page, live_server(db_url))
    expect(page.get_by_role("heading", name="Nhập hoạt động")).to_be_visible()
    wait_until_drawn(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    page.locator('[data-testid="stExpandSidebarButton"]').click()
    expect(sidebar).to_have_attribute("data-collapsed", "false")
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Hoạt động đã nhập").click()
    expect(page.get_by_role("heading", name="Hoạt động đã nhập")).to_be_visible()
    expect(sidebar).to_have_attribute("data-collapsed", "true")
    expect(page.get_by_role("heading", name="Hoạt động đã nhập")).to_be_in_viewport()
    # back on the form: one column, nothing wider than the screen
    page.locator('[data-testid="stExpandSidebarButton"]').click()
    expect(sidebar).to_have_attribute("data-collapsed", "false")
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Nhập hoạt động").click()
    expect(page.get_by_role("heading", name="Nhập hoạt động")).to_be_visible()
    expect(sidebar).to_have_attribute("data-collapsed", "true")
    wait_until_drawn(page)
    expect(_widget(page, "stNumberInput", "Lượt người nghe")).to_be_visible()
    page.wait_for_function("document.scrollingElement.scrollWidth <= window.innerWidth"
                           " && [...document.querySelectorAll('[data-testid=\"stMain\"] *')].every("
                           "e => e.getBoundingClientRect().right <= window.innerWidth + 1 || e.closest('[data-testid=\"stDataFrame\"]'))")
    expect_no_exception(page)
    page.close()


def _records(db_url: str) -> int:
    from sqlalchemy import func, select

    from data_model.schema.db import read_session
    from data_model.schema.models import ActivityRecord

    engine = build_engine(url=db_url)
    with read_session(engine) as session:
        n = session.scalar(select(func.count()).select_from(ActivityRecord))
    engine.dispose()
    return n


def _type_cell(page, column: int, row: int, value: str, *, then: str) -> None:
    """Edit the selected cell as a clerk does (Enter opens it, type, Enter/Tab moves on) and wait until the grid holds
    the value: the grid's accessible table mirrors each cell (glide-cell-<column>-<row>)."""
    editor = page.locator("#portal input.gdg-input")
    page.keyboard.press("Enter")
    expect(editor).to_be_visible()
    editor.fill(value)
    expect(editor).to_have_value(value)
    page.keyboard.press(then)
    expect(editor).to_have_count(0)
    expect(page.get_by_test_id(f"glide-cell-{column}-{row}")).to_have_text(value)


def _select_cell(page, grid, column: int, row: int) -> None:
    """Select a cell of the canvas grid: a click in it, then keys to row 1's number cell and on to the cell (the grid
    may have scrolled); again if the click came while the grid was being drawn anew."""
    target = page.get_by_test_id(f"glide-cell-{column}-{row}")
    keys = ["ArrowUp"] * 12 + ["ArrowLeft"] * 10 + ["ArrowDown"] * row + ["ArrowRight"] * (column - 1)
    for _ in range(5):
        box = grid.bounding_box()
        page.mouse.click(box["x"] + 55, box["y"] + 35 * 5)
        for key in keys:
            page.keyboard.press(key)
        try:
            expect(target).to_have_attribute("aria-selected", "true", timeout=5_000)
            return
        except AssertionError:
            continue
    expect(target).to_have_attribute("aria-selected", "true")


def test_a_batch_of_ten_rows_with_one_bad_row_saves_nothing_and_names_the_row(db_url, live_server, browser):
    _staff(db_url)
    page = open_page(browser, viewport={"width": 1400, "height": 1000}, locale="vi-VN")
    _log_in(page, live_server(db_url))
    expect(page.get_by_role("heading", name="Nhập hoạt động")).to_be_visible()
    wait_until_drawn(page)
    page.get_by_text("Nhiều hoạt động (bảng)").click()
    grid = page.locator('[data-testid="stDataFrame"]')
    expect(grid).to_be_visible()
    wait_until_drawn(page)
    headers = grid.locator('th[role="columnheader"]')
    sessions = int(headers.filter(has_text=re.compile("^Số buổi")).get_attribute("aria-colindex"))
    attendances = int(headers.filter(has_text=re.compile("^Lượt người nghe")).get_attribute("aria-colindex"))
    expect(page.get_by_test_id("glide-cell-1-0")).to_have_text("1")
    _select_cell(page, grid, sessions, 0)
    for i in range(10):
        _type_cell(page, sessions, i, "0" if i == 6 else "1", then="Tab")
        # Enter goes down a row; after the last row Tab, so that the grid does not scroll to its "add row" line
        _type_cell(page, attendances, i, str(40 + i), then="Enter" if i < 9 else "Tab")
        page.keyboard.press("ArrowLeft")
    page.get_by_role("button", name="Lưu tất cả").click()
    expect(page.get_by_text("Chưa lưu dòng nào: sửa các dòng 7.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Dòng 7: Số buổi: 0 nằm ngoài khoảng cho phép"))).to_be_visible()
    wait_until_drawn(page)
    expect_no_exception(page)
    assert _records(db_url) == 0
    # the clerk corrects row 7 and saves the ten
    _select_cell(page, grid, sessions, 6)
    _type_cell(page, sessions, 6, "1", then="Tab")
    page.get_by_role("button", name="Lưu tất cả").click()
    expect(page.get_by_text(re.compile(r"Đã lưu 10 hoạt động"))).to_be_visible()
    wait_until_drawn(page)
    expect_no_exception(page)
    page.close()
    assert _records(db_url) == 10


def test_an_implausible_value_asks_before_saving(db_url, live_server, browser):
    _staff(db_url)
    page = open_page(browser, locale="vi-VN")
    _log_in(page, live_server(db_url))
    expect(page.get_by_role("heading", name="Nhập hoạt động")).to_be_visible()
    wait_until_drawn(page)
    commune = _widget(page, "stSelectbox", "Xã")
    commune.click()
    page.keyboard.type("Thu Lũm")
    page.keyboard.press("Enter")
    expect(commune.get_by_role("combobox")).to_have_value(re.compile(r"^Thu Lũm"))
    wait_until_drawn(page)
    _widget(page, "stNumberInput", "Số buổi").locator("input").fill("2")
    attendances = _widget(page, "stNumberInput", "Lượt người nghe").locator("input")
    attendances.fill("1000")
    expect(attendances).to_have_value("1000")
    page.get_by_role("button", name="Lưu và nhập tiếp").click()
    expect(page.get_by_text("Cần xác nhận trước khi lưu")).to_be_visible()
    expect(page.get_by_text(re.compile(r"500 lượt người mỗi buổi là khác thường")).first).to_be_visible()
    assert _records(db_url) == 0
    page.get_by_role("button", name="Vẫn lưu").click()
    expect(page.get_by_text(re.compile(r"Đã lưu hoạt động số \d+"))).to_be_visible()
    wait_until_drawn(page)
    # the next record keeps the commune
    expect(_widget(page, "stSelectbox", "Xã").get_by_role("combobox")).to_have_value(re.compile(r"^Thu Lũm"))
    expect_no_exception(page)
    page.close()
    assert _records(db_url) == 1
