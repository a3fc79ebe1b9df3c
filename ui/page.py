"""The opening every page shares: guard, language, title, the page's flash message; for results pages also the
sidebar filters and the empty state."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from data_model.analytics.filters import Filters
from data_model.basics.permissions import Actor, has_capability
from ui.auth import guard_page, plain, role_name
from ui.filters import empty_state, sidebar_filters
from ui.i18n import current_language, t
from ui.published import show_published
from ui.registry import LOGIN_STEM, hidden_pages_for_role, page_spec, pages_for_role
from ui.widgets import keep_choices_across_languages
from ui.writes import PAGE_KEY, show_flash, take_flash


@dataclass(frozen=True)
class OpenPage:
    """What a page knows once opened: who is looking and in which language."""

    actor: Actor | None
    lang: str


@dataclass(frozen=True)
class ResultsPage(OpenPage):
    """An opened results page: also the sidebar filters (the database holds records)."""

    filters: Filters


def explain_lost_page(*, actor: Actor | None) -> None:
    """When the page drawn last is no longer the actor's (their role changed meanwhile, e.g. mid-edit), say so
    and that what they just did there was not saved; called by the router, which then shows the role's home."""
    last = st.session_state.get(PAGE_KEY)
    if actor is None or not last or last in {p.stem for p in pages_for_role(actor.role) + hidden_pages_for_role(actor.role)}:
        return
    st.session_state.pop(PAGE_KEY, None)
    pending = take_flash(last)
    if pending is not None and pending[0] == "success":  # the write went through before the change
        st.success(plain(pending[1]))
        return
    st.warning(t("Vai trò của bạn đã đổi thành «{role}» nên trang «{page}» không còn dành cho bạn: thao tác vừa rồi "
                 "trên trang đó chưa được lưu.", role=role_name(actor.role), page=page_spec(last).title(current_language())),
               icon=":material/lock:")


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
