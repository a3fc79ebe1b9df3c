"""A real browser: a station's staff member downloads the offline form, and imports the server's export of it."""
from __future__ import annotations

import re

import pytest
from browser_helpers import expect, expect_no_exception, open_page, wait_until_drawn
from odk_helpers import Submission, central_zip, form_id
from pyxform.xls2xform import convert
from sqlalchemy import select

from data_model.accounts.users import create_user
from data_model.basics.permissions import SYSTEM
from data_model.schema.db import build_engine, read_session, write_session
from data_model.schema.models import ActivityRecord

pytestmark = pytest.mark.browser


def _submission(day: int) -> Submission:
    return Submission({"reporting_unit": "st_mu_ca", "activity_type": "outreach_session", "start_date": f"2024-03-{day}",
                       "commune": "c03451@1900", "languages": "ha_nhi", "outreach_session__sessions": 1,
                       "outreach_session__attendances": 50 + day})


def test_download_the_form_and_import_its_export_in_chromium(db_url, live_server, browser, tmp_path):
    engine = build_engine(url=db_url)
    with write_session(engine) as session:
        user_id = create_user(session=session, actor=SYSTEM, username="nv_muca", password="nhap-lieu-mu-ca-1",
                              role="staff", unit_keys=["st_mu_ca"], full_name="Cán bộ Đồn Mù Cả")
    page = open_page(browser, viewport={"width": 1400, "height": 1000}, locale="vi-VN")
    page.goto(live_server(db_url))
    expect(page.get_by_label("Tên đăng nhập")).to_be_visible()
    page.get_by_label("Tên đăng nhập").fill("nv_muca")
    page.get_by_label("Mật khẩu").fill("nhap-lieu-mu-ca-1")
    page.get_by_role("button", name="Đăng nhập").click()
    link = page.get_by_role("link", name="Biểu mẫu thu thập ngoại tuyến")
    expect(link).to_be_visible()
    wait_until_drawn(page)
    link.click()
    expect(page.get_by_role("heading", name="Biểu mẫu thu thập ngoại tuyến")).to_be_visible()
    button = page.get_by_role("button", name="Tải biểu mẫu (XLSX)")
    expect(button).to_be_enabled()
    wait_until_drawn(page)
    expect_no_exception(page)
    with page.expect_download() as download:
        button.click()
    assert re.fullmatch(r"bieu_mau_hoat_dong_bien_gioi_st_mu_ca_[0-9a-f]{12}\.xlsx", download.value.suggested_filename)
    form = tmp_path / "bieu_mau.xlsx"
    download.value.save_as(form)
    assert convert(xlsform=str(form)).warnings == []

    # the server's download of two submissions made with that form (Central's <formId>.zip), imported on «Nhập từ tệp»
    export = tmp_path / f"{form_id(form.read_bytes())}.zip"
    export.write_bytes(central_zip(form.read_bytes(), [_submission(11), _submission(12)]))
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Nhập từ tệp").click()
    expect(page.get_by_role("heading", name="Nhập từ tệp")).to_be_visible()
    wait_until_drawn(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(export))
    go = page.get_by_role("button", name="Nhập 2 dòng")
    expect(go).to_be_visible()
    wait_until_drawn(page)
    go.click()
    expect(page.get_by_text("Đã thêm 2 hoạt động", exact=False)).to_be_visible()
    expect_no_exception(page)
    page.close()

    with read_session(engine) as session:
        records = sorted(session.scalars(select(ActivityRecord)), key=lambda r: r.start_date)
    engine.dispose()
    assert [(r.m2, r.languages, r.created_by) for r in records] == [(61, "ha_nhi", user_id), (62, "ha_nhi", user_id)]
