"""Permissions are enforced in data_model: a logged-in staff account cannot write another unit's records even by
calling the write functions directly; officials and planners write no records; typed text is stored as text."""
from __future__ import annotations

import datetime as dt

import pytest
from entry_helpers import KA_LANG, outreach, unit_id
from sqlalchemy import func, select

from data_model.accounts.login import authenticate
from data_model.accounts.users import create_user
from data_model.basics.permissions import (
    SYSTEM,
    Actor,
    PermissionDenied,
    can_edit_population,
    can_read_audit,
    can_write_record,
    require_admin,
    require_login,
    require_record_write,
    require_role,
)
from data_model.records.write import create_record, delete_record, restore_record, update_record
from data_model.schema.db import read_session, write_session
from data_model.schema.models import ActivityRecord, ChangeLog

TODAY = dt.date(2025, 12, 31)
ADMIN = Actor(user_id=None, username="qt", role="admin")
OFFICIAL = Actor(user_id=None, username="ld", role="official")
PLANNER = Actor(user_id=None, username="kh", role="planner")
STAFF_7 = Actor(user_id=None, username="nl", role="staff", unit_ids=frozenset({7}))
STAFF_NONE = Actor(user_id=None, username="nl0", role="staff")


@pytest.mark.parametrize("actor, unit, allowed", [
    (ADMIN, 7, True), (ADMIN, None, True), (STAFF_7, 7, True), (STAFF_7, 8, False), (STAFF_7, None, False),
    (STAFF_NONE, 7, False), (OFFICIAL, 7, False), (PLANNER, 7, False),
])
def test_record_write_rule(actor, unit, allowed):
    assert can_write_record(actor, unit) is allowed
    if allowed:
        require_record_write(actor, unit)
    else:
        with pytest.raises(PermissionDenied, match="không có quyền"):
            require_record_write(actor, unit)


@pytest.mark.parametrize("actor, population, audit", [
    (ADMIN, True, True), (OFFICIAL, False, True), (PLANNER, True, False), (STAFF_7, False, False), (None, False, False),
])
def test_other_rules(actor, population, audit):
    assert can_edit_population(actor) is population
    assert can_read_audit(actor) is audit


def test_require_helpers():
    with pytest.raises(PermissionDenied, match="đăng nhập"):
        require_login(None)
    assert require_login(STAFF_7) is STAFF_7
    require_admin(ADMIN)
    for actor in (None, OFFICIAL, PLANNER, STAFF_7):
        with pytest.raises(PermissionDenied):
            require_admin(actor)
    with pytest.raises(PermissionDenied):
        require_role(PLANNER, "admin", "official")


@pytest.fixture
def accounts(engine) -> dict[str, Actor]:
    """Logged-in actors from real accounts: staff of Dào San, staff of Ka Lăng, an official and a planner."""
    specs = {"nl_dao_san": ("staff", ["st_dao_san"]), "nl_ka_lang": ("staff", ["st_ka_lang"]),
             "lanh_dao": ("official", []), "ke_hoach": ("planner", [])}
    actors = {}
    with write_session(engine) as session:
        for name, (role, units) in specs.items():
            create_user(session=session, actor=SYSTEM, username=name, password="mat-khau-1", role=role,
                        unit_keys=units)
    for name in specs:
        actors[name] = authenticate(engine=engine, username=name, password="mat-khau-1").actor
    return actors


def _records(engine) -> int:
    with read_session(engine) as session:
        return session.scalar(select(func.count()).select_from(ActivityRecord))


def test_staff_cannot_write_another_units_record_directly(engine, accounts):
    with read_session(engine) as session:
        ka_lang = unit_id(session, "st_ka_lang")
    with write_session(engine) as session:
        record_id = create_record(session=session, actor=accounts["nl_ka_lang"], values=outreach(ka_lang), today=TODAY)
    before = _records(engine)
    outsider = accounts["nl_dao_san"]
    attempts = {
        "create": lambda s: create_record(session=s, actor=outsider, values=outreach(ka_lang, sessions=3), today=TODAY),
        "update": lambda s: update_record(session=s, actor=outsider, record_id=record_id,
                                          values=outreach(ka_lang, sessions=9), today=TODAY),
        "delete": lambda s: delete_record(session=s, actor=outsider, record_id=record_id, reason="xóa hộ"),
    }
    for _name, attempt in attempts.items():
        with pytest.raises(PermissionDenied):
            with write_session(engine) as session:
                attempt(session)
    # moving a record of one's own unit to another unit is refused as well
    with read_session(engine) as session:
        dao_san = unit_id(session, "st_dao_san")
    with write_session(engine) as session:
        own = create_record(session=session, actor=outsider, values=outreach(dao_san, sessions=4), today=TODAY)
    with pytest.raises(PermissionDenied):
        with write_session(engine) as session:
            update_record(session=session, actor=outsider, record_id=own, values=outreach(ka_lang, sessions=4),
                          today=TODAY)
    with read_session(engine) as session:
        record = session.get(ActivityRecord, record_id)
        assert (record.m1, record.deleted_at) == (2, None)
        assert session.get(ActivityRecord, own).reporting_unit_id == dao_san
    assert _records(engine) == before + 1


@pytest.mark.parametrize("name", ["lanh_dao", "ke_hoach"])
def test_officials_and_planners_write_no_records(engine, accounts, name):
    with read_session(engine) as session:
        ka_lang = unit_id(session, "st_ka_lang")
    with write_session(engine) as session:
        record_id = create_record(session=session, actor=SYSTEM, values=outreach(ka_lang), today=TODAY)
        delete_record(session=session, actor=SYSTEM, record_id=record_id, reason="thử")
    with pytest.raises(PermissionDenied):
        with write_session(engine) as session:
            create_record(session=session, actor=accounts[name], values=outreach(ka_lang), today=TODAY)
    with pytest.raises(PermissionDenied):
        with write_session(engine) as session:
            restore_record(session=session, actor=accounts[name], record_id=record_id)


def test_sql_like_text_in_a_record_is_stored_as_text(engine, accounts):
    evil_topic = "'; DROP TABLE activity_record; --"
    evil_note = "1 OR 1=1; DELETE FROM app_user; [x](javascript:alert(1)) <script>alert(1)</script>"
    with read_session(engine) as session:
        ka_lang = unit_id(session, "st_ka_lang")
    with write_session(engine) as session:
        record_id = create_record(session=session, actor=accounts["nl_ka_lang"], today=TODAY,
                                  values=outreach(ka_lang, topic=evil_topic, note=evil_note))
    with read_session(engine) as session:
        record = session.get(ActivityRecord, record_id)
        assert (record.topic, record.note, record.commune_key) == (evil_topic, evil_note, KA_LANG)
        assert session.scalar(select(func.count()).select_from(ChangeLog).where(ChangeLog.action == "login")) == 4


def test_station_staff_write_for_the_units_under_their_station(engine, accounts):
    from data_model.schema.models import ReportingUnit

    with write_session(engine) as session:
        dao_san = unit_id(session, "st_dao_san")
        cluster = ReportingUnit(key="cum_loa_thu", kind="loudspeaker_cluster", name="Cụm loa thử", short_name="Cụm loa",
                                parent_id=dao_san, commune_key="c03571@1900")
        session.add(cluster)
        session.flush()
        cluster_id = cluster.id
    staff = authenticate(engine=engine, username="nl_dao_san", password="mat-khau-1").actor
    other = authenticate(engine=engine, username="nl_ka_lang", password="mat-khau-1").actor
    assert can_write_record(staff, cluster_id)
    assert not can_write_record(other, cluster_id)
