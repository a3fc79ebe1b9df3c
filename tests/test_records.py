"""The record write API: create, edit, soft delete, restore; permissions; summaries and change log kept exact."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from entry_helpers import (
    KA_LANG,
    MU_CA,
    THU_LUM_2025,
    count_records,
    outreach,
    patrol,
    staff,
    summary_mismatches,
    unit_id,
)
from sqlalchemy import func, select

from data_model.analytics.records_query import entry_choices, get_record, list_records
from data_model.basics.issues import DUPLICATE, ValidationError
from data_model.basics.permissions import SYSTEM, Actor, PermissionDenied
from data_model.records import write as records_module
from data_model.records.history import record_history
from data_model.records.write import create_record, delete_record, restore_record, update_record
from data_model.schema.db import read_session, write_session
from data_model.schema.models import ActivityRecord, ChangeLog, RecordLanguage

TODAY = dt.date(2025, 12, 31)


def _create(engine, actor, values, **kw) -> int:
    with write_session(engine) as session:
        return create_record(session=session, actor=actor, values=values, today=TODAY, **kw)


def _log(engine, record_id):
    with read_session(engine) as session:
        return list(session.scalars(select(ChangeLog).where(ChangeLog.entity == "record",
                                                            ChangeLog.entity_id == str(record_id)).order_by(ChangeLog.id)))


def test_create_writes_record_languages_summaries_and_log(engine):
    with read_session(engine) as s:
        st = unit_id(s)
    values = {"type_code": "loudspeaker_broadcast", "start_date": dt.date(2024, 5, 1), "end_date": dt.date(2024, 5, 31),
              "reporting_unit_id": st, "commune_key": KA_LANG, "languages": ["ha_nhi", "vi"], "sessions": 8}
    rid = _create(engine, SYSTEM, values)
    with read_session(engine) as s:
        rec = s.get(ActivityRecord, rid)
        assert (rec.type_code, rec.year, rec.m1, rec.m2, rec.languages) == ("loudspeaker_broadcast", 2024, 8, None,
                                                                           "vi,ha_nhi")
        assert sorted(s.scalars(select(RecordLanguage.language).where(RecordLanguage.record_id == rid))) == ["ha_nhi", "vi"]
        assert summary_mismatches(s) == []
    [entry] = _log(engine, rid)
    assert entry.action == "create"
    assert json.loads(entry.new_values)["languages"] == "Tiếng Việt (phổ thông), Tiếng Hà Nhì"


def test_invalid_values_write_nothing(engine):
    with read_session(engine) as s:
        st = unit_id(s)
    with pytest.raises(ValidationError) as caught:
        _create(engine, SYSTEM, outreach(st, attendances=None, commune_key=THU_LUM_2025))
    fields = {i.field for i in caught.value.errors}
    assert fields == {"attendances", "commune_key"}
    with read_session(engine) as s:
        assert count_records(s) == 0
        assert s.scalar(select(func.count()).select_from(ChangeLog).where(ChangeLog.entity == "record")) == 0


def test_warning_must_be_confirmed(engine):
    with read_session(engine) as s:
        st = unit_id(s)
    with pytest.raises(ValidationError) as caught:
        _create(engine, SYSTEM, outreach(st, sessions=20, attendances=5000))  # 250 a session: only the population
    assert [i.field for i in caught.value.warnings] == ["attendances"] and not caught.value.errors
    rid = _create(engine, SYSTEM, outreach(st, sessions=20, attendances=5000), confirm_warnings=True)
    with read_session(engine) as s:
        assert s.get(ActivityRecord, rid).m2 == 5000


def test_likely_duplicate_must_be_confirmed(engine):
    with read_session(engine) as s:
        st = unit_id(s)
    first = _create(engine, SYSTEM, outreach(st))
    with pytest.raises(ValidationError) as caught:
        _create(engine, SYSTEM, outreach(st, topic="Khác chủ đề"))
    [dup] = caught.value.duplicates
    assert dup.severity == DUPLICATE and f"số {first}" in dup.message
    _create(engine, SYSTEM, outreach(st, attendances=121))  # other figures: not a duplicate
    second = _create(engine, SYSTEM, outreach(st), confirm_duplicate=True)
    with read_session(engine) as s:
        assert count_records(s) == 3 and second != first
        assert summary_mismatches(s) == []


def test_update_moves_figures_and_logs_old_and_new(engine):
    with read_session(engine) as s:
        st, other = unit_id(s), unit_id(s, "st_mu_ca")
    rid = _create(engine, SYSTEM, outreach(st))
    with write_session(engine) as s:
        update_record(session=s, actor=SYSTEM, record_id=rid, today=TODAY,
                      values=outreach(other, commune_key=MU_CA, attendances=300, start_date=dt.date(2023, 4, 1),
                                      end_date=None))
    with read_session(engine) as s:
        rec = s.get(ActivityRecord, rid)
        assert (rec.reporting_unit_id, rec.commune_key, rec.m2, rec.year) == (other, MU_CA, 300, 2023)
        assert rec.updated_at is not None
        assert summary_mismatches(s) == []
        history = record_history(session=s, record_id=rid)
    update = _log(engine, rid)[-1]
    assert update.action == "update"
    old, new = json.loads(update.old_values), json.loads(update.new_values)
    assert (old["attendances"], new["attendances"]) == (120, 300)
    assert "sessions" not in new  # only what changed
    edits = history[history["action"] == "Sửa"]
    assert set(edits["field"]) == {"Ngày bắt đầu", "Ngày kết thúc", "Đơn vị thực hiện", "Xã", "Lượt người nghe"}
    row = edits[edits["field"] == "Lượt người nghe"].iloc[0]
    assert (row["old"], row["new"]) == ("120", "300")


def test_update_is_validated_and_excludes_itself_from_duplicates(engine):
    with read_session(engine) as s:
        st = unit_id(s)
    rid = _create(engine, SYSTEM, outreach(st))
    with write_session(engine) as s:  # same values again: no duplicate of itself, nothing logged
        update_record(session=s, actor=SYSTEM, record_id=rid, values=outreach(st), today=TODAY)
    assert len(_log(engine, rid)) == 1
    with pytest.raises(ValidationError):
        with write_session(engine) as s:
            update_record(session=s, actor=SYSTEM, record_id=rid, values=outreach(st, sessions=0), today=TODAY)
    with read_session(engine) as s:
        assert s.get(ActivityRecord, rid).m1 == 2


def test_delete_needs_a_reason_and_restore_brings_it_back(engine):
    with read_session(engine) as s:
        st = unit_id(s)
    rid = _create(engine, SYSTEM, patrol(st))
    with pytest.raises(ValidationError) as caught:
        with write_session(engine) as s:
            delete_record(session=s, actor=SYSTEM, record_id=rid, reason="   ")
    assert caught.value.issues[0].field == "reason"
    with write_session(engine) as s:
        delete_record(session=s, actor=SYSTEM, record_id=rid, reason="Nhập trùng")
    with read_session(engine) as s:
        rec = s.get(ActivityRecord, rid)
        assert rec.deleted_at is not None and rec.delete_reason == "Nhập trùng"
        assert summary_mismatches(s) == []
        assert count_records(s, live_only=True) == 0
    with pytest.raises(ValidationError):
        with write_session(engine) as s:
            delete_record(session=s, actor=SYSTEM, record_id=rid, reason="lần nữa")
    with pytest.raises(ValidationError):
        with write_session(engine) as s:
            update_record(session=s, actor=SYSTEM, record_id=rid, values=patrol(st), today=TODAY)
    with write_session(engine) as s:
        restore_record(session=s, actor=SYSTEM, record_id=rid)
    with read_session(engine) as s:
        assert s.get(ActivityRecord, rid).deleted_at is None
        assert summary_mismatches(s) == []
        history = record_history(session=s, record_id=rid)
    assert list(history["action"].drop_duplicates()) == ["Tạo mới", "Xóa", "Khôi phục"]
    assert "Nhập trùng" in set(history["reason"])
    with pytest.raises(ValidationError):
        with write_session(engine) as s:
            restore_record(session=s, actor=SYSTEM, record_id=rid)


def test_unknown_record(engine):
    for call in (lambda s: delete_record(session=s, actor=SYSTEM, record_id=424242, reason="x"),
                 lambda s: restore_record(session=s, actor=SYSTEM, record_id=424242),
                 lambda s: get_record(session=s, record_id=424242)):
        with pytest.raises(ValidationError, match="424242"):
            with write_session(engine) as s:
                call(s)


def test_staff_write_only_their_units(engine):
    with read_session(engine) as s:
        own, other = unit_id(s, "st_ka_lang"), unit_id(s, "st_mu_ca")
    clerk = staff(own)
    rid = _create(engine, clerk, outreach(own))
    foreign = _create(engine, SYSTEM, outreach(other, commune_key=MU_CA))
    with pytest.raises(PermissionDenied):
        _create(engine, clerk, outreach(other, commune_key=MU_CA, attendances=7))
    with pytest.raises(PermissionDenied):  # moving an own record to another unit
        with write_session(engine) as s:
            update_record(session=s, actor=clerk, record_id=rid, values=outreach(other), today=TODAY)
    with pytest.raises(PermissionDenied):  # editing another unit's record
        with write_session(engine) as s:
            update_record(session=s, actor=clerk, record_id=foreign, values=outreach(own), today=TODAY)
    with pytest.raises(PermissionDenied):
        with write_session(engine) as s:
            delete_record(session=s, actor=clerk, record_id=foreign, reason="không phải của tôi")
    for role in ("official", "planner"):
        with pytest.raises(PermissionDenied):
            _create(engine, Actor(user_id=None, username=role, role=role), outreach(own, attendances=9))
    with read_session(engine) as s:
        assert count_records(s) == 2
        assert s.get(ActivityRecord, rid).reporting_unit_id == own
        mine = list_records(session=s, actor=clerk)
        assert list(mine["id"]) == [rid]
        assert sorted(list_records(session=s, actor=SYSTEM)["id"]) == sorted([rid, foreign])


def test_failure_after_insert_leaves_nothing_half_written(engine, monkeypatch):
    with read_session(engine) as s:
        st = unit_id(s)

    def broken(**kwargs):
        raise RuntimeError("change log unavailable")

    monkeypatch.setattr(records_module, "log_change", broken)
    with pytest.raises(RuntimeError):
        _create(engine, SYSTEM, outreach(st))
    with read_session(engine) as s:
        assert count_records(s) == 0
        assert s.scalar(select(func.count()).select_from(RecordLanguage)) == 0
        assert summary_mismatches(s) == []


def test_failure_inside_a_callers_transaction_rolls_back_only_the_record(engine, monkeypatch):
    """A caller that catches the error keeps a clean session: the savepoint undid the half-written record."""
    with read_session(engine) as s:
        st = unit_id(s)
    monkeypatch.setattr(records_module, "apply_changes", lambda **kw: (_ for _ in ()).throw(RuntimeError("boom")))
    with write_session(engine) as s:
        with pytest.raises(RuntimeError):
            create_record(session=s, actor=SYSTEM, values=outreach(st), today=TODAY)
        assert s.scalar(select(func.count()).select_from(ActivityRecord)) == 0
    monkeypatch.undo()
    with read_session(engine) as s:
        assert count_records(s) == 0 and summary_mismatches(s) == []


def test_get_record_returns_form_values(engine):
    with read_session(engine) as s:
        st = unit_id(s)
    rid = _create(engine, SYSTEM, patrol(st))
    with read_session(engine) as s:
        values = get_record(session=s, record_id=rid)
    assert values["patrols"] == 10 and values["civilian_participations"] == 6 and values["languages"] == []
    with write_session(engine) as s:  # what get_record returns is accepted back unchanged
        update_record(session=s, actor=SYSTEM, record_id=rid, values=values, today=TODAY)


def test_entry_choices_follow_the_date_and_the_actor(session):
    own = unit_id(session, "st_ka_lang")
    before = entry_choices(session=session, type_code="outreach_session", on=dt.date(2025, 6, 30), actor=SYSTEM)
    after = entry_choices(session=session, type_code="outreach_session", on=dt.date(2025, 7, 1), actor=SYSTEM)
    assert KA_LANG in before.communes and THU_LUM_2025 not in before.communes
    assert THU_LUM_2025 in after.communes and KA_LANG not in after.communes
    assert len(after.communes) == 38
    assert "Xi Nế" in before.villages[MU_CA].values()
    assert list(entry_choices(session=session, type_code="outreach_session", on=dt.date(2024, 1, 1),
                              actor=staff(own)).units) == [own]
    study = entry_choices(session=session, type_code="study_session", on=dt.date(2024, 1, 1), actor=SYSTEM)
    assert study.communes == {}
    press = entry_choices(session=session, type_code="press_item", on=dt.date(2024, 1, 1), actor=SYSTEM)
    assert unit_id(session, "press") in press.units


def test_history_of_a_bulk_loaded_record_says_where_it_came_from(engine):
    from data_model.records.bulk import insert_records

    with write_session(engine) as s:
        [rid] = insert_records(session=s, rows=[{
            "type_code": "outreach_session", "start_date": dt.date(2015, 5, 5), "end_date": dt.date(2015, 5, 5),
            "reporting_unit_id": unit_id(s), "commune_key": KA_LANG, "m1": 1, "m2": 40, "is_demo": True}])
    with read_session(engine) as s:
        history = record_history(session=s, record_id=rid)
    assert list(history["action"]) == ["Tạo mới"] and history["new"][0] == "dữ liệu mẫu (demo)"


def test_entry_communes_offer_the_stations_own_communes_first_and_codes_only_for_shared_names(session):
    own = unit_id(session, "st_ka_lang")
    before = entry_choices(session=session, type_code="outreach_session", on=dt.date(2025, 6, 30), actor=staff(own))
    after = entry_choices(session=session, type_code="outreach_session", on=dt.date(2025, 7, 1), actor=staff(own))
    assert list(before.communes_for(own))[:2] == ["c03439@1900", "c03440@2011"]  # Ka Lăng, Tá Bạ
    assert set(list(after.communes_for(own))[:2]) == {"c03439@2025", "c03442@2025"}  # Thu Lũm, Pa Ủ (2025 merger)
    assert set(before.communes_for(own)) == set(before.communes) and list(before.communes_for(None)) == list(
        before.communes)
    assert after.communes["c03439@2025"] == "Thu Lũm"  # no code where the name is unique on the day
    assert not any(x.endswith(")") for x in after.communes.values())
