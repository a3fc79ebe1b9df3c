"""Uploads are bounded on the server (issue 18, point 4): bombs are refused before they are read whole, in Vietnamese."""
from __future__ import annotations

import http.client
import io
import re
import tomllib
import urllib.parse

import pytest
import upload_cases as cases
from auth_helpers import sign_in
from openpyxl import Workbook
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from data_model.accounts.users import create_user
from data_model.basics.permissions import SYSTEM
from data_model.files.limits import MAX_COLUMNS
from data_model.files.parse import FileError, Formula, read_file
from data_model.schema.db import build_engine, write_session
from data_model.schema.models import User
from data_model.schema.settings import PROJECT_ROOT, Settings
from data_model.startup.prepare import streamlit_command

DASHBOARD = str(PROJECT_ROOT / "dashboard.py")
TOO_BIG = "Tệp lớn 51,0 MB, quá giới hạn 50 MB: hãy chia thành nhiều tệp nhỏ hơn."
TOO_MANY = "Tệp quá lớn (tối đa 100.000 dòng, 3.500.000 ô): hãy chia thành nhiều tệp nhỏ hơn."
BOMB = ("Tệp XLSX giải nén ra quá lớn hoặc bị nén bất thường (có thể là tệp độc hại): hãy mở bằng Excel và lưu lại, "
        "hoặc chia thành nhiều tệp nhỏ hơn.")
FAR_COLUMN = "Trang «Tuyên truyền tại bản» có ô ở cột XFD, quá 200 cột: hãy xóa các cột thừa."

BOMBS = {
    "csv over the upload limit": (lambda: cases.big_csv(mb=51), "lon.csv", TOO_BIG),
    "csv of 200,000 rows": (lambda: cases.tall_csv(rows=200_000), "dai.csv", TOO_MANY),
    "csv with quotes, 200,000 rows": (lambda: b'"a"\n' + cases.tall_csv(rows=200_000), "dai.csv", TOO_MANY),
    "csv row of 4M cells": (lambda: cases.wide_csv(cells=4_000_000), "rong.csv", TOO_MANY),
    "xlsx with 20 MB of sheet XML": (lambda: cases.huge_xml_xlsx(mb=20), "xml.xlsx", BOMB),
    "xlsx of 4M empty cells": (lambda: cases.empty_cells_xlsx(cells=4_000_000), "o.xlsx", BOMB),
    "xlsx of 60,000 empty cells in 2 KB": (lambda: cases.empty_cells_xlsx(cells=60_000), "o.xlsx", BOMB),
    "xlsx with a value in column XFD": (lambda: cases.far_cell_xlsx(column="XFD"), "cot.xlsx", FAR_COLUMN),
    "xlsx with a value in row 1,048,576": (lambda: cases.far_cell_xlsx(row=1_048_576), "dong.xlsx", TOO_MANY),
    "zip bomb": (lambda: cases.zip_bomb(mb=40), "bom.xlsx", BOMB),
}


@pytest.fixture(scope="module")
def built() -> dict[str, bytes]:
    return {name: build() for name, (build, _, _) in BOMBS.items()}


@pytest.mark.parametrize("name", list(BOMBS))
def test_a_crafted_upload_is_refused_with_a_vietnamese_message(built, name):
    _, filename, message = BOMBS[name]
    with pytest.raises(FileError) as refused:
        read_file(data=built[name], filename=filename)
    assert str(refused.value) == message
    assert refused.value.message("en").startswith(("The file", "The XLSX", "Sheet"))


def test_files_within_the_bounds_are_still_read():
    rows = cases.big_csv(mb=1)
    assert len(read_file(data=rows, filename="a.csv").sheets[0].rows) > 10_000
    quoted = b'Xa,Ghi chu\n"Ka Lang","hai\ndong"\n' * 1_000
    assert len(read_file(data=quoted, filename="a.csv").sheets[0].rows) == 2_000
    book = Workbook()
    sheet = book.active
    sheet.append(["Xã", "Số buổi"])
    sheet.cell(row=3, column=MAX_COLUMNS, value="ghi chú")
    sheet["C5"] = "=1+1"  # a formula without a computed value, past the row's last value
    sheet["A5"] = "Ka Lăng"
    buffer = io.BytesIO()
    book.save(buffer)
    raw = read_file(data=buffer.getvalue(), filename="a.xlsx").sheets[0].rows
    assert raw[0] == ["Xã", "Số buổi"] and raw[1] == [] and len(raw[2]) == MAX_COLUMNS
    assert raw[4][0] == "Ka Lăng" and isinstance(raw[4][2], Formula)


def test_the_server_limit_is_the_setting_and_the_one_the_uploaders_show(monkeypatch):
    command = streamlit_command(settings=Settings())
    assert command[command.index("--server.maxUploadSize") + 1] == "50"
    monkeypatch.setenv("MAX_UPLOAD_MB", "20")
    command = streamlit_command(settings=Settings())
    assert command[command.index("--server.maxUploadSize") + 1] == "20"
    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == 50  # a bare `streamlit run` (Streamlit's default is 200)
    nginx = (PROJECT_ROOT / "deploy" / "nginx" / "site.conf.in").read_text()
    assert re.search(r"client_max_body_size 51m;", nginx)  # the limit and the multipart framing, not 200 MB


