"""The follow-up list (issue 21 part 4): officials and planners flag a record with a reason, its unit answers or
corrects it, the flag closes with who and when, all in the change log; the wrong role or unit is refused."""
from __future__ import annotations

import datetime as dt

import pytest
from entry_helpers import outreach, unit_id
from sqlalchemy import select

from data_model.accounts.users import create_user, get_actor
from data_model.analytics.records_query import list_records
from data_model.basics.issues import ValidationError
from data_model.basics.permissions import SYSTEM, Actor, PermissionDenied
from data_model.records.flags import (
    answer_flag,
    count_open_flags,
    get_open_flag,
    list_open_flags,
    raise_flag,
)
from data_model.records.history import record_history
from data_model.records.write import create_record, delete_record, update_record
from data_model.schema.db import read_session, write_session
from data_model.schema.follow_up import RecordFlag
from data_model.schema.models import ActivityRecord, ActivitySummary, ChangeLog

TODAY = dt.date(2025, 12, 31)


def _user(engine, username: str, role: str, units: tuple[str, ...] = ()) -> Actor:
    with write_session(engine) as session:
        uid = create_user(session=session, actor=SYSTEM, username=username, password="mat-khau-dai-123", role=role,
                          unit_keys=list(units), full_name=username.replace("_", " ").title())
    with read_session(engine) as session:
        actor = get_actor(session=session, user_id=uid)
    assert actor is not None
    return actor


@pytest.fixture
def people(engine):
    return {"official": _user(engine, "lanh_dao", "official"), "planner": _user(engine, "ke_hoach", "planner"),
            "staff": _user(engine, "nv_ka_lang", "staff", ("st_ka_lang",)),
            "other": _user(engine, "nv_mu_ca", "staff", ("st_mu_ca",))}


@pytest.fixture
def record(engine, people) -> int:
    with write_session(engine) as session:
        return create_record(session=session, actor=people["staff"], values=outreach(unit_id(session)), today=TODAY)


def _flag(engine, actor, record_id, reason="Số lượt người nghe có vẻ cao, kiểm tra lại sổ tay") -> int:
    with write_session(engine) as session:
        return raise_flag(session=session, actor=actor, record_id=record_id, reason=reason)


def _log(engine, record_id) -> list[tuple[str, str, str]]:
    with read_session(engine) as session:
        return [(e.action, e.username, e.reason) for e in session.scalars(
            select(ChangeLog).where(ChangeLog.entity == "record", ChangeLog.entity_id == str(record_id))
            .order_by(ChangeLog.id))]


def test_an_official_flags_and_the_units_staff_answer_which_closes_it_with_who_and_when(engine, people, record):
    _flag(engine, people["official"], record)
    with read_session(engine) as session:
        open_flag = get_open_flag(session=session, record_id=record)
        assert open_flag is not None and open_flag.raised_by == "Lanh Dao"
        assert open_flag.reason.startswith("Số lượt người nghe")
        mine = list_records(session=session, actor=people["staff"])
        assert mine.loc[mine["id"] == record, "follow_up"].item().startswith("Số lượt người nghe")
    with write_session(engine) as session:
        answer_flag(session=session, actor=people["staff"], record_id=record,
                    answer="Đã đối chiếu sổ tay: đúng 120 lượt")
    with read_session(engine) as session:
        assert get_open_flag(session=session, record_id=record) is None
        flag = session.scalars(select(RecordFlag)).one()
        assert (flag.closed_by, flag.resolution, flag.answer) == (people["staff"].user_id, "answered",
                                                                  "Đã đối chiếu sổ tay: đúng 120 lượt")
        assert flag.closed_at is not None and flag.closed_at >= flag.raised_at
        history = record_history(session=session, record_id=record)
    assert _log(engine, record)[1:] == [
        ("flag", "lanh_dao", "Số lượt người nghe có vẻ cao, kiểm tra lại sổ tay"),
        ("flag_close", "nv_ka_lang", "Đã đối chiếu sổ tay: đúng 120 lượt")]
    assert list(history["action"])[-2:] == ["Yêu cầu kiểm tra lại", "Đóng yêu cầu kiểm tra lại"]


