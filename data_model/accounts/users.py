"""Local accounts: users, roles and units, password changes, demo accounts, and the acting user re-read for writes."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import pandas as pd
from sqlalchemy import delete, func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, object_session

from data_model.accounts.passwords import MAX_PASSWORD, MIN_PASSWORD, hash_password, password_problem, verify_password
from data_model.accounts.sessions import end_login_sessions, require_live_session
from data_model.audit.changelog import log_change
from data_model.basics.permissions import (
    ROLE_NAMES,
    ROLES,
    SYSTEM,
    Actor,
    PermissionDenied,
    require_admin,
    require_login,
)
from data_model.schema.db import read_session, write_session
from data_model.schema.meta import is_demo_database
from data_model.schema.models import LoginThrottle, ReportingUnit, User, UserUnit, utcnow
from data_model.texts.catalogue import Text
from data_model.texts.errors import UserError
from data_model.texts.input import clean_text, is_clean, safe_text

MAX_FULL_NAME = 200
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")

# Demo-only accounts: written into the demo database and the README, never created anywhere else.
DEMO_ACCOUNTS: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("demo_admin", "admin", "Quản trị viên (demo)", "demo-admin", ()),
    ("demo_lanhdao", "official", "Lãnh đạo Sở (demo)", "demo-lanhdao", ()),
    ("demo_kehoach", "planner", "Cán bộ kế hoạch (demo)", "demo-kehoach", ()),
    ("demo_nhaplieu", "staff", "Cán bộ nhập liệu Đồn Dào San (demo)", "demo-nhaplieu", ("st_dao_san",)),
)


class AccountError(UserError, ValueError):
    """Bad account input; the message is Vietnamese and names the field."""


@dataclass(frozen=True)
class DemoLogin:
    """A one-click demo login offered on a demo database's login page (no password here)."""

    username: str
    role: str
    full_name: str


def normalise_username(text: str) -> str:
    """The stored form of a user name: trimmed, lower case."""
    return (text or "").strip().lower()


def check_username(username: str) -> str:
    """The normalised user name, or AccountError."""
    name = normalise_username(username)
    if not is_clean(name) or not _USERNAME.match(name):
        raise AccountError("Tên đăng nhập: 3–64 ký tự a–z, 0–9, dấu chấm, gạch ngang hoặc gạch dưới, "
                           "bắt đầu bằng chữ hoặc số")
    return name


def check_password(password: str, *, username: str = "", full_name: str = "", field: str = "Mật khẩu mới") -> None:
    """AccountError unless the password is long enough, has only valid characters and is not common or too simple."""
    problem = password_problem(password, user_words=(username, full_name, *full_name.split()))
    if problem:
        raise AccountError("{field}: {problem}", field=Text(field), problem=problem)


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError("Vai trò: phải là một trong {roles}", roles=', '.join(ROLES))
    return role


def _unit_ids(*, session: Session, role: str, unit_keys: Sequence[str]) -> list[int]:
    keys = [clean_text(k, field="Đơn vị", limit=64, error=AccountError) for k in unit_keys if k]
    keys = [k for k in keys if k]
    found = dict(session.execute(select(ReportingUnit.key, ReportingUnit.id).where(ReportingUnit.key.in_(keys))).all())
    missing = [k for k in keys if k not in found]
    if missing:
        raise AccountError("Đơn vị: không có đơn vị mã {missing}", missing=', '.join(missing))
    if role == "staff" and not keys:
        raise AccountError("Đơn vị: cán bộ nhập liệu phải gắn với ít nhất một đơn vị")
    return [found[k] for k in dict.fromkeys(keys)]


def to_actor(user: User) -> Actor:
    """The Actor for a user row (no hash, no counters); a unit's staff also write for the units under it."""
    own = {u.reporting_unit_id for u in user.units}
    session = object_session(user)
    # a station runs its loudspeaker clusters, so its staff record their broadcasts too
    children = set(session.scalars(select(ReportingUnit.id).where(ReportingUnit.parent_id.in_(own)))) \
        if own and session is not None else set()
    return Actor(user_id=user.id, username=user.username, role=user.role,
                 unit_ids=frozenset(own | children), full_name=user.full_name)


