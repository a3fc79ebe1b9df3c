"""AppTest of «Nhập từ tệp» with a server's export: Central's zip is accepted, refused submissions are held back and
listed, the valid ones imported."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from auth_helpers import sign_in
from odk_helpers import Submission, central_zip, form_id
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from data_model.accounts.users import create_user
from data_model.basics.permissions import SYSTEM
from data_model.files.xlsform.form import xlsform_for_actor
from data_model.files.xlsform.workbook import xlsform_bytes
from data_model.schema.db import build_engine, read_session, write_session
from data_model.schema.models import ActivityRecord

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")


@pytest.fixture
def app_db(db_url, app_env):
    app_env(db_url)
    engine = build_engine(url=db_url)
    with write_session(engine) as s:
        staff = create_user(session=s, actor=SYSTEM, username="nv_muca", password="nhap-lieu-odk-1", role="staff",
                            unit_keys=["st_mu_ca"])
    yield engine, staff
    engine.dispose()


def _open(user_id: int) -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=90)
    sign_in(at, os.environ["DATABASE_URL"], user_id)
    at.switch_page("pages/nhap_tu_tep.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_centrals_zip_imports_its_valid_submissions_and_lists_the_held_one(app_db):
    engine, staff = app_db
    with read_session(engine) as session:
        form = xlsform_bytes(xlsform_for_actor(session=session, actor=SYSTEM, unit_key="st_mu_ca"))
    good = Submission({"reporting_unit": "st_mu_ca", "activity_type": "outreach_session", "start_date": "2024-03-05",
                       "commune": "c03451@1900", "outreach_session__sessions": 1,
                       "outreach_session__attendances": 60}, submitter="Lò Văn Pếnh")
    bad = Submission({**good.answers, "outreach_session__attendances": 999999}, submitter="Giàng A Sử")
    at = _open(staff)
    assert ".zip" in at.file_uploader[0].proto.type  # the browser lets the user pick Central's download
    assert "Không có bản gửi nào" in " ".join(c.value for c in at.caption)
    name = f"{form_id(form)}.zip"
    at.file_uploader[0].set_value((name, central_zip(form, [good, bad]), "application/zip")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("1 bản gửi có lỗi sẽ được giữ lại" in w.value for w in at.warning)
    next(b for b in at.button if b.label == "Nhập 1 dòng, giữ lại 1 bản gửi").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Đã thêm 1 hoạt động" in s.value and "Giữ lại 1 bản gửi" in s.value for s in at.success)
    held = next(d.value for d in at.dataframe if "instance_id" in d.value.columns)
    assert list(held["submitter"]) == ["Giàng A Sử"] and list(held["instance_id"]) == [bad.instance_id]
    assert "«g_outreach_session-outreach_session__attendances»" in held["problems"].iloc[0]
    assert held["filename"].iloc[0] == name
    with read_session(engine) as session:
        assert [r.m2 for r in session.scalars(select(ActivityRecord))] == [60]
