"""Accounts: argon2id hashes, login with a growing delay, password changes, roles, units, demo accounts, CLI."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import func, select

from data_model.accounts import login
from data_model.accounts import users as accounts
from data_model.accounts.login import authenticate, login_demo
from data_model.accounts.users import (
    AccountError,
    change_own_password,
    check_password,
    check_username,
    create_demo_accounts,
    create_user,
    get_actor,
    list_demo_logins,
    list_users,
    reset_password,
    update_user,
)
from data_model.basics.permissions import SYSTEM, Actor, PermissionDenied
from data_model.cli.main import main as cli_main
from data_model.schema.models import AppMeta, ChangeLog, ReportingUnit, User

T0 = dt.datetime(2026, 3, 2, 8, 0, 0)


def _unit_id(session, key: str) -> int:
    return session.scalar(select(ReportingUnit.id).where(ReportingUnit.key == key))


def _add(session, name="nva", password="mat-khau-1", role="staff", units=("st_dao_san",), actor=SYSTEM) -> int:
    uid = create_user(session=session, actor=actor, username=name, password=password, role=role,
                      unit_keys=units, full_name=f"Cán bộ {name}")
    session.commit()
    return uid


def _log(session, action: str) -> list[ChangeLog]:
    return list(session.scalars(select(ChangeLog).where(ChangeLog.action == action).order_by(ChangeLog.id)))


@pytest.mark.parametrize("text, expected", [
    ("nva", "nva"), ("  NguyenVanA ", "nguyenvana"), ("can.bo-01_x", "can.bo-01_x"),
])
def test_username_normalised(text, expected):
    assert check_username(text) == expected


@pytest.mark.parametrize("text", ["", "ab", "nguyễn", "a b", "x' or '1'='1", "-abc", "a" * 65, "admin;drop"])
def test_bad_username_refused(text):
    with pytest.raises(AccountError, match="Tên đăng nhập"):
        check_username(text)


@pytest.mark.parametrize("password, username, ok", [
    ("mat-khau-1", "", True), ("1234567", "", False), ("", "", False), ("x" * 257, "", False),
    ("NguyenVanA", "nguyenvana", False), ("mật khẩu dài", "nva", True),
])
def test_password_rules(password, username, ok):
    if ok:
        check_password(password, username=username)
    else:
        with pytest.raises(AccountError, match="Mật khẩu"):
            check_password(password, username=username)


def _login(session, name="nva", password="mat-khau-1", **kwargs):
    """A login through the product function (it runs its own transactions, so the test's session commits first)."""
    session.commit()
    return authenticate(engine=session.get_bind(), username=name, password=password, **kwargs)


def test_login_gives_actor_with_units_and_no_hash(session):
    uid = _add(session)
    stored = session.scalar(select(User.password_hash).where(User.id == uid))
    assert stored.startswith("$argon2id$") and "mat-khau-1" not in stored
    result = _login(session, " NVA ", now=T0)
    assert result.ok
    actor = result.actor
    assert (actor.user_id, actor.username, actor.role) == (uid, "nva", "staff")
    assert actor.unit_ids == frozenset({_unit_id(session, "st_dao_san")})
    values = [str(getattr(actor, f.name)) for f in dataclasses.fields(actor)]
    assert not any("argon2" in v for v in values)
    assert {f.name for f in dataclasses.fields(Actor)}.isdisjoint({"password_hash", "hash", "password"})


def test_wrong_password_and_unknown_user_look_the_same(session):
    _add(session)
    wrong = _login(session, "nva", "sai-mat-khau", now=T0)
    unknown = _login(session, "khong-co", "sai-mat-khau", now=T0)
    assert not wrong.ok and not unknown.ok
    assert wrong.message == unknown.message == "Sai tên đăng nhập hoặc mật khẩu"
    failed = _log(session, "login_failed")
    assert [e.username for e in failed] == ["nva", "khong-co"]


def test_overlong_password_is_refused_without_hashing(session, monkeypatch):
    _add(session)
    monkeypatch.setattr(login, "verify_password", lambda *a: pytest.fail("hashed an over-long password"))
    assert not _login(session, "nva", "x" * 100_000).ok


def test_growing_delay_after_five_failures(session):
    _add(session)
    now = T0
    for attempt in range(1, 5):
        result = _login(session, "nva", "sai", now=now)
        assert result.retry_after_s == 0, attempt
    fifth = _login(session, "nva", "sai", now=now)
    assert fifth.retry_after_s == 30
    # while waiting, even the right password is refused
    early = _login(session, "nva", "mat-khau-1", now=now + dt.timedelta(seconds=10))
    assert not early.ok and "thử lại sau" in early.message
    sixth = _login(session, "nva", "sai", now=now + dt.timedelta(seconds=31))
    assert sixth.retry_after_s == 60
    seventh = _login(session, "nva", "sai", now=now + dt.timedelta(seconds=92))
    assert seventh.retry_after_s == 120
    later = now + dt.timedelta(seconds=92 + 121)
    ok = _login(session, "nva", "mat-khau-1", now=later)
    assert ok.ok and ok.failures_since_last_login == 8  # seven wrong passwords and one try while waiting
    session.expire_all()
    user = session.scalar(select(User).where(User.username == "nva"))
    assert (user.failed_attempts, user.last_login_at) == (0, later)


def test_delay_is_capped():
    assert login.delay_s(4, 5) == 0
    assert login.delay_s(5, 5) == 30
    assert login.delay_s(40, 5) == login.MAX_DELAY_S
    assert login.delay_s(10**6, 5) == login.MAX_DELAY_S


def test_inactive_account_cannot_log_in_and_loses_its_actor(session):
    uid = _add(session)
    _add(session, name="boss", role="admin", units=())
    update_user(session=session, actor=SYSTEM, username="nva", active=False)
    result = _login(session, "nva", "mat-khau-1", now=T0)
    assert not result.ok and "khóa" in result.message
    assert get_actor(session=session, user_id=uid) is None


def test_change_own_password(session):
    _add(session)
    engine = session.get_bind()
    actor = _login(session).actor
    with pytest.raises(AccountError, match="Mật khẩu hiện tại"):
        change_own_password(engine=engine, actor=actor, old_password="sai", new_password="mat-khau-moi")
    with pytest.raises(AccountError, match="Mật khẩu mới"):
        change_own_password(engine=engine, actor=actor, old_password="mat-khau-1", new_password="ngan")
    change_own_password(engine=engine, actor=actor, old_password="mat-khau-1", new_password="mat-khau-moi")
    assert not _login(session, "nva", "mat-khau-1").ok
    assert _login(session, "nva", "mat-khau-moi").ok
    assert len(_log(session, "password_change")) == 1


def test_admin_resets_password_and_lifts_delay(session):
    _add(session)
    admin = get_actor(session=session, user_id=_add(session, name="boss", role="admin", units=()))
    staff = get_actor(session=session, user_id=session.scalar(select(User.id).where(User.username == "nva")))
    for _ in range(6):
        _login(session, "nva", "sai", now=T0)
    assert not _login(session, "nva", "mat-khau-1", now=T0).ok  # waiting
    with pytest.raises(PermissionDenied):
        reset_password(session=session, actor=staff, username="boss", new_password="chiem-quyen-1")
    reset_password(session=session, actor=admin, username="nva", new_password="mat-khau-moi")
    assert _login(session, "nva", "mat-khau-moi", now=T0).ok
    assert [e.username for e in _log(session, "password_reset")] == ["boss"]


def test_only_admins_manage_users(session):
    staff = get_actor(session=session, user_id=_add(session))
    with pytest.raises(PermissionDenied):
        create_user(session=session, actor=staff, username="other", password="mat-khau-1", role="admin")
    with pytest.raises(PermissionDenied):
        update_user(session=session, actor=staff, username="nva", role="admin")
    with pytest.raises(PermissionDenied):
        create_user(session=session, actor=None, username="other", password="mat-khau-1", role="admin")


def test_roles_and_units_are_checked(session):
    with pytest.raises(AccountError, match="Đơn vị"):
        _add(session, units=())
    with pytest.raises(AccountError, match="st_khong_co"):
        _add(session, units=("st_khong_co",))
    with pytest.raises(AccountError, match="Vai trò"):
        _add(session, role="superuser")
    _add(session)
    with pytest.raises(AccountError, match="đã có"):
        _add(session, name="NVA")


def test_update_user_changes_role_units_and_logs(session):
    _add(session)
    _add(session, name="boss", role="admin", units=())
    update_user(session=session, actor=SYSTEM, username="nva", unit_keys=["st_dao_san", "st_mu_ca"])
    actor = _login(session).actor
    assert actor.unit_ids == {_unit_id(session, "st_dao_san"), _unit_id(session, "st_mu_ca")}
    update_user(session=session, actor=SYSTEM, username="nva", role="planner", unit_keys=[])
    assert _login(session).actor.role == "planner"
    updates = _log(session, "update")
    assert '"role": "planner"' in updates[-1].new_values and '"role": "staff"' in updates[-1].old_values


def test_last_admin_stays(session):
    admin = get_actor(session=session, user_id=_add(session, name="boss", role="admin", units=()))
    with pytest.raises(AccountError, match="ít nhất một quản trị"):
        update_user(session=session, actor=admin, username="boss", role="planner")
    with pytest.raises(AccountError):
        update_user(session=session, actor=SYSTEM, username="boss", active=False)
    _add(session, name="boss2", role="admin", units=())
    with pytest.raises(AccountError, match="tự khóa"):
        update_user(session=session, actor=admin, username="boss", active=False)
    update_user(session=session, actor=admin, username="boss2", active=False)


def test_sql_like_text_is_stored_as_text(session):
    evil = "Robert'); DROP TABLE app_user;--"
    uid = create_user(session=session, actor=SYSTEM, username="robert", password="mat-khau-1", role="official",
                      full_name=evil)
    session.commit()
    assert session.get(User, uid).full_name == evil
    assert session.scalar(select(func.count()).select_from(User)) == 1
    assert not _login(session, "robert' --", "x' OR '1'='1").ok


def test_hashes_never_leave_through_lists_or_log(session):
    _add(session)
    _login(session)
    reset_password(session=session, actor=SYSTEM, username="nva", new_password="mat-khau-2")
    frame = list_users(session=session)
    assert list(frame["username"]) == ["nva"]
    account = accounts.get_account(session=session, user_id=int(frame["id"].iloc[0]))
    assert account["units"] == ["Đồn Biên phòng Dào San"] and "argon2" not in str(account)
    assert not any("hash" in c or "password" in c for c in frame.columns)
    assert "argon2" not in frame.astype(str).to_csv()
    for entry in session.scalars(select(ChangeLog)):
        assert "argon2" not in entry.old_values + entry.new_values + entry.reason
        assert "mat-khau" not in entry.old_values + entry.new_values + entry.reason


def test_demo_accounts_only_offered_on_a_demo_database(session):
    assert create_demo_accounts(session=session) == {"demo_accounts": 4}
    assert create_demo_accounts(session=session) == {"demo_accounts": 0}
    assert list_demo_logins(session=session) == []
    session.commit()
    assert not login_demo(engine=session.get_bind(), username="demo_admin").ok
    session.add(AppMeta(key="demo_loaded", value="1"))
    session.commit()
    offered = list_demo_logins(session=session)
    assert [(d.username, d.role) for d in offered] == [
        ("demo_admin", "admin"), ("demo_lanhdao", "official"), ("demo_kehoach", "planner"),
        ("demo_nhaplieu", "staff")]
    staff = login_demo(engine=session.get_bind(), username="demo_nhaplieu").actor
    assert staff.unit_ids == {_unit_id(session, "st_dao_san")}
    for username, _, _, password, _ in accounts.DEMO_ACCOUNTS:
        assert _login(session, username, password).ok


def test_demo_database_has_demo_accounts(demo_engine):
    from data_model.schema.db import read_session

    with read_session(demo_engine) as s:
        assert {d.role for d in list_demo_logins(session=s)} == {"admin", "official", "planner", "staff"}
        assert all(u.is_demo for u in s.scalars(select(User)))


def test_plain_database_has_no_account(session):
    assert list_users(session=session).empty
    assert list_demo_logins(session=session) == []


@pytest.fixture
def cli_env(db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    answers: list[str] = []
    monkeypatch.setattr("getpass.getpass", lambda prompt="": answers.pop(0))
    return answers


def test_cli_user_add_list_reset(cli_env, engine, capsys):
    cli_env += ["mat-khau-cli", "mat-khau-cli"]
    assert cli_main(["user", "add", "--role", "staff", "--unit", "st_dao_san", "--full-name", "Lò Văn A", "lva"]) == 0
    assert cli_main(["user", "list"]) == 0
    out = capsys.readouterr().out
    assert "lva" in out and "Dào San" in out and "argon2" not in out
    cli_env += ["mat-khau-moi", "mat-khau-moi"]
    assert cli_main(["user", "reset-password", "lva"]) == 0
    assert authenticate(engine=engine, username="lva", password="mat-khau-moi").ok


@pytest.mark.parametrize("argv, answers, message", [
    (["user", "add", "--role", "admin", "boss"], ["mat-khau-1", "mat-khau-2"], "không khớp"),
    (["user", "add", "--role", "admin", "boss"], ["ngan", "ngan"], "Mật khẩu"),
    (["user", "add", "--role", "staff", "nva"], [], "--unit"),
    (["user", "add", "--role", "admin", "a b"], [], "Tên đăng nhập"),
    (["user", "add", "--role", "admin", "--password", "x", "boss"], [], "tham số không nhận ra"),
    (["user", "reset-password", "khong-co"], ["mat-khau-1", "mat-khau-1"], "Không có người dùng"),
])
def test_cli_errors_are_one_line(cli_env, argv, answers, message, capsys):
    cli_env += answers
    assert cli_main(argv) != 0
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err and "Traceback" not in err
