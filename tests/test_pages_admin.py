"""AppTest of login, logout, idle expiry, per-role navigation and the account, users, reference-data and audit pages."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from auth_helpers import logged_in_user, sign_in, start_login
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from data_model.accounts.users import create_user, update_user
from data_model.basics.permissions import SYSTEM
from data_model.schema.db import build_engine, read_session, write_session
from data_model.schema.models import ChangeLog, Unit, User
from ui.registry import hidden_pages_for_role, home_page, pages_for_role

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")
PASSWORDS = {"admin": "quan-tri-1", "official": "lanh-dao-1", "planner": "ke-hoach-1", "staff": "nhap-lieu-1"}
EVIL_NAME = "[bấm vào](javascript:alert(1)) <img src=x onerror=alert(1)> **đậm**"


@pytest.fixture
def users(db_url, app_env) -> dict[str, int]:
    """One account per role in a fresh reference database the app points at."""
    app_env(db_url)
    engine = build_engine(url=db_url)
    ids = {}
    with write_session(engine) as session:
        for role, password in PASSWORDS.items():
            ids[role] = create_user(session=session, actor=SYSTEM, username=f"u_{role}", password=password, role=role,
                                    unit_keys=["st_dao_san"] if role == "staff" else [],
                                    full_name=EVIL_NAME if role == "staff" else f"Người {role}")
    engine.dispose()
    return ids


def _app(user_id: int | None = None, *, page: str | None = None, seen_ago_s: float = 0, fresh: bool = False) -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    if user_id is not None:
        sign_in(at, os.environ["DATABASE_URL"], user_id, seen_ago_s=seen_ago_s)
    if page and not fresh:
        at.run()  # the router runs first, as for a visitor who arrives at the app and then opens a page
    if page:
        at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def _shown(markdown: str) -> str:
    """What a markdown text with escaped characters displays."""
    return markdown.replace("\\", "")


def _log(db_url: str, action: str) -> list[ChangeLog]:
    engine = build_engine(url=db_url)
    with read_session(engine) as session:
        rows = list(session.scalars(select(ChangeLog).where(ChangeLog.action == action).order_by(ChangeLog.id)))
    engine.dispose()
    return rows


# ---------------------------------------------------------------- navigation per role

def test_anonymous_gets_only_the_login_page():
    assert [p.stem for p in pages_for_role(None)] == ["dang_nhap"]
    assert hidden_pages_for_role(None) == []


@pytest.mark.parametrize("role, present, absent", [
    ("admin", {"tong_quan", "nguoi_dung", "danh_muc", "nhat_ky", "tai_khoan"}, {"dang_nhap"}),
    ("official", {"tong_quan", "nhat_ky", "tai_khoan"}, {"nguoi_dung", "danh_muc", "dang_nhap"}),
    ("planner", {"tong_quan", "danh_muc", "tai_khoan"}, {"nguoi_dung", "nhat_ky", "dang_nhap"}),
    ("staff", {"tong_quan", "tai_khoan"}, {"nguoi_dung", "danh_muc", "nhat_ky", "dang_nhap"}),
])
def test_each_role_sees_its_pages(role, present, absent):
    stems = {p.stem for p in pages_for_role(role)}
    assert present <= stems and not (absent & stems)
    assert [p.stem for p in hidden_pages_for_role(role)] == ["dang_nhap"]
    assert home_page(role).stem in stems


def _offered(at: AppTest, page: str) -> bool:
    """Whether the navigation built for this session holds the page (AppTest refuses to switch to others)."""
    try:
        at.switch_page(f"pages/{page}.py")
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("page", ["tong_quan", "nguoi_dung", "danh_muc", "nhat_ky", "tai_khoan"])
def test_anonymous_navigation_holds_only_the_login_page(users, page):
    at = _app()
    assert _titles(at) == ["Đăng nhập"]
    assert not _offered(at, page)
    assert _offered(at, "dang_nhap")
    assert not [b for b in at.button if "demo_login" in (b.key or "")]  # not a demo database: no demo logins


@pytest.mark.parametrize("page", ["tong_quan", "nguoi_dung", "danh_muc", "nhat_ky", "tai_khoan"])
def test_first_request_of_a_fresh_server_cannot_skip_the_login(users, page):
    # Streamlit runs a pages/ file without the router for the very first request of a new server process
    # (legacy pages/ mode); the page's guard sends the visitor to the router, which shows the login page.
    at = _app(page=page, fresh=True)
    assert _titles(at) == ["Đăng nhập"]


@pytest.mark.parametrize("role, page, allowed", [
    ("staff", "nguoi_dung", False), ("staff", "danh_muc", False), ("staff", "nhat_ky", False),
    ("official", "nguoi_dung", False), ("official", "danh_muc", False), ("official", "nhat_ky", True),
    ("planner", "nguoi_dung", False), ("planner", "nhat_ky", False), ("planner", "danh_muc", True),
    ("admin", "nguoi_dung", True), ("admin", "danh_muc", True), ("admin", "nhat_ky", True),
])
def test_pages_outside_a_role_are_not_offered(users, role, page, allowed):
    at = _app(users[role])
    assert _offered(at, page) == allowed
    title = {"nguoi_dung": "Người dùng", "danh_muc": "Danh mục", "nhat_ky": "Nhật ký thao tác"}[page]
    if allowed:
        at.run()
        assert title in _titles(at)
    else:  # even on a fresh server's first request, the page itself refuses
        assert title not in _titles(_app(users[role], page=page, fresh=True))


# ---------------------------------------------------------------- login, logout, expiry

def _fill_login(at: AppTest, username: str, password: str) -> None:
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    next(b for b in at.button if "login_form" in (b.key or "")).click()
    at.run()


def test_login_with_the_form(users, db_url):
    # logging out is checked in the browser test: AppTest reruns a page without the router that holds the button
    at = _app()
    _fill_login(at, "u_admin", "sai-mat-khau")
    assert [e.value for e in at.error] == ["Sai tên đăng nhập hoặc mật khẩu"]
    assert logged_in_user(at, db_url) is None
    _fill_login(at, "u_admin", PASSWORDS["admin"])
    assert logged_in_user(at, db_url) == users["admin"]
    assert "Đăng nhập" not in _titles(at)
    assert [e.username for e in _log(db_url, "login")] == ["u_admin"]
    assert [e.username for e in _log(db_url, "login_failed")] == ["u_admin"]


def test_after_login_the_user_sees_the_failures_since_the_last_login(users, db_url):
    at = _app()
    _fill_login(at, "u_admin", PASSWORDS["admin"])
    assert logged_in_user(at, db_url) == users["admin"]
    for _ in range(2):
        _fill_login(_app(), "u_admin", "sai-mat-khau")  # someone else, elsewhere
    at = _app()
    _fill_login(at, "u_admin", PASSWORDS["admin"])
    assert at.session_state["auth_login_info"][1] == 2
    # AppTest shows the home page without the router after the switch: draw the router as the next click would
    home = AppTest.from_file(DASHBOARD, default_timeout=60)
    for key in ("auth_token", "auth_login_info"):
        home.session_state[key] = at.session_state[key]
    home.run()
    warnings = [_shown(w.value) for w in home.sidebar.warning]
    assert any("Lần đăng nhập trước" in w and "2 lần đăng nhập sai" in w for w in warnings), warnings


@pytest.mark.parametrize("name", ["u_admin\x00", "x" * 100_000])  # a browser cannot send a lone surrogate
def test_odd_login_names_on_the_form_get_the_usual_answer(users, name):
    at = _app()
    _fill_login(at, name, "sai-mat-khau")
    assert not at.exception
    assert [e.value for e in at.error] == ["Sai tên đăng nhập hoặc mật khẩu"]


def test_admin_cannot_give_a_weak_password(users, db_url):
    at = _app(users["admin"], page="nguoi_dung")
    at.text_input(key="users_add_name").input("ld_moi")
    at.selectbox(key="users_add_role").set_value("official")
    at.text_input(key="users_add_pw1").input("12345678")
    at.text_input(key="users_add_pw2").input("12345678")
    next(b for b in at.button if "users_add" in (b.key or "")).click()
    at.run()
    assert any(_shown(e.value).startswith("Mật khẩu: quá dễ đoán") for e in at.error)
    assert "ld_moi" not in list(at.dataframe[0].value["username"])


def test_idle_session_expires(users, db_url):
    at = _app(users["official"], seen_ago_s=2 * 3600)
    assert _titles(at) == ["Đăng nhập"]
    assert any("hết hạn" in i.value for i in at.info)
    assert "hết thời gian chờ" in _log(db_url, "logout")[-1].reason


def test_deactivated_account_is_logged_out(users, db_url):
    engine = build_engine(url=db_url)
    with write_session(engine) as session:
        update_user(session=session, actor=SYSTEM, username="u_planner", active=False)
    engine.dispose()
    at = _app(users["planner"])
    assert _titles(at) == ["Đăng nhập"]
    assert any("không còn hoạt động" in i.value for i in at.info)


def test_account_box_shows_typed_names_as_text(users):
    at = _app(users["staff"])
    texts = [t.value for t in at.sidebar.text]
    assert any(EVIL_NAME in v for v in texts)
    rendered = [m.value for m in at.markdown] + [c.value for c in at.caption]
    assert not any("](javascript" in v or "<img" in v for v in rendered)


def test_demo_database_offers_one_click_logins(demo_db_url, app_env):
    app_env(demo_db_url)
    at = _app()
    demo_buttons = [b for b in at.button if (b.key or "").startswith("demo_login_")]
    assert [b.label for b in demo_buttons] == ["Quản trị", "Lãnh đạo (xem báo cáo)", "Cán bộ kế hoạch",
                                               "Cán bộ nhập liệu"]
    at.button(key="demo_login_demo_nhaplieu").click()
    at.run()
    assert not at.exception
    engine = build_engine(url=demo_db_url)
    with read_session(engine) as session:
        staff = session.scalar(select(User).where(User.username == "demo_nhaplieu"))
    engine.dispose()
    assert logged_in_user(at, demo_db_url) == staff.id


# ---------------------------------------------------------------- account, users, reference data, audit

def _fill_password_change(at: AppTest, old: str, new: str, again: str) -> None:
    at.text_input(key="account_old").input(old)
    at.text_input(key="account_new").input(new)
    at.text_input(key="account_again").input(again)
    at.button[0].click()
    at.run()


def test_change_own_password_refuses_weak_ones_and_ends_the_other_sessions(users, db_url):
    elsewhere = start_login(db_url, users["official"])  # the same user logged in in another browser
    at = _app(users["official"], page="tai_khoan")
    _fill_password_change(at, PASSWORDS["official"], "mat-khau-moi-1", "mat-khau-khac")
    assert any("không khớp" in e.value for e in at.error)
    _fill_password_change(at, PASSWORDS["official"], "12345678", "12345678")
    assert any("Mật khẩu mới: quá dễ đoán" in _shown(e.value) for e in at.error)
    _fill_password_change(at, PASSWORDS["official"], "mat-khau-moi-1", "mat-khau-moi-1")
    assert [s.value for s in at.success] == ["Đã đổi mật khẩu; các phiên đăng nhập khác của bạn đã kết thúc."]
    assert len(_log(db_url, "password_change")) == 1
    assert logged_in_user(at, db_url) == users["official"]  # this browser stays logged in
    other = _app()
    other.session_state["auth_token"] = elsewhere
    other.run()
    assert _titles(other) == ["Đăng nhập"] and any("đổi mật khẩu" in i.value for i in other.info)


def test_admin_adds_a_user_and_the_table_has_no_hash(users, db_url):
    at = _app(users["admin"], page="nguoi_dung")
    frame = at.dataframe[0].value
    assert "u_staff" in set(frame["username"])
    assert not any("hash" in c or "password" in c for c in frame.columns)
    assert "argon2" not in frame.to_csv()
    at.text_input(key="users_add_name").input("Can_Bo_Moi")
    at.selectbox(key="users_add_role").set_value("planner")
    at.text_input(key="users_add_pw1").input("mat-khau-moi-1")
    at.text_input(key="users_add_pw2").input("mat-khau-moi-1")
    next(b for b in at.button if "users_add" in (b.key or "")).click()
    at.run()
    assert not at.error, [e.value for e in at.error]
    assert "can_bo_moi" in set(at.dataframe[0].value["username"])
    assert any("can\\_bo\\_moi" in s.value for s in at.success)  # markdown characters escaped …
    assert any("Đã thêm người dùng can_bo_moi." == _shown(s.value) for s in at.success)  # … shown as typed


def test_admin_user_errors_are_shown(users):
    at = _app(users["admin"], page="nguoi_dung")
    at.text_input(key="users_add_name").input("nv_moi")
    at.selectbox(key="users_add_role").set_value("staff")
    at.text_input(key="users_add_pw1").input("mat-khau-moi-1")
    at.text_input(key="users_add_pw2").input("mat-khau-moi-1")
    next(b for b in at.button if "users_add" in (b.key or "")).click()
    at.run()
    assert any("Đơn vị" in e.value for e in at.error)


def test_admin_edits_a_commune(users, db_url):
    at = _app(users["admin"], page="danh_muc")
    assert len(at.tabs) == 6
    at.selectbox(key="ref_commune_pick").set_value("c03451@2025")
    at.run()
    at.text_input(key="ref_commune_name_c03451@2025").input("Mù Cả (sửa thử)")
    next(b for b in at.button if "ref_commune_form" in (b.key or "")).click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    engine = build_engine(url=db_url)
    with read_session(engine) as session:
        assert session.get(Unit, "c03451@2025").name == "Mù Cả (sửa thử)"
    engine.dispose()
    assert _log(db_url, "update")[-1].entity == "unit"


def test_planner_keeps_population_only(users, db_url):
    at = _app(users["planner"], page="danh_muc")
    assert len(at.tabs) == 0
    at.selectbox(key="ref_pop_commune").set_value("c03451@2025")
    at.run()
    at.number_input(key="ref_pop_year").set_value(2026)
    at.number_input(key="ref_pop_value").set_value(3456)
    next(b for b in at.button if "ref_pop_form" in (b.key or "")).click()
    at.run()
    assert not at.error, [e.value for e in at.error]
    assert any("3.456" in _shown(s.value) for s in at.success)


def test_audit_page_lists_events_as_text(users, db_url):
    engine = build_engine(url=db_url)
    with write_session(engine) as session:
        from data_model.audit.changelog import log_change

        log_change(session=session, actor=SYSTEM, action="update", entity="record", entity_id=1,
                   reason="[bấm](javascript:alert(1))")
    engine.dispose()
    at = _app(users["official"], page="nhat_ky")
    frame = at.dataframe[0].value
    assert "[bấm](javascript:alert(1))" in set(frame.iloc[:, -1])
    rendered = [m.value for m in at.markdown] + [c.value for c in at.caption]
    assert not any("](javascript" in v for v in rendered)
    at.multiselect(key="audit_actions").set_value(["update"])
    at.run()
    assert len(at.dataframe[0].value) == 1


def test_admin_imports_villages_with_preview(users, db_url):
    from data_model.schema.models import Village

    evil = "Bản [mở](javascript:alert(1))"
    bad = f"Xã,Bản,Năm,Dân số\nMù Cả,{evil},2026,120\nMù Cả,Bản Lỗi,2026,nhiều\n".encode()
    at = _app(users["admin"], page="danh_muc")
    at.file_uploader(key="ref_import_file_village").set_value(("ban.csv", bad, "text/csv"))
    at.run()
    assert any("1 lỗi" in _shown(e.value) for e in at.error)
    assert "dòng 3, cột «Dân số»" in str(at.dataframe[-1].value.iloc[0, 0])
    assert not [b for b in at.button if b.key == "ref_import_go"]  # no import button while any row is wrong
    good = bad.decode().splitlines()[:2]
    at.file_uploader(key="ref_import_file_village").set_value(("ban.csv", "\n".join(good).encode(), "text/csv"))
    at.run()
    preview = at.dataframe[-1].value
    assert list(preview["village"]) == [evil] and list(preview["status"]) == ["Thêm mới"]
    at.button(key="ref_import_go").click()
    at.run()
    assert any("1 bản mới" in _shown(s.value) for s in at.success), [e.value for e in at.error]
    rendered = [m.value for m in at.markdown] + [c.value for c in at.caption]
    assert not any("](javascript" in v for v in rendered)
    engine = build_engine(url=db_url)
    with read_session(engine) as session:
        assert session.scalar(select(Village.name).where(Village.name == evil)) == evil
    engine.dispose()


def test_empty_database_explains_how_to_make_the_first_account(db_url, app_env):
    app_env(db_url)
    at = _app()
    assert _titles(at) == ["Đăng nhập"]
    assert [c.value for c in at.code] == ["python -m data_model user add --role admin TÊN_ĐĂNG_NHẬP"]
    assert not [b for b in at.button if (b.key or "").startswith("demo_login_")]


def test_my_account_shows_my_units(users):
    at = _app(users["staff"], page="tai_khoan")
    texts = [t.value for t in at.text]
    assert any("Đồn Biên phòng Dào San" in v for v in texts)
    assert any(EVIL_NAME in v for v in texts)