def _user_by_name(session: Session, username: str) -> User | None:
    name = normalise_username(username)
    if not is_clean(name) or len(name) > 64:  # no such user can exist; never send such text to the database
        return None
    return session.scalar(select(User).where(User.username == name))


def _require_user(session: Session, username: str) -> User:
    user = _user_by_name(session, username)
    if user is None:
        raise AccountError("Không có người dùng {safe_text!r}",
                           safe_text=safe_text(normalise_username(username), limit=64))
    return user


def _public(user: User, unit_keys: Sequence[str]) -> dict:
    return {"username": user.username, "full_name": user.full_name, "role": user.role,
            "units": ",".join(sorted(unit_keys)), "active": user.active}


def _unit_keys_of(session: Session, user: User) -> list[str]:
    ids = [u.reporting_unit_id for u in user.units]
    return sorted(session.scalars(select(ReportingUnit.key).where(ReportingUnit.id.in_(ids))).all()) if ids else []


def create_user(
    *, session: Session, actor: Actor, username: str, password: str, role: str,
    unit_keys: Sequence[str] = (), full_name: str = "", is_demo: bool = False,
) -> int:
    """Add an account (admin only); returns its id. Demo accounts keep their published passwords (no strength rule)."""
    actor = refresh_actor(session=session, actor=actor)
    require_admin(actor)
    name = check_username(username)
    _check_role(role)
    full_name = clean_text(full_name, field="Họ tên", limit=MAX_FULL_NAME, error=AccountError)
    if not is_demo:
        check_password(password, username=name, full_name=full_name, field="Mật khẩu")
    elif len(password or "") < MIN_PASSWORD:
        raise AccountError("Mật khẩu: cần ít nhất {min_password} ký tự", min_password=MIN_PASSWORD)
    if _user_by_name(session, name) is not None:
        raise AccountError("Tên đăng nhập {name!r} đã có", name=name)
    ids = _unit_ids(session=session, role=role, unit_keys=unit_keys)
    user = User(username=name, full_name=full_name, password_hash=hash_password(password), role=role, active=True,
                is_demo=is_demo, failed_attempts=0, units=[UserUnit(reporting_unit_id=i) for i in ids])
    session.add(user)
    session.flush()
    log_change(session=session, actor=actor, action="create", entity="user", entity_id=user.id,
               new=_public(user, unit_keys))
    return user.id


def _active_admins(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User).where(User.role == "admin", User.active.is_(True)))


def update_user(
    *, session: Session, actor: Actor, username: str, full_name: str | None = None, role: str | None = None,
    unit_keys: Sequence[str] | None = None, active: bool | None = None,
) -> None:
    """Change an account's name, role, units or active flag (admin only); the last active admin stays.

    Deactivating an account ends its login sessions."""
    actor = refresh_actor(session=session, actor=actor)
    require_admin(actor)
    user = _require_user(session, username)
    old = _public(user, _unit_keys_of(session, user))
    new_role = _check_role(role) if role is not None else user.role
    new_active = user.active if active is None else bool(active)
    if user.role == "admin" and user.active and (new_role != "admin" or not new_active) and _active_admins(session) <= 1:
        raise AccountError("Vai trò: phải còn ít nhất một quản trị viên đang hoạt động")
    if actor.user_id == user.id and not new_active:
        raise AccountError("Trạng thái: không thể tự khóa tài khoản của mình")
    keys = list(unit_keys) if unit_keys is not None else _unit_keys_of(session, user)
    ids = _unit_ids(session=session, role=new_role, unit_keys=keys)
    if full_name is not None:
        user.full_name = clean_text(full_name, field="Họ tên", limit=MAX_FULL_NAME, error=AccountError)
    if user.active and not new_active:
        end_login_sessions(session=session, user_id=user.id, reason="account_disabled", now=utcnow())
    user.role, user.active = new_role, new_active
    keep = set(ids)
    user.units = [u for u in user.units if u.reporting_unit_id in keep]
    have = {u.reporting_unit_id for u in user.units}
    user.units.extend(UserUnit(reporting_unit_id=i) for i in ids if i not in have)
    session.flush()
    log_change(session=session, actor=actor, action="update", entity="user", entity_id=user.id,
               old=old, new=_public(user, keys))


