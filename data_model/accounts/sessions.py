"""Login sessions kept on the server: a random token per browser session, last use for idle expiry, and their end."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from data_model.basics.permissions import PermissionDenied
from data_model.schema.models import LoginSession
from data_model.schema.settings import get_settings
from data_model.texts.catalogue import N_

TOUCH_EVERY = dt.timedelta(seconds=60)  # last use is written at most this often by page views
KEEP_DAYS = 90  # ended sessions are kept this long: they tell from which addresses a user logged in before
ENDED_MESSAGES = {
    "idle": N_("Phiên làm việc đã hết hạn do lâu không thao tác; chưa lưu gì. Hãy đăng nhập lại."),
    "ended": N_("Phiên làm việc đã kết thúc (đăng xuất, đổi mật khẩu hoặc tài khoản bị khóa); chưa lưu gì. "
                "Hãy đăng nhập lại."),
}


def token_digest(token: str) -> str:
    """The stored form of a session token."""
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def idle_limit() -> dt.timedelta:
    """How long a session may go unused before it ends."""
    return dt.timedelta(minutes=get_settings().session_idle_minutes)


def open_login_session(*, session: Session, user_id: int, address: str, now: dt.datetime) -> tuple[int, str]:
    """Start a session for a user who has just logged in; returns its id and the token the browser session keeps."""
    session.execute(delete(LoginSession).where(LoginSession.last_seen_at < now - dt.timedelta(days=KEEP_DAYS)))
    token = secrets.token_urlsafe(32)
    row = LoginSession(token_hash=token_digest(token), user_id=user_id, address=address, created_at=now,
                       last_seen_at=now, end_reason="")
    session.add(row)
    session.flush()
    return row.id, token


def find_login_session(*, session: Session, token: str) -> LoginSession | None:
    """The session a token belongs to (ended or not): the browser session's token or the login cookie's."""
    if not token:
        return None
    digest = token_digest(token)
    return session.scalar(select(LoginSession).where(
        or_(LoginSession.token_hash == digest, LoginSession.cookie_hash == digest)))


def session_state(row: LoginSession | None, now: dt.datetime) -> str:
    """"live", "idle" (unused too long) or "ended" (logged out, replaced, unknown)."""
    if row is None or row.ended_at is not None:
        return "ended"
    if now - row.last_seen_at > idle_limit():
        return "idle"
    return "live"


def require_live_session(*, session: Session, session_id: int, user_id: int, now: dt.datetime,
                         touch: bool = True) -> None:
    """PermissionDenied unless the session is the user's, not ended and not idle; touch marks it used (writes)."""
    row = session.get(LoginSession, session_id)
    state = session_state(row, now) if row is not None and row.user_id == user_id else "ended"
    if state != "live":
        raise PermissionDenied(ENDED_MESSAGES[state])
    if touch:
        row.last_seen_at = now


def end_login_sessions(*, session: Session, user_id: int, reason: str, now: dt.datetime,
                       keep_id: int | None = None, only_id: int | None = None) -> int:
    """End a user's open sessions (all, all but keep_id, or only only_id); returns how many ended."""
    stmt = update(LoginSession).where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None))
    if keep_id is not None:
        stmt = stmt.where(LoginSession.id != keep_id)
    if only_id is not None:
        stmt = stmt.where(LoginSession.id == only_id)
    return session.execute(stmt.values(ended_at=now, end_reason=reason[:32])).rowcount or 0


def logged_in_before(*, session: Session, user_id: int, address: str) -> bool:
    """Whether the user has logged in from this address in the last KEEP_DAYS days."""
    return session.scalar(select(LoginSession.id).where(
        LoginSession.user_id == user_id, LoginSession.address == address).limit(1)) is not None
