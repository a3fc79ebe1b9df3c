"""Logging in: throttled per client address and typed user name, argon2 checked outside any write transaction,
the same answer and cost for an unknown user, and the browser session's server-side login session."""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from sqlalchemy import delete, or_, select, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from data_model.accounts.clients import is_local_client
from data_model.accounts.passwords import MAX_PASSWORD, hash_password, needs_rehash, verify_password
from data_model.accounts.sessions import (
    TOUCH_EVERY,
    end_login_sessions,
    find_login_session,
    logged_in_before,
    open_login_session,
    session_state,
)
from data_model.accounts.users import DEMO_ACCOUNTS, list_demo_logins, normalise_username, record_logout, to_actor
from data_model.audit.changelog import log_change
from data_model.basics.permissions import Actor
from data_model.schema.db import read_session, write_session
from data_model.schema.models import LoginThrottle, User, utcnow
from data_model.texts.catalogue import N_, Text
from data_model.texts.input import is_clean, safe_text

WRONG = N_("Sai tên đăng nhập hoặc mật khẩu")
FIRST_DELAY_S = 30
MAX_DELAY_S = 15 * 60
FORGET_AFTER = dt.timedelta(days=1)  # a counter with no failure for this long starts again from zero
# failures allowed before each further try has to wait, per scope: one user name from one address; one address
# whatever the name; one user name from any address where that user never logged in (a spread-out attack)
FREE = {"user_address": 5, "address": 20, "user": 200}


@dataclass(frozen=True)
class LoginResult:
    """Outcome of a login attempt: the actor and session token on success, else a message and how long to wait."""

    actor: Actor | None
    message: str = ""
    retry_after_s: int = 0
    token: str = field(default="", repr=False)  # never printed or logged
    failures_since_last_login: int = 0
    last_login_at: dt.datetime | None = None

    @property
    def ok(self) -> bool:
        return self.actor is not None


@dataclass(frozen=True)
class _Account:
    id: int
    password_hash: str
    active: bool


def delay_s(failures: int, free: int) -> int:
    """Seconds to wait after this many failures: none for the first `free`, then 30 s doubling up to 15 min."""
    if failures < free:
        return 0
    return min(FIRST_DELAY_S * 2 ** min(failures - free, 30), MAX_DELAY_S)


def client_address(address: str | None) -> str:
    """The stored form of a client address ("" for loopback, where Streamlit gives None)."""
    return safe_text(address or "", limit=64).strip()


def _keys(name: str, address: str) -> list[tuple[str, str]]:
    return [("user_address", f"{name}|{address}"), ("address", address), ("user", name)]


def _throttles(session: Session, keys: Iterable[tuple[str, str]], *, lock: bool = False) -> dict:
    stmt = select(LoginThrottle).where(tuple_(LoginThrottle.scope, LoginThrottle.subject).in_(list(keys)))
    return {(r.scope, r.subject): r for r in session.scalars(stmt.with_for_update() if lock else stmt)}


def _wait_s(rows: dict, keys: list[tuple[str, str]], *, trusted: bool, now: dt.datetime) -> int:
    waits = [0]
    for key in keys:
        row = rows.get(key)
        if key[0] == "user" and trusted:  # the user's own machine stays usable during a spread-out attack
            continue
        if row is not None and row.locked_until is not None and row.locked_until > now:
            waits.append(math.ceil((row.locked_until - now).total_seconds()))
    return max(waits)


def _count_failure(session: Session, keys: list[tuple[str, str]], now: dt.datetime) -> dict:
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert
    session.execute(insert(LoginThrottle).values([
        {"scope": s, "subject": k, "failures": 0, "locked_until": None, "last_failure_at": now} for s, k in keys
    ]).on_conflict_do_nothing())
    rows = _throttles(session, keys, lock=True)
    for (scope, _), row in rows.items():
        failures = 0 if row.last_failure_at < now - FORGET_AFTER else row.failures
        row.failures = failures + 1
        wait = delay_s(row.failures, FREE[scope])
        row.locked_until = now + dt.timedelta(seconds=wait) if wait else None
        row.last_failure_at = now
    session.execute(delete(LoginThrottle).where(
        LoginThrottle.last_failure_at < now - FORGET_AFTER,
        or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until < now)))
    return rows


