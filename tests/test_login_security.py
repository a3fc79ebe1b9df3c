"""Login abuse: throttling per address and user name keeps the real user in, unknown and wrong look the same, weak
passwords are refused everywhere a password is set, and argon2 runs outside the write lock."""
from __future__ import annotations

import datetime as dt
import statistics
import time

import pytest
from sqlalchemy import select

from data_model.accounts import login
from data_model.accounts.login import authenticate
from data_model.accounts.users import AccountError, change_own_password, create_user, reset_password
from data_model.basics.permissions import SYSTEM
from data_model.cli.main import main as cli_main
from data_model.schema.db import build_engine, read_session, write_session
from data_model.schema.models import AppMeta, ChangeLog, User

T0 = dt.datetime(2026, 3, 2, 0, 0, 0)
HOME, ATTACKER, NEW_PLACE = "10.0.0.5", "203.0.113.9", "10.0.0.77"
PASSWORD = "mat-khau-1"


@pytest.fixture
def user(engine) -> int:
    with write_session(engine) as s:
        return create_user(session=s, actor=SYSTEM, username="nva", password=PASSWORD, role="official")


def _try(engine, name="nva", password="sai-mat-khau", *, at: dt.datetime | None = T0, address=ATTACKER):
    return authenticate(engine=engine, username=name, password=password, address=address, now=at)


def test_an_attacker_retrying_all_day_does_not_lock_the_real_user_out(engine, user, monkeypatch):
    # a day of tries: argon2 is replaced by a plain comparison here (its cost is not what this test is about)
    monkeypatch.setattr(login, "verify_password", lambda stored, password: stored is not None and password == PASSWORD)
    assert _try(engine, password=PASSWORD, address=HOME, at=T0 - dt.timedelta(days=3)).ok  # the user's own machine
    now, tries, refused = T0, 0, 0
    next_user_login = T0
    while now < T0 + dt.timedelta(days=1):
        result = _try(engine, at=now)  # one wrong password each time the lock ends
        tries += 1
        assert not result.ok
        if now >= next_user_login:  # the real user, once an hour, from their machine
            mine = _try(engine, password=PASSWORD, address=HOME, at=now + dt.timedelta(seconds=1))
            assert mine.ok, (tries, mine.message)
            next_user_login = now + dt.timedelta(hours=1)
        if result.retry_after_s:  # the attacker's address is throttled: even the right password is refused now
            early = _try(engine, password=PASSWORD, at=now + dt.timedelta(seconds=1))
            assert not early.ok and "thử lại sau" in early.message
            refused += 1
        now += dt.timedelta(seconds=max(result.retry_after_s, 1) + 1)
    assert 90 <= tries <= 120 and refused >= tries - 10
    # a machine the user never used works too: one address's tries do not lock the account everywhere
    assert _try(engine, password=PASSWORD, address=NEW_PLACE, at=now).ok


def test_throttling_one_address_leaves_loopback_and_other_addresses_alone(engine, user):
    for _ in range(5):
        _try(engine)
    assert "thử lại sau" in _try(engine, password=PASSWORD).message
    assert _try(engine, password=PASSWORD, address=None).ok  # loopback: Streamlit gives None
    assert _try(engine, password=PASSWORD, address=NEW_PLACE).ok


def test_spraying_many_names_from_one_address_throttles_that_address(engine, user):
    for i in range(login.FREE["address"]):
        assert not _try(engine, name=f"khong-co-{i}", at=T0).ok
    blocked = _try(engine, password=PASSWORD, at=T0 + dt.timedelta(seconds=1))
    assert not blocked.ok and blocked.retry_after_s > 0
    assert _try(engine, password=PASSWORD, address=HOME, at=T0 + dt.timedelta(seconds=1)).ok


def test_the_user_is_told_how_many_failures_happened_since_the_last_login(engine, user):
    first = _try(engine, password=PASSWORD, address=HOME, at=T0)
    assert first.ok and first.failures_since_last_login == 0 and first.last_login_at is None
    for i in range(3):
        _try(engine, at=T0 + dt.timedelta(minutes=i))
    second = _try(engine, password=PASSWORD, address=HOME, at=T0 + dt.timedelta(hours=1))
    assert (second.failures_since_last_login, second.last_login_at) == (3, T0)
    third = _try(engine, password=PASSWORD, address=HOME, at=T0 + dt.timedelta(hours=2))
    assert third.failures_since_last_login == 0


@pytest.fixture
def hashes_checked(monkeypatch) -> list:
    """Every argon2 verification a login does: real hash or dummy (None)."""
    calls: list = []
    real = login.verify_password

    def counting(stored, password):
        calls.append(stored)
        return real(stored, password)

    monkeypatch.setattr(login, "verify_password", counting)
    return calls


