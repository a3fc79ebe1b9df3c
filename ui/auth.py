"""Login state: st.session_state keeps only the token of a login session kept in the database (who, last use, end),
so idle expiry, logout, a password change and a deactivation take effect on every page and every write.

A reload, a new tab or another process resumes the login from an HttpOnly cookie naming the same login session
(ui.login_cookie); ending the session in the database ends it for every tab at its next page view.
"""
from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitAPIException

from data_model.accounts.login import LoginResult, authenticate, log_out, login_demo, resume_login
from data_model.basics.permissions import ROLE_NAMES, Actor
from data_model.texts.catalogue import N_
from data_model.texts.formatting import format_number
from ui.engine import get_engine
from ui.i18n import current_language, localize, t, tn
from ui.login_cookie import COOKIE_TRIED_KEY, forget_cookie_later, offer_cookie, read_login_cookie

TOKEN_KEY = "auth_token"  # the server-side login session's token; the session row says who and until when
NOTICE_KEY = "auth_notice"
LOGIN_INFO_KEY = "auth_login_info"
LOGIN_PAGE = "pages/dang_nhap.py"
DEEP_LINK_KEY = "auth_deep_link"
ROUTER_KEY = "auth_router_ran"  # this browser session has been through the router (dashboard.py)
_KEEP_ON_LOGOUT = ("ui_lang", NOTICE_KEY, COOKIE_TRIED_KEY)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=])")


def plain(text: object) -> str:
    """Text for st.error/st.markdown with every markdown character escaped, so typed text never becomes a link."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", localize(text))


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


def _allowed_stems(actor: Actor | None) -> set[str]:
    from ui.registry import hidden_pages_for_role, pages_for_role

    role = actor.role if actor else None
    return {p.stem for p in pages_for_role(role) + hidden_pages_for_role(role)}


def guard_page(stem: str) -> Actor | None:
    """The actor, after making sure their role may open this page; call it first on every page.

    The router (dashboard.py) only offers allowed pages, but a fresh server's first request can run a page
    without the router (legacy pages/ mode): such a visit goes through the router, which then opens the page when
    the role may see it (a login resumed from the cookie on a process that has just started) or the login page.
    """
    actor = current_actor()
    if _legacy_mode() and not st.session_state.get(ROUTER_KEY):
        st.session_state[DEEP_LINK_KEY] = stem
        _to_router()
    if stem in _allowed_stems(actor):
        return actor
    _to_router()
    return None


def open_deep_link(actor: Actor | None) -> None:
    """In the router, after st.navigation: open the page a fresh server's first request asked for, when allowed."""
    st.session_state[ROUTER_KEY] = True
    stem = st.session_state.pop(DEEP_LINK_KEY, None)
    if stem and stem != Path(LOGIN_PAGE).stem and stem in _allowed_stems(actor):
        st.switch_page(f"pages/{stem}.py")


def go_home(actor: Actor) -> None:
    """After login: the role's first page (through the router when it has not run yet in this process)."""
    from ui.registry import home_page

    if _legacy_mode():
        _to_router()
    st.switch_page(f"pages/{home_page(actor.role).stem}.py")


_NOTICES = {
    "idle": N_("Phiên làm việc đã hết hạn do lâu không thao tác. Vui lòng đăng nhập lại."),
    "inactive": N_("Tài khoản không còn hoạt động. Hãy liên hệ quản trị viên."),
    "ended": N_("Phiên làm việc đã kết thúc (đăng xuất ở nơi khác, đổi mật khẩu hoặc tài khoản bị khóa). "
                "Vui lòng đăng nhập lại."),
}
_NOT_SAVED = N_("Chưa lưu thao tác vừa rồi. {notice}")


def _resume_from_cookie() -> Actor | None:
    # once per browser session: the cookie Streamlit saw when this tab connected does not change afterwards
    if st.session_state.get(COOKIE_TRIED_KEY):
        return None
    st.session_state[COOKIE_TRIED_KEY] = True
    token = read_login_cookie()
    if not token:
        return None
    resumed = resume_login(engine=get_engine(), token=token)
    if resumed.actor is None:
        forget_cookie_later()
        if resumed.reason in ("idle", "inactive"):
            st.session_state[NOTICE_KEY] = t(_NOTICES[resumed.reason])
        return None
    st.session_state[TOKEN_KEY] = token
    return resumed.actor


