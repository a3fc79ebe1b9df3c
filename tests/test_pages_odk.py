"""AppTest of the offline entry form page, and of a submissions export imported on «Nhập từ tệp»."""
from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from auth_helpers import sign_in
from odk_helpers import Submission, central_csv
from pyxform.xls2xform import convert
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from data_model.accounts.users import create_user
from data_model.basics.permissions import SYSTEM
from data_model.files.xlsform.form import xlsform_for_actor
from data_model.files.xlsform.workbook import xlsform_bytes
from data_model.schema.db import build_engine, read_session, write_session
from data_model.schema.models import ActivityRecord

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")
PAGE = "bieu_mau_ngoai_tuyen"


@pytest.fixture
def app_db(db_url, app_env):
    """The app on a fresh database with an admin, a staff member of Đồn Mù Cả and an official."""
    app_env(db_url)
    engine = build_engine(url=db_url)
    with write_session(engine) as s:
        users = {
            "admin": create_user(session=s, actor=SYSTEM, username="qt_odk", password="quan-tri-odk-1", role="admin"),
            "staff": create_user(session=s, actor=SYSTEM, username="nv_muca", password="nhap-lieu-odk-1",
                                 role="staff", unit_keys=["st_mu_ca"]),
            "official": create_user(session=s, actor=SYSTEM, username="ld_odk", password="lanh-dao-odk-1",
                                    role="official"),
        }
    yield engine, users
    engine.dispose()


def _open(user_id: int, page: str) -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=90)
    sign_in(at, os.environ["DATABASE_URL"], user_id)
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_staff_get_the_form_of_their_own_unit(app_db):
    engine, users = app_db
    at = _open(users["staff"], PAGE)
    assert at.title[0].value == "Biểu mẫu thu thập ngoại tuyến"
    assert at.selectbox(key="xf_unit").options == ["Đồn Biên phòng Mù Cả"]
    with read_session(engine) as session:
        from data_model.accounts.users import to_actor
        from data_model.schema.models import User

        form = xlsform_for_actor(session=session, actor=to_actor(session.get(User, users["staff"])))
    assert [m.value for m in at.metric] == [form.version, "1", str(len(form.types))]
    assert [b.proto.label for b in at.get("download_button")] == ["Tải biểu mẫu (XLSX)",
                                                                 "Tải XForm (XML) để chép vào ODK Collect"]
    assert any("hoat_dong_bien_gioi_st_mu_ca" in c.value for c in at.caption)


def test_admins_choose_a_unit_or_all(app_db):
    _, users = app_db
    at = _open(users["admin"], PAGE)
    unit = at.selectbox(key="xf_unit")
    assert unit.options[0] == "Mọi đơn vị" and "Đồn Biên phòng Ka Lăng" in unit.options
    everyone = [m.value for m in at.metric][1]
    unit.select("st_ka_lang").run()
    assert not at.exception
    assert [m.value for m in at.metric][1] == "1" and everyone != "1"
    assert any("hoat_dong_bien_gioi_st_ka_lang" in c.value for c in at.caption)


def test_the_page_is_for_staff_and_admins(app_db):
    from ui.registry import pages_for_role

    assert PAGE in {p.stem for p in pages_for_role("staff")} and PAGE in {p.stem for p in pages_for_role("admin")}
    assert PAGE not in {p.stem for p in pages_for_role("official")} | {p.stem for p in pages_for_role("planner")}
    _, users = app_db
    at = _open(users["official"], PAGE)
    assert at.title[0].value != "Biểu mẫu thu thập ngoại tuyến"


def test_an_export_is_imported_on_the_import_page(app_db):
    engine, users = app_db
    with read_session(engine) as session:
        form = xlsform_bytes(xlsform_for_actor(session=session, actor=SYSTEM, unit_key="st_mu_ca"))
    assert convert(xlsform=io.BytesIO(form), file_type=".xlsx").warnings == []
    good = Submission({"reporting_unit": "st_mu_ca", "activity_type": "outreach_session", "start_date": "2024-03-05",
                       "commune": "c03451@1900", "outreach_session__sessions": 1,
                       "outreach_session__attendances": 60}, submitter="Lò Văn Pếnh")
    bad = Submission({**good.answers, "outreach_session__attendances": 999999}, submitter="Giàng A Sử")
    at = _open(users["staff"], "nhap_tu_tep")
    at.file_uploader[0].set_value(("submissions.csv", central_csv(form, [good, bad]), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    problems = at.dataframe[0].value
    assert problems.iloc[0]["sheet"] == f"Bản gửi của Giàng A Sử ({bad.instance_id})"
    assert problems.iloc[0]["column"] == "g_outreach_session-outreach_session__attendances"
    # a server's export: the bad submission would be held back, the good one imported
    assert [b.label for b in at.button if b.label.startswith("Nhập ")] == ["Nhập 1 dòng, giữ lại 1 bản gửi"]

    at.file_uploader[0].set_value(("submissions.csv", central_csv(form, [good]), "text/csv")).run()
    next(b for b in at.button if b.label == "Nhập 1 dòng").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Đã thêm 1 hoạt động" in s.value for s in at.success)
    with read_session(engine) as session:
        [record] = session.scalars(select(ActivityRecord))
    assert (record.uid, record.m2, record.created_by) == (good.instance_id.removeprefix("uuid:"), 60, users["staff"])
