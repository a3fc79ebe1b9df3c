"""The sidebar's language box. The choice lives under a plain session key (a page switch, as after login, drops
widget state) and in a cookie, so it survives the login, a reload and a new tab."""
from __future__ import annotations

import json

import streamlit as st

from ui.i18n import LANGUAGE_KEY, LANGUAGES, default_language

COOKIE = "ui_lang"
BOX_KEY = "ui_lang_box"
_YEAR_S = 365 * 24 * 3600


def _cookie_language() -> str | None:
    try:
        value = st.context.cookies.get(COOKIE)
    except (AttributeError, RuntimeError):
        return None
    return value if value in LANGUAGES else None


def start_language() -> None:
    """A new browser session starts in the language of its cookie, else in UI_LANGUAGE."""
    if st.session_state.get(LANGUAGE_KEY) not in LANGUAGES:
        st.session_state[LANGUAGE_KEY] = _cookie_language() or default_language()


def _keep_choice() -> None:
    st.session_state[LANGUAGE_KEY] = st.session_state[BOX_KEY]


def render_language_box() -> None:
    """The language box, and the browser told to remember a choice its cookie does not hold yet."""
    lang = st.session_state[LANGUAGE_KEY]
    options = list(LANGUAGES)
    st.selectbox("Ngôn ngữ / Language", options=options, index=options.index(lang), format_func=LANGUAGES.get,
                 key=BOX_KEY, on_change=_keep_choice)
    if _cookie_language() != lang and (lang != default_language() or _cookie_language() is not None):
        # drawn on every run until a reload sends the cookie back: a run replaced early may not have reached the browser
        cookie = json.dumps(f"{COOKIE}={lang}; path=/; max-age={_YEAR_S}; samesite=strict")
        st.html(f"<script>document.cookie = {cookie};</script>", unsafe_allow_javascript=True)
