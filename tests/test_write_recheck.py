"""Every write re-reads its actor in its own transaction: an actor captured before a deactivation, a role or unit
change, a logout, a password change or an idle expiry writes nothing."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from entry_helpers import KA_LANG, outreach, unit_id
from sqlalchemy import func, select, update

import data_model.reference_admin as ra
from data_model.accounts.login import authenticate, log_out, resume_login
from data_model.accounts.users import change_own_password, create_user, refresh_actor, reset_password, update_user
from data_model.basics.permissions import SYSTEM, Actor, PermissionDenied
from data_model.records.write import create_record, delete_record, restore_record, update_record
from data_model.schema.db import read_session, write_session
from data_model.schema.models import ActivityRecord, ChangeLog, LoginSession, Unit, utcnow

PASSWORD = "mat-khau-1"


@pytest.fixture
def people(engine) -> dict[str, int]:
    """A staff member of Đồn Ka Lăng, a planner and two admins, and one record of Ka Lăng."""
    with write_session(engine) as s:
        ids = {name: create_user(session=s, actor=SYSTEM, username=name, password=PASSWORD, role=role,
                                 unit_keys=units)
               for name, role, units in (("nv1", "staff", ["st_ka_lang"]), ("kh1", "planner", []),
                                         ("qt1", "admin", []), ("qt2", "admin", []))}
        ids["record"] = create_record(session=s, actor=SYSTEM, values=outreach(unit_id(s)))
        ids["deleted"] = create_record(session=s, actor=SYSTEM, values=outreach(unit_id(s), attendances=99))
        delete_record(session=s, actor=SYSTEM, record_id=ids["deleted"], reason="thử")
    return ids


def _actor(engine, name: str) -> Actor:
    result = authenticate(engine=engine, username=name, password=PASSWORD)
    assert result.ok, result.message
    return result.actor


def _state(engine) -> tuple:
    """Everything a refused write must leave as it was: the records and the change log."""
    with read_session(engine) as s:
        records = [(r.id, r.m2, r.note, r.deleted_at is None) for r in
                   s.scalars(select(ActivityRecord).order_by(ActivityRecord.id))]
        log = s.scalar(select(func.count()).select_from(ChangeLog).where(ChangeLog.action != "login"))
    return records, log


def _record_writes(people) -> dict[str, Callable]:
    rid, gone = people["record"], people["deleted"]
    return {
        "create": lambda s, a: create_record(session=s, actor=a, values=outreach(unit_id(s), attendances=7)),
        "update": lambda s, a: update_record(session=s, actor=a, record_id=rid,
                                             values=outreach(unit_id(s), attendances=150)),
        "delete": lambda s, a: delete_record(session=s, actor=a, record_id=rid, reason="nhập trùng"),
        "restore": lambda s, a: restore_record(session=s, actor=a, record_id=gone, reason="nhầm"),
    }


def _refused(engine, write: Callable, actor: Actor, match: str) -> None:
    before = _state(engine)
    with pytest.raises(PermissionDenied, match=match):
        with write_session(engine) as s:
            write(s, actor)
    assert _state(engine) == before


@pytest.mark.parametrize("write", ["create", "update", "delete", "restore"])
def test_deactivated_staff_cannot_write_with_the_actor_of_an_open_page(engine, people, write):
    staff = _actor(engine, "nv1")
    with write_session(engine) as s:
        update_user(session=s, actor=SYSTEM, username="nv1", active=False)
    _refused(engine, _record_writes(people)[write], staff, "không còn hoạt động")


@pytest.mark.parametrize("write", ["create", "update", "delete", "restore"])
def test_staff_moved_to_another_role_or_unit_cannot_write_with_the_old_actor(engine, people, write):
    staff = _actor(engine, "nv1")
    with write_session(engine) as s:
        update_user(session=s, actor=SYSTEM, username="nv1", unit_keys=["st_mu_ca"])
    _refused(engine, _record_writes(people)[write], staff, "không có quyền")
    with write_session(engine) as s:
        update_user(session=s, actor=SYSTEM, username="nv1", role="official", unit_keys=[])
    _refused(engine, _record_writes(people)[write], staff, "không có quyền")


@pytest.mark.parametrize("write", ["create", "update", "delete", "restore"])
def test_an_idle_session_cannot_write(engine, people, write):
    staff = _actor(engine, "nv1")
    with write_session(engine) as s:
        s.execute(update(LoginSession).values(last_seen_at=utcnow() - dt.timedelta(hours=2)))
    _refused(engine, _record_writes(people)[write], staff, "hết hạn do lâu không thao tác")


def test_a_session_in_use_stays_open_and_writes(engine, people):
    staff = _actor(engine, "nv1")
    with write_session(engine) as s:
        s.execute(update(LoginSession).values(last_seen_at=utcnow() - dt.timedelta(minutes=50)))
    with write_session(engine) as s:
        _record_writes(people)["update"](s, staff)  # a write counts as use: the session's clock starts again
    with read_session(engine) as s:
        assert s.get(ActivityRecord, people["record"]).m2 == 150
        assert utcnow() - s.scalar(select(LoginSession.last_seen_at)) < dt.timedelta(minutes=1)


def test_after_logout_the_old_actor_cannot_write(engine, people):
    result = authenticate(engine=engine, username="nv1", password=PASSWORD)
    log_out(engine=engine, token=result.token)
    _refused(engine, _record_writes(people)["delete"], result.actor, "đã kết thúc")
    assert resume_login(engine=engine, token=result.token).actor is None


def test_a_password_change_ends_the_users_other_sessions(engine, people):
    here = authenticate(engine=engine, username="nv1", password=PASSWORD)
    there = authenticate(engine=engine, username="nv1", password=PASSWORD)
    change_own_password(engine=engine, actor=here.actor, old_password=PASSWORD, new_password="mat-khau-moi-9")
    assert resume_login(engine=engine, token=here.token).actor is not None
    assert resume_login(engine=engine, token=there.token).reason == "ended"
    _refused(engine, _record_writes(people)["update"], there.actor, "đã kết thúc")


def test_an_admin_reset_ends_all_the_users_sessions(engine, people):
    staff = authenticate(engine=engine, username="nv1", password=PASSWORD)
    admin = _actor(engine, "qt1")
    with write_session(engine) as s:
        reset_password(session=s, actor=admin, username="nv1", new_password="mat-khau-moi-9")
    assert resume_login(engine=engine, token=staff.token).reason == "ended"
    _refused(engine, _record_writes(people)["create"], staff.actor, "đã kết thúc")


def test_demoted_admin_cannot_edit_reference_data_or_accounts(engine, people):
    admin = _actor(engine, "qt1")
    planner = _actor(engine, "kh1")
    with write_session(engine) as s:
        update_user(session=s, actor=SYSTEM, username="qt1", role="official")
        update_user(session=s, actor=SYSTEM, username="kh1", active=False)
    writes = [
        lambda s, a: ra.update_commune(session=s, actor=a, key=KA_LANG, name="Ka Lăng mới"),
        lambda s, a: ra.create_village(session=s, actor=a, unit_key=KA_LANG, name="Bản Mới"),
        lambda s, a: ra.add_alias(session=s, actor=a, unit_key=KA_LANG, alias="Ca Lang"),
        lambda s, a: create_user(session=s, actor=a, username="moi", password=PASSWORD, role="admin"),
        lambda s, a: update_user(session=s, actor=a, username="nv1", role="admin"),
        lambda s, a: reset_password(session=s, actor=a, username="qt2", new_password="chiem-quyen-1"),
    ]
    for write in writes:
        _refused(engine, write, admin, "không có quyền")
    _refused(engine, lambda s, a: ra.set_population(session=s, actor=a, unit_key=KA_LANG, year=2024,
                                                    population=3000), planner, "không còn hoạt động")
    with read_session(engine) as s:
        assert s.get(Unit, KA_LANG).name == "Ka Lăng"


def test_a_deactivated_user_cannot_change_their_password(engine, people):
    staff = _actor(engine, "nv1")
    with write_session(engine) as s:
        update_user(session=s, actor=SYSTEM, username="nv1", active=False)
    with pytest.raises(PermissionDenied):
        change_own_password(engine=engine, actor=staff, old_password=PASSWORD, new_password="mat-khau-moi-9")


def test_refresh_actor_reads_role_and_units_now(engine, people):
    staff = _actor(engine, "nv1")
    with write_session(engine) as s:
        update_user(session=s, actor=SYSTEM, username="nv1", unit_keys=["st_mu_ca"])
    with write_session(engine) as s:
        fresh = refresh_actor(session=s, actor=staff)
        assert fresh.unit_ids == {unit_id(s, "st_mu_ca")} and fresh.login_session_id == staff.login_session_id
        assert refresh_actor(session=s, actor=SYSTEM) is SYSTEM
