"""Login state in st.session_state: who is logged in, idle expiry, login, logout and the sidebar account box.

Staying logged in across a browser reload is not offered: Streamlit 1.67 can read cookies (st.context.cookies) but
has no supported way to set a signed HttpOnly cookie for local accounts (st.login needs an external OpenID
provider), and a token in the URL is not acceptable. A reload therefore asks for the password again.
"""
from __future__ import annotations

import re
import time
from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitAPIException

from data_model.accounts import LoginResult, authenticate, get_actor, login_demo, record_logout
from data_model.db import read_session, write_session
from data_model.permissions import ROLE_NAMES, Actor
from data_model.settings import get_settings
from ui.engine import get_engine
from ui.i18n import current_language, t

USER_KEY = "auth_user_id"
SEEN_KEY = "auth_last_seen"
NOTICE_KEY = "auth_notice"
LOGIN_PAGE = "pages/dang_nhap.py"
_KEEP_ON_LOGOUT = ("ui_lang", NOTICE_KEY)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=])")


def plain(text: object) -> str:
    """Text for st.error/st.markdown with every markdown character escaped, so typed text never becomes a link."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def _clear_session_state() -> None:
    # Everything the previous user typed or chose goes with them; only the language stays.
    for key in list(st.session_state.keys()):
        if key not in _KEEP_ON_LOGOUT:
            del st.session_state[key]


def go_to_login() -> None:
    """Switch to the login page (kept, hidden, in a logged-in navigation); no-op when it is not known yet."""
    try:
        st.switch_page(LOGIN_PAGE)
    except StreamlitAPIException:
        pass  # first run of a session: the navigation built next falls back to the login page anyway


def _legacy_mode() -> bool:
    # Streamlit runs a pages/ file directly, without the router, until some session of this server process has
    # called st.navigation (its legacy pages/ mode); this is the case for the very first request of a fresh server.
    from streamlit.runtime.pages_manager import PagesManager

    return bool(PagesManager.uses_pages_directory)


def _to_router() -> None:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is not None:
        try:
            st.switch_page(Path(ctx.main_script_path).name)  # only known as a page in legacy mode
        except StreamlitAPIException:
            pass
    st.stop()


def guard_page(stem: str) -> Actor | None:
    """The actor, after making sure their role may open this page; call it first on every page.

    The router (dashboard.py) only offers allowed pages, but a fresh server's first request can run a page
    without the router (legacy pages/ mode): such a visit is sent to the router, which shows the login page.
    """
    from ui.registry import hidden_pages_for_role, pages_for_role

    actor = current_actor()
    role = actor.role if actor else None
    if stem in {p.stem for p in pages_for_role(role) + hidden_pages_for_role(role)}:
        return actor
    _to_router()
    return None


def go_home(actor: Actor) -> None:
    """After login: the role's first page (through the router when it has not run yet in this process)."""
    from ui.registry import home_page

    if _legacy_mode():
        _to_router()
    st.switch_page(f"pages/{home_page(actor.role).stem}.py")


def _idle_seconds() -> float:
    return get_settings().session_idle_minutes * 60


def current_actor() -> Actor | None:
    """The logged-in user as they are in the database now, or None (also after idle expiry or deactivation)."""
    user_id = st.session_state.get(USER_KEY)
    if user_id is None:
        return None
    now = time.time()
    with read_session(get_engine()) as session:
        actor = get_actor(session=session, user_id=user_id)
    if actor is None:
        _clear_session_state()
        st.session_state[NOTICE_KEY] = t("Tài khoản không còn hoạt động. Hãy liên hệ quản trị viên.",
                                         "This account is no longer active. Contact an administrator.")
        go_to_login()
        return None
    if now - st.session_state.get(SEEN_KEY, now) > _idle_seconds():
        with write_session(get_engine()) as session:
            record_logout(session=session, actor=actor, reason="hết thời gian chờ (không thao tác)")
        _clear_session_state()
        st.session_state[NOTICE_KEY] = t(
            "Phiên làm việc đã hết hạn do lâu không thao tác. Vui lòng đăng nhập lại.",
            "Your session expired after a period of inactivity. Please log in again.")
        go_to_login()
        return None
    st.session_state[SEEN_KEY] = now
    return actor


def _start(result: LoginResult) -> LoginResult:
    if result.ok:
        _clear_session_state()
        st.session_state.pop(NOTICE_KEY, None)
        st.session_state[USER_KEY] = result.actor.user_id
        st.session_state[SEEN_KEY] = time.time()
    return result


def login(username: str, password: str) -> LoginResult:
    """Check the credentials and, when right, start the session."""
    with write_session(get_engine()) as session:
        result = authenticate(session=session, username=username, password=password)
    return _start(result)


def login_as_demo(username: str) -> LoginResult:
    """Log in as a demo account of a demo database."""
    with write_session(get_engine()) as session:
        result = login_demo(session=session, username=username)
    return _start(result)


def logout() -> None:
    """End the session (logged in the audit) and forget the user's state."""
    user_id = st.session_state.get(USER_KEY)
    if user_id is not None:
        with write_session(get_engine()) as session:
            actor = get_actor(session=session, user_id=user_id)
            if actor is not None:
                record_logout(session=session, actor=actor)
    _clear_session_state()
    st.session_state.pop(NOTICE_KEY, None)


def pop_notice() -> str | None:
    """A message to show once on the login page (e.g. why the session ended)."""
    return st.session_state.pop(NOTICE_KEY, None)


def role_name(role: str) -> str:
    """The role's display name in the current language."""
    names = ROLE_NAMES.get(role)
    if not names:
        return role
    return names[0] if current_language() == "vi" else names[1]


def render_account_box(actor: Actor | None) -> None:
    """Who is logged in, their role and a logout button, in the sidebar."""
    if actor is None:
        return
    with st.sidebar:
        st.divider()
        # names are typed by people: shown as plain text, never as markdown
        st.text(f"{actor.full_name or actor.username} ({actor.username})")
        st.text(role_name(actor.role))
        if st.button(t("Đăng xuất", "Log out"), key="auth_logout", icon=":material/logout:", width="stretch"):
            logout()
            go_to_login()
