"""The language a user picks before logging in stays through the login and a reload (system Chromium)."""
from __future__ import annotations

import pytest
from browser_helpers import expect, expect_no_exception, open_page, wait_until_drawn

from data_model.accounts.users import create_user
from data_model.basics.permissions import SYSTEM
from data_model.schema.db import build_engine, write_session

pytestmark = pytest.mark.browser


def _choose_language(page, name: str) -> None:
    box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(has_text="Ngôn ngữ / Language")
    box.locator("input").click()
    page.keyboard.type(name)
    page.keyboard.press("Enter")


def test_english_survives_login_and_reload(db_url, live_server, browser):
    engine = build_engine(url=db_url)
    with write_session(engine) as session:
        create_user(session=session, actor=SYSTEM, username="canbo", password="mat-khau-dai-1", role="admin",
                    full_name="Cán bộ Thử")
    engine.dispose()
    base = live_server(db_url)
    page = open_page(browser, locale="vi-VN")
    page.goto(base)
    expect(page.get_by_label("Tên đăng nhập")).to_be_visible()
    wait_until_drawn(page)

    _choose_language(page, "English")
    expect(page.get_by_label("User name")).to_be_visible()
    wait_until_drawn(page)
    page.get_by_label("User name").fill("canbo")
    page.get_by_label("Password", exact=True).fill("mat-khau-dai-1")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    wait_until_drawn(page)
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.get_by_role("button", name="Đăng xuất")).to_have_count(0)

    page.reload()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    wait_until_drawn(page)
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.get_by_label("Ngôn ngữ / Language")).to_have_value("English")
    expect_no_exception(page)

    # back to Vietnamese: that choice survives a reload as well
    _choose_language(page, "Tiếng Việt")
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    wait_until_drawn(page)
    page.reload()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    wait_until_drawn(page)
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    page.close()


ENGLISH = ("Choose an option", "Choose options", "Select all", "Upload", "per file", "Press Enter", "Drag and drop",
           "No results")


def _expect_no_english(page, where: str) -> None:
    main = page.locator('[data-testid="stApp"]')
    for word in ENGLISH:
        expect(main, f"{where}: {word!r}").not_to_contain_text(word, use_inner_text=True)  # what is drawn


def test_the_vietnamese_pages_show_no_streamlit_english(db_url, live_server, browser):
    engine = build_engine(url=db_url)
    with write_session(engine) as session:
        create_user(session=session, actor=SYSTEM, username="nv_ka_lang", password="nhap-lieu-dai-1", role="staff",
                    unit_keys=["st_ka_lang"], full_name="Cán bộ nhập liệu")
    engine.dispose()
    base = live_server(db_url)
    page = open_page(browser, locale="vi-VN")
    page.goto(base)
    page.get_by_label("Tên đăng nhập").fill("nv_ka_lang")
    page.get_by_label("Mật khẩu", exact=True).fill("nhap-lieu-dai-1")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Nhập hoạt động")).to_be_visible()
    wait_until_drawn(page)

    # the entry form: typing in a box shows no Enter hint, Enter saves nothing, the languages list has no "Select all"
    topic = page.get_by_label("Chủ đề", exact=False).first
    topic.fill("Phòng chống ma túy")
    topic.press("Enter")
    languages = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Ngôn ngữ phát")
    languages.locator("input").click()
    expect(page.get_by_role("option").first).to_be_visible()
    _expect_no_english(page, "entry form")
    expect(page.get_by_text("Đã lưu", exact=False)).to_have_count(0)
    page.keyboard.press("Escape")

    for stem, heading in (("nhap_tu_tep", "Nhập từ tệp"), ("tien_do_bao_cao", "Tiến độ báo cáo")):
        page.goto(f"{base}/{stem}")
        expect(page.get_by_role("heading", name=heading).first).to_be_visible()
        wait_until_drawn(page)
        expect_no_exception(page)
        _expect_no_english(page, stem)
    page.close()
