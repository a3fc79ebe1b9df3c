"""Logging a user in for AppTest without the login form: a login session row and its token in session state."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from data_model.accounts.sessions import find_login_session, open_login_session
from data_model.schema.db import build_engine, write_session
from data_model.schema.models import LoginSession, utcnow


def start_login(db_url: str, user_id: int, *, seen_ago_s: float = 0, address: str = "") -> str:
    """A login session of the user, last used seen_ago_s seconds ago; returns its token."""
    engine = build_engine(url=db_url)
    with write_session(engine) as session:
        _, token = open_login_session(session=session, user_id=user_id, address=address,
                                      now=utcnow() - dt.timedelta(seconds=seen_ago_s))
    engine.dispose()
    return token


def sign_in(at: AppTest, db_url: str, user_id: int, *, seen_ago_s: float = 0) -> str:
    """Put a fresh login of the user into the AppTest's session state; returns the token."""
    token = start_login(db_url, user_id, seen_ago_s=seen_ago_s)
    at.session_state["auth_token"] = token
    return token


def age_logins(db_url: str, user_id: int, *, seconds: float) -> None:
    """Make the user's login sessions look unused for that long (as if the page was left open)."""
    engine = build_engine(url=db_url)
    with write_session(engine) as session:
        for row in session.scalars(select(LoginSession).where(LoginSession.user_id == user_id)):
            row.last_seen_at = utcnow() - dt.timedelta(seconds=seconds)
    engine.dispose()


def logged_in_user(at: AppTest, db_url: str) -> int | None:
    """Id of the user whose open login session the AppTest's browser session holds, or None."""
    token = at.session_state["auth_token"] if "auth_token" in at.session_state else None
    if token is None:
        return None
    engine = build_engine(url=db_url)
    with write_session(engine) as session:
        row = find_login_session(session=session, token=token)
        user_id = row.user_id if row is not None and row.ended_at is None else None
    engine.dispose()
    return user_id