def test_the_import_command_refuses_a_file_over_the_limit_in_one_line(tmp_path, db_url, monkeypatch, capsys):
    from data_model.cli.main import main

    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("MAX_UPLOAD_MB", "1")
    path = tmp_path / "lon.csv"
    path.write_bytes(cases.big_csv(mb=1.5))
    assert main(["import", str(path), "--dry-run"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "Lỗi: Tệp lớn 1,5 MB, quá giới hạn 1 MB: hãy chia thành nhiều tệp nhỏ hơn.", err


def _user(url: str, role: str, units: list[str] | None = None) -> int:
    engine = build_engine(url=url)
    with write_session(engine) as session:
        found = session.scalar(select(User.id).where(User.username == f"u_{role}"))
        user_id = found or create_user(session=session, actor=SYSTEM, username=f"u_{role}",
                                       password=f"mat-khau-{role}-77x", role=role, unit_keys=units or [])
    engine.dispose()
    return user_id


def _upload(app_env, url: str, *, role: str, page: str, key: str, name: str, data: bytes) -> AppTest:
    app_env(url)
    at = AppTest.from_file(DASHBOARD, default_timeout=90)
    sign_in(at, url, _user(url, role, ["st_ka_lang"] if role == "staff" else None))
    at.run()
    at.switch_page(f"pages/{page}.py")
    at.run()
    uploader = at.file_uploader(key=key)
    assert uploader.proto.max_upload_size_mb == 50 and "(tối đa 50 MB)" in uploader.label
    assert "File must be 50.0MB or smaller." in uploader.help  # Streamlit's own English refusal, explained
    uploader.set_value((name, data, "application/octet-stream")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("role, page, key, case", [
    ("staff", "nhap_tu_tep", "imp_file_0", "zip bomb"),
    ("staff", "nhap_tu_tep", "imp_file_0", "xlsx of 4M empty cells"),
    ("staff", "nhap_tu_tep", "imp_file_0", "csv over the upload limit"),
    ("planner", "ke_hoach", "kh_file_0", "csv of 200,000 rows"),
    ("admin", "danh_muc", "ref_import_file_village", "xlsx with 20 MB of sheet XML"),
])
def test_every_uploader_refuses_a_bomb_in_vietnamese(app_env, db_url, built, role, page, key, case):
    _, filename, message = BOMBS[case]
    at = _upload(app_env, db_url, role=role, page=page, key=key, name=filename, data=built[case])
    shown = [e.value.replace("\\", "") for e in at.error]  # shown as text: markdown signs are escaped
    shown += [str(d.value.iloc[0, 0]) for d in at.dataframe if len(d.value)]
    assert any(message in text for text in shown), shown


def test_thousands_of_identical_rows_name_a_few_of_the_others_not_all(session):
    from data_model.files.records_import import preview_import

    preview = preview_import(session=session, actor=SYSTEM, data=cases.big_csv(mb=0.025), filename="giong.csv")
    rows = len(preview.rows)
    assert rows > 250 and preview.counts()["duplicate"] == rows
    first, last = (" ".join(str(p.message) for p in r.problems) for r in (preview.rows[0], preview.rows[-1]))
    assert f"trùng với dòng 3, 4, 5, 6, 7 và {rows - 6} dòng khác của tệp" in first, first
    assert f"trùng với dòng 2, 3, 4, 5, 6 và {rows - 6} dòng khác của tệp" in last, last


@pytest.mark.browser
def test_the_server_itself_refuses_an_upload_over_the_limit(db_url, live_server, browser, tmp_path):
    from browser_helpers import expect, open_page, wait_until_drawn

    _user(db_url, "staff", ["st_ka_lang"])
    page = open_page(browser, viewport={"width": 1400, "height": 1000}, locale="vi-VN")
    page.goto(live_server(db_url))  # a bare `streamlit run`: the limit comes from .streamlit/config.toml
    page.get_by_label("Tên đăng nhập").fill("u_staff")
    page.get_by_label("Mật khẩu").fill("mat-khau-staff-77x")
    page.get_by_role("button", name="Đăng nhập").click()
    link = page.locator('[data-testid="stSidebarNav"]').get_by_text("Nhập từ tệp")
    expect(link).to_be_visible()
    wait_until_drawn(page)
    link.click()
    expect(page.get_by_text("Chọn tệp (tối đa 50 MB)")).to_be_visible()
    wait_until_drawn(page)
    big = tmp_path / "lon.csv"
    big.write_bytes(cases.big_csv(mb=51))
    dropzone = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    dropzone.set_input_files(str(big))
    expect(page.get_by_text("File must be 50.0MB or smaller.")).to_be_visible()  # the browser's, in English
    # past the browser (a crafted request, as an attacker sends it): the server answers 413 before reading it
    small = tmp_path / "nho.csv"
    small.write_bytes(cases.big_csv(mb=0.001))
    with page.expect_request(lambda r: "/_stcore/upload_file/" in r.url and r.method == "PUT") as sent:
        dropzone.set_input_files(str(small))
    url = urllib.parse.urlsplit(sent.value.url)
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in page.context.cookies())
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    connection.putrequest("PUT", url.path)
    for name, value in {"X-Xsrftoken": sent.value.headers.get("x-xsrftoken", ""), "Cookie": cookies,
                        "Content-Type": "multipart/form-data; boundary=x", "Content-Length": str(51 * cases.MB)}.items():
        connection.putheader(name, value)
    connection.endheaders()  # the body is never sent: the declared length alone is refused
    assert connection.getresponse().status == 413
    connection.close()
    page.close()
