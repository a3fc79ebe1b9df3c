"""The UI language (Vietnamese first, English available) and a tiny translation helper."""
from __future__ import annotations

import streamlit as st

LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}


def current_language() -> str:
    """The language chosen in the sidebar ("vi" by default)."""
    return st.session_state.get("ui_lang", "vi")


def t(vi: str, en: str) -> str:
    """The text in the current language."""
    return vi if current_language() == "vi" else en
