"""A record's identity: a global id made once, carried by exports, matched on import; local ids never pick a row."""
from __future__ import annotations

import datetime as dt
import re
import uuid

import pandas as pd
import pytest
from entry_helpers import KA_LANG, MU_CA, count_records, outreach, patrol, summary_mismatches, unit_id
from sqlalchemy import select

from data_model.basics.permissions import SYSTEM
from data_model.definitions.fields import MEASURE_COLUMNS
from data_model.files.export import ExportFilters, export_csv, export_frame, export_xlsx
from data_model.files.records_import import run_import
from data_model.records.bulk import insert_records
from data_model.records.history import record_history
from data_model.records.write import create_record
from data_model.schema.db import build_engine, read_session, write_session
from data_model.schema.models import ActivityRecord

TODAY = dt.date(2025, 12, 31)
UID_HEADER = "Mã định danh"
CONTENT = ("type_code", "start_date", "end_date", "commune_key", "village_id", "languages", "topic", "note",
           *MEASURE_COLUMNS)
CANONICAL = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def import_file(engine, data: bytes, filename: str = "tep.csv", actor=SYSTEM):
    """Import a file the way the command line and the upload page do."""
    return run_import(engine=engine, actor=actor, data=data, filename=filename, today=TODAY)


def _fill(engine, n: int, *, topic: str = "A") -> None:
    """n distinct outreach sessions in 2024, latest first (an export, sorted by date, lists them in another order)."""
    with write_session(engine) as s:
        st = unit_id(s)
        insert_records(session=s, rows=[
            {"type_code": "outreach_session", "start_date": dt.date(2024, 12, 1) - dt.timedelta(days=i % 300),
             "end_date": dt.date(2024, 12, 1) - dt.timedelta(days=i % 300), "reporting_unit_id": st,
             "commune_key": KA_LANG if i % 2 else MU_CA, "topic": f"{topic} {i}", "m1": 1 + i % 3, "m2": 10 + i}
            for i in range(n)])


def _contents(engine) -> list[tuple]:
    with read_session(engine) as s:
        return sorted(tuple(str(getattr(r, c)) for c in CONTENT)
                      for r in s.scalars(select(ActivityRecord).where(ActivityRecord.deleted_at.is_(None))))


def _by_id(engine) -> dict[int, tuple]:
    with read_session(engine) as s:
        return {r.id: tuple(str(getattr(r, c)) for c in CONTENT) for r in s.scalars(select(ActivityRecord))}


@pytest.fixture
def other_engine(databases):
    """A second fresh database (B) on the same engine kind."""
    url = databases.fresh(demo=False)
    other = build_engine(url=url)
    yield other
    other.dispose()
    databases.drop(url)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_file_from_another_database_is_added_once_and_overwrites_nothing(engine, other_engine, kind):
    _fill(engine, 60)
    with write_session(engine) as s:  # ids of A and B must not line up: A has a deleted record in the middle
        rid = create_record(session=s, actor=SYSTEM, values=patrol(unit_id(s)), today=TODAY)
        s.get(ActivityRecord, rid).deleted_at = dt.datetime(2025, 1, 1)
    with read_session(engine) as s:
        data = (export_csv if kind == "csv" else export_xlsx)(session=s,
                                                              filters=ExportFilters(types=("outreach_session",)))
    _, first = import_file(other_engine, data, f"tu_A.{kind}")
    assert (first.added, first.updated) == (60, 0)
    before = _by_id(other_engine)
    _, again = import_file(other_engine, data, f"tu_A.{kind}")
    assert (again.added, again.updated, again.unchanged) == (0, 0, 60)
    assert _by_id(other_engine) == before
    assert _contents(other_engine) == _contents(engine)
    with read_session(engine) as s:
        uids_a = set(s.scalars(select(ActivityRecord.uid).where(ActivityRecord.type_code == "outreach_session")))
    with read_session(other_engine) as s:
        assert set(s.scalars(select(ActivityRecord.uid))) == uids_a  # the records keep their identity in B
        assert summary_mismatches(s) == []
        back = export_csv(session=s, filters=ExportFilters())
    _, home = import_file(engine, back, "tu_B.csv")  # and B's export back into A changes nothing there
    assert (home.added, home.updated, home.unchanged) == (0, 0, 60)