def record_logout(*, session: Session, actor: Actor, reason: str = "", idle: bool = False) -> None:
    """End the actor's login session and log it (a logout, or an idle expiry with its reason)."""
    if actor.user_id is not None and actor.login_session_id is not None:
        end_login_sessions(session=session, user_id=actor.user_id, reason="idle" if idle else "logout", now=utcnow(),
                           only_id=actor.login_session_id)
    log_change(session=session, actor=actor, action="logout", entity="user", entity_id=actor.user_id or "",
               reason=reason)


def get_actor(*, session: Session, user_id: int) -> Actor | None:
    """The current Actor of an active account (role and units as they are now), or None."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        return None
    return to_actor(user)


def refresh_actor(*, session: Session, actor: Actor, now: dt.datetime | None = None, touch: bool = True) -> Actor:
    """The actor as the database has them now (active, role, units); PermissionDenied when they may no longer act.

    Every write calls this inside its own transaction, so a page drawn before a deactivation, a role change, a logout
    or an idle expiry cannot write. An actor from a login also needs its login session open and not idle; touch
    marks that session used (pass False in a read-only transaction).
    """
    require_login(actor)
    if actor.user_id is None:  # the system actor of the command line and of the demo loader
        return actor
    fresh = get_actor(session=session, user_id=actor.user_id)
    if fresh is None:
        raise PermissionDenied("Tài khoản không còn hoạt động; chưa lưu gì. Hãy liên hệ quản trị viên.")
    if actor.login_session_id is not None:
        require_live_session(session=session, session_id=actor.login_session_id, user_id=actor.user_id,
                             now=now or utcnow(), touch=touch)
    return replace(fresh, login_session_id=actor.login_session_id)


def change_own_password(*, engine: Engine, actor: Actor, old_password: str, new_password: str) -> None:
    """The logged-in user replaces their password after typing the current one; their other sessions end.

    The hashes are checked and made outside the write transaction (argon2 takes a while); the write then makes sure
    nothing changed meanwhile."""
    require_login(actor)
    with read_session(engine) as session:
        actor = refresh_actor(session=session, actor=actor, touch=False)
        user = session.get(User, actor.user_id)
        stored, username, full_name = user.password_hash, user.username, user.full_name
    if len(old_password or "") > MAX_PASSWORD or not verify_password(stored, old_password or ""):
        raise AccountError("Mật khẩu hiện tại: không đúng")
    check_password(new_password, username=username, full_name=full_name)
    if new_password == old_password:
        raise AccountError("Mật khẩu mới: phải khác mật khẩu hiện tại")
    new_hash = hash_password(new_password)
    with write_session(engine) as session:
        actor = refresh_actor(session=session, actor=actor)
        user = session.get(User, actor.user_id)
        if user.password_hash != stored:
            raise AccountError("Mật khẩu hiện tại: vừa được đổi ở nơi khác; hãy đăng nhập lại")
        user.password_hash = new_hash
        ended = end_login_sessions(session=session, user_id=user.id, reason="password_change", now=utcnow(),
                                   keep_id=actor.login_session_id)
        log_change(session=session, actor=actor, action="password_change", entity="user", entity_id=user.id,
                   reason=f"kết thúc {ended} phiên đăng nhập khác" if ended else "")


def reset_password(*, session: Session, actor: Actor, username: str, new_password: str) -> None:
    """An admin sets a new password for an account, ends its sessions and lifts its login delays."""
    actor = refresh_actor(session=session, actor=actor)
    require_admin(actor)
    user = _require_user(session, username)
    check_password(new_password, username=user.username, full_name=user.full_name)
    user.password_hash = hash_password(new_password)
    user.failed_attempts = 0
    session.execute(delete(LoginThrottle).where(or_(
        (LoginThrottle.scope == "user") & (LoginThrottle.subject == user.username),
        (LoginThrottle.scope == "user_address") & LoginThrottle.subject.startswith(f"{user.username}|",
                                                                                   autoescape=True))))
    keep = actor.login_session_id if actor.user_id == user.id else None
    end_login_sessions(session=session, user_id=user.id, reason="password_reset", now=utcnow(), keep_id=keep)
    log_change(session=session, actor=actor, action="password_reset", entity="user", entity_id=user.id)


def list_users(*, session: Session, lang: str = "vi") -> pd.DataFrame:
    """Accounts with role, units and login state (never the hash)."""
    units = {i: (key, short) for i, key, short in session.execute(
        select(ReportingUnit.id, ReportingUnit.key, ReportingUnit.short_name))}
    rows = []
    for user in session.scalars(select(User).order_by(User.username)):
        rows.append({
            "id": user.id, "username": user.username, "full_name": user.full_name, "role": user.role,
            "role_name": ROLE_NAMES[user.role][0 if lang == "vi" else 1] if user.role in ROLE_NAMES else user.role,
            "units": ", ".join(sorted(units[u.reporting_unit_id][1] for u in user.units)),
            "unit_keys": sorted(units[u.reporting_unit_id][0] for u in user.units), "active": user.active, "is_demo": user.is_demo,
            "failed_attempts": user.failed_attempts,
            "last_login_at": user.last_login_at, "created_at": user.created_at,
        })
    columns = ["id", "username", "full_name", "role", "role_name", "units", "unit_keys", "active", "is_demo",
               "failed_attempts", "last_login_at", "created_at"]
    return pd.DataFrame(rows, columns=columns)


def get_account(*, session: Session, user_id: int) -> dict:
    """One account's public facts for its owner: names, role, unit names, last login (never the hash)."""
    user = session.get(User, user_id)
    if user is None:
        raise AccountError("Không có tài khoản này")
    ids = [u.reporting_unit_id for u in user.units]
    names = sorted(session.scalars(select(ReportingUnit.name).where(ReportingUnit.id.in_(ids)))) if ids else []
    return {"username": user.username, "full_name": user.full_name, "role": user.role, "units": names,
            "last_login_at": user.last_login_at, "is_demo": user.is_demo}