def test_correcting_the_record_closes_its_flag_as_corrected(engine, people, record):
    _flag(engine, people["planner"], record)
    with write_session(engine) as session:
        update_record(session=session, actor=people["staff"], record_id=record,
                      values=outreach(unit_id(session), attendances=60), today=TODAY)
    with read_session(engine) as session:
        flag = session.scalars(select(RecordFlag)).one()
        assert (flag.resolution, flag.closed_by, flag.answer) == ("corrected", people["staff"].user_id,
                                                                  "Đã sửa hoạt động")
        assert session.get(ActivityRecord, record).m2 == 60
    assert [a for a, _, _ in _log(engine, record)][-3:] == ["flag", "update", "flag_close"]


def test_flagged_records_come_first_in_the_units_list(engine, people, record):
    with write_session(engine) as session:
        newer = create_record(session=session, actor=people["staff"],
                              values=outreach(unit_id(session), start_date=dt.date(2024, 6, 1),
                                              end_date=dt.date(2024, 6, 1)), today=TODAY)
    with read_session(engine) as session:
        assert list(list_records(session=session, actor=people["staff"])["id"]) == [newer, record]
    _flag(engine, people["official"], record)
    with read_session(engine) as session:
        assert list(list_records(session=session, actor=people["staff"])["id"]) == [record, newer]


def test_the_open_list_per_unit_and_staff_see_only_their_units(engine, people, record):
    _flag(engine, people["official"], record)
    with read_session(engine) as session:
        for who in ("official", "planner", "staff"):
            flags = list_open_flags(session=session, actor=people[who])
            assert list(flags["record_id"]) == [record], who
            assert list(flags["reason"]) == ["Số lượt người nghe có vẻ cao, kiểm tra lại sổ tay"]
        assert list_open_flags(session=session, actor=people["other"]).empty
        counts = count_open_flags(session=session, actor=people["official"])
        assert list(counts["open"]) == [1]


def test_permissions_the_wrong_role_or_unit_is_refused(engine, people, record):
    with pytest.raises(PermissionDenied, match="Chỉ lãnh đạo, cán bộ kế hoạch"):
        _flag(engine, people["staff"], record)
    _flag(engine, people["official"], record)
    for who in ("other", "official", "planner"):
        with pytest.raises(PermissionDenied, match="Chỉ cán bộ của đơn vị"):
            with write_session(engine) as session:
                answer_flag(session=session, actor=people[who], record_id=record, answer="Đúng rồi")
    with read_session(engine) as session:
        assert get_open_flag(session=session, record_id=record) is not None
    assert [a for a, _, _ in _log(engine, record)] == ["create", "flag"]


def test_bad_input_is_refused_naming_the_field_and_writes_nothing(engine, people, record):
    with pytest.raises(ValidationError, match="Lý do cần kiểm tra lại"):
        _flag(engine, people["official"], record, reason="   ")
    with pytest.raises(ValidationError, match="không có hoạt động số 999999"):
        _flag(engine, people["official"], 999999)
    _flag(engine, people["official"], record)
    with pytest.raises(ValidationError, match="đã có yêu cầu kiểm tra lại chưa được trả lời"):
        _flag(engine, people["planner"], record)
    with pytest.raises(ValidationError, match="Trả lời"):
        with write_session(engine) as session:
            answer_flag(session=session, actor=people["staff"], record_id=record, answer="")
    with write_session(engine) as session:
        delete_record(session=session, actor=people["staff"], record_id=record, reason="Nhập nhầm")
    with read_session(engine) as session:
        assert session.scalar(select(RecordFlag.closed_at)) is None
        assert list_open_flags(session=session, actor=people["official"]).empty  # a deleted record needs no check
    with pytest.raises(ValidationError, match="đã bị xóa"):
        _flag(engine, people["planner"], record)


def test_flags_change_no_figure_so_the_yearly_report_counts_none_of_them(engine, people, record):
    def figures():
        with read_session(engine) as session:
            return sorted(tuple(r) for r in session.execute(select(ActivitySummary.__table__)))

    before = figures()
    _flag(engine, people["official"], record)
    with write_session(engine) as session:
        answer_flag(session=session, actor=people["staff"], record_id=record, answer="Số liệu đúng")
    assert figures() == before
