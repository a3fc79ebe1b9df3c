"""The login cookie: a one-time, short-lived grant made by the logged-in script, swapped by the browser for an
HttpOnly cookie whose own token names the same login session (only hashes are stored)."""
from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select
from sqlalchemy.engine import Engine

from data_model.accounts.login import client_address
from data_model.accounts.sessions import find_login_session, session_state, token_digest
from data_model.schema.db import read_session, write_session
from data_model.schema.models import LoginSession, User, utcnow

COOKIE_NAME = "bo_login"
GRANT_SECONDS = 60  # the browser swaps the grant right after the page that carries it is drawn


def open_cookie_grant(*, engine: Engine, token: str, now: dt.datetime | None = None) -> str:
    """A new one-time grant for the live login session of token (replacing any earlier one); "" when none is live."""
    now = now or utcnow()
    with write_session(engine) as session:
        row = find_login_session(session=session, token=token)
        if row is None or session_state(row, now) != "live":
            return ""
        grant = secrets.token_urlsafe(32)
        row.grant_hash, row.grant_until = token_digest(grant), now + dt.timedelta(seconds=GRANT_SECONDS)
        return grant


def is_grant_pending(*, engine: Engine, grant: str, now: dt.datetime | None = None) -> bool:
    """Whether the grant can still be swapped for a cookie (not used, not expired)."""
    now = now or utcnow()
    with read_session(engine) as session:
        until = session.scalar(select(LoginSession.grant_until).where(LoginSession.grant_hash == token_digest(grant)))
    return until is not None and until > now


def request_address(host: str | None) -> str:
    """The stored form of an HTTP client's address, as a login records it ("" for loopback, as Streamlit gives)."""
    return client_address(None if host in {"127.0.0.1", "::1"} else host)


def names_live_session(*, engine: Engine, token: str, now: dt.datetime | None = None) -> bool:
    """Whether a cookie token names a login session that is open, not idle, of an active user."""
    now = now or utcnow()
    with read_session(engine) as session:
        row = find_login_session(session=session, token=token)
        user = session.get(User, row.user_id) if row is not None else None
        return user is not None and user.active and session_state(row, now) == "live"


def redeem_cookie_grant(*, engine: Engine, grant: str, address: str, now: dt.datetime | None = None) -> str:
    """Swap a grant for a new cookie token of its login session; "" when the grant is unknown, used, expired, from
    another address, or its session or user is no longer live. A grant is used up by any try."""
    now = now or utcnow()
    if not grant or len(grant) > 128:
        return ""
    with write_session(engine) as session:
        row = session.scalar(select(LoginSession).where(LoginSession.grant_hash == token_digest(grant))
                             .with_for_update())
        if row is None:
            return ""
        until, row.grant_hash, row.grant_until = row.grant_until, None, None
        user = session.get(User, row.user_id)
        if (until is None or until <= now or row.address != address or session_state(row, now) != "live"
                or user is None or not user.active):
            return ""
        token = secrets.token_urlsafe(32)
        row.cookie_hash = token_digest(token)
        return token