def authenticate(*, engine: Engine, username: str, password: str, address: str | None = None,
                 now: dt.datetime | None = None) -> LoginResult:
    """Check a login and record it (counters, change log, login session) in a short write transaction of its own.

    The password hash is verified before that transaction starts, so failed logins never hold the write lock while
    argon2 runs. Unknown names, wrong passwords and throttled tries get the same answer after the same work.
    """
    now = now or utcnow()
    address = client_address(address)
    typed = normalise_username(username)
    name = safe_text(typed, limit=64)  # what is counted and logged: a bad character is never sent to the database
    keys = _keys(name, address)
    known = bool(typed) and is_clean(typed) and len(typed) <= 64
    with read_session(engine) as session:
        user = session.scalar(select(User).where(User.username == typed)) if known else None
        account = _Account(user.id, user.password_hash, user.active) if user else None
        trusted = account is not None and logged_in_before(session=session, user_id=account.id, address=address)
        wait = _wait_s(_throttles(session, keys), keys, trusted=trusted, now=now)
    matched, new_hash = False, None
    if len(password or "") <= MAX_PASSWORD:  # no stored password is longer: do not spend a hash on it
        matched = verify_password(account.password_hash if account and not wait else None, password or "")
        if matched and needs_rehash(account.password_hash):
            new_hash = hash_password(password)
    with write_session(engine) as session:
        # a try that finished meanwhile may have set a lock: this one then counts as throttled, right or wrong
        wait = wait or _wait_s(_throttles(session, keys), keys, trusted=trusted, now=now)
        user = session.get(User, account.id) if account else None
        if user is not None and user.password_hash != account.password_hash:
            matched = False  # the password was changed while this try was being checked
        where = f"từ địa chỉ {address}" if address else "từ máy chủ"
        if wait:
            return _refused(session, user, name, f"đang phải chờ {wait} giây sau nhiều lần sai ({where})",
                            LoginResult(None, Text("Đã nhập sai nhiều lần. Vui lòng thử lại sau {wait} giây.", wait=wait), wait))
        if not matched:
            rows = _count_failure(session, keys, now)
            failures = rows[keys[0]].failures
            # the scope that makes the caller wait longest says how many failures it counted
            delay, counted = max((delay_s(rows[k].failures, FREE[k[0]]), rows[k].failures) for k in keys
                                 if not (k[0] == "user" and trusted))
            why = "không có tài khoản này" if user is None else f"sai mật khẩu (lần {failures})"
            message = Text("{wrong}. Đã sai {counted} lần: thử lại sau {delay} giây.", wrong=Text(WRONG), counted=counted,
                           delay=delay) if delay else Text(WRONG)
            return _refused(session, user, name, f"{why} ({where})", LoginResult(None, message, delay))
        if not user.active:
            log_change(session=session, actor=None, username=user.username, action="login_failed", entity="user",
                       entity_id=user.id, reason=f"tài khoản đã bị khóa ({where})")
            return LoginResult(None, Text("Tài khoản này đã bị khóa. Hãy liên hệ quản trị viên."))
        if new_hash:
            user.password_hash = new_hash
        session.execute(delete(LoginThrottle).where(
            tuple_(LoginThrottle.scope, LoginThrottle.subject).in_([keys[0], keys[1]])))
        previous, last_login = user.failed_attempts or 0, user.last_login_at
        user.failed_attempts, user.last_login_at = 0, now
        session_id, token = open_login_session(session=session, user_id=user.id, address=address, now=now)
        actor = replace(to_actor(user), login_session_id=session_id)
        log_change(session=session, actor=actor, action="login", entity="user", entity_id=user.id, reason=where)
        return LoginResult(actor, token=token, failures_since_last_login=previous, last_login_at=last_login)


def _refused(session: Session, user: User | None, name: str, reason: str, result: LoginResult) -> LoginResult:
    if user is not None:
        user.failed_attempts = (user.failed_attempts or 0) + 1
    log_change(session=session, actor=None, username=name, action="login_failed", entity="user",
               entity_id=user.id if user else "", reason=reason)
    return result


def login_demo(*, engine: Engine, username: str, address: str | None = None) -> LoginResult:
    """Log in as one of the demo accounts of a demo database, with its documented demo password."""
    if not is_local_client(address=address):  # published passwords: never for a browser on another machine
        return LoginResult(None, Text("Tài khoản demo chỉ dùng được trên chính máy chủ."))
    passwords = {a[0]: a[3] for a in DEMO_ACCOUNTS}
    with read_session(engine) as session:
        offered = {d.username for d in list_demo_logins(session=session)}
    if username not in offered:
        return LoginResult(None, Text("Tài khoản demo không có trong cơ sở dữ liệu này"))
    return authenticate(engine=engine, username=username, password=passwords[username], address=address)


@dataclass(frozen=True)
class Resumed:
    """A browser session's login now: the actor, or why there is none ("ended", "idle", "inactive", "")."""

    actor: Actor | None
    reason: str = ""


def resume_login(*, engine: Engine, token: str, now: dt.datetime | None = None) -> Resumed:
    """The actor of a login session token as the database has them now; an idle session is ended and logged."""
    now = now or utcnow()
    with read_session(engine) as session:
        row = find_login_session(session=session, token=token)
        state = session_state(row, now)
        user = session.get(User, row.user_id) if row is not None else None
        actor = replace(to_actor(user), login_session_id=row.id) if user is not None and user.active else None
        stale = row is not None and now - row.last_seen_at > TOUCH_EVERY
    if row is None:
        return Resumed(None, "ended")
    if actor is None:
        return Resumed(None, "inactive")
    if state == "ended":
        return Resumed(None, "ended")
    if state == "idle":
        with write_session(engine) as session:
            record_logout(session=session, actor=actor, reason="hết thời gian chờ (không thao tác)", idle=True)
        return Resumed(None, "idle")
    if stale:
        with write_session(engine) as session:
            session.get(type(row), row.id).last_seen_at = now
    return Resumed(actor)


def log_out(*, engine: Engine, token: str) -> None:
    """End a login session and log the logout."""
    with write_session(engine) as session:
        row = find_login_session(session=session, token=token)
        if row is None or row.ended_at is not None:
            return
        user = session.get(User, row.user_id)
        if user is None:
            end_login_sessions(session=session, user_id=row.user_id, reason="logout", now=utcnow(), only_id=row.id)
            return
        record_logout(session=session, actor=replace(to_actor(user), login_session_id=row.id))