def test_ids_of_another_database_never_pick_a_row_to_update(engine, other_engine):
    _fill(engine, 30, topic="A")
    _fill(other_engine, 30, topic="B")  # B's own records have the same local ids 1…30
    before = _by_id(other_engine)
    with read_session(engine) as s:
        data = export_csv(session=s, filters=ExportFilters())
    preview, result = import_file(other_engine, data, "tu_A.csv")
    assert (result.added, result.updated) == (30, 0)
    after = _by_id(other_engine)
    assert {k: after[k] for k in before} == before
    assert any("Mã định danh" in n for n in preview.notes)  # the id column was cross-checked and not used
    _, again = import_file(other_engine, data, "tu_A.csv")
    assert (again.added, again.updated) == (0, 0)


def test_an_edited_export_updates_the_record_it_came_from(engine):
    _fill(engine, 5)
    with read_session(engine) as s:
        frame = export_frame(session=s, filters=ExportFilters())
        target = s.scalars(select(ActivityRecord).where(ActivityRecord.topic == "A 3")).one()
    assert UID_HEADER in frame.columns and frame[UID_HEADER].map(lambda u: bool(CANONICAL.match(u))).all()
    frame.loc[frame[UID_HEADER] == target.uid, "Lượt người nghe"] = 999
    frame["Mã hoạt động"] = ""  # the global id alone identifies the record
    _, result = import_file(engine, frame.to_csv(index=False).encode("utf-8-sig"), "sua.csv")
    assert (result.added, result.updated, result.unchanged) == (0, 1, 4)
    with read_session(engine) as s:
        assert s.get(ActivityRecord, target.id).m2 == 999
        assert count_records(s) == 5 and summary_mismatches(s) == []
        history = record_history(session=s, record_id=target.id)
    edit = history[history["action"] == "Sửa"].iloc[0]
    assert (edit["field"], edit["old"], edit["new"], edit["reason"]) == ("Lượt người nghe", "13", "999",
                                                                         "Nhập từ tệp sua.csv")


def test_an_edited_copy_in_another_database_updates_that_copy(engine, other_engine):
    _fill(engine, 4)
    with read_session(engine) as s:
        frame = export_frame(session=s, filters=ExportFilters())
    import_file(other_engine, frame.to_csv(index=False).encode("utf-8-sig"), "tu_A.csv")
    frame.loc[0, "Lượt người nghe"] = 4321
    _, result = import_file(other_engine, frame.to_csv(index=False).encode("utf-8-sig"), "tu_A_sua.csv")
    assert (result.added, result.updated, result.unchanged) == (0, 1, 3)
    with read_session(other_engine) as s:
        assert s.scalar(select(ActivityRecord.m2).where(ActivityRecord.uid == frame.loc[0, UID_HEADER])) == 4321


def test_a_file_with_local_ids_and_no_global_ids_only_adds(engine):
    _fill(engine, 3)
    with read_session(engine) as s:
        frame = export_frame(session=s, filters=ExportFilters())
    old_format = frame.drop(columns=[UID_HEADER])  # e.g. exported before global ids existed, or by another program
    old_format.loc[0, "Lượt người nghe"] = 777
    before = _by_id(engine)
    preview, result = import_file(engine, old_format.to_csv(index=False).encode("utf-8-sig"), "cu.csv")
    assert (result.added, result.updated) == (3, 0)
    assert all(any("Mã hoạt động" in p.column for p in r.problems) for r in preview.rows)  # each row says why
    after = _by_id(engine)
    assert {k: after[k] for k in before} == before
    _, again = import_file(engine, old_format.to_csv(index=False).encode("utf-8-sig"), "cu.csv")
    assert again.added == 0