def _resume(*, writing: bool) -> Actor | None:
    token = st.session_state.get(TOKEN_KEY)
    if token is None:
        return None if writing else _resume_from_cookie()
    resumed = resume_login(engine=get_engine(), token=token)
    if resumed.actor is not None:
        return resumed.actor
    _clear_session_state()
    forget_cookie_later()
    notice = t(_NOTICES[resumed.reason])
    st.session_state[NOTICE_KEY] = t(_NOT_SAVED, notice=notice) if writing else notice
    return None


_this_run = threading.local()


@contextmanager
def checked_for_this_run(actor: Actor | None) -> Iterator[None]:
    """Within the block (the router running the page), current_actor() is the actor the router has just checked
    for the same token, instead of asking the database a second time in the same run."""
    _this_run.checked = (st.session_state.get(TOKEN_KEY), actor)
    try:
        yield
    finally:
        _this_run.checked = None


def current_actor() -> Actor | None:
    """The logged-in user as they are in the database now, or None (also after idle expiry, logout or deactivation)."""
    checked = getattr(_this_run, "checked", None)
    if checked is not None and checked[1] is not None and checked[0] == st.session_state.get(TOKEN_KEY):
        return checked[1]
    had_login = TOKEN_KEY in st.session_state
    actor = _resume(writing=False)
    if actor is None and had_login:
        go_to_login()
    return actor


def write_actor() -> Actor | None:
    """For a button or form callback about to write: the actor now, or None (logged out, with a notice saying
    nothing was saved). Callbacks never use an actor captured when the page was drawn."""
    return _resume(writing=True)


def client_address() -> str | None:
    """The browser's address as Streamlit sees it (None for loopback)."""
    try:
        address = st.context.ip_address
    except (AttributeError, RuntimeError):
        return None
    return address if isinstance(address, str) else None  # a test harness's stand-in is no address


def _start(result: LoginResult) -> LoginResult:
    if result.ok:
        _clear_session_state()
        st.session_state.pop(NOTICE_KEY, None)
        st.session_state[TOKEN_KEY] = result.token
        st.session_state[LOGIN_INFO_KEY] = (result.last_login_at, result.failures_since_last_login)
        offer_cookie(engine=get_engine(), token=result.token)
    return result


def login(username: str, password: str) -> LoginResult:
    """Check the credentials and, when right, start the session."""
    return _start(authenticate(engine=get_engine(), username=username, password=password, address=client_address()))


def login_as_demo(username: str) -> LoginResult:
    """Log in as a demo account of a demo database."""
    return _start(login_demo(engine=get_engine(), username=username, address=client_address()))


def logout() -> None:
    """End the session (logged in the audit) and forget the user's state."""
    token = st.session_state.get(TOKEN_KEY)
    if token is not None:
        log_out(engine=get_engine(), token=token)
    _clear_session_state()
    st.session_state.pop(NOTICE_KEY, None)
    forget_cookie_later()


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
        _login_info()
        if st.button(t("Đăng xuất"), key="auth_logout", icon=":material/logout:", width="stretch"):
            logout()
            go_to_login()


def login_info_text(last_login_at, failures: int) -> str:
    """"Lần đăng nhập trước …; N lần đăng nhập sai kể từ đó" for the user who has just logged in."""
    from data_model.schema.clock import convert_to_local

    if last_login_at is None:
        said = t("Đây là lần đăng nhập đầu tiên của tài khoản này.")
    else:
        local = convert_to_local(utc=last_login_at)
        said = t("Lần đăng nhập trước: {local:%d/%m/%Y %H:%M}.", local=local)
    if failures:
        said += " " + tn("Từ đó có {count} lần đăng nhập sai vào tài khoản của bạn; nếu không phải bạn, hãy đổi "
                         "mật khẩu và báo quản trị viên.", failures, count=format_number(failures, current_language()))
    return said


def _login_info() -> None:
    info = st.session_state.get(LOGIN_INFO_KEY)
    if info is None:
        return
    text = login_info_text(*info)
    (st.warning if info[1] else st.caption)(plain(text))
    if st.button(t("Đã xem"), key="auth_login_info_ok", type="tertiary"):
        st.session_state.pop(LOGIN_INFO_KEY, None)
        st.rerun()
