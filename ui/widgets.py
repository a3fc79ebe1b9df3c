"""Choice widgets over codes shown with translated labels: they forget values no longer offered and register their key,
so that a language switch shows the same choice with the new labels."""
from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

import streamlit as st

from ui.i18n import current_language

_TRANSLATED = "_translated_keys"  # session state: keys of the choice widgets drawn so far in this browser session
_SHOWN_LANG = "_filters_lang"     # the language the widgets were last drawn in
_MANY = {"multiselect", "pills"}


def keep_valid(key: str, allowed: Collection[Any], *, many: bool = False) -> None:
    """Drop a remembered value (or, for many, the remembered values) the current options no longer offer: a widget
    would refuse it."""
    if key not in st.session_state:
        return
    value = st.session_state[key]
    if many:
        kept = [v for v in (value or []) if v in allowed]
        if kept != list(value or []):
            st.session_state[key] = kept
    elif value not in allowed:
        del st.session_state[key]


def translated_keys() -> frozenset[str]:
    """The keys of every translated choice widget drawn so far in this session."""
    return frozenset(st.session_state.get(_TRANSLATED, ()))


def choice(widget: Callable[..., Any], label: str, options: Mapping[Any, str], *, key: str, **kwargs: Any) -> Any:
    """`widget` (st.selectbox, st.sidebar.multiselect, col.radio, …) over the codes of options, each shown with its
    label; a remembered value no longer offered is dropped first, and the key is registered as translated."""
    many = getattr(widget, "__name__", "") in _MANY
    keep_valid(key, options, many=many)
    st.session_state[_TRANSLATED] = translated_keys() | {key}
    return widget(label, list(options), format_func=lambda code: options.get(code, str(code)), key=key, **kwargs)


def keep_choices_across_languages() -> None:
    """After a language switch, set every translated widget's value again so it is shown with the new labels
    (Streamlit would otherwise find the old label gone and reset the widget); call before any widget is drawn."""
    lang = current_language()
    if st.session_state.get(_SHOWN_LANG, lang) != lang:
        for key in translated_keys():
            if key in st.session_state:
                # read before the widget exists in this run: still the option (code) chosen in the old language
                st.session_state[key] = st.session_state[key]
    st.session_state[_SHOWN_LANG] = lang
