"""Phone-width layout: the sidebar closes once a page has been chosen, and the entry form stays one column."""
from __future__ import annotations

import streamlit as st

_LAST_PAGE_KEY = "phone_last_page"
_RUNS_KEY = "phone_page_changes"
# Streamlit closes its sidebar after a page link only for a phone user agent; a narrow window of any browser keeps it
# open over the page, so a chosen page closes it here, once, below Streamlit's own overlay breakpoint.
_CLOSE_SIDEBAR = """
<script data-change="{n}">
(() => {{
  if (!window.matchMedia("(max-width: 767.98px)").matches) return;
  const close = () => {{
    const sidebar = document.querySelector('[data-testid="stSidebar"][data-collapsed="false"]');
    const button = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
    if (sidebar && button) button.click();
    return Boolean(sidebar && button);
  }};
  // once: a second try after a first that closed it would close the sidebar the user has just opened again
  if (!close()) setTimeout(close, 300);
}})();
</script>
"""
_ONE_COLUMN = """
<style>
@media (max-width: 767.98px) {
  .stMainBlockContainer { padding-left: 0.75rem; padding-right: 0.75rem; overflow-x: hidden; }
  [data-testid="stHorizontalBlock"] { flex-direction: column; gap: 0.25rem; }
  [data-testid="stHorizontalBlock"] > [data-testid="stColumn"] { width: 100% !important; flex: 1 1 100% !important;
    min-width: 100% !important; }
}
</style>
"""


def fit_phone(*, page_stem: str) -> None:
    """On a narrow screen: close the sidebar when the page changed since the last run; columns stack."""
    st.sidebar.html(_ONE_COLUMN)
    if st.session_state.get(_LAST_PAGE_KEY) == page_stem:
        return
    changes = st.session_state.get(_RUNS_KEY, 0) + 1
    st.session_state[_LAST_PAGE_KEY], st.session_state[_RUNS_KEY] = page_stem, changes
    st.sidebar.html(_CLOSE_SIDEBAR.format(n=changes), unsafe_allow_javascript=True)
