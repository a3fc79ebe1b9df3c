"""The script's side of the login cookie: read it when a tab connects, and have the browser swap a fresh login's
one-time grant for the HttpOnly cookie, or forget a cookie whose login has ended (routes in ui.login_routes)."""
from __future__ import annotations

import json

import streamlit as st
from sqlalchemy import Engine

from data_model.accounts.login_cookie import COOKIE_NAME, is_grant_pending, open_cookie_grant
from ui.engine import get_engine
from ui.login_routes import FORGET_PATH, SWAP_PATH

GRANT_KEY = "auth_cookie_grant"
FORGET_KEY = "auth_cookie_forget"
COOKIE_TRIED_KEY = "auth_cookie_tried"
MAX_COOKIE = 128  # ours are 43 characters; anything much longer is not worth a hash


def read_login_cookie() -> str:
    """The login cookie's token as sent when this tab connected ("" when none, or outside a browser)."""
    try:
        value = st.context.cookies.get(COOKIE_NAME)
    except (AttributeError, RuntimeError):
        return ""
    return value if isinstance(value, str) and 0 < len(value) <= MAX_COOKIE else ""


def offer_cookie(*, engine: Engine, token: str) -> None:
    """After a login: a one-time grant the next page view hands to the browser to swap for the cookie."""
    grant = open_cookie_grant(engine=engine, token=token)
    if grant:
        st.session_state[GRANT_KEY] = grant


def forget_cookie_later() -> None:
    """After the login ended: the next page view asks the browser to drop a cookie naming no live session."""
    st.session_state[FORGET_KEY] = True


def _post_from_browser(path: str, payload: dict) -> None:
    # a same-origin fetch: the answer's Set-Cookie is stored without a navigation; the grant travels in the body only
    body = json.dumps(json.dumps(payload)).replace("</", "<\\/")
    st.html(f'<script>fetch("{path}", {{method: "POST", credentials: "same-origin", cache: "no-store", '
            f'headers: {{"Content-Type": "application/json"}}, body: {body}}});</script>',
            unsafe_allow_javascript=True)


def render_cookie_exchange() -> None:
    """Draw the browser's part of a pending cookie swap or forget; call it on every run, in the sidebar."""
    grant = st.session_state.get(GRANT_KEY)
    if grant:
        # drawn again on each run until swapped: the run that first drew it may be replaced before the browser ran it
        if is_grant_pending(engine=get_engine(), grant=grant):
            _post_from_browser(SWAP_PATH, {"grant": grant})
        else:
            del st.session_state[GRANT_KEY]
    if st.session_state.pop(FORGET_KEY, False):
        _post_from_browser(FORGET_PATH, {})
