"""A real browser (system Chromium through Playwright) fills and saves the entry form against `streamlit run`."""
from __future__ import annotations

import datetime as dt
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from sqlalchemy import select

from data_model.accounts import create_user
from data_model.db import build_engine, read_session, write_session
from data_model.models import ActivityRecord
from data_model.permissions import SYSTEM
from data_model.settings import PROJECT_ROOT

pytestmark = pytest.mark.browser

PORTS = range(8611, 8620)  # the ports set aside for the data-entry tests
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
TIMEOUT_MS = 60_000


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip(f"no free port in {PORTS.start}–{PORTS.stop - 1}")


@pytest.fixture
def entry_server(db_url):
    """`streamlit run dashboard.py` on the test database, on one of this suite's ports."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": db_url, "DEMO_ON_FIRST_START": "0"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "dashboard.py"), "--server.headless", "true",
         "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("Streamlit server did not start within 60 s") from None
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _wait(page) -> None:
    page.wait_for_selector(IDLE, timeout=TIMEOUT_MS)


def _widget(page, testid: str, label: str):
    return page.locator(f'[data-testid="{testid}"]').filter(has_text=re.compile("^" + re.escape(label))).first


def test_fill_and_save_the_entry_form_in_chromium(db_url, entry_server, browser):
    engine = build_engine(url=db_url)
    with write_session(engine) as session:
        user_id = create_user(session=session, actor=SYSTEM, username="nv_trinh", password="nhap-lieu-dai-1",
                              role="staff", unit_keys=["st_ka_lang"], full_name="Cán bộ nhập liệu")
    page = browser.new_page(locale="vi-VN")
    page.goto(entry_server)
    _wait(page)
    page.get_by_label("Tên đăng nhập").fill("nv_trinh")
    page.get_by_label("Mật khẩu").fill("nhap-lieu-dai-1")
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("button", name="Đăng xuất").wait_for(timeout=TIMEOUT_MS)
    _wait(page)

    page.locator('[data-testid="stSidebarNav"]').get_by_text("Nhập hoạt động").click()
    page.get_by_role("heading", name="Nhập hoạt động").wait_for(timeout=TIMEOUT_MS)
    _wait(page)
    # the first type (outreach session in a village) and today's date are preselected; choose a 2025 commune
    _widget(page, "stSelectbox", "Xã").click()
    page.keyboard.type("Thu Lũm")
    page.keyboard.press("Enter")
    _wait(page)
    _widget(page, "stNumberInput", "Số buổi").locator("input").fill("2")
    _widget(page, "stNumberInput", "Lượt người nghe").locator("input").fill("85")
    _widget(page, "stTextInput", "Chủ đề").locator("input").fill("Tuyên truyền Luật Biên phòng")
    page.get_by_role("button", name="Lưu hoạt động").click()
    page.get_by_text(re.compile(r"Đã lưu hoạt động số \d+")).wait_for(timeout=TIMEOUT_MS)
    _wait(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    # the form is empty again for the next entry
    assert _widget(page, "stNumberInput", "Lượt người nghe").locator("input").input_value() == ""
    page.close()

    with read_session(engine) as session:
        [record] = session.scalars(select(ActivityRecord))
    engine.dispose()
    assert (record.type_code, record.commune_key, record.m1, record.m2, record.topic, record.created_by) == (
        "outreach_session", "c03439@2025", 2, 85, "Tuyên truyền Luật Biên phòng", user_id)
    assert record.start_date <= dt.date.today()
