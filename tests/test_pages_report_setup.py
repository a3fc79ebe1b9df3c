"""The report document set-up page (pages/thiet_lap_bao_cao.py) in AppTest: admins save number, recipients and a
signer; both land in the audit log and in the next report; other roles do not get the page."""
from __future__ import annotations

import pytest
from auth_helpers import sign_in
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from data_model.accounts.users import create_user
from data_model.basics.permissions import SYSTEM
from data_model.report.issuer import get_document_settings, list_issuing_bodies
from data_model.schema.db import build_engine, read_session, write_session
from data_model.schema.models import ChangeLog, User
from data_model.schema.settings import PROJECT_ROOT
from ui.registry import pages_for_role

PAGE = "pages/thiet_lap_bao_cao.py"
DASHBOARD = str(PROJECT_ROOT / "dashboard.py")


def _shown(markdown: str) -> str:
    """What a markdown text with escaped characters displays."""
    return markdown.replace("\\", "")


def _app(app_env, db_url: str, role: str = "admin") -> AppTest:
    app_env(db_url)
    engine = build_engine(url=db_url)
    with write_session(engine) as s:
        user_id = s.scalar(select(User.id).where(User.username == f"u_{role}")) or create_user(
            session=s, actor=SYSTEM, username=f"u_{role}", password="Mat-khau-dai-2026!", role=role)
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    sign_in(at, db_url, user_id)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def test_admin_saves_number_recipients_and_joint_issuing(app_env, db_url, engine):
    at = _app(app_env, db_url)
    assert at.title[0].value == "Thiết lập văn bản báo cáo"
    at.text_input(key="tl_number").input("15")
    at.text_area(key="tl_recipients").input("UBND tỉnh (b/c)\nLưu: VT")
    at.checkbox(key="tl_joint").check()
    next(b for b in at.button if "tl_settings" in (b.key or "")).click()
    at.run()
    assert not at.exception, at.exception
    assert [_shown(s.value) for s in at.success] == ["Đã lưu thiết lập văn bản báo cáo."]
    with read_session(engine) as s:
        saved = get_document_settings(session=s)
        entries = s.scalars(select(ChangeLog).where(ChangeLog.entity == "setting")).all()
    assert (saved.number, saved.recipients, saved.joint) == ("15", ("UBND tỉnh (b/c)", "Lưu: VT"), True)
    assert entries[-1].username == "u_admin" and "15" in entries[-1].new_values


def test_admin_names_the_signer_of_a_body(app_env, db_url, engine):
    at = _app(app_env, db_url)
    body_id = at.selectbox(key="tl_body_pick").value
    at.text_input(key=f"tl_body_signer_name_{body_id}").input("Lò Văn Bình")
    next(b for b in at.button if "tl_body_edit" in (b.key or "")).click()
    at.run()
    assert not at.exception, at.exception
    with read_session(engine) as s:
        bodies = {b["id"]: b for b in list_issuing_bodies(session=s)}
    assert bodies[body_id]["signer_name"] == "Lò Văn Bình"


def test_an_empty_name_is_refused_with_the_field_named(app_env, db_url):
    at = _app(app_env, db_url)
    body_id = at.selectbox(key="tl_body_pick").value
    at.text_input(key=f"tl_body_name_{body_id}").input("")
    next(b for b in at.button if "tl_body_edit" in (b.key or "")).click()
    at.run()
    assert [_shown(e.value) for e in at.error] == ["Tên cơ quan: không được để trống"]


@pytest.mark.parametrize("role", ["official", "planner", "staff"])
def test_only_admins_get_the_page(role):
    assert "thiet_lap_bao_cao" not in [p.stem for p in pages_for_role(role)]
    assert "thiet_lap_bao_cao" in [p.stem for p in pages_for_role("admin")]
