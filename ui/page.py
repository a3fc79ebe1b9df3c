"""The opening every page shares: guard, language, title, the page's flash message; for results pages also the
sidebar filters and the empty state."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from data_model.analytics.filters import Filters
from data_model.basics.permissions import Actor, has_capability
from ui.auth import guard_page
from ui.filters import empty_state, sidebar_filters
from ui.i18n import current_language
from ui.published import show_published
from ui.registry import LOGIN_STEM, page_spec
from ui.widgets import keep_choices_across_languages
from ui.writes import PAGE_KEY, show_flash


@dataclass(frozen=True)
class OpenPage:
    """What a page knows once opened: who is looking and in which language."""

    actor: Actor | None
    lang: str


@dataclass(frozen=True)
class ResultsPage(OpenPage):
    """An opened results page: also the sidebar filters (the database holds records)."""

    filters: Filters


def open_page(stem: str, *, title: str | None, denied: str | None = None) -> OpenPage:
    """Open pages/<stem>.py: the actor (sent away when their role may not open it), the language, the title and the
    page's flash message. denied: said, and the page stopped, when the actor lacks the page's capability."""
    actor = guard_page(stem)
    st.session_state[PAGE_KEY] = stem
    keep_choices_across_languages()
    capability = page_spec(stem).capability
    if denied is not None and (capability is None or not has_capability(actor, capability)):
        st.error(denied)
        st.stop()
    if actor is None and stem != LOGIN_STEM:
        st.stop()
    if title:
        st.title(title)
    show_flash()
    return OpenPage(actor=actor, lang=current_language())


def open_results_page(stem: str, *, title: str, published: bool = True,
                      published_by_station: bool = False) -> ResultsPage:
    """Open a results page: as open_page, then the sidebar filters and the published figures of closed years; when
    the database holds no records yet, the empty state is shown and the page stops."""
    opened = open_page(stem, title=title)
    filters = sidebar_filters()
    if filters is None:
        empty_state()
        st.stop()
    if published:
        show_published(year_from=filters.year_from, year_to=filters.year_to, by_station=published_by_station, key=stem)
    return ResultsPage(actor=opened.actor, lang=opened.lang, filters=filters)
