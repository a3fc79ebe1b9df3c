"""Login state (placeholder until accounts land: everyone acts as a demo administrator)."""
from __future__ import annotations

import streamlit as st

from data_model.permissions import Actor

_DEMO_ADMIN = Actor(user_id=None, username="demo", role="admin")


def current_actor() -> Actor | None:
    """The logged-in user, or None."""
    return _DEMO_ADMIN


def render_account_box(actor: Actor | None) -> None:
    """Who is logged in, in the sidebar."""
    if actor:
        st.sidebar.caption(actor.username)
