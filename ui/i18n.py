"""The UI language (UI_LANGUAGE first, then the sidebar's choice) and the pages' way into the text catalogue."""
from __future__ import annotations

from typing import Any

import streamlit as st

from data_model.schema.settings import get_settings
from data_model.texts.catalogue import render, translate, translate_plural

LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}
LANGUAGE_KEY = "ui_lang"


def default_language() -> str:
    """The language a new browser session starts in (the UI_LANGUAGE setting; Vietnamese when unknown)."""
    lang = get_settings().default_language
    return lang if lang in LANGUAGES else "vi"


def current_language() -> str:
    """The language chosen in the sidebar (UI_LANGUAGE until the user picks one)."""
    return st.session_state.get(LANGUAGE_KEY) or default_language()


def t(msgid: str, en: str | None = None, /, *, ctx: str | None = None, **params: Any) -> str:
    """The catalogue's text of msgid (the Vietnamese) in the current language, {placeholders} filled from params.

    The old two-text form t(vi, en) still works until scripts/codemod moves `en` into the catalogue."""
    if en is not None:
        return msgid if current_language() == "vi" else en
    return translate(msgid, lang=current_language(), ctx=ctx, **params)


def tn(msgid: str, n: int, /, *, plural: str | None = None, ctx: str | None = None, **params: Any) -> str:
    """The plural form for n of msgid in the current language ({n} and params filled)."""
    return translate_plural(msgid, n, lang=current_language(), plural=plural, ctx=ctx, **params)


def localize(message: Any) -> str:
    """A data_model message (UserError, Text, issue message or plain str) in the current language."""
    return render(message, current_language())