def test_unknown_user_and_wrong_password_look_the_same_also_when_throttled(engine, user, hashes_checked):
    answers = {}
    for name in ("nva", "khong-co"):
        seen = []
        for i in range(7):
            result = _try(engine, name=name, at=T0 + dt.timedelta(seconds=i))
            seen.append((result.message, result.retry_after_s))
        answers[name] = seen
    assert answers["nva"] == answers["khong-co"]
    assert answers["nva"][0] == ("Sai tên đăng nhập hoặc mật khẩu", 0)
    assert "thử lại sau" in answers["nva"][-1][0]
    assert len(hashes_checked) == 14  # one argon2 verification per try, whatever the case
    with read_session(engine) as s:
        stored = s.scalar(select(User.password_hash))
    assert hashes_checked[:5] == [stored] * 5 and hashes_checked[7:] == [None] * 7


def test_unknown_user_and_wrong_password_take_about_the_same_time(engine, user):
    def timed(name: str, address: str) -> float:
        started = time.perf_counter()
        _try(engine, name=name, address=address)
        return time.perf_counter() - started

    for name, address in (("nva", "10.1.0.1"), ("khong-co", "10.1.0.2")):
        timed(name, address)  # warm up
    wrong = statistics.median(timed("nva", f"10.2.0.{i}") for i in range(5))
    unknown = statistics.median(timed("khong-co", f"10.3.0.{i}") for i in range(5))
    assert 0.5 < wrong / unknown < 2, (wrong, unknown)


@pytest.mark.parametrize("name", ["nva\x00", "\x00", "nv\ud800a", "x" * 10_000])
def test_odd_login_names_get_the_usual_answer(engine, user, name):
    result = _try(engine, name=name)
    assert (result.ok, result.message) == (False, "Sai tên đăng nhập hoặc mật khẩu")
    with read_session(engine) as s:
        logged = s.scalars(select(ChangeLog.username).where(ChangeLog.action == "login_failed")).all()
    assert len(logged) == 1 and "\x00" not in logged[0] and len(logged[0]) <= 64


@pytest.mark.parametrize("password", ["nv\x00mat-khau-1", "\ud800" * 9])
def test_odd_passwords_are_just_wrong(engine, user, password):
    assert _try(engine, password=password).message == "Sai tên đăng nhập hoặc mật khẩu"


def test_failed_logins_do_not_hold_the_write_lock_while_hashing(db_url, engine, user, monkeypatch):
    other = build_engine(url=db_url, busy_timeout_s=0.5)
    real = login.verify_password
    writes = []

    def verify_while_someone_writes(stored, password):
        with write_session(other) as s:  # on SQLite this waits for the lock, and gives up after 0.5 s
            s.add(AppMeta(key=f"probe{len(writes)}", value="1"))
        writes.append(1)
        return real(stored, password)

    monkeypatch.setattr(login, "verify_password", verify_while_someone_writes)
    try:
        for name in ("nva", "khong-co"):
            assert not _try(engine, name=name).ok
        assert _try(engine, password=PASSWORD, address=HOME).ok
    finally:
        other.dispose()
    assert len(writes) == 3


# ---------------------------------------------------------------- weak passwords, wherever a password is set

WEAK = ["12345678", "password", " " * 8, "qwertyuiop", "matkhau123", "nva12345", "11111111"]


@pytest.mark.parametrize("weak", WEAK)
def test_admin_cannot_create_or_reset_with_a_weak_password(session, weak):
    with pytest.raises(AccountError, match="^Mật khẩu: (quá dễ đoán|không được trùng)"):
        create_user(session=session, actor=SYSTEM, username="nva", password=weak, role="admin")
    create_user(session=session, actor=SYSTEM, username="nva", password=PASSWORD, role="admin")
    with pytest.raises(AccountError, match="^Mật khẩu mới: (quá dễ đoán|không được trùng)"):
        reset_password(session=session, actor=SYSTEM, username="nva", new_password=weak)


@pytest.mark.parametrize("weak", WEAK)
def test_user_cannot_change_to_a_weak_password(engine, user, weak):
    actor = _try(engine, password=PASSWORD, address=HOME, at=None).actor
    with pytest.raises(AccountError, match="^Mật khẩu mới: (quá dễ đoán|không được trùng)"):
        change_own_password(engine=engine, actor=actor, old_password=PASSWORD, new_password=weak)
    assert _try(engine, password=PASSWORD, address=HOME, at=None).ok


def test_cli_refuses_a_weak_password(db_url, engine, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", db_url)
    answers = ["12345678", "12345678"]
    monkeypatch.setattr("getpass.getpass", lambda prompt="": answers.pop(0))
    assert cli_main(["user", "add", "--role", "admin", "boss"]) == 2
    err = capsys.readouterr().err
    assert "Mật khẩu: quá dễ đoán" in err and "\n" not in err.strip()
    with read_session(engine) as s:
        assert s.scalar(select(User.id)) is None


def test_demo_accounts_keep_their_published_passwords(demo_engine):
    from data_model.accounts.users import DEMO_ACCOUNTS

    for username, _, _, password, _ in DEMO_ACCOUNTS:
        assert authenticate(engine=demo_engine, username=username, password=password).ok