def count_users(*, session: Session) -> int:
    """How many accounts exist."""
    return session.scalar(select(func.count()).select_from(User))


def create_demo_accounts(*, session: Session) -> dict[str, int]:
    """One demo account per role (demo database only); returns how many were added."""
    added = 0
    existing_units = set(session.scalars(select(ReportingUnit.key)).all())
    for username, role, full_name, password, unit_keys in DEMO_ACCOUNTS:
        if _user_by_name(session, username) is not None:
            continue
        keys = [k for k in unit_keys if k in existing_units]
        if role == "staff" and not keys:
            continue  # the demo station is missing from this reference data
        create_user(session=session, actor=SYSTEM, username=username, password=password, role=role,
                    unit_keys=keys, full_name=full_name, is_demo=True)
        added += 1
    return {"demo_accounts": added}


def list_demo_logins(*, session: Session) -> list[DemoLogin]:
    """The demo accounts offered for one-click login; empty unless this is a demo database."""
    if not is_demo_database(session=session):
        return []
    names = [a[0] for a in DEMO_ACCOUNTS]
    users = {u.username: u for u in session.scalars(
        select(User).where(User.username.in_(names), User.is_demo.is_(True), User.active.is_(True)))}
    return [DemoLogin(u.username, u.role, u.full_name) for name in names if (u := users.get(name))]