def test_malformed_and_repeated_global_ids_are_row_errors(engine):
    _fill(engine, 2)
    with read_session(engine) as s:
        frame = export_frame(session=s, filters=ExportFilters())
    frame.loc[0, UID_HEADER] = "không-phải-mã"
    frame.loc[1, UID_HEADER] = frame.loc[1, UID_HEADER].upper()  # case and braces do not matter…
    frame = pd.concat([frame, frame.iloc[[1]]])  # …but the same id twice in one file is an error
    from data_model.files.records_import import preview_import

    with read_session(engine) as s:
        preview = preview_import(session=s, actor=SYSTEM, data=frame.to_csv(index=False).encode(), filename="x.csv",
                                 today=TODAY)
    errors = {(r.row, p.column) for r in preview.rows for p in r.problems if p.severity == "error"}
    assert errors == {(2, UID_HEADER), (4, UID_HEADER)}


def test_every_way_of_making_a_record_gives_it_a_new_global_id(engine):
    from data_model.demo.synthetic import generate_records

    with write_session(engine) as s:
        create_record(session=s, actor=SYSTEM, values=outreach(unit_id(s)), today=TODAY)
    _fill(engine, 3)
    header = "Loại hoạt động,Ngày bắt đầu,Đơn vị thực hiện,Xã,Số buổi,Lượt người nghe\n"
    import_file(engine, (header + "outreach_session,05/03/2024,st_ka_lang,Ka Lăng,1,10\n").encode(), "moi.csv")
    generate_records(engine=engine, n=20, seed=3)
    with read_session(engine) as s:
        uids = list(s.scalars(select(ActivityRecord.uid)))
    assert len(uids) == 25 and len(set(uids)) == 25 and all(CANONICAL.match(u) for u in uids)


def test_demo_records_have_global_ids(demo_engine):
    with read_session(demo_engine) as s:
        uids = list(s.scalars(select(ActivityRecord.uid).limit(2000)))
    assert len(uids) == 2000 and len(set(uids)) == 2000 and all(CANONICAL.match(u) for u in uids)


def test_global_id_is_unique_in_the_database(engine):
    from sqlalchemy.exc import IntegrityError

    _fill(engine, 2)
    with read_session(engine) as s:
        uid = s.scalars(select(ActivityRecord.uid)).first()
    with pytest.raises(IntegrityError):
        with write_session(engine) as s:
            insert_records(session=s, rows=[{"type_code": "outreach_session", "start_date": dt.date(2024, 1, 1),
                                             "end_date": dt.date(2024, 1, 1), "reporting_unit_id": unit_id(s),
                                             "m1": 1, "uid": uid}])
    assert str(uuid.UUID(uid)) == uid


def test_edits_of_different_columns_in_one_file_each_reach_their_record(engine):
    from data_model.schema.models import RecordLanguage

    with write_session(engine) as s:
        st = unit_id(s)
        ids = [create_record(session=s, actor=SYSTEM, today=TODAY, values=outreach(st, attendances=10 + i,
                                                                                   languages=["vi"])) for i in range(3)]
    with read_session(engine) as s:
        frame = export_frame(session=s, filters=ExportFilters())
    frame.loc[frame["Mã hoạt động"] == ids[0], "Ngôn ngữ"] = "Tiếng Mông; Tiếng Việt"
    frame.loc[frame["Mã hoạt động"] == ids[1], "Lượt người nghe"] = 500
    frame.loc[frame["Mã hoạt động"] == ids[1], "Xã"] = "Mù Cả"
    frame.loc[frame["Mã hoạt động"] == ids[1], "Mã xã"] = "03451"
    _, result = import_file(engine, frame.to_csv(index=False).encode("utf-8-sig"), "sua.csv")
    assert (result.added, result.updated, result.unchanged) == (0, 2, 1)
    with read_session(engine) as s:
        langs = {rid: sorted(s.scalars(select(RecordLanguage.language).where(RecordLanguage.record_id == rid)))
                 for rid in ids}
        moved = s.get(ActivityRecord, ids[1])
        assert summary_mismatches(s) == []
    assert langs == {ids[0]: ["mong", "vi"], ids[1]: ["vi"], ids[2]: ["vi"]}
    assert (moved.m2, moved.commune_key, moved.updated_by) == (500, MU_CA, None)
